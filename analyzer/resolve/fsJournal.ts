/**
 * The grounds of a FsCache's answers: which directory entries were asked about, what the symbolic
 * links pointed to, which real paths were given and which files' contents were read. Saved with a
 * result (graph/followCache.ts), they tell a later run, at the cost of about one system call each,
 * whether the same questions would get the same answers.
 *
 * A directory is checked by its stamp first (size, mtime and ctime in ns, inode: the mtime moves with
 * every entry added, removed or renamed). When the stamp differs, or was too recent to be trusted, the
 * directory is listed again and only the entries that were asked about are compared, so a new
 * `deps.txt` in a script's folder or a shell's history file in the home directory above it does not
 * make a saved result stale; a question about the whole listing (the names of a directory) compares
 * the whole listing. This is how CPython's FileFinder keeps its directory caches current, one step finer.
 */
import { opendirSync, readdirSync, statSync, type Dirent } from 'node:fs';

/** What a path is, links followed (as os.path.isfile/isdir see it). */
export type Kind = 'file' | 'dir' | 'other';

/** A directory entry as listed: its kind, 'link' for a symbolic link, '' when there is none. */
export type RawEntry = Kind | 'link' | '';

/** The kind of what the symbolic link `p` points to ('other' when it dangles). */
export function linkTargetKind(p: string): Kind {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'other'; // dangling link
  }
}

/**
 * The grounds in a compact form that can be saved as JSON. Each asked entry is one character of
 * `codes` (f file, d dir, o other, l link, - absent); the names asked are kept apart in `asked`
 * because they are large and needed only when a directory must be listed again.
 */
export interface FsGrounds {
  /** [directory, stamp ('' = list it again; null = it could not be listed), every name used ('all:a/b' or, without a dot, 'nodot:a/b') when the answers used the whole listing, codes]. */
  listings: [string, string | null, string | null, string][];
  /** The names asked of each listing, joined by '/', in the order of its codes. */
  asked: string[];
  linkKinds: [string, Kind][];
  realpaths: [string, string][];
  /** [file, stamp] of every file whose content an answer rested on. */
  contents: [string, string][];
}

const CODES: Record<RawEntry, string> = { file: 'f', dir: 'd', other: 'o', link: 'l', '': '-' };

/** A stamp this close to the run's start (or later) may hide a change made in the same clock tick. */
const RACY_MS = 2000;

/**
 * What changes when a file or directory does: size, modification and change time in nanoseconds,
 * inode. Undefined when `p` cannot be stat'ed.
 */
export function fileStamp(p: string): string | undefined {
  const st = statSync(p, { bigint: true, throwIfNoEntry: false });
  return st && `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

/** A stamp's mtime in ms: what a change of content moves (a stamp compares the ctime as well). */
function stampMs(stamp: string): number {
  return Number(BigInt(stamp.split(':')[1]) / 1_000_000n);
}

/** A listed entry's kind ('link' for a symbolic link, whatever it points to). */
export function rawEntryOf(d: Dirent): Exclude<RawEntry, ''> {
  return d.isSymbolicLink() ? 'link' : d.isFile() ? 'file' : d.isDirectory() ? 'dir' : 'other';
}

/**
 * What the answers given from one listing used: the names asked, and whether every name was used
 * (`all`: 'all', or 'nodot' for every name without a dot, which is what makes a package root).
 */
export interface ListingNote {
  stamp: string | null;
  listed: ListedDir | null;
  asked: Set<string>;
  all: '' | 'nodot' | 'all';
}

/**
 * A directory as its lister holds it: entry kinds (a link's may later be replaced by its target's)
 * and the names that are links.
 */
export interface ListedDir {
  entries: ReadonlyMap<string, string>;
  links: ReadonlySet<string>;
}

/** The entry `name` as the directory was listed. */
function rawEntry(l: ListedDir | null, name: string): RawEntry {
  if (!l) return '';
  return l.links.has(name) ? 'link' : ((l.entries.get(name) as Kind | undefined) ?? '');
}

/** The names of a listing that a note's `all` covers, sorted and joined: `scope:a/b/c`. */
function namesInScope(scope: 'nodot' | 'all', names: Iterable<string>): string {
  const kept = [...names].filter((n) => scope === 'all' || !n.includes('.'));
  return `${scope}:${kept.sort().join('/')}`;
}

export class FsJournal {
  private readonly listings = new Map<string, ListingNote>();
  readonly linkKinds = new Map<string, Kind>();
  readonly realpaths = new Map<string, string>();
  readonly contents = new Set<string>();

  /**
   * `dir` was listed (`stamp` taken just before; `listed` null: it could not be). The note returned
   * is where the lister records each name an answer used (`asked`), or that it used them all (`all`).
   */
  listed(dir: string, stamp: string | null, listed: ListedDir | null): ListingNote {
    const note: ListingNote = { stamp: listed ? stamp : null, listed, asked: new Set(), all: '' };
    this.listings.set(dir, note);
    return note;
  }

  /**
   * The grounds as they stand, for a run started at `startedMs`. Undefined when a file read cannot be
   * stamped now or changed during the run.
   */
  grounds(startedMs: number): FsGrounds | undefined {
    const contents: [string, string][] = [];
    for (const file of this.contents) {
      const stamp = fileStamp(file);
      if (stamp === undefined || stampMs(stamp) >= startedMs - RACY_MS) return undefined;
      contents.push([file, stamp]);
    }
    const listings: FsGrounds['listings'] = [];
    const asked: string[] = [];
    for (const [dir, n] of this.listings) {
      const stamp = n.stamp !== null && stampMs(n.stamp) >= startedMs - RACY_MS ? '' : n.stamp;
      const all = n.listed && n.all ? namesInScope(n.all, n.listed.entries.keys()) : null;
      const askedNames = [...n.asked];
      listings.push([dir, stamp, all, askedNames.map((name) => CODES[rawEntry(n.listed, name)]).join('')]);
      asked.push(askedNames.join('/'));
    }
    return {
      listings,
      asked,
      linkKinds: [...this.linkKinds],
      realpaths: [...this.realpaths],
      contents,
    };
  }
}

function canList(dir: string): boolean {
  try {
    opendirSync(dir).closeSync();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a listed directory still answers every question asked of it the same way; `names()` gives
 * the names asked (read only when the directory has to be listed again).
 */
function listingHolds(
  [dir, stamp, all, codes]: FsGrounds['listings'][number],
  names: () => string | undefined,
): boolean {
  if (stamp === null) return !canList(dir);
  if (stamp !== '' && fileStamp(dir) === stamp) return true;
  let entries: Map<string, RawEntry>;
  try {
    entries = new Map(readdirSync(dir, { withFileTypes: true }).map((d) => [d.name, rawEntryOf(d)]));
  } catch {
    return false;
  }
  if (all !== null && namesInScope(all.startsWith('all:') ? 'all' : 'nodot', entries.keys()) !== all)
    return false;
  if (!codes) return true;
  const asked = names()?.split('/');
  if (asked?.length !== codes.length) return false;
  return asked.every((name, i) => CODES[entries.get(name) ?? ''] === codes[i]);
}

/**
 * Whether every question of a run would get the same answer now: `realpath` as the run computed
 * it, `asked()` the grounds' `asked` list (loaded only if a directory has to be listed again).
 */
export function groundsHold(
  g: Omit<FsGrounds, 'asked'>,
  realpath: (p: string) => string,
  asked: () => string[] | undefined,
): boolean {
  let names: string[] | undefined;
  for (let i = 0; i < g.listings.length; i++) {
    if (!listingHolds(g.listings[i], () => (names ??= asked())?.[i])) return false;
  }
  for (const [file, stamp] of g.contents) if (fileStamp(file) !== stamp) return false;
  for (const [link, kind] of g.linkKinds) if (linkTargetKind(link) !== kind) return false;
  for (const [p, real] of g.realpaths) if (realpath(p) !== real) return false;
  return true;
}
