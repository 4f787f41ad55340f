/**
 * The persistent outbox of package requests: a directory with one JSON file per (request, destination)
 * still to deliver. `submitRequest` writes the entry *before* the first attempt and removes it only
 * after a successful delivery, so a request survives a failed send, a crash or a closed editor, and
 * `retryOutbox` (CLI `pyrats request --retry`, or the editor's retry button) sends it again with the
 * same request id (the admin side de-duplicates on it).
 *
 * An entry leaves the outbox only after a confirmed delivery (a webhook's 2xx, a TCP log host that
 * read everything and closed cleanly). A UDP send cannot be confirmed: its entry moves to
 * `unconfirmed/` (kept 30 days, never resent). A failed attempt puts the entry back with the reason
 * and the time of the next attempt. Deliveries to one destination go one at a time; syslog ones over
 * one connection.
 *
 * Files are written atomically (temp file + rename). Each entry is read and checked on its own
 * (outboxEntry.ts): a malformed one moves to `bad/` beside a `.reason` file with one line saying why,
 * and the others are delivered. A file that cannot be read (permissions, I/O) stays where it is.
 * A delivery in progress *claims* its entry by renaming it
 * (`….request.json.<host>.<pid>.<n>-<claim time, ms>.sending`): a rename succeeds for one process
 * only, so two retries at once (two editors, a cron job) never send the same entry twice. A claim left
 * by a process that died (same host, pid gone) or made more than an hour ago (any host: home
 * directories are shared between login nodes) goes back to the outbox. The claim time is in the name
 * because a rename keeps the file's modification time: that of an entry that waited for days.
 * `mailto:` deliveries are not kept: building the link cannot fail. The CLI and the editor share one
 * default directory (`defaultOutboxDir`), so `pyrats request --retry` also flushes the editor's.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MAX_ENTRY_BYTES,
  compareEntries,
  parseOutboxEntry,
  retryDelayMs,
  type OutboxEntry,
} from './outboxEntry';
import type { PackageRequest } from '../pyrats/packageRequest';
import { readCapped } from './readCapped';
import {
  deliverRequest,
  deliverSyslogBatch,
  parseRequestSink,
  type DeliveryOptions,
  type DeliveryResult,
  type RequestSink,
} from './requestSinks';
import { makePrivateDir, replacePrivateFile, writePrivateFile } from '../privateFiles';

export type { OutboxEntry } from './outboxEntry';

export interface OutboxListing {
  /** Entries waiting for delivery, oldest first. */
  entries: OutboxEntry[];
  /** Malformed entries found by this listing and moved to `bad/`, with the one-line reason. */
  bad: { file: string; movedTo: string; reason: string }[];
  /** Files that could not be read (permissions, I/O errors), left in place. */
  unreadable: { file: string; error: string }[];
  /** Deliveries sent over UDP (arrival unknowable), newest last; not resent. */
  unconfirmed: OutboxEntry[];
  /** Keys of entries being delivered right now by some process (claimed). */
  sending: string[];
}

const SUFFIX = '.request.json';
const BAD_DIR = 'bad';
const UNCONFIRMED_DIR = 'unconfirmed';
/** Unconfirmed (UDP) deliveries are kept this long for reference. */
const UNCONFIRMED_KEEP_MS = 30 * 86_400_000;
/** At most this many requests on one syslog connection. */
const SYSLOG_BATCH = 100;
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
    const listing: OutboxListing = { entries: [], bad: [], unreadable: [], unconfirmed: [], sending: [] };
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
    for (const name of [...pending].sort()) this.readEntry(name, listing);
    listing.entries.sort(compareEntries);
    listing.unconfirmed = this.readUnconfirmed();
    return listing;
  }

  /** Reads one waiting entry into `listing`: an entry, a malformed file moved to bad/, or unreadable. */
  private readEntry(name: string, listing: OutboxListing): void {
    const file = path.join(this.dir, name);
    const key = name.slice(0, -SUFFIX.length);
    let text: string;
    try {
      text = readCapped(file, MAX_ENTRY_BYTES);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return; // delivered or claimed by another process meanwhile
      if (e.code !== 'EFBIG') return void listing.unreadable.push({ file, error: e.message });
      return this.setAside(name, e.message, listing);
    }
    try {
      listing.entries.push(parseOutboxEntry(text, key));
    } catch (err) {
      this.setAside(name, (err as Error).message, listing);
    }
  }

  /** Moves a malformed entry to bad/ with a `.reason` file (one line); a failed move leaves it listed as unreadable. */
  private setAside(name: string, reason: string, listing: OutboxListing): void {
    const file = path.join(this.dir, name);
    const line = reason.replace(/\s+/g, ' ').trim();
    try {
      const badDir = path.join(this.dir, BAD_DIR);
      makePrivateDir(badDir);
      let movedTo = path.join(badDir, name);
      for (let n = 1; existsSync(movedTo); n++) movedTo = path.join(badDir, `${name}.${n}`);
      writePrivateFile(`${movedTo}.reason`, `${name}: ${line}\n`);
      if (!this.rename(file, movedTo)) return rmSync(`${movedTo}.reason`, { force: true });
      listing.bad.push({ file, movedTo, reason: line });
    } catch (err) {
      listing.unreadable.push({
        file,
        error: `${line} (could not be moved to bad/: ${(err as Error).message})`,
      });
    }
  }

  /** The unconfirmed (UDP) deliveries kept for reference; removes those older than 30 days. */
  private readUnconfirmed(): OutboxEntry[] {
    const dir = path.join(this.dir, UNCONFIRMED_DIR);
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
    } catch {
      return [];
    }
    const kept: OutboxEntry[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (Date.now() - statSync(file).mtimeMs > UNCONFIRMED_KEEP_MS) rmSync(file, { force: true });
        else kept.push(parseOutboxEntry(readCapped(file, MAX_ENTRY_BYTES), name.slice(0, -SUFFIX.length)));
      } catch {
        // a reference copy only: a broken one is not worth a report
      }
    }
    return kept.sort((a, b) => (a.lastAttempt ?? '').localeCompare(b.lastAttempt ?? ''));
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

  /**
   * Ends a claim after an attempt: delivered removes it; unconfirmed moves it to unconfirmed/; a
   * failure puts the entry back with the attempt counted, the reason and the next attempt's time.
   */
  release(claim: string, entry: OutboxEntry, result: DeliveryResult, now: Date): OutboxEntry {
    const updated: OutboxEntry = {
      ...entry,
      attempts: entry.attempts + 1,
      firstAttempt: entry.firstAttempt ?? now.toISOString(),
      lastAttempt: now.toISOString(),
      lastError: result.status === 'failed' ? (result.error ?? result.detail) : null,
      nextAttempt:
        result.status === 'failed'
          ? new Date(now.getTime() + retryDelayMs(entry.attempts + 1)).toISOString()
          : null,
    };
    if (result.status === 'failed') this.put(updated);
    else if (result.status === 'unconfirmed') {
      this.writeAtomically(path.join(this.dir, UNCONFIRMED_DIR, `${entry.key}${SUFFIX}`), updated);
    }
    rmSync(claim, { force: true });
    return updated;
  }

  put(entry: OutboxEntry): void {
    this.writeAtomically(path.join(this.dir, `${entry.key}${SUFFIX}`), entry);
  }

  private writeAtomically(file: string, entry: OutboxEntry): void {
    replacePrivateFile(file, `${JSON.stringify(entry, null, 1)}\n`);
  }
}

export interface SubmitResult {
  results: DeliveryResult[];
  /** Deliveries that failed and wait in the outbox. */
  queued: number;
}

/**
 * Delivers `request` to every sink (the sinks in parallel, each one delivery); failed deliveries stay
 * in the outbox (when one is given) for a later retry. Never rejects for delivery problems; throws
 * only when the outbox itself cannot be written (then nothing was sent, and the caller must say so).
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
      firstAttempt: null,
      lastAttempt: null,
      lastError: null,
      nextAttempt: null,
    };
    // kept (claimed by this process) before the first attempt: a crash loses nothing
    const claim = outbox && sink.kind !== 'mailto' ? outbox.putClaimed(entry) : null;
    return { sink, entry, claim };
  });
  const results = await Promise.all(
    pending.map(async ({ sink, entry, claim }) => {
      const result = await deliverRequest(request, sink, options);
      if (outbox && claim) {
        const updated = outbox.release(claim, entry, result, now());
        if (updated.nextAttempt) result.nextAttempt = updated.nextAttempt;
      }
      return result;
    }),
  );
  return { results, queued: results.filter((r) => r.status === 'failed' && r.kind !== 'mailto').length };
}

export interface RetryResult {
  /** One per entry tried, with the request id and its attempts so far. */
  results: (DeliveryResult & { requestId: string; attempts: number })[];
  /** Entries still waiting after this retry. */
  remaining: number;
  /** Malformed entries moved to bad/ by this retry. */
  bad: OutboxListing['bad'];
  unreadable: OutboxListing['unreadable'];
}

type Claimed = { entry: OutboxEntry; claim: string };

/** Attempts for one destination's entries, one at a time (syslog: batches on one connection). */
async function deliverToOneSink(
  sink: RequestSink,
  claimed: readonly Claimed[],
  options: DeliveryOptions,
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  if (sink.kind === 'syslog') {
    for (let i = 0; i < claimed.length; i += SYSLOG_BATCH) {
      const batch = claimed.slice(i, i + SYSLOG_BATCH).map((c) => c.entry.request);
      results.push(...(await deliverSyslogBatch(batch, sink, options)));
    }
    return results;
  }
  for (const c of claimed) results.push(await deliverRequest(c.entry.request, sink, options));
  return results;
}

/**
 * Tries every waiting delivery once more: destinations in parallel, each destination's entries one
 * at a time; confirmed ones leave the outbox. Entries another process is delivering at the same
 * moment are left to it (not tried, not counted). Malformed entries are set aside (bad/).
 */
export async function retryOutbox(
  outbox: RequestOutbox,
  options: DeliveryOptions,
  now: () => Date = () => new Date(),
): Promise<RetryResult> {
  const { entries, unreadable, bad } = outbox.list();
  const bySink = new Map<string, Claimed[]>();
  for (const entry of entries) {
    const claim = outbox.claim(entry.key);
    if (!claim) continue;
    const list = bySink.get(entry.sink) ?? [];
    list.push({ entry, claim });
    bySink.set(entry.sink, list);
  }
  const perSink = await Promise.all(
    [...bySink].map(async ([sinkText, claimed]) => {
      const results = await deliverToOneSink(parseRequestSink(sinkText), claimed, options);
      return results.map((result, i) => {
        const updated = outbox.release(claimed[i].claim, claimed[i].entry, result, now());
        return {
          ...result,
          ...(updated.nextAttempt ? { nextAttempt: updated.nextAttempt } : {}),
          requestId: updated.request.id,
          attempts: updated.attempts,
        };
      });
    }),
  );
  const results = perSink.flat();
  return {
    results,
    remaining: results.filter((r) => r.status === 'failed').length,
    bad,
    unreadable,
  };
}
