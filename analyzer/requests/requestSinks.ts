/**
 * Where package requests go, and one delivery attempt to each kind of place:
 *
 * * `udp://HOST:PORT`, `tcp://HOST:PORT` — a syslog record to the log host, `loggerName=PyRatsRequest`,
 *   the request's JSON as `message=` (same header layout as PyRats records, so one parser reads both);
 * * `http://…`, `https://…` — a webhook: POST of the JSON with `Content-Type: application/json`;
 *   any 2xx status is success;
 * * `mailto:ADDRESS` — the fallback: a link with subject and body that the user's mail program sends.
 *   Building it cannot fail; the caller shows or opens it.
 *
 * An attempt never throws and is bounded in time (one budget for name lookup, connect and send); the
 * result says what happened: `delivered` (a webhook's 2xx; a TCP log host that read everything and
 * closed cleanly), `unconfirmed` (UDP: handed to the network, arrival unknowable) or `failed`.
 * Several requests to one TCP log host go over one connection (`deliverSyslogBatch`). Retrying and
 * keeping failed requests is outbox.ts's job.
 */
import { buildRecordDatagrams, type RecordHeader } from '../pyrats/syslogRecord';
import {
  formatSyslogTarget,
  parseSyslogTarget,
  sendSyslog,
  type SendResult,
  type SyslogTarget,
} from '../pyrats/syslogTransport';
import {
  REQUEST_LOGGER,
  requestToJson,
  summariseRequest,
  type PackageRequest,
} from '../pyrats/packageRequest';
import { postWebhook } from './webhook';

export type RequestSink =
  | { kind: 'syslog'; url: string; target: SyslogTarget }
  | { kind: 'webhook'; url: string }
  | { kind: 'mailto'; url: string; address: string };

/** Parses a sink as written in `--to` or a setting; throws a specific Error otherwise. */
export function parseRequestSink(text: string): RequestSink {
  const t = text.trim();
  if (/^(udp|tcp):\/\//i.test(t)) {
    const target = parseSyslogTarget(t);
    return { kind: 'syslog', url: formatSyslogTarget(target), target };
  }
  if (/^https?:\/\//i.test(t)) {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      throw new Error(`'${text}' is not a valid webhook URL`);
    }
    return { kind: 'webhook', url: u.toString() };
  }
  if (/^mailto:/i.test(t)) {
    const address = decodeURIComponent(t.slice('mailto:'.length).split('?')[0]);
    if (!/^[^@\s,]+@[^@\s,]+$/.test(address)) throw new Error(`'${text}' has no valid e-mail address`);
    return { kind: 'mailto', url: `mailto:${address}`, address };
  }
  throw new Error(
    `'${text}' is not a request destination: use udp://HOST:PORT, tcp://HOST:PORT, http(s)://URL or mailto:ADDRESS`,
  );
}

export interface DeliveryOptions {
  /** Header fields of the syslog record (pathName: our bundle, python: the target interpreter). */
  recordHeader: Omit<RecordHeader, 'loggerName'>;
  /** Bound for one attempt (default 5000 ms). */
  timeoutMs?: number;
  /** Extra HTTP headers for webhooks (e.g. an Authorization token). */
  webhookHeaders?: Record<string, string>;
  /** DNS servers to ask instead of the system's (netBudget.ts). */
  dnsServers?: string[];
}

/** delivered: confirmed; unconfirmed: sent over UDP, arrival unknown; failed: kept for a retry. */
export type DeliveryStatus = 'delivered' | 'unconfirmed' | 'failed';

export interface DeliveryResult {
  /** The sink as written (`udp://…`, URL, `mailto:…`). */
  sink: string;
  kind: RequestSink['kind'];
  /** True unless `status` is `failed`. */
  ok: boolean;
  status: DeliveryStatus;
  /** What happened, for the confirmation: `sent to syslog udp://…`, `HTTP 201`, the mailto link… */
  detail: string;
  /** Why it failed, when it did. */
  error?: string;
  /** For `mailto:`: the link to open. */
  link?: string;
  /** After a failed attempt kept in the outbox: when the next one is due (ISO). */
  nextAttempt?: string;
}

/** The syslog record of a request (exported for previews and tests). */
export function requestDatagram(request: PackageRequest, header: Omit<RecordHeader, 'loggerName'>): Buffer {
  return buildRecordDatagrams([requestToJson(request)], { ...header, loggerName: REQUEST_LOGGER })[0];
}

/** A `mailto:` link carrying a readable summary and the JSON (so an admin can paste it into the tools). */
export function mailtoLink(request: PackageRequest, address: string): string {
  const lines = [
    `Please provide these Python packages on the centre's Python: ${request.packages.map((p) => p.name).join(', ')}`,
    '',
    ...(request.reason ? [`Reason: ${request.reason}`, ''] : []),
    ...(request.preferredSource ? [`Preferred source: ${request.preferredSource}`, ''] : []),
    ...request.packages.flatMap((p) => [
      `${p.name}: baseline ${request.baseline ?? '(none configured)'} ${p.baselineVersion ? `has ${p.baselineVersion}` : 'lacks it'}` +
        (p.mirror.length
          ? `; mirror: ${p.mirror.map((m) => `${m.source} ${m.versions.length ? m.versions.slice(0, 3).join(', ') : 'none'}`).join('; ')}`
          : ''),
      ...p.evidence.map((e) => `  ${e.file}:${e.line}: ${e.text}`),
    ]),
    '',
    `Requested by ${request.user} on ${request.host} at ${request.created}.`,
    '',
    'Machine-readable request:',
    requestToJson(request),
  ];
  const subject = `Python package request: ${summariseRequest({ ...request, reason: null })}`;
  return `mailto:${address}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(lines.join('\n'))}`;
}

function syslogResults(
  sink: Extract<RequestSink, { kind: 'syslog' }>,
  count: number,
  sent: SendResult,
): DeliveryResult[] {
  const base = { sink: sink.url, kind: sink.kind };
  if (sent.error || sent.sent !== count) {
    const result: DeliveryResult = {
      ...base,
      ok: false,
      status: 'failed',
      detail: `log host ${sink.url} not reached`,
      error: sent.error ?? 'not sent',
    };
    return Array.from({ length: count }, () => result);
  }
  const result: DeliveryResult = sent.confirmed
    ? {
        ...base,
        ok: true,
        status: 'delivered',
        detail: `syslog record delivered to ${sink.url} (connection closed cleanly)`,
      }
    : {
        ...base,
        ok: true,
        status: 'unconfirmed',
        detail: `syslog record sent to ${sink.url} over UDP, unconfirmed`,
      };
  return Array.from({ length: count }, () => result);
}

/**
 * Delivers several requests to one syslog destination: over TCP on one connection (all confirmed or
 * none), over UDP one datagram at a time. One result per request, in order.
 */
export async function deliverSyslogBatch(
  requests: readonly PackageRequest[],
  sink: Extract<RequestSink, { kind: 'syslog' }>,
  options: DeliveryOptions,
): Promise<DeliveryResult[]> {
  const send = (batch: readonly PackageRequest[]): Promise<SendResult> =>
    sendSyslog(
      sink.target,
      batch.map((r) => requestDatagram(r, options.recordHeader)),
      { timeoutMs: options.timeoutMs ?? 5000, dnsServers: options.dnsServers },
    );
  if (sink.target.transport === 'tcp') return syslogResults(sink, requests.length, await send(requests));
  const results: DeliveryResult[] = [];
  for (const r of requests) results.push(...syslogResults(sink, 1, await send([r])));
  return results;
}

/** One delivery attempt of `request` to `sink`. Never rejects. */
export async function deliverRequest(
  request: PackageRequest,
  sink: RequestSink,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const base = { sink: sink.url, kind: sink.kind };
  switch (sink.kind) {
    case 'syslog':
      return (await deliverSyslogBatch([request], sink, options))[0];
    case 'webhook': {
      const outcome = await postWebhook(sink.url, requestToJson(request), {
        timeoutMs: options.timeoutMs ?? 5000,
        headers: options.webhookHeaders,
        dnsServers: options.dnsServers,
      });
      return { ...base, ...outcome, status: outcome.ok ? 'delivered' : 'failed' };
    }
    case 'mailto': {
      const link = mailtoLink(request, sink.address);
      return {
        ...base,
        ok: true,
        status: 'unconfirmed',
        detail: `e-mail to ${sink.address} prepared (open the link to send it)`,
        link,
      };
    }
  }
}
