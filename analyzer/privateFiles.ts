/**
 * Private files whatever the umask: the usage store and its WAL, Parquet exports, the request outbox,
 * the mirror / extract / environment / closure caches and the dashboard's token file hold user names,
 * script paths and secrets, so they are made 0600 (directories 0700) unless a centre asks for group
 * read explicitly (`--mode 0640`). Files this process writes get their mode at creation; files a library
 * creates itself (DuckDB's store, WAL, spill directory and Parquet files) get it from a process umask
 * held while the library may create them. Does not decide which files are private: callers do.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** Files only their owner may read and write. */
export const PRIVATE_FILE_MODE = 0o600;
/** Directories only their owner may list and enter. */
export const PRIVATE_DIR_MODE = 0o700;

/** A mode as written in `chmod` and in messages: four octal digits, e.g. `0640`. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Parses `--mode` text (`0640`, `640`, `0o640`): read/write bits only, and the owner must keep read
 * and write (the tool writes its own files again). Throws an Error saying what is accepted.
 */
export function parseFileMode(text: string): number {
  const m = /^(?:0o?)?([0-7]{3})$/i.exec(text.trim());
  const problem = (why: string) =>
    new Error(`'${text}' is not a file mode for private files: ${why} (e.g. 0600, or 0640 for group read)`);
  if (!m) throw problem('three octal digits expected');
  const mode = parseInt(m[1], 8);
  if (mode & 0o111) throw problem('execute bits are not meaningful for data files');
  if ((mode & 0o600) !== 0o600) throw problem('the owner needs read and write');
  return mode;
}

/** The directory mode that goes with a file mode: search (x) wherever read (r) is allowed. */
export function dirModeFor(fileMode: number): number {
  return (fileMode & 0o666) | ((fileMode & 0o444) >> 2);
}

/**
 * Creates `dir` and every missing parent with `mode` (each one made exactly that, whatever the
 * umask); existing directories are left as they are. A file in the way is an error with code ENOTDIR.
 */
export function makePrivateDir(dir: string, mode: number = PRIVATE_DIR_MODE): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      if (statSync(d).isDirectory()) break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err; // ENOTDIR: a file above; found next
      missing.push(d);
      continue;
    }
    throw Object.assign(new Error(`${d}: exists and is not a directory`), { code: 'ENOTDIR' });
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      continue; // another process made it meanwhile: its mode is its own
    }
    chmodSync(d, mode);
  }
}

/**
 * Writes `data` to `file` with `mode` (a file that exists is truncated and given the mode too), in
 * a directory made private when missing. `exclusive` refuses a file that exists (EEXIST).
 */
export function writePrivateFile(
  file: string,
  data: string | Buffer,
  opts: { mode?: number; exclusive?: boolean } = {},
): void {
  const mode = opts.mode ?? PRIVATE_FILE_MODE;
  makePrivateDir(path.dirname(file), dirModeFor(mode));
  const fd = openSync(file, opts.exclusive ? 'wx' : 'w', mode);
  try {
    fchmodSync(fd, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` with `data` (written as by writePrivateFile) atomically: into a temp file beside it,
 * renamed over it, so a reader sees the old content or the new, never a part. When writing fails (a
 * full disk, a file-size limit) the temp file is removed and the error thrown: nothing half-written
 * is left behind.
 */
export function replacePrivateFile(file: string, data: string | Buffer, opts: { mode?: number } = {}): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    writePrivateFile(tmp, data, opts);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The mode of `file` when users other than its owner may read it, else null (also when absent). */
export function readableByOthers(file: string): number | null {
  try {
    const mode = statSync(file).mode & 0o777;
    return mode & 0o044 ? mode : null;
  } catch {
    return null;
  }
}

/** The masks held (latest last) and the umask from before the first hold. */
const heldMasks: { mask: number }[] = [];
let umaskBefore = 0;

/**
 * Sets the process umask so that files a library creates get `fileMode` and its directories
 * `dirModeFor(fileMode)`, until the returned release is called. Holds nest: the latest one applies,
 * a release puts back the one still held before it, the last the umask from before. Main thread
 * only (Node refuses umask in workers).
 */
export function holdUmask(fileMode: number = PRIVATE_FILE_MODE): () => void {
  const hold = { mask: 0o777 & ~dirModeFor(fileMode) };
  const previous = process.umask(hold.mask);
  if (!heldMasks.length) umaskBefore = previous;
  heldMasks.push(hold);
  return () => {
    const i = heldMasks.indexOf(hold);
    if (i < 0) return; // released already
    heldMasks.splice(i, 1);
    process.umask(heldMasks.length ? heldMasks[heldMasks.length - 1].mask : umaskBefore);
  };
}
