/**
 * Package roots and PyRats' (root, relative-path) pairs, as SPEC section 3 describes them:
 * `isPackageDir`, `isPackageRoot`, `findPackageRoot`, `relfile`, `findRoots`, plus the seed rules
 * of section 4 (`isPython`, `iterPyFiles`).
 *
 * All file-system questions go through an FsCache (listings are cached per directory). Paths are
 * absolute POSIX paths. It does not resolve imports and does not follow anything.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { FsCache } from './fsCache';

/** A PyRats node: `[root, rel]`. */
export type RelPair = [root: string, rel: string];

/** Directories `iterPyFiles` and `findRoots` never descend into (snakefood's defaults). */
export const IGNORED_DIRS: ReadonlySet<string> = new Set(['.svn', 'CVS', 'build', '.hg', '.git']);

/** `d/__init__.py` exists (`.pyc` is not considered). */
export function isPackageDir(fs: FsCache, d: string): boolean {
  return fs.isFile(path.join(d, '__init__.py'));
}

/**
 * `d` exists, is not itself a package, and has either a `site-packages` subdirectory or a
 * subdirectory whose name has no `.` and which holds an `__init__.py`.
 */
export function isPackageRoot(fs: FsCache, d: string): boolean {
  return fs.memo('isPackageRoot', d, () => {
    if (!fs.isDir(d) || isPackageDir(fs, d)) return false;
    for (const sub of fs.namesWithoutDot(d)) {
      if (sub === 'site-packages' && fs.isDir(path.join(d, sub))) return true;
      if (isPackageDir(fs, path.join(d, sub))) return true;
    }
    return false;
  });
}

/** Climbs from `p` (or its directory) while the directory is a package; the reached dir if it is a root. */
export function findPackageRoot(fs: FsCache, p: string): string | undefined {
  let d = fs.isDir(p) ? p : path.dirname(p);
  while (isPackageDir(fs, d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return isPackageRoot(fs, d) ? d : undefined;
}

/** The (root, relative-path) pair of a file or package directory. */
export function relfile(fs: FsCache, p: string): RelPair {
  return fs.memo('relfile', p, (): RelPair => {
    const root = findPackageRoot(fs, fs.realpath(p));
    if (root === undefined) return [path.dirname(p), path.basename(p)];
    return [root, p.slice(root.length + 1)];
  });
}

/** Directories `searchForRoots` visits at most (a bound for `pyrats deps /`). */
const MAX_ROOT_SEARCH_DIRS = 20_000;

/** Package roots found by walking below `dir` (a root's own subtree is not searched further). */
function searchForRoots(fs: FsCache, dir: string): string[] {
  const roots: string[] = [];
  let visited = 0;
  const walk = (d: string): void => {
    if (++visited > MAX_ROOT_SEARCH_DIRS) return;
    if (isPackageRoot(fs, d)) {
      roots.push(d);
      return;
    }
    for (const sub of fs.subdirectories(d)) {
      // os.walk does not descend into symbolic links (no loops)
      if (!IGNORED_DIRS.has(sub) && !fs.isLink(path.join(d, sub))) walk(path.join(d, sub));
    }
  };
  walk(dir);
  return roots;
}

export interface FindRootsResult {
  roots: string[];
  /** Directories given that neither lie in nor contain a root (PyRats logs a warning for each). */
  rootless: string[];
}

/** The input roots of a run: each path's package root, else its directory (files) or roots below it (dirs). */
export function findRoots(fs: FsCache, paths: string[]): FindRootsResult {
  const roots = new Set<string>();
  const rootless: string[] = [];
  for (const given of paths) {
    const p = fs.realpath(given);
    const root = findPackageRoot(fs, p);
    if (root !== undefined) roots.add(root);
    else if (fs.isFile(p)) roots.add(path.dirname(p));
    else if (fs.isDir(p)) {
      const below = searchForRoots(fs, p);
      if (below.length) for (const r of below) roots.add(r);
      else rootless.push(p);
    }
  }
  return { roots: [...roots].sort(comparePython), rootless };
}

const HIGH_UNIT = /[\ud800-\uffff]/;

/** Python's `str` ordering (by code point, not by UTF-16 unit). */
export function comparePython(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from code-point order only between a surrogate and U+E000..U+FFFF, so it
  // is exact whenever one side has no unit at or above U+D800 (all-ASCII paths, for instance)
  if (!HIGH_UNIT.test(a) || !HIGH_UNIT.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs === ys) return x - y;
      // a surrogate (astral code point) sorts after every BMP code point
      return xs ? 1 : -1;
    }
  }
  return a.length - b.length;
}

/** Python's tuple ordering of two pairs. */
export function comparePairs(a: RelPair, b: RelPair): number {
  return comparePython(a[0], b[0]) || comparePython(a[1], b[1]);
}

const SHEBANG = /^#!.*\bpython/;

/** Reads the first bytes of a file (for the shebang test); empty when unreadable. */
function head(file: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A path named `*.py` or `*.ipynb` (a notebook), or a file whose first 64 characters match `#!.*\bpython`. */
export function isPython(fs: FsCache, p: string): boolean {
  if (p.endsWith('.py') || p.endsWith('.ipynb')) return true;
  if (!fs.isFile(p)) return false;
  fs.noteContent(p);
  const text = head(p, 256).slice(0, 64);
  const line = text.split('\n')[0];
  return SHEBANG.test(line);
}

/**
 * The seed files of a run: each given path (real path) if Python, every Python file below a directory
 * (at most `limit` files in all).
 */
export function iterPyFiles(fs: FsCache, paths: string[], limit = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  for (const given of paths) {
    const p = fs.realpath(given);
    if (fs.isDir(p)) {
      const walk = (d: string): void => {
        const names = fs.names(d);
        for (const n of names) {
          if (out.length >= limit) return;
          const f = path.join(d, n);
          if (fs.isFile(f) && isPython(fs, f)) out.push(f);
        }
        for (const n of names) {
          const sub = path.join(d, n);
          // os.walk does not descend into symbolic links (no loops)
          if (!IGNORED_DIRS.has(n) && fs.isDir(sub) && !fs.isLink(sub)) walk(sub);
        }
      };
      walk(p);
    } else if (fs.isFile(p) && isPython(fs, p)) {
      out.push(p);
    }
  }
  return out;
}
