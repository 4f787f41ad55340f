/**
 * A cache of directory listings and real paths: the hot I/O of import resolution and of the
 * package-root rules. `isFile`/`isDir` follow symbolic links like Python's `os.path.isfile`/`isdir`.
 *
 * Synchronous on purpose: one `readdir` per directory, then answers from memory. Entries can expire
 * (`maxAgeMs`) or be dropped (`invalidate`, `clear`) by long-running callers such as the language
 * server. With `journal: true` it also notes what its answers rested on (see FsJournal), so that a
 * saved result can be checked later without computing it again. It does not know anything about Python.
 */
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { FsJournal, fileStamp, linkTargetKind, rawEntryOf, type Kind, type ListingNote } from './fsJournal';

interface Listing {
  at: number;
  /** Entry name → kind; symbolic links are stat'ed lazily and replaced by their target's kind. */
  entries: Map<string, Kind | 'link'>;
  /** Names that are symbolic links. */
  links: Set<string>;
  /** What answers used of this listing, when journaling (kept here: no lookup per question). */
  note?: ListingNote;
}

export interface FsCacheOptions {
  /** Entries older than this are read again; default: never expire. */
  maxAgeMs?: number;
  /** Keep a journal of every answer's grounds (default false; see fsJournal.ts). */
  journal?: boolean;
}

export class FsCache {
  private readonly listings = new Map<string, Listing | null>();
  private readonly listingTimes = new Map<string, number>();
  private readonly reals = new Map<string, string>();
  private readonly memos = new Map<string, Map<string, unknown>>();
  private memoAt = Date.now();
  private readonly maxAgeMs: number;
  /** Number of directories read so far (for tests and benchmarks). */
  reads = 0;
  /** The grounds of the answers given so far, when asked for (`journal: true`). */
  readonly journal: FsJournal | undefined;

  constructor(opts: FsCacheOptions = {}) {
    this.maxAgeMs = opts.maxAgeMs ?? Number.POSITIVE_INFINITY;
    if (opts.journal) this.journal = new FsJournal();
  }

  /** Notes that an answer rests on the content of `file` (journal only; no I/O). */
  noteContent(file: string): void {
    this.journal?.contents.add(file);
  }

  private fresh(at: number): boolean {
    return this.maxAgeMs === Number.POSITIVE_INFINITY || Date.now() - at <= this.maxAgeMs;
  }

  /** The listing of `dir`, or null when it is not a readable directory. */
  private listing(dir: string): Listing | null {
    const cached = this.listings.get(dir);
    if (cached !== undefined) {
      const at = cached ? cached.at : (this.listingTimes.get(dir) ?? 0);
      if (this.fresh(at)) return cached;
    }
    // a directory its (already read) parent does not list cannot be read: no system call
    const parent = this.listings.get(path.dirname(dir));
    if (parent && this.fresh(parent.at)) {
      const k = parent.entries.get(path.basename(dir));
      parent.note?.asked.add(path.basename(dir));
      if (k === undefined || k === 'file' || k === 'other') {
        this.listings.set(dir, null);
        this.listingTimes.set(dir, parent.at);
        return null;
      }
    }
    this.reads++;
    let result: Listing | null = null;
    // stamped before it is read: a change in between shows as a different stamp later
    const stamp = this.journal && (fileStamp(dir) ?? null);
    try {
      const entries = new Map<string, Kind | 'link'>();
      const links = new Set<string>();
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const kind = rawEntryOf(d);
        if (kind === 'link') links.add(d.name);
        entries.set(d.name, kind);
      }
      result = { at: Date.now(), entries, links };
    } catch {
      result = null;
      this.listingTimes.set(dir, Date.now());
    }
    const note = this.journal?.listed(dir, stamp ?? null, result);
    if (result && note) result.note = note;
    this.listings.set(dir, result);
    return result;
  }

  private kind(p: string): Kind | undefined {
    const dir = path.dirname(p);
    const name = path.basename(p);
    if (dir === p) return 'dir';
    const l = this.listing(dir);
    if (!l) return undefined;
    l.note?.asked.add(name);
    const k = l.entries.get(name);
    if (k !== 'link') return k;
    const resolved = linkTargetKind(p);
    this.journal?.linkKinds.set(p, resolved);
    l.entries.set(name, resolved);
    return resolved;
  }

  /** Like `os.path.isfile`. `p` must be absolute and normalised. */
  isFile(p: string): boolean {
    return this.kind(p) === 'file';
  }

  /** Like `os.path.isdir`. */
  isDir(p: string): boolean {
    return this.kind(p) === 'dir';
  }

  /** Like `os.path.exists` for files and directories. */
  exists(p: string): boolean {
    const k = this.kind(p);
    return k === 'file' || k === 'dir';
  }

  /** Whether `dir` lists `name` (any kind); a cheap negative test before `isFile`/`isDir`. */
  has(dir: string, name: string): boolean {
    const l = this.listing(dir);
    l?.note?.asked.add(name);
    return l?.entries.has(name) ?? false;
  }

  /** Names in `dir` (empty when it is not a readable directory). */
  names(dir: string): string[] {
    const l = this.listing(dir);
    if (l?.note) l.note.all = 'all';
    return l ? [...l.entries.keys()] : [];
  }

  /** Names in `dir` without a dot (e.g. the candidates for packages); a new `out.txt` beside them does not matter. */
  namesWithoutDot(dir: string): string[] {
    const l = this.listing(dir);
    if (l?.note && l.note.all !== 'all') l.note.all = 'nodot';
    return l ? [...l.entries.keys()].filter((n) => !n.includes('.')) : [];
  }

  /** Like `os.path.islink`. */
  isLink(p: string): boolean {
    const dir = path.dirname(p);
    const l = this.listing(dir);
    l?.note?.asked.add(path.basename(p));
    return l?.links.has(path.basename(p)) ?? false;
  }

  /** Subdirectory names of `dir` (symbolic links to directories included). */
  subdirectories(dir: string): string[] {
    return this.names(dir).filter((n) => this.isDir(path.join(dir, n)));
  }

  /**
   * Like Python's `os.path.realpath` (non-strict: a missing tail is kept as written). The C library's
   * realpath is one call per path, where Node's JavaScript one lstat()s every component: ~15 ms of a
   * warm `pyrats deps` over 420 files.
   */
  realpath(p: string): string {
    const cached = this.reals.get(p);
    if (cached !== undefined) return cached;
    const abs = path.resolve(p);
    let real = abs === p ? undefined : this.reals.get(abs);
    if (real === undefined) {
      try {
        real = realpathSync.native(abs);
      } catch {
        const parent = path.dirname(abs);
        real = parent === abs ? abs : path.join(this.realpath(parent), path.basename(abs));
      }
      this.reals.set(abs, real);
    }
    this.reals.set(p, real);
    this.journal?.realpaths.set(p, real);
    return real;
  }

  /**
   * Memoises a derived answer (e.g. "is this a package root") with the same lifetime as the listings:
   * dropped by `invalidate`/`clear`, and when `maxAgeMs` has passed since the memos were started.
   */
  memo<T>(table: string, key: string, compute: () => T): T {
    if (!this.fresh(this.memoAt)) {
      this.memos.clear();
      this.memoAt = Date.now();
    }
    let m = this.memos.get(table);
    if (!m) {
      m = new Map();
      this.memos.set(table, m);
    }
    if (m.has(key)) return m.get(key) as T;
    const v = compute();
    m.set(key, v);
    return v;
  }

  /** Forgets the listing of `dir` (and real paths below it), e.g. after a file was created there. */
  invalidate(dir: string): void {
    this.listings.delete(dir);
    this.listingTimes.delete(dir);
    // children known to be absent only because this listing said so
    for (const [k, v] of this.listings) if (v === null && path.dirname(k) === dir) this.listings.delete(k);
    this.memos.clear();
    for (const k of this.reals.keys()) if (k === dir || k.startsWith(`${dir}/`)) this.reals.delete(k);
  }

  clear(): void {
    this.listings.clear();
    this.listingTimes.clear();
    this.reals.clear();
    this.memos.clear();
  }
}
