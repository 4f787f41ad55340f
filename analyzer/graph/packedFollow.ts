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

function pairsOf(xs: number[], s: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < xs.length; i += 2) out.push([s[xs[i]], s[xs[i + 1]]]);
  return out;
}

/** The grounds of a packed entry (the names asked excepted). */
export function unpackGrounds(p: PackedFollow): Omit<FsGrounds, 'asked'> {
  const s = p.s;
  const linkKinds: FsGrounds['linkKinds'] = [];
  for (let i = 0; i < p.linkKinds.length; i += 2)
    linkKinds.push([s[p.linkKinds[i] as number], p.linkKinds[i + 1] as FsGrounds['linkKinds'][number][1]]);
  return {
    listings: p.listings.map(([dir, stamp, names, codes]) => [s[dir], stamp, names, codes]),
    realpaths: pairsOf(p.realpaths, s),
    contents: pairsOf(p.contents, s),
    linkKinds,
  };
}

/** The result of a packed entry. */
export function unpackFollow(p: PackedFollow): FollowResult {
  const s = p.s;
  const pairAt = (xs: number[], i: number): RelPair | null => (xs[i] < 0 ? null : [s[xs[i]], s[xs[i + 1]]]);
  const sources: FollowSource[] = [];
  for (let i = 0; i < p.sources.length;) {
    const from = pairAt(p.sources, i) as RelPair;
    const src: FollowSource = {
      from,
      file: s[p.sources[i + 2]],
      targets: [],
      analysed: p.sources[i + 3] === 1,
    };
    const n = p.sources[i + 4];
    i += 5;
    for (let k = 0; k < n; k++, i += 2) src.targets.push(pairAt(p.sources, i));
    sources.push(src);
  }
  const edges: FollowEdge[] = [];
  for (let i = 0; i < p.edges.length; i += 8) {
    const x = p.edges;
    const e: FollowEdge = {
      from: pairAt(x, i) as RelPair,
      to: pairAt(x, i + 2) as RelPair,
      file: s[x[i + 4]],
      status: s[x[i + 5]] as FollowEdge['status'],
    };
    if (x[i + 6] >= 0) e.distribution = { name: s[x[i + 6]], version: s[x[i + 7]] };
    edges.push(e);
  }
  const unresolved: FollowResult['unresolved'] = [];
  for (let i = 0; i < p.unresolved.length; i += 3)
    unresolved.push({ file: s[p.unresolved[i]], module: s[p.unresolved[i + 1]], line: p.unresolved[i + 2] });
  const [profile, scripts, roots, filesRead] = p.head;
  return {
    profile: profile as FollowResult['profile'],
    scripts: scripts.map((i) => s[i]),
    roots: roots.map((i) => s[i]),
    sources,
    edges,
    problems: p.problems,
    unresolved,
    filesRead,
  };
}
