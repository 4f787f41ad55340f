/**
 * The persistent outbox of package requests: a directory with one JSON file per (request, destination)
 * still to deliver. `submitRequest` writes the entry *before* the first attempt and removes it only
 * after a successful delivery, so a request survives a failed send, a crash or a closed editor, and
 * `retryOutbox` (CLI `pyrats request --retry`, or the editor's retry button) sends it again with the
 * same request id (the admin side de-duplicates on it).
 *
 * Files are written atomically (temp file + rename). An unreadable entry is reported, never deleted.
 * A delivery in progress *claims* its entry by renaming it
 * (`….request.json.<host>.<pid>.<n>-<claim time, ms>.sending`): a rename succeeds for one process
 * only, so two retries at once (two editors, a cron job) never send the same entry twice. A claim left
 * by a process that died (same host, pid gone) or made more than an hour ago (any host: home
 * directories are shared between login nodes) goes back to the outbox. The claim time is in the name
 * because a rename keeps the file's modification time: that of an entry that waited for days.
 * `mailto:` deliveries are not kept: building the link cannot fail. The CLI and the editor share one
 * default directory (`defaultOutboxDir`), so `pyrats request --retry` also flushes the editor's.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** Keys of entries being delivered right now by some process (claimed). */
  sending: string[];
}

const SUFFIX = '.request.json';
const CLAIM_SUFFIX = '.sending';
/** A claim older than this is abandoned whoever holds it (deliveries time out within seconds). */
export const STALE_CLAIM_MS = 60 * 60 * 1000;

interface Claim {
  file: string;
  key: string;
  host: string;
  pid: number;
  /** When it was claimed (ms); null in names without it (then the file's mtime is used). */
  time: number | null;
}

/**
 * `<key>.request.json.<host>.<pid>.<n>-<ms>.sending` (or without `-<ms>`) → its parts (host names
 * may contain dots).
 */
function parseClaim(dir: string, name: string): Claim | undefined {
  const m = /^(.+)\.request\.json\.(.+)\.(\d+)\.[0-9a-f]+(?:-(\d+))?\.sending$/.exec(name);
  return m
    ? {
        file: path.join(dir, name),
        key: m[1],
        host: m[2],
        pid: Number(m[3]),
        time: m[4] === undefined ? null : Number(m[4]),
      }
    : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let claimCounter = 0;

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
    const listing: OutboxListing = { entries: [], unreadable: [], sending: [] };
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return listing;
      if (code === 'ENOTDIR') throw new Error(`outbox ${this.dir} is not a directory`);
      if (code === 'EACCES') throw new Error(`outbox ${this.dir}: permission denied`);
      throw err;
    }
    const pending = new Set(names.filter((n) => n.endsWith(SUFFIX)));
    for (const name of names.filter((n) => n.endsWith(CLAIM_SUFFIX))) {
      const claim = parseClaim(this.dir, name);
      if (!claim) continue;
      if (this.abandoned(claim)) {
        const back = `${claim.key}${SUFFIX}`;
        // a newer pending copy (written after a failed attempt) wins over the abandoned claim
        if (pending.has(back)) rmSync(claim.file, { force: true });
        else if (this.rename(claim.file, path.join(this.dir, back))) pending.add(back);
      } else listing.sending.push(claim.key);
    }
    for (const name of [...pending].sort()) {
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

  /** A claim whose holder died (same host) or that was made more than STALE_CLAIM_MS ago. */
  private abandoned(claim: Claim): boolean {
    if (claim.host === os.hostname() && !processAlive(claim.pid)) return true;
    if (claim.time !== null) return Date.now() - claim.time > STALE_CLAIM_MS;
    try {
      return Date.now() - statSync(claim.file).mtimeMs > STALE_CLAIM_MS;
    } catch {
      return false;
    }
  }

  /** rename, false when the source is gone (another process took it). */
  private rename(from: string, to: string): boolean {
    try {
      renameSync(from, to);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private claimFile(key: string): string {
    const unique = `${os.hostname()}.${process.pid}.${(claimCounter++).toString(16)}-${Date.now()}`;
    return path.join(this.dir, `${key}${SUFFIX}.${unique}${CLAIM_SUFFIX}`);
  }

  /**
   * Takes a waiting entry for delivery: the claim file's path, or null when another process
   * claimed (or delivered) it first.
   */
  claim(key: string): string | null {
    const claim = this.claimFile(key);
    return this.rename(path.join(this.dir, `${key}${SUFFIX}`), claim) ? claim : null;
  }

  /** Writes a new entry already claimed by this process (its first attempt is about to start). */
  putClaimed(entry: OutboxEntry): string {
    const claim = this.claimFile(entry.key);
    this.writeAtomically(claim, entry);
    return claim;
  }

  /** Ends a claim: delivered (`failed` absent) removes it; a failure puts the updated entry back. */
  release(claim: string, failed?: OutboxEntry): void {
    if (failed) this.put(failed);
    rmSync(claim, { force: true });
  }

  put(entry: OutboxEntry): void {
    this.writeAtomically(path.join(this.dir, `${entry.key}${SUFFIX}`), entry);
  }

  private writeAtomically(file: string, entry: OutboxEntry): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(entry, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
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
    // kept (claimed by this process) before the first attempt: a crash loses nothing
    const claim = outbox && sink.kind !== 'mailto' ? outbox.putClaimed(entry) : null;
    return { sink, entry, claim };
  });
  let queued = 0;
  const results = await Promise.all(
    pending.map(async ({ sink, entry, claim }) => {
      const result = await deliverRequest(request, sink, options);
      if (outbox && claim) {
        if (!result.ok) queued++;
        outbox.release(
          claim,
          result.ok
            ? undefined
            : { ...entry, attempts: 1, lastAttempt: now().toISOString(), lastError: result.error ?? null },
        );
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

/**
 * Tries every waiting delivery once more; successful ones leave the outbox. Entries another
 * process is delivering at the same moment are left to it (not tried, not counted).
 */
export async function retryOutbox(
  outbox: RequestOutbox,
  options: DeliveryOptions,
  now: () => Date = () => new Date(),
): Promise<RetryResult> {
  const { entries, unreadable } = outbox.list();
  let remaining = 0;
  const claimed = entries.flatMap((entry) => {
    const claim = outbox.claim(entry.key);
    return claim ? [{ entry, claim }] : [];
  });
  const results = await Promise.all(
    claimed.map(async ({ entry, claim }) => {
      const result = await deliverRequest(entry.request, parseRequestSink(entry.sink), options);
      const attempts = entry.attempts + 1;
      if (!result.ok) remaining++;
      outbox.release(
        claim,
        result.ok
          ? undefined
          : { ...entry, attempts, lastAttempt: now().toISOString(), lastError: result.error ?? null },
      );
      return { ...result, requestId: entry.request.id, attempts };
    }),
  );
  return { results, remaining, unreadable };
}
