/**
 * Log host addresses (`udp://`, `tcp://`, `tcp://…?framing=octet-counting`), the options and results of
 * one send, and the sentence for each socket or lookup error: what syslogTransport.ts and its two
 * transports (syslogUdp.ts, syslogTcp.ts) share. Sends nothing.
 */
import net from 'node:net';
import type { LookupOptions, NetBudget } from './netBudget';

export type StreamFraming = 'newline' | 'octet-counting';

export interface SyslogTarget {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
  /** TCP only: how records are delimited on the stream (default newline). */
  framing?: StreamFraming;
}

const TARGET = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/?[\]]+):(\d+)\/?(?:\?framing=([a-z-]+))?$/i;

/**
 * Parses `udp://HOST:PORT`, `tcp://HOST:PORT` or `tcp://HOST:PORT?framing=octet-counting` (IPv6
 * hosts in brackets). Throws a specific Error.
 */
export function parseSyslogTarget(text: string): SyslogTarget {
  const m = TARGET.exec(text.trim());
  if (!m) {
    throw new Error(`'${text}' is not a log host address: expected udp://HOST:PORT or tcp://HOST:PORT`);
  }
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`'${text}': port ${m[3]} is outside 1-65535`);
  }
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  const transport = m[1].toLowerCase() as 'udp' | 'tcp';
  if (!m[4]) return { transport, host, port };
  const framing = m[4].toLowerCase();
  if (transport !== 'tcp' || (framing !== 'octet-counting' && framing !== 'newline')) {
    throw new Error(`'${text}': framing= is for tcp:// only and is octet-counting or newline`);
  }
  return framing === 'newline' ? { transport, host, port } : { transport, host, port, framing };
}

export function formatSyslogTarget(t: SyslogTarget): string {
  const framing = t.framing && t.framing !== 'newline' ? `?framing=${t.framing}` : '';
  return `${t.transport}://${net.isIPv6(t.host) ? `[${t.host}]` : t.host}:${t.port}${framing}`;
}

export interface SendOptions extends LookupOptions {
  /** Upper bound for the whole send: name lookup, connect, send, confirmation (default 3000 ms). */
  timeoutMs?: number;
  /** UDP only: how long to wait after the last datagram for an ICMP refusal (default 50 ms; 0 = don't wait). */
  settleMs?: number;
  /** UDP only: requested SO_SNDBUF (default 4 MiB; the kernel caps it at net.core.wmem_max). */
  sendBufferSize?: number;
  /** UDP only: after this many datagrams (default 16) or bytes (default 16 KiB), pause `pauseMs` (default 1 ms). */
  paceCount?: number;
  paceBytes?: number;
  pauseMs?: number;
  /** UDP only: at most this many bytes queued in the socket before waiting for it to drain (default 64 KiB). */
  maxQueuedBytes?: number;
  /** TCP only: how long the connection is watched after writing, before half-closing (default 200 ms). */
  rejectWindowMs?: number;
}

export interface SendResult {
  target: string;
  /** Records handed to the network (UDP) or confirmed by the log host (TCP). */
  sent: number;
  /** Records that did not go out (UDP) or whose arrival is not confirmed (TCP). */
  failed: number;
  /** True only for TCP: the log host read everything and closed the connection cleanly. */
  confirmed: boolean;
  /** Why something failed (the first problem), absent on success. */
  error?: string;
  elapsedMs: number;
}

/** What a transport reports to `sendSyslog` when it is done. */
export type Finish = (outcome: { sent: number; confirmed?: boolean; error?: string }) => void;

/** A specific sentence for a socket or lookup error. */
export function describeSendError(err: unknown, target: SyslogTarget): string {
  const e = err as NodeJS.ErrnoException;
  const where = formatSyslogTarget(target);
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `log host ${where} refused the connection (nothing listening)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `log host ${where} reset the connection (records not confirmed)`;
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_AGAIN':
      return `log host name '${target.host}' could not be resolved`;
    case 'ETIMEOUT_LOOKUP':
      return `log host ${where}: ${e.message}`;
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return `log host ${where}: the name lookup of '${target.host}' timed out`;
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

/** What `sendSyslog` hands a transport. */
export interface TransportRun {
  target: SyslogTarget;
  datagrams: readonly Buffer[];
  options: SendOptions;
  budget: NetBudget;
  /** Records sent so far (what a time-out reports for UDP). */
  progress: { sent: number };
  finish: Finish;
}
