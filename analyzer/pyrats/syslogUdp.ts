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
  const sender = new UdpSender(run);
  sender.start();
  return () => sender.stop();
}

/** One UDP send: a connected socket, paced datagrams, every callback counted. */
class UdpSender {
  private readonly socket: dgram.Socket;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sendable: readonly Buffer[];
  private stopped = false;
  private index = 0;
  private pending: number;
  private firstError: string | undefined;
  private refused = false;

  constructor(private readonly run: TransportRun) {
    const { target, options, budget, datagrams } = run;
    this.socket = dgram.createSocket({
      type: net.isIPv6(target.host) ? 'udp6' : 'udp4',
      sendBufferSize: options.sendBufferSize ?? 4 * 1024 * 1024,
      lookup: budgetLookup(budget, options) as dgram.SocketOptions['lookup'],
    });
    this.sendable = datagrams.filter((d) => d.length <= MAX_UDP_PAYLOAD);
    this.pending = this.sendable.length;
  }

  start(): void {
    const { target, finish } = this.run;
    // An ICMP refusal arrives as an asynchronous error: nothing listens, the records already handed
    // over are lost too.
    this.socket.on('error', (err) => finish({ sent: 0, error: describeSendError(err, target) }));
    // A failed connect (unresolvable name, broadcast address, no route) comes to this callback.
    const connected = (err?: Error): void => {
      if (err) return finish({ sent: 0, error: describeSendError(err, target) });
      if (this.pending === 0) return this.afterAll();
      this.pump();
    };
    (this.socket.connect as (port: number, host: string, cb: (err?: Error) => void) => void)(
      target.port,
      target.host,
      connected,
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  /**
   * Pacing: a burst larger than the log host's receive buffer (Linux default 208 KiB, about 90
   * one-KiB datagrams with kernel overhead) is partly dropped there, and loopback or a fast link never
   * pushes back on the sender. PyRats' Python loop is slow enough not to burst; we pause briefly after
   * every chunk, and longer while the socket itself holds more than maxQueuedBytes.
   */
  private pump(): void {
    const { options } = this.run;
    const maxQueued = options.maxQueuedBytes ?? 64 * 1024;
    const chunkCount = options.paceCount ?? 16;
    const chunkBytes = options.paceBytes ?? 16 * 1024;
    let count = 0;
    let bytes = 0;
    while (
      this.index < this.sendable.length &&
      count < chunkCount &&
      bytes < chunkBytes &&
      this.socket.getSendQueueSize() < maxQueued
    ) {
      const d = this.sendable[this.index++];
      count++;
      bytes += d.length;
      this.sendOne(d, 0);
    }
    if (this.index < this.sendable.length) this.later(() => this.pump(), options.pauseMs ?? 1);
  }

  /** Sends one datagram; "no buffer space" is retried after a growing pause. */
  private sendOne(d: Buffer, attempt: number): void {
    this.socket.send(d, (err) => {
      if (this.stopped) return;
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code && RETRYABLE.has(code) && attempt < MAX_RETRIES) {
        return this.later(() => this.sendOne(d, attempt + 1), Math.min(2 ** attempt, 50));
      }
      if (err) {
        this.firstError ??= describeSendError(err, this.run.target);
        if (code === 'ECONNREFUSED') this.refused = true;
      } else this.run.progress.sent++;
      if (--this.pending === 0) this.afterAll();
    });
  }

  /** Every callback came back: report, after a settle window for a late ICMP refusal. */
  private afterAll(): void {
    const { datagrams, options, progress, finish } = this.run;
    const tooLarge = datagrams.length - this.sendable.length;
    if (tooLarge) {
      this.firstError ??= `${tooLarge} record(s) exceed the ${MAX_UDP_PAYLOAD}-byte datagram limit and were not sent`;
    }
    if (this.firstError) return finish({ sent: this.refused ? 0 : progress.sent, error: this.firstError });
    const settleMs = options.settleMs ?? 50;
    if (settleMs <= 0) return finish({ sent: progress.sent });
    this.later(() => finish({ sent: progress.sent }), settleMs);
  }
}
