/**
 * Records as UDP datagrams, one per record (PyRats' `SysLogHandler`), losing nothing the sender can
 * avoid: a large send buffer (SO_SNDBUF), paced chunks (a burst would overrun the log host's receive
 * buffer) and no more than a bounded number of bytes queued in the socket (back-pressure),
 * a temporary "no buffer space" retried after a pause, and every send's callback counted. What could
 * not be sent is reported as `failed`; UDP never confirms arrival.
 *
 * A connected socket receives the host's ICMP "port unreachable": then nothing listens and every
 * record counts as not sent. A short settle window after the last datagram waits for it.
 * It prints nothing and never throws.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { budgetLookup } from './netBudget';
import { MAX_UDP_PAYLOAD } from './syslogRecord';
import { describeSendError, type TransportRun } from './syslogTarget';

const RETRYABLE = new Set(['ENOBUFS', 'EAGAIN', 'EWOULDBLOCK']);
const MAX_RETRIES = 50;

/** Sends `run.datagrams`; returns the cleanup for `sendSyslog`. */
export function sendUdp(run: TransportRun): () => void {
  const { target, datagrams, options, budget, progress, finish } = run;
  const socket = dgram.createSocket({
    type: net.isIPv6(target.host) ? 'udp6' : 'udp4',
    sendBufferSize: options.sendBufferSize ?? 4 * 1024 * 1024,
    lookup: budgetLookup(budget, options) as dgram.SocketOptions['lookup'],
  });
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const cleanup = (): void => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
  // An ICMP refusal arrives as an asynchronous error: nothing listens, the records already handed
  // over are lost too.
  socket.on('error', (err) => finish({ sent: 0, error: describeSendError(err, target) }));
  const sendable = datagrams.filter((d) => d.length <= MAX_UDP_PAYLOAD);
  const tooLarge = datagrams.length - sendable.length;
  let firstError: string | undefined;
  let refused = false;
  const afterAll = (): void => {
    if (tooLarge) {
      firstError ??= `${tooLarge} record(s) exceed the ${MAX_UDP_PAYLOAD}-byte datagram limit and were not sent`;
    }
    if (firstError) return finish({ sent: refused ? 0 : progress.sent, error: firstError });
    const settleMs = options.settleMs ?? 50;
    if (settleMs <= 0) return finish({ sent: progress.sent });
    later(() => finish({ sent: progress.sent }), settleMs);
  };
  const maxQueued = options.maxQueuedBytes ?? 64 * 1024;
  let index = 0;
  let pending = sendable.length;
  const settled = (): void => {
    if (--pending === 0) afterAll();
  };
  const sendOne = (d: Buffer, attempt: number): void => {
    socket.send(d, (err) => {
      if (stopped) return;
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code && RETRYABLE.has(code) && attempt < MAX_RETRIES) {
        return later(() => sendOne(d, attempt + 1), Math.min(2 ** attempt, 50));
      }
      if (err) {
        firstError ??= describeSendError(err, target);
        if (code === 'ECONNREFUSED') refused = true;
      } else progress.sent++;
      settled();
    });
  };
  // Pacing: a burst larger than the log host's receive buffer (Linux default 208 KiB, about 90
  // one-KiB datagrams with kernel overhead) is partly dropped there, and loopback or a fast link never
  // pushes back on the sender. PyRats' Python loop is slow enough not to burst; we pause briefly after
  // every chunk, and longer while the socket itself holds more than maxQueued bytes.
  const chunkCount = options.paceCount ?? 16;
  const chunkBytes = options.paceBytes ?? 16 * 1024;
  const pauseMs = options.pauseMs ?? 1;
  const pump = (): void => {
    let count = 0;
    let bytes = 0;
    while (
      index < sendable.length &&
      count < chunkCount &&
      bytes < chunkBytes &&
      socket.getSendQueueSize() < maxQueued
    ) {
      const d = sendable[index++];
      count++;
      bytes += d.length;
      sendOne(d, 0);
    }
    if (index < sendable.length) later(pump, pauseMs);
  };
  // A failed connect (unresolvable name, broadcast address, no route) comes to this callback.
  const connected = (err?: Error): void => {
    if (err) return finish({ sent: 0, error: describeSendError(err, target) });
    if (pending === 0) return afterAll();
    pump();
  };
  (socket.connect as (port: number, host: string, cb: (err?: Error) => void) => void)(
    target.port,
    target.host,
    connected,
  );
  return cleanup;
}
