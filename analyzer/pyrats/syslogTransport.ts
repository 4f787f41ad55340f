/**
 * Sends syslog records to a log host: UDP (one datagram per record, as PyRats' `SysLogHandler`) or TCP
 * (one connection, records framed by a newline, as syslog-ng's default `network()` source expects).
 *
 * Sending never throws and never takes longer than the caller's time limit: the result says how many
 * records went out and, when something failed, why (host unreachable, refused, timed out, record too
 * large for a datagram). UDP cannot prove delivery; a connected socket does report an ICMP "port
 * unreachable" from the host, which this module waits for during a short settle window.
 *
 * This module does not build records (syslogRecord.ts does) and prints nothing: callers decide how to
 * warn the user (once).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { MAX_UDP_PAYLOAD, frameForStream } from './syslogRecord';
import { timerDelay } from '../timerDelay';

export interface SyslogTarget {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** Parses `udp://HOST:PORT` or `tcp://HOST:PORT` (IPv6 hosts in brackets). Throws a specific Error. */
export function parseSyslogTarget(text: string): SyslogTarget {
  const m = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/[\]]+):(\d+)\/?$/i.exec(text.trim());
  if (!m) {
    throw new Error(`'${text}' is not a log host address: expected udp://HOST:PORT or tcp://HOST:PORT`);
  }
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`'${text}': port ${m[3]} is outside 1-65535`);
  }
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { transport: m[1].toLowerCase() as 'udp' | 'tcp', host, port };
}

export function formatSyslogTarget(t: SyslogTarget): string {
  return `${t.transport}://${net.isIPv6(t.host) ? `[${t.host}]` : t.host}:${t.port}`;
}

export interface SendOptions {
  /** Upper bound for the whole send, connection included (default 3000 ms). */
  timeoutMs?: number;
  /** UDP only: how long to wait after the last datagram for an ICMP refusal (default 50 ms; 0 = don't wait). */
  settleMs?: number;
  /** UDP only: after this many datagrams (default 16) or bytes (default 16 KiB), pause `pauseMs` (default 1 ms). */
  paceCount?: number;
  paceBytes?: number;
  pauseMs?: number;
}

export interface SendResult {
  target: string;
  /** Records handed to the network (UDP) or written and flushed on the connection (TCP). */
  sent: number;
  /** Records that did not go out. */
  failed: number;
  /** Why something failed (the first problem), absent on success. */
  error?: string;
  elapsedMs: number;
}

function describe(err: unknown, target: SyslogTarget): string {
  const e = err as NodeJS.ErrnoException;
  const where = formatSyslogTarget(target);
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `log host ${where} refused the connection (nothing listening)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `log host name '${target.host}' could not be resolved`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `log host ${where} is unreachable`;
    case 'EACCES':
      return `sending to ${where} is not permitted (a broadcast address?)`;
    case 'EMSGSIZE':
      return `a record is too large for one datagram to ${where}`;
    default:
      return `sending to ${where} failed: ${e?.message ?? String(err)}`;
  }
}

/** Sends `datagrams` (as built by syslogRecord.ts) to `target`; resolves, never rejects. */
export function sendSyslog(
  target: SyslogTarget,
  datagrams: readonly Buffer[],
  options: SendOptions = {},
): Promise<SendResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 3000;
  const run = target.transport === 'udp' ? sendUdp : sendTcp;
  return new Promise<SendResult>((resolve) => {
    let done = false;
    let cleanup = (): void => {};
    const finish = (sent: number, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve({
        target: formatSyslogTarget(target),
        sent,
        failed: datagrams.length - sent,
        ...(error ? { error } : {}),
        elapsedMs: performance.now() - started,
      });
    };
    const progress = { sent: 0 };
    const timer = setTimeout(
      () => finish(progress.sent, `sending to ${formatSyslogTarget(target)} timed out after ${timeoutMs} ms`),
      timerDelay(timeoutMs),
    );
    cleanup = run(target, datagrams, options, progress, finish);
  });
}

type Finish = (sent: number, error?: string) => void;

function sendUdp(
  target: SyslogTarget,
  datagrams: readonly Buffer[],
  options: SendOptions,
  progress: { sent: number },
  finish: Finish,
): () => void {
  const socket = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
  let firstError: string | undefined;
  let refused = false;
  let settle: NodeJS.Timeout | undefined;
  let pace: NodeJS.Timeout | undefined;
  let stopped = false;
  const cleanup = (): void => {
    stopped = true;
    if (settle) clearTimeout(settle);
    if (pace) clearTimeout(pace);
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
  socket.on('error', (err) => {
    // An ICMP refusal arrives as an asynchronous error on a connected socket. It means nothing listens
    // on that port, so the datagrams already handed over are counted as lost too.
    firstError ??= describe(err, target);
    finish(0, firstError);
  });
  const tooLarge = datagrams.filter((d) => d.length > MAX_UDP_PAYLOAD).length;
  // A failed connect (unresolvable name, broadcast address, no route) is handed to this callback as
  // its argument instead of an 'error' event; the socket is then not connected and cannot send.
  const connected = (err?: Error): void => {
    if (err) {
      firstError ??= describe(err, target);
      return finish(0, firstError);
    }
    const sendable = datagrams.filter((d) => d.length <= MAX_UDP_PAYLOAD);
    let pending = sendable.length;
    const afterAll = (): void => {
      if (tooLarge) {
        firstError ??= `${tooLarge} record(s) exceed the ${MAX_UDP_PAYLOAD}-byte datagram limit and were not sent`;
      }
      if (firstError) return finish(refused ? 0 : progress.sent, firstError);
      const settleMs = options.settleMs ?? 50;
      if (settleMs <= 0) return finish(progress.sent);
      settle = setTimeout(() => finish(progress.sent), settleMs);
    };
    if (pending === 0) return afterAll();
    // Pacing: a burst larger than the receiver's socket buffer (Linux default 208 KiB, about 90
    // one-KiB datagrams with kernel overhead) is partly dropped by the log host. PyRats' Python loop
    // is slow enough not to burst; we pause briefly after every chunk instead.
    const chunkCount = options.paceCount ?? 16;
    const chunkBytes = options.paceBytes ?? 16 * 1024;
    const pauseMs = options.pauseMs ?? 1;
    let index = 0;
    const sendChunk = (): void => {
      if (stopped) return;
      let count = 0;
      let bytes = 0;
      while (index < sendable.length && count < chunkCount && bytes < chunkBytes) {
        const d = sendable[index++];
        count++;
        bytes += d.length;
        socket.send(d, (err) => {
          if (err) {
            firstError ??= describe(err, target);
            if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') refused = true;
          } else progress.sent++;
          if (--pending === 0) afterAll();
        });
      }
      if (index < sendable.length) pace = setTimeout(sendChunk, pauseMs);
    };
    sendChunk();
  };
  (socket.connect as (port: number, host: string, cb: (err?: Error) => void) => void)(
    target.port,
    target.host,
    connected,
  );
  return cleanup;
}

function sendTcp(
  target: SyslogTarget,
  datagrams: readonly Buffer[],
  _options: SendOptions,
  progress: { sent: number },
  finish: Finish,
): () => void {
  const socket = net.connect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  const cleanup = (): void => {
    socket.destroy();
  };
  socket.on('error', (err) => finish(progress.sent, describe(err, target)));
  socket.on('connect', () => {
    const payload = Buffer.concat(datagrams.map(frameForStream));
    // end() flushes everything to the kernel before 'finish'; the records are then on their way.
    socket.end(payload, () => {
      progress.sent = datagrams.length;
      finish(progress.sent);
    });
  });
  return cleanup;
}
