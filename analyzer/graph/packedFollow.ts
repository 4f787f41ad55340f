/**
 * A FollowResult and the file-system grounds it rests on, packed for the follow cache: every string
 * once in a table, everything else as arrays of numbers. The closure of a matplotlib script is
 * 2,000 edges over a few hundred paths; as plain JSON it is 0.8 MB and takes longer to read and parse
 * than to resolve again, packed it is a fifth of that. Pure functions; no I/O.
 */
import type { FsGrounds } from '../resolve/fsJournal';
import type { RelPair } from '../resolve/roots';
import type { FollowEdge, FollowProblem, FollowResult, FollowSource } from './follow';

/** The packed form (JSON); `s` is the string table every other number in it points into. */
export interface PackedFollow {
  s: string[];
  /** profile, scripts, roots, filesRead */
  head: [string, number[], number[], number];
  /** per source: from root, from rel, file, analysed 0|1, target count, then root, rel per target (-1, -1 for the (None, None) marker) */
  sources: number[];
  /** per edge: from root, from rel, to root, to rel, file, status, distribution name, version (-1, -1 when none) */
  edges: number[];
  problems: FollowProblem[];
  /** per import: file, module, line */
  unresolved: number[];
  /** grounds: listings [dir, stamp, names, codes], realpaths [path, real...], contents [file, stamp...], links [path, kind...] */
  listings: [number, string | null, string | null, string][];
  realpaths: number[];
  contents: number[];
  linkKinds: (number | string)[];
}

class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

/** Packs a result and its grounds (without the names asked: those are stored apart). */
export function packFollow(result: FollowResult, grounds: Omit<FsGrounds, 'asked'>): PackedFollow {
  const t = new StringTable();
  const pair = (p: RelPair | null): number[] => (p ? [t.id(p[0]), t.id(p[1])] : [-1, -1]);
  const sources: number[] = [];
  for (const src of result.sources) {
    sources.push(...pair(src.from), t.id(src.file), src.analysed ? 1 : 0, src.targets.length);
    for (const target of src.targets) sources.push(...pair(target));
  }
  const edges: number[] = [];
  for (const e of result.edges) {
    edges.push(...pair(e.from), ...pair(e.to), t.id(e.file), t.id(e.status));
    if (e.distribution) edges.push(t.id(e.distribution.name), t.id(e.distribution.version));
    else edges.push(-1, -1);
  }
  const unresolved: number[] = [];
  for (const u of result.unresolved) unresolved.push(t.id(u.file), t.id(u.module), u.line);
  return {
    s: t.strings,
    head: [
      result.profile,
      result.scripts.map((x) => t.id(x)),
      result.roots.map((x) => t.id(x)),
      result.filesRead,
    ],
    sources,
    edges,
    problems: result.problems,
    unresolved,
    listings: grounds.listings.map(([dir, stamp, names, codes]) => [t.id(dir), stamp, names, codes]),
    realpaths: grounds.realpaths.flatMap(([p, real]) => [t.id(p), t.id(real)]),
    contents: grounds.contents.flatMap(([file, stamp]) => [t.id(file), t.id(stamp)]),
    linkKinds: grounds.linkKinds.flatMap(([p, kind]) => [t.id(p), kind]),
  };
}

/**
 * Reads the string table of a packed entry: every index must name one of its strings, or the entry
 * is not one this code wrote (a damaged or foreign file) and must not become a result.
 */
function stringsOf(p: PackedFollow): (i: unknown) => string {
  const s = p.s;
  if (!Array.isArray(s) || !s.every((x) => typeof x === 'string'))
    throw new Error('packed follow: no string table');
  return (i) => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= s.length)
      throw new Error(`packed follow: ${String(i)} is no string of the table`);
    return s[i];
  };
}

function numbers(xs: unknown, step: number, what: string): number[] {
  if (!Array.isArray(xs) || xs.length % step !== 0 || !xs.every((x) => Number.isInteger(x)))
    throw new Error(`packed follow: bad ${what}`);
  return xs as number[];
}

function pairsOf(xs: unknown, at: (i: unknown) => string, what: string): [string, string][] {
  const n = numbers(xs, 2, what);
  const out: [string, string][] = [];
  for (let i = 0; i < n.length; i += 2) out.push([at(n[i]), at(n[i + 1])]);
  return out;
}

const STAMP = (x: unknown): x is string | null => x === null || typeof x === 'string';

/** The grounds of a packed entry (the names asked excepted); throws when it is damaged. */
export function unpackGrounds(p: PackedFollow): Omit<FsGrounds, 'asked'> {
  const at = stringsOf(p);
  const links = p.linkKinds;
  if (!Array.isArray(links) || links.length % 2) throw new Error('packed follow: bad links');
  const linkKinds: FsGrounds['linkKinds'] = [];
  for (let i = 0; i < links.length; i += 2) {
    const kind = links[i + 1];
    if (kind !== 'file' && kind !== 'dir' && kind !== 'other')
      throw new Error('packed follow: bad link kind');
    linkKinds.push([at(links[i]), kind]);
  }
  if (!Array.isArray(p.listings)) throw new Error('packed follow: bad listings');
  const listings = p.listings.map((l): FsGrounds['listings'][number] => {
    const [dir, stamp, names, codes] = Array.isArray(l) ? l : [];
    if (!STAMP(stamp) || !STAMP(names) || typeof codes !== 'string')
      throw new Error('packed follow: bad listing');
    return [at(dir), stamp, names, codes];
  });
  return {
    listings,
    realpaths: pairsOf(p.realpaths, at, 'real paths'),
    contents: pairsOf(p.contents, at, 'contents'),
    linkKinds,
  };
}

/** The result of a packed entry; throws when it is damaged. */
export function unpackFollow(p: PackedFollow): FollowResult {
  const at = stringsOf(p);
  const pairAt = (xs: number[], i: number): RelPair | null =>
    xs[i] === -1 && xs[i + 1] === -1 ? null : [at(xs[i]), at(xs[i + 1])];
  const xs = numbers(p.sources, 1, 'sources');
  const sources: FollowSource[] = [];
  for (let i = 0; i < xs.length;) {
    const from = pairAt(xs, i);
    const n = xs[i + 4];
    if (!from || (xs[i + 3] !== 0 && xs[i + 3] !== 1) || !(n >= 0) || i + 5 + 2 * n > xs.length)
      throw new Error('packed follow: bad source');
    const src: FollowSource = { from, file: at(xs[i + 2]), targets: [], analysed: xs[i + 3] === 1 };
    i += 5;
    for (let k = 0; k < n; k++, i += 2) src.targets.push(pairAt(xs, i));
    sources.push(src);
  }
  const x = numbers(p.edges, 8, 'edges');
  const edges: FollowEdge[] = [];
  for (let i = 0; i < x.length; i += 8) {
    const from = pairAt(x, i);
    const to = pairAt(x, i + 2);
    if (!from || !to) throw new Error('packed follow: bad edge');
    const e: FollowEdge = { from, to, file: at(x[i + 4]), status: at(x[i + 5]) as FollowEdge['status'] };
    if (x[i + 6] !== -1) e.distribution = { name: at(x[i + 6]), version: at(x[i + 7]) };
    edges.push(e);
  }
  const u = numbers(p.unresolved, 3, 'unresolved imports');
  const unresolved: FollowResult['unresolved'] = [];
  for (let i = 0; i < u.length; i += 3)
    unresolved.push({ file: at(u[i]), module: at(u[i + 1]), line: u[i + 2] });
  const [profile, scripts, roots, filesRead] = Array.isArray(p.head) ? p.head : [];
  const problems = p.problems;
  if (
    (profile !== 'compat' && profile !== 'python') ||
    !Array.isArray(scripts) ||
    !Array.isArray(roots) ||
    !Number.isInteger(filesRead) ||
    !Array.isArray(problems) ||
    !problems.every(
      (q) => typeof q?.file === 'string' && typeof q.kind === 'string' && typeof q.message === 'string',
    )
  )
    throw new Error('packed follow: bad head');
  return {
    profile,
    scripts: scripts.map(at),
    roots: roots.map(at),
    sources,
    edges,
    problems,
    unresolved,
    filesRead: filesRead as number,
  };
}
