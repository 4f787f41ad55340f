/**
 * An on-disk cache of whole follow results, under `$XDG_CACHE_HOME/pyrats/follow`: a command run again
 * on an unchanged closure (a cron job, an editor, a scientist's second try) gets the result after a
 * check that costs about one system call per directory, file and path the first run looked at,
 * instead of resolving every import again (0.37 s → 0.21 s for a matplotlib closure; `npm run bench`).
 *
 * An entry is keyed by everything the result is a function of besides the file system: the scripts as
 * given, the working directory, the options, the target Environment (whole), the cache versions, the
 * code's own bundle file and a salt from the caller. The file system part is the run's journal
 * (resolve/fsJournal.ts): every directory entry the run asked about, every file whose content it read,
 * the kind behind every symbolic link and every real path. The entry is used only if all of them
 * would get the same answers now.
 *
 * Not saved: a run that met an I/O failure, a missing script or a size or time cap (those depend on
 * the moment or the options), or that read a file modified less than two seconds before it started
 * (a change in the same clock tick would not show). Entries are private files written atomically, the
 * names file first; at most MAX_ENTRIES are kept (oldest dropped). A corrupt, foreign or half-replaced
 * entry counts as absent. It computes nothing itself: see follow.ts.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { deferWrite } from '../deferredWrites';
import type { Environment } from '../env/environment';
import { EXTRACT_CACHE_VERSION } from '../extract/extractCache';
import { replacePrivateFile } from '../privateFiles';
import { FsCache } from '../resolve/fsCache';
import { groundsHold } from '../resolve/fsJournal';
import type { FollowOptions, FollowResult } from './follow';
import { packFollow, unpackFollow, unpackGrounds, type PackedFollow } from './packedFollow';

/** Bump when follow results change meaning, so older entries are ignored. */
export const FOLLOW_CACHE_VERSION = 'follow-v1';

/**
 * The file this code runs from. Bundled, it is a chunk named by the hash of its content, which names
 * the chunks it imports by theirs: a build that changes any code the result depends on has another.
 */
const CODE_FILE = import.meta.url ?? '';

/** Entries kept; a save beyond this drops the oldest. */
export const MAX_ENTRIES = 256;

/** Problem kinds that depend on the moment or on caps, not only on the files: never saved. */
const TRANSIENT = new Set(['io', 'missing', 'too-large']);

export interface FollowCacheOptions {
  /** The cache root (`$XDG_CACHE_HOME/pyrats`); entries go in its `follow` folder. */
  dir: string;
  /** Anything else the results depend on (e.g. the program's version), so a new one starts afresh. */
  salt?: string;
  /** Entries kept (default MAX_ENTRIES); a save beyond this drops the oldest. */
  maxEntries?: number;
}

/** An entry's main file; the names its directories were asked about are in a file of their own. */
interface Entry {
  key: string;
  /** Says which names file belongs to this entry (a concurrent run may have replaced either). */
  run: string;
  packed: PackedFollow;
}

/** The names file of an entry: read only when a directory has changed and must be listed again. */
interface AskedNames {
  run: string;
  asked: string[];
}

/** What a follow result is a function of, besides the file system. */
function entryKey(scripts: string[], env: Environment, opts: FollowOptions, salt: string): string {
  const x = opts.extraction ?? {};
  const parts = {
    versions: [FOLLOW_CACHE_VERSION, EXTRACT_CACHE_VERSION, CODE_FILE, salt],
    cwd: process.cwd(),
    scripts,
    profile: opts.profile ?? 'compat',
    follow: opts.follow ?? true,
    internal: opts.internal ?? false,
    external: opts.external ?? false,
    maxFiles: opts.maxFiles ?? null,
    extraction: [x.maxBytes ?? null, x.timeoutMs ?? null, x.trustPycache ?? true, x.notebookReading ?? null],
    env,
  };
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 40);
}

/** JSON with every object's keys sorted: the same value gives the same text however it was built. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const fields = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${fields.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function entryFile(opts: FollowCacheOptions, key: string): string {
  return path.join(opts.dir, 'follow', `${key}.json`);
}

function namesFile(entry: string): string {
  return entry.replace(/\.json$/, '.names');
}

/** The names asked in the run `run`, or undefined when its names file is gone or another run's. */
function askedNames(entry: string, run: string): string[] | undefined {
  try {
    const n = JSON.parse(readFileSync(namesFile(entry), 'utf8')) as AskedNames;
    return n?.run === run && Array.isArray(n.asked) ? n.asked : undefined;
  } catch {
    return undefined;
  }
}

/** The saved result of this follow, when there is one and its grounds still hold. */
export function cachedFollow(
  scripts: string[],
  env: Environment,
  opts: FollowOptions,
  cache: FollowCacheOptions,
): FollowResult | undefined {
  const key = entryKey(scripts, env, opts, cache.salt ?? '');
  const file = entryFile(cache, key);
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    if (entry?.key !== key || !entry.packed) return undefined;
    const fs = new FsCache();
    const hold = groundsHold(
      unpackGrounds(entry.packed),
      (p) => fs.realpath(p),
      () => askedNames(file, entry.run),
    );
    return hold ? unpackFollow(entry.packed) : undefined;
  } catch {
    return undefined; // none, unreadable, corrupt or from another version
  }
}

/** Drops the oldest entries beyond `maxEntries`. */
function prune(dir: string, maxEntries: number): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  if (names.length <= maxEntries) return;
  // an entry and its names file go together
  const aged = names.map((n) => ({
    n,
    t: statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0,
  }));
  aged.sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - maxEntries)) {
    rmSync(path.join(dir, n), { force: true }); // force: a concurrent run may have removed it
    rmSync(namesFile(path.join(dir, n)), { force: true });
  }
}

/**
 * followDependencies with the cache: the saved result when its grounds hold (only when `environment`
 * is already known; a promise means the interpreter is still being asked, and the follow starts at
 * once), otherwise a new follow, saved after the caller has had it (see deferredWrites.ts).
 */
export async function followWithCache(
  scripts: string[],
  environment: Environment | Promise<Environment>,
  opts: FollowOptions,
  cache: FollowCacheOptions | undefined,
): Promise<{ result: FollowResult; fromCache: boolean }> {
  if (cache && !(environment instanceof Promise)) {
    const saved = cachedFollow(scripts, environment, opts, cache);
    if (saved) return { result: saved, fromCache: true };
  }
  // a failure surfaces where the follow awaits it, not as an unhandled rejection meanwhile
  if (environment instanceof Promise) environment.catch(() => undefined);
  // the follow loop and the parser are loaded only when there is work for them
  const { followDependencies } = await import('./follow');
  if (!cache) return { result: await followDependencies(scripts, environment, opts), fromCache: false };
  const startedMs = Date.now();
  const fs = new FsCache({ journal: true });
  const result = await followDependencies(scripts, environment, { ...opts, fs });
  const env = await environment;
  deferWrite(() => {
    if (result.problems.some((p) => TRANSIENT.has(p.kind))) return;
    const grounds = fs.journal!.grounds(startedMs);
    if (!grounds) return;
    const key = entryKey(scripts, env, opts, cache.salt ?? '');
    const file = entryFile(cache, key);
    const run = `${process.pid}-${startedMs}-${Math.random().toString(36).slice(2)}`;
    const { asked, ...rest } = grounds;
    // the names first: an entry is never there without its own names
    replacePrivateFile(namesFile(file), JSON.stringify({ run, asked } satisfies AskedNames));
    try {
      replacePrivateFile(
        file,
        JSON.stringify({ key, run, packed: packFollow(result, rest) } satisfies Entry),
      );
    } catch (err) {
      rmSync(namesFile(file), { force: true }); // no names file without its entry
      throw err;
    }
    prune(path.dirname(file), cache.maxEntries ?? MAX_ENTRIES);
  });
  return { result, fromCache: false };
}
