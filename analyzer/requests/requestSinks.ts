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
 * An attempt never throws and is bounded in time; the result says what happened. Retrying and keeping
 * failed requests is outbox.ts's job.
 */
import { buildRecordDatagrams, type RecordHeader } from '../pyrats/syslogRecord';
import {
  formatSyslogTarget,
  parseSyslogTarget,
  sendSyslog,
  type SyslogTarget,
} from '../pyrats/syslogTransport';
import { REQUEST_LOGGER, requestToJson, summariseRequest, type PackageRequest } from './packageRequest';

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
}

export interface DeliveryResult {
  /** The sink as written (`udp://…`, URL, `mailto:…`). */
  sink: string;
  kind: RequestSink['kind'];
  ok: boolean;
  /** What happened, for the confirmation: `sent to syslog udp://…`, `HTTP 201`, the mailto link… */
  detail: string;
  /** Why it failed, when it did. */
  error?: string;
  /** For `mailto:`: the link to open. */
  link?: string;
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

async function postWebhook(
  request: PackageRequest,
  url: string,
  options: DeliveryOptions,
): Promise<Omit<DeliveryResult, 'sink' | 'kind'>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'pyrats-lens',
        ...options.webhookHeaders,
      },
      body: requestToJson(request),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
    // Read a little of the body for the message, never the whole of a huge answer.
    let body = '';
    try {
      const reader = response.body?.getReader();
      if (reader) {
        const { value } = await reader.read();
        body = value ? Buffer.from(value).toString('utf8', 0, Math.min(value.length, 300)) : '';
        await reader.cancel();
      }
    } catch {
      // the status is what matters
    }
    if (response.status >= 200 && response.status < 300) {
      return { ok: true, detail: `webhook ${url} answered HTTP ${response.status}` };
    }
    const snippet = body.replace(/\s+/g, ' ').trim();
    return {
      ok: false,
      detail: `webhook ${url} answered HTTP ${response.status}`,
      error: `webhook ${url} answered HTTP ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : e.cause?.code === 'ECONNREFUSED'
          ? 'connection refused (nothing listening)'
          : (e.cause?.message ?? e.message);
    return { ok: false, detail: `webhook ${url} not reached`, error: `webhook ${url}: ${why}` };
  }
}

/** One delivery attempt of `request` to `sink`. Never rejects. */
export async function deliverRequest(
  request: PackageRequest,
  sink: RequestSink,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const base = { sink: sink.url, kind: sink.kind };
  switch (sink.kind) {
    case 'syslog': {
      const result = await sendSyslog(sink.target, [requestDatagram(request, options.recordHeader)], {
        timeoutMs: options.timeoutMs ?? 5000,
      });
      return result.error || result.sent !== 1
        ? {
            ...base,
            ok: false,
            detail: `log host ${sink.url} not reached`,
            error: result.error ?? 'not sent',
          }
        : { ...base, ok: true, detail: `syslog record sent to ${sink.url}` };
    }
    case 'webhook':
      return { ...base, ...(await postWebhook(request, sink.url, options)) };
    case 'mailto': {
      const link = mailtoLink(request, sink.address);
      return {
        ...base,
        ok: true,
        detail: `e-mail to ${sink.address} prepared (open the link to send it)`,
        link,
      };
    }
  }
}
