/**
 * One outbox entry — a (request, destination) still to deliver — and the check of its file's text.
 * Each file is read and checked on its own, so one half-written or foreign file never stops the
 * others: `parseOutboxEntry` either returns the entry or throws one line saying what is wrong with
 * it. Entries written by older versions (no `nextAttempt`, `firstAttempt: null`) are accepted.
 * Reading, moving and writing the files is outbox.ts's job.
 */
import { validateRequest, type PackageRequest } from '../pyrats/packageRequest';
import { parseRequestSink } from './requestSinks';

export interface OutboxEntry {
  /** File stem: `<request id>.<destination number>`. */
  key: string;
  request: PackageRequest;
  /** The destination as written (`udp://…`, URL). */
  sink: string;
  attempts: number;
  /** ISO times; null before the first attempt ended (or in entries of older versions). */
  firstAttempt: string | null;
  lastAttempt: string | null;
  lastError: string | null;
  /** When a retry is due (ISO), after a failed attempt; null when it never failed. */
  nextAttempt: string | null;
}

/** Entries larger than this are not read (an outbox entry is a few KiB). */
export const MAX_ENTRY_BYTES = 1024 * 1024;

function optionalTime(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new Error(`${field} is not a date or null`);
  }
  return value;
}

/** The entry in `text` (the file `key`.request.json), or throws a one-line reason. */
export function parseOutboxEntry(text: string, key: string): OutboxEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('not a JSON object');
  }
  const e = value as Record<string, unknown>;
  const problems = validateRequest(e.request);
  if (problems.length) throw new Error(`request: ${problems.join('; ')}`);
  if (typeof e.sink !== 'string') throw new Error('no destination (sink)');
  parseRequestSink(e.sink);
  const attempts = e.attempts ?? 0;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0) {
    throw new Error('attempts is not a whole number');
  }
  if (e.lastError !== undefined && e.lastError !== null && typeof e.lastError !== 'string') {
    throw new Error('lastError is not text or null');
  }
  return {
    key,
    request: e.request as PackageRequest,
    sink: e.sink,
    attempts,
    firstAttempt: optionalTime(e.firstAttempt, 'firstAttempt'),
    lastAttempt: optionalTime(e.lastAttempt, 'lastAttempt'),
    lastError: (e.lastError as string | null | undefined) ?? null,
    nextAttempt: optionalTime(e.nextAttempt, 'nextAttempt'),
  };
}

/** Oldest first (entries without a first attempt first), then by key. */
export function compareEntries(a: OutboxEntry, b: OutboxEntry): number {
  return (a.firstAttempt ?? '').localeCompare(b.firstAttempt ?? '') || a.key.localeCompare(b.key);
}

/** The wait before the next attempt after `attempts` failed ones: 1 min, doubling, at most 1 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, Math.min(attempts - 1, 10)));
}
