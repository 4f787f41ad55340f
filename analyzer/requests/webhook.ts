/**
 * One webhook delivery: POST of a request's JSON with `Content-Type: application/json`; any 2xx answer
 * is a delivery. One time budget (netBudget.ts) covers name lookup, connect, sending and the answer's
 * status line; at most 300 bytes of the answer are read, for the error message. Redirects are not
 * followed (a POST must not silently change destination): a 3xx is a failure that names the new
 * location. Never throws.
 */
import http from 'node:http';
import https from 'node:https';
import { NetBudget, budgetLookup, lookupTimedOut, type LookupOptions } from '../pyrats/netBudget';
import { timerDelay } from '../timerDelay';

export interface WebhookOutcome {
  ok: boolean;
  detail: string;
  error?: string;
}

export interface WebhookOptions extends LookupOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

function failureReason(err: NodeJS.ErrnoException, timeoutMs: number): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listening)';
    case 'ETIMEOUT_LOOKUP':
      return err.message;
    case 'ENOTFOUND':
    case 'ENODATA':
      return `the host name could not be resolved`;
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'BUDGET':
      return `no answer within ${timeoutMs} ms`;
    default:
      return err.message;
  }
}

/** 2xx is a delivery; otherwise the status, a redirect's target and up to 300 bytes of the body. */
function readAnswer(url: string, response: http.IncomingMessage, settle: (o: WebhookOutcome) => void): void {
  const status = response.statusCode ?? 0;
  const answered = `webhook ${url} answered HTTP ${status}`;
  if (status >= 200 && status < 300) return settle({ ok: true, detail: answered });
  let text = '';
  const report = (): void => {
    const snippet = text.replace(/\s+/g, ' ').trim();
    const moved = status >= 300 && status < 400 && response.headers.location;
    settle({
      ok: false,
      detail: answered,
      error:
        `${answered} ${response.statusMessage ?? ''}`.trimEnd() +
        (moved ? ` (redirect to ${response.headers.location}; give that URL)` : '') +
        (snippet ? `: ${snippet}` : ''),
    });
  };
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
    if (text.length >= 300) {
      text = text.slice(0, 300);
      report();
    }
  });
  response.on('end', report);
  response.on('error', report);
}

/** POSTs `body` to `url`; resolves with what happened. */
export function postWebhook(url: string, body: string, options: WebhookOptions): Promise<WebhookOutcome> {
  const budget = new NetBudget(options.timeoutMs);
  return new Promise((resolve) => {
    let done = false;
    const settle = (outcome: WebhookOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const fail = (why: string): void =>
      settle({ ok: false, detail: `webhook ${url} not reached`, error: `webhook ${url}: ${why}` });
    const u = new URL(url);
    const request = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'User-Agent': 'pyrats-lens',
        ...options.headers,
      },
      lookup: budgetLookup(budget, options),
      agent: false,
    });
    const timer = setTimeout(() => {
      const err = budget.lookingUp
        ? lookupTimedOut(u.hostname, budget)
        : Object.assign(new Error(''), { code: 'BUDGET' });
      fail(failureReason(err, options.timeoutMs));
    }, timerDelay(options.timeoutMs));
    request.on('error', (err) => fail(failureReason(err, options.timeoutMs)));
    request.on('response', (response) => readAnswer(url, response, settle));
    request.end(body);
  });
}
