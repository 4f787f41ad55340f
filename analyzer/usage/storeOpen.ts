/**
 * Opening the usage store's DuckDB file safely: waiting for (or stepping aside from) another
 * process's lock, the writer-waiting marker readers honour, private file modes from the start, and
 * open or write failures said as what they mean (StoreBusyError, StoreWriteError).
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { dirModeFor, holdUmask, makePrivateDir, PRIVATE_FILE_MODE } from '../privateFiles';

/** DuckDB's message when another process holds the file: `… lock … held in PROGRAM (PID N) …`. */
const LOCK_CONFLICT = /Could not set lock on file .*?Conflicting lock is held in (.*?) \(PID (\d+)\)/s;

/**
 * How long commands that write the store wait for another process (a dashboard query, a report,
 * another ingest) to let go of it.
 */
export const WRITER_LOCK_WAIT_MS = 60_000;

/** Thrown when another process holds the store (DuckDB allows one writer, and no reader meanwhile). */
export class StoreBusyError extends Error {}

/**
 * A write to the store failed (no space left, an I/O error, a lost lock): the batch in flight was not
 * committed, and nothing more may be written by this process — its dictionaries are ahead of the file.
 * The message is the cause and the file, e.g. `No space left on device: /data/usage.duckdb.wal`.
 */
export class StoreWriteError extends Error {}

/** A failed store write said as its cause and the file it concerns. */
export function storeWriteError(storeFile: string, err: unknown): StoreWriteError {
  if (err instanceof StoreWriteError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const onFile = /file "([^"]+)": ([^\n]+)/.exec(message);
  if (onFile) return new StoreWriteError(`${onFile[2].trim()}: ${onFile[1]}`);
  const cause = message
    .split('\n')[0]
    .replace(/^(?:[A-Za-z]+ Error: )+/, '')
    .replace(/^Failed to commit: /, '');
  return new StoreWriteError(`${cause}: ${storeFile}`);
}

/** DuckDB's open errors said as what they mean for a store (its own words otherwise, one line). */
function openProblem(file: string, message: string): Error {
  let dir = false;
  try {
    dir = statSync(file).isDirectory();
  } catch {
    // absent: DuckDB says why it could not make it
  }
  if (dir) return new Error(`${file}: is a directory, not a usage store`);
  if (/not a valid DuckDB database file/.test(message))
    return new Error(`${file}: not a DuckDB file (a pyrats usage store is one)`);
  return new Error(`${file}: ${message.replace(/^IO Error: /, '').split('\n')[0]}`);
}

/**
 * Opens the DuckDB file, waiting up to `waitMs` while another process holds its lock (polling); a
 * lock still held after that is a StoreBusyError naming the file and the holder's PID.
 */
export async function openLocked(
  file: string,
  config: Record<string, string>,
  waitMs: number,
): Promise<DuckDBInstance> {
  const reader = config.access_mode === 'READ_ONLY';
  const writer = reader ? waitingWriter(file) : null;
  if (writer !== null)
    throw new StoreBusyError(
      `${file}: being written by another process (a pyrats ingest waiting to write it, PID ${writer}); ` +
        'readers step aside until it has written — try again when it has finished',
    );
  let announced = false;
  try {
    return await openPolling(file, config, waitMs, () => {
      // a writer that has to wait says so: readers then stop opening the store, and the read in
      // progress is the last one it waits for (a stream of polls cannot starve it)
      if (!reader && !announced && waitMs > 0) {
        try {
          writeFileSync(writerWaitingFile(file), `${process.pid}\n`, { mode: 0o600 });
          announced = true;
        } catch {
          // a directory we cannot write: the wait is as before, readers are not told
        }
      }
    });
  } finally {
    if (announced) rmSync(writerWaitingFile(file), { force: true });
  }
}

/** The file beside the store that says a writer is waiting for it (its content: the writer's PID). */
export function writerWaitingFile(file: string): string {
  return `${file}.writer-waiting`;
}

/** The PID of another live process that has announced it waits to write the store, or null. */
function waitingWriter(file: string): number | null {
  let pid = 0;
  try {
    const marker = writerWaitingFile(file);
    pid = Number(readFileSync(marker, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
    // a marker older than any writer waits was left by a process that died (and its PID reused)
    if (Date.now() - statSync(marker).mtimeMs > WRITER_LOCK_WAIT_MS + 10_000) return null;
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null; // alive, another user's
  }
}

/** Opens the file, polling while another process holds its lock (`onConflict` on each conflict). */
async function openPolling(
  file: string,
  config: Record<string, string>,
  waitMs: number,
  onConflict: () => void,
): Promise<DuckDBInstance> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await DuckDBInstance.create(file, config);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const m = LOCK_CONFLICT.exec(message);
      if (!m) throw openProblem(file, message);
      onConflict();
      if (Date.now() + delay > deadline) {
        const waited = waitMs > 0 ? ` (waited ${Math.round(waitMs / 1000)} s)` : '';
        const holder =
          config.access_mode === 'READ_ONLY'
            ? 'being written by another process (a pyrats ingest or requests command'
            : 'in use by another process (a pyrats ingest, requests, report, export or dashboard query';
        throw new StoreBusyError(
          `${file}: ${holder}, PID ${m[2]})${waited}; DuckDB allows one writer and no reader ` +
            'meanwhile — try again when it has finished',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Before DuckDB opens `file`: a writable store's missing parent directories are made (0700, or
 * what `fileMode` implies), an explicit `fileMode` is applied to an existing store and its WAL, and
 * the umask is held so that the store, WAL and spill files DuckDB creates get the mode. Returns the
 * release of that umask (for close).
 */
export function openPrivately(file: string, opts: { readOnly?: boolean; fileMode?: number }): () => void {
  const mode = opts.fileMode ?? PRIVATE_FILE_MODE;
  if (!opts.readOnly) {
    try {
      makePrivateDir(path.dirname(file), dirModeFor(mode));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`${file}: cannot make its directory (${e.code ?? e.message})`);
    }
    if (opts.fileMode !== undefined)
      for (const f of [file, `${file}.wal`]) if (existsSync(f)) chmodSync(f, opts.fileMode);
  }
  return holdUmask(mode);
}
