/**
 * The mirror as a whole: its conda channels (loaded once, in parallel) and PyPI simple indexes
 * (asked per distribution, memoised), behind one HttpCache. `lookup` answers, for the candidate
 * distributions of one import, every place on the mirror that has one of them. A source that fails
 * is reported once in `problems` and, for the rest of this object's life, answered from the cache
 * only, so one hanging server costs one timeout, not one per import.
 * Does not decide verdicts (see ../check).
 */
import type { MirrorHit } from '../check/verdict';
import { CondaChannel, platformSubdir } from './condaChannel';
import { HttpCache, redactUrl } from './httpCache';
import type { MirrorSource } from './mirrorConfig';
import { PypiIndex } from './pypiSimple';

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

export interface MirrorCandidate {
  pypi: string;
  conda: string;
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

  /** Every place on the mirror holding one of the candidates (first candidate found per source). */
  async lookup(candidates: MirrorCandidate[]): Promise<MirrorHit[]> {
    const hits: MirrorHit[] = [];
    for (const channel of this.channels) {
      for (const c of candidates) {
        const hit =
          channel.lookup(c.conda) ?? (c.conda !== c.pypi.toLowerCase() ? channel.lookup(c.pypi) : null);
        if (hit) {
          hits.push(hit);
          break;
        }
      }
    }
    const perIndex = await Promise.all(this.indexes.map((index) => this.askIndex(index, candidates)));
    for (const h of perIndex) if (h) hits.push(h);
    return hits;
  }

  /** The first of the candidates `index` has; a failure marks the index down (see the class comment). */
  private async askIndex(index: PypiIndex, candidates: MirrorCandidate[]): Promise<MirrorHit | null> {
    for (const c of candidates) {
      const offline = this.opts.offline || this.down.has(index.url);
      const r = await index.lookup(this.cache, c.pypi, {
        offline,
        ttlMs: this.opts.ttlMs,
        timeoutMs: this.opts.timeoutMs ?? 15_000,
        maxBytes: this.opts.maxBytes,
      });
      if (r.problem && !(offline && /offline and not in the cache/.test(r.problem))) {
        this.report(index.url, r.problem);
      }
      if (r.failed && !offline) {
        this.down.add(index.url);
        this.report(index.url, 'this index failed; answering the remaining lookups from the cache only');
      }
      if (r.hit) return r.hit;
    }
    return null;
  }

  /**
   * Asks every PyPI index for the project page of `pip` (which any mirror of PyPI carries), so that
   * an index that does not answer is known as failed before any import is looked up.
   */
  async probeIndexes(): Promise<void> {
    await Promise.all(this.indexes.map((index) => this.askIndex(index, [{ pypi: 'pip', conda: 'pip' }])));
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
