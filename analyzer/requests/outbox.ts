/**
 * The persistent outbox of package requests: a directory with one JSON file per (request, destination)
 * still to deliver. `submitRequest` writes the entry *before* the first attempt and removes it only
 * after a successful delivery, so a request survives a failed send, a crash or a closed editor, and
 * `retryOutbox` (CLI `pyrats request --retry`, or the editor's retry button) sends it again with the
 * same request id (the admin side de-duplicates on it).
 *
 * Files are written atomically (temp file + rename). An unreadable entry is reported, never deleted.
 * `mailto:` deliveries are not kept: building the link cannot fail. The CLI and the editor share one
 * default directory (`defaultOutboxDir`), so `pyrats request --retry` also flushes the editor's.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateRequest, type PackageRequest } from './packageRequest';
import {
  deliverRequest,
  parseRequestSink,
  type DeliveryOptions,
  type DeliveryResult,
  type RequestSink,
} from './requestSinks';

export interface OutboxEntry {
  /** File stem: `<request id>.<destination number>`. */
  key: string;
  request: PackageRequest;
  /** The destination as written (`udp://…`, URL). */
  sink: string;
  attempts: number;
  /** ISO times. */
  firstAttempt: string;
  lastAttempt: string | null;
  lastError: string | null;
}

export interface OutboxListing {
  entries: OutboxEntry[];
  /** Files that could not be read as entries, with the reason. */
  unreadable: { file: string; error: string }[];
}

const SUFFIX = '.request.json';

/** `$PYRATS_OUTBOX`, else `$XDG_STATE_HOME/pyrats/outbox`, else `~/.local/state/pyrats/outbox`. */
export function defaultOutboxDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PYRATS_OUTBOX) return path.resolve(env.PYRATS_OUTBOX);
  const state =
    env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'pyrats', 'outbox');
}

export class RequestOutbox {
  constructor(readonly dir: string) {}

  list(): OutboxListing {
    const listing: OutboxListing = { entries: [], unreadable: [] };
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return listing;
      throw err;
    }
    for (const name of names.filter((n) => n.endsWith(SUFFIX)).sort()) {
      const file = path.join(this.dir, name);
      try {
        const entry = JSON.parse(readFileSync(file, 'utf8')) as OutboxEntry;
        const problems = validateRequest(entry.request);
        if (problems.length) throw new Error(problems.join('; '));
        if (typeof entry.sink !== 'string') throw new Error('no destination');
        parseRequestSink(entry.sink);
        listing.entries.push({ ...entry, key: name.slice(0, -SUFFIX.length) });
      } catch (err) {
        listing.unreadable.push({ file, error: err instanceof Error ? err.message : String(err) });
      }
    }
    listing.entries.sort(
      (a, b) => a.firstAttempt.localeCompare(b.firstAttempt) || a.key.localeCompare(b.key),
    );
    return listing;
  }

  put(entry: OutboxEntry): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, `${entry.key}${SUFFIX}`);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(entry, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }

  remove(key: string): void {
    rmSync(path.join(this.dir, `${key}${SUFFIX}`), { force: true });
  }
}

export interface SubmitResult {
  results: DeliveryResult[];
  /** Deliveries that failed and wait in the outbox. */
  queued: number;
}

/**
 * Delivers `request` to every sink (in parallel); failed deliveries stay in the outbox (when one is
 * given) for a later retry. Never rejects for delivery problems; throws only when the outbox itself
 * cannot be written (then nothing was sent, and the caller must say so).
 */
export async function submitRequest(
  request: PackageRequest,
  sinks: readonly RequestSink[],
  outbox: RequestOutbox | null,
  options: DeliveryOptions,
  now: () => Date = () => new Date(),
): Promise<SubmitResult> {
  const pending = sinks.map((sink, i) => {
    const entry: OutboxEntry = {
      key: `${request.id}.${i}`,
      request,
      sink: sink.url,
      attempts: 0,
      firstAttempt: now().toISOString(),
      lastAttempt: null,
      lastError: null,
    };
    if (outbox && sink.kind !== 'mailto') outbox.put(entry);
    return { sink, entry };
  });
  let queued = 0;
  const results = await Promise.all(
    pending.map(async ({ sink, entry }) => {
      const result = await deliverRequest(request, sink, options);
      if (outbox && sink.kind !== 'mailto') {
        if (result.ok) outbox.remove(entry.key);
        else {
          queued++;
          outbox.put({
            ...entry,
            attempts: 1,
            lastAttempt: now().toISOString(),
            lastError: result.error ?? null,
          });
        }
      }
      return result;
    }),
  );
  return { results, queued };
}

export interface RetryResult {
  /** One per entry tried, with the request id. */
  results: (DeliveryResult & { requestId: string; attempts: number })[];
  /** Entries still waiting after this retry. */
  remaining: number;
  unreadable: OutboxListing['unreadable'];
}

/** Tries every waiting delivery once more; successful ones leave the outbox. */
export async function retryOutbox(
  outbox: RequestOutbox,
  options: DeliveryOptions,
  now: () => Date = () => new Date(),
): Promise<RetryResult> {
  const { entries, unreadable } = outbox.list();
  let remaining = 0;
  const results = await Promise.all(
    entries.map(async (entry) => {
      const result = await deliverRequest(entry.request, parseRequestSink(entry.sink), options);
      const attempts = entry.attempts + 1;
      if (result.ok) outbox.remove(entry.key);
      else {
        remaining++;
        outbox.put({ ...entry, attempts, lastAttempt: now().toISOString(), lastError: result.error ?? null });
      }
      return { ...result, requestId: entry.request.id, attempts };
    }),
  );
  return { results, remaining, unreadable };
}
