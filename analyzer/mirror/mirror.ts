/**
 * The mirror as a whole: its conda channels (loaded once, in parallel) and PyPI simple indexes
 * (asked per distribution, memoised), behind one HttpCache. `lookup` answers, for the candidate
 * distributions of one import, every place on the mirror that has one of them, each hit judged by
 * the evidence that it provides the import (`provides`/`why`, see ../names/providerEvidence.ts),
 * providers first; `nearestNames` suggests what to try when nothing provides it. A source that fails
 * is reported once in `problems` and, for the rest of this object's life, answered from the cache
 * only, so one hanging server costs one timeout, not one per import.
 * Does not decide verdicts (see ../check).
 */
import type { MirrorHit } from './mirrorHit';
import { normalizeName, type DistributionCandidate } from '../names/nameMap';
import { judgeProvider, providerRank } from '../names/providerEvidence';
import { CondaChannel, platformSubdir } from './condaChannel';
import { HttpCache, redactUrl } from './httpCache';
import type { MirrorSource } from './mirrorConfig';
import { PypiIndex, type IndexLookupOptions } from './pypiSimple';
import { condaSpecAdmits, fitForPython, requiresPythonAdmits, type PythonConstraints } from './pythonFit';

export interface MirrorOptions {
  /** Cache root (HTTP bodies under `http/`, derived indexes under `derived/`); false: no disk cache. */
  cacheDir: string | false;
  offline?: boolean;
  /** Cached copies younger than this are used without asking; default 10 min. */
  ttlMs?: number;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** conda subdirs; default the platform's and `noarch`. */
  subdirs?: string[];
  /** Largest body accepted; default 512 MB (repodata) / 64 MB (project pages). */
  maxBytes?: number;
}

export interface MirrorProblem {
  source: string;
  message: string;
}

/** A distribution to look for: NameMap's candidates, or bare names (then judged as same-name matches). */
export type MirrorCandidate = Pick<DistributionCandidate, 'pypi' | 'conda'> & Partial<DistributionCandidate>;

/** Edit distance of two short names (names over 64 characters count as far apart). */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

export class Mirror {
  readonly problems: MirrorProblem[] = [];
  private readonly down = new Set<string>();

  private constructor(
    readonly sources: MirrorSource[],
    readonly channels: CondaChannel[],
    readonly indexes: PypiIndex[],
    readonly cache: HttpCache,
    private readonly opts: MirrorOptions,
  ) {}

  /** Opens the mirror: loads every conda channel's repodata (never throws; failures are problems). */
  static async open(sources: MirrorSource[], opts: MirrorOptions): Promise<Mirror> {
    const cache = new HttpCache(opts.cacheDir);
    const channels = sources.filter((s) => s.kind === 'conda').map((s) => new CondaChannel(s.url));
    const indexes = sources.filter((s) => s.kind === 'pypi').map((s) => new PypiIndex(s.url));
    const mirror = new Mirror(sources, channels, indexes, cache, opts);
    const subdirs = opts.subdirs ?? [platformSubdir(), 'noarch'];
    await Promise.all(
      channels.map(async (c) => {
        const problems = await c.load(cache, {
          subdirs,
          offline: opts.offline,
          ttlMs: opts.ttlMs,
          timeoutMs: opts.timeoutMs ?? 15_000,
          maxBytes: opts.maxBytes,
        });
        for (const p of problems) mirror.report(c.url, p);
      }),
    );
    return mirror;
  }

  private report(rawSource: string, rawMessage: string): void {
    const source = redactUrl(rawSource);
    const message = redactUrl(rawMessage);
    if (!this.problems.some((p) => p.source === source && p.message === message))
      this.problems.push({ source, message });
  }

  /**
   * Every place on the mirror holding one of the candidates for `module` (default: the first
   * candidate's name), judged (`provides`, `why`)
   * and ordered providers first. conda channels are asked for every candidate's conda name, its
   * PEP 503 name and its `python-` binding; a PyPI index is asked candidate by candidate until one
   * provides the import.
   */
  async lookup(
    given: MirrorCandidate[],
    module: string = given[0]?.pypi ?? '',
    python?: string | null,
  ): Promise<MirrorHit[]> {
    const candidates: DistributionCandidate[] = given.map((c) => ({
      ...c,
      normalized: c.normalized ?? normalizeName(c.pypi),
      source: c.source ?? 'normalised',
    }));
    const judged = (hit: MirrorHit): MirrorHit => ({
      ...hit,
      ...judgeProvider(
        module,
        { kind: hit.kind, name: hit.name, pythonPackage: hit.pythonPackage },
        candidates,
      ),
    });
    const fitted = (
      hit: MirrorHit,
      constraints: PythonConstraints,
      admits: (spec: string, python: string) => boolean,
    ): MirrorHit =>
      python ? { ...hit, forPython: fitForPython(hit.versions, constraints, python, admits) } : hit;
    const hits: MirrorHit[] = [];
    const condaNames = [
      ...new Set(candidates.flatMap((c) => [c.conda.toLowerCase(), c.normalized, `python-${c.normalized}`])),
    ];
    for (const channel of this.channels) {
      for (const name of condaNames) {
        const hit = channel.lookup(name);
        if (hit) hits.push(fitted(judged(hit), channel.pythonConstraints(name), condaSpecAdmits));
      }
    }
    const perIndex = await Promise.all(
      this.indexes.map((index) =>
        this.askIndex(index, candidates, (h) =>
          fitted(judged(h), index.pythonConstraints(h.name), requiresPythonAdmits),
        ),
      ),
    );
    for (const h of perIndex) hits.push(...h);
    return hits
      .map((h, i) => ({ h, i }))
      .sort((x, y) => providerRank(x.h.provides) - providerRank(y.h.provides) || x.i - y.i)
      .map((x) => x.h);
  }

  /**
   * Names on the mirror closest to `module` (same name with dashes, a `python-`/`py-` prefix, or at
   * most two edits away), for "what to try" when nothing provides it: the conda channels' names and
   * every project the PyPI indexes list (their root pages, read only now). `exclude`: names already
   * judged (the decoys).
   */
  async nearestNames(module: string, exclude: string[] = [], limit = 5): Promise<string[]> {
    const want = module
      .split('.')[0]
      .toLowerCase()
      .replace(/[-_.]+/g, '-');
    const excluded = new Set(exclude.map((n) => normalizeName(n)));
    /** Normalised name → the name as the mirror spells it (conda first) and its distance. */
    const scored = new Map<string, { name: string; d: number }>();
    const consider = (name: string) => {
      const key = normalizeName(name);
      if (scored.has(key) || excluded.has(key)) return;
      const bare = key.replace(/^(python|py)-/, '');
      const d = Math.min(editDistance(want, key), editDistance(want, bare) + 1);
      if (d <= 2) scored.set(key, { name, d });
    };
    for (const channel of this.channels) for (const name of channel.names()) consider(name);
    const listed = await Promise.all(
      this.indexes.map((index) => index.projectNames(this.cache, this.lookupOptions(index))),
    );
    for (const names of listed) for (const name of names ?? []) consider(name);
    return [...scored.values()]
      .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
      .slice(0, limit)
      .map((s) => s.name);
  }

  /** How `index` is asked now: from the cache only when offline or once it failed; the run's budget. */
  private lookupOptions(index: PypiIndex): IndexLookupOptions & { offline: boolean } {
    return {
      offline: !!this.opts.offline || this.down.has(index.url),
      ttlMs: this.opts.ttlMs,
      timeoutMs: this.opts.timeoutMs ?? 15_000,
      maxBytes: this.opts.maxBytes,
    };
  }

  /**
   * The candidates `index` has, in order, until one of them provides the import (`judge` decides);
   * a failure marks the index down (see the class comment).
   */
  private async askIndex(
    index: PypiIndex,
    candidates: { pypi: string }[],
    judge: (hit: MirrorHit) => MirrorHit,
  ): Promise<MirrorHit[]> {
    const found: MirrorHit[] = [];
    for (const c of candidates) {
      const options = this.lookupOptions(index);
      const offline = options.offline;
      const r = await index.lookup(this.cache, c.pypi, options);
      if (r.problem && !(offline && /offline and not in the cache/.test(r.problem))) {
        this.report(index.url, r.problem);
      }
      if (r.failed && !offline) {
        this.down.add(index.url);
        this.report(index.url, 'this index failed; answering the remaining lookups from the cache only');
      }
      if (!r.hit) continue;
      const hit = judge(r.hit);
      if (!found.some((f) => f.name === hit.name)) found.push(hit);
      if (hit.provides === true) break;
    }
    return found;
  }

  /**
   * Asks every PyPI index for the project page of `pip` (which any mirror of PyPI carries), so that
   * an index that does not answer is known as failed before any import is looked up.
   */
  async probeIndexes(): Promise<void> {
    await Promise.all(this.indexes.map((index) => this.askIndex(index, [{ pypi: 'pip' }], (h) => h)));
  }

  /** Whether the source at `url` (a channel or an index) failed: lookups there answer from the cache only. */
  failed(url: string): boolean {
    const channel = this.channels.find((c) => c.url === url);
    if (channel) return !channel.usable;
    return this.down.has(url);
  }

  /** One line per source: what it is and whether it answered. */
  describe(): string[] {
    const lines: string[] = [];
    for (const c of this.channels) {
      const parts = c.states.map(
        (s) =>
          `${s.subdir} ${s.ok ? `${s.packages} packages${s.via === 'cache-stale' ? ' (stale cache)' : ''}` : 'FAILED'}`,
      );
      lines.push(`conda ${redactUrl(c.url)}: ${parts.join(', ')}`);
    }
    for (const i of this.indexes)
      lines.push(`pypi ${redactUrl(i.url)}${this.down.has(i.url) ? ': FAILED (cache only)' : ''}`);
    return lines;
  }
}
