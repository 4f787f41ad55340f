/**
 * conda channels on the mirror: `<channel>/<subdir>/repodata.json` for the platform subdir and
 * `noarch`, both the `packages` (.tar.bz2) and `packages.conda` maps. Each repodata is reduced to a
 * compact name → versions index, kept beside the HTTP cache entry so a warm run never re-reads the
 * (often hundreds of MB) JSON. A subdir that fails is reported and the others still answer; a
 * failed fetch falls back to the cached copy (see httpCache.ts).
 * Does not solve dependencies or read package contents.
 */
import { formatAge, type CachedResponse, type HttpCache } from './httpCache';
import { sortVersions } from '../baseline/pep440';
import type { MirrorHit } from '../check/verdict';

/** Name → versions of one repodata.json. */
export type SubdirIndex = Record<string, string[]>;

/** conda's subdir for this machine (`linux-64`, `linux-aarch64`, `osx-arm64`, `win-64`, ...). */
export function platformSubdir(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'darwin' ? 'osx' : platform === 'win32' ? 'win' : 'linux';
  const a: Record<string, string> = {
    x64: '64',
    arm64: os === 'linux' ? 'aarch64' : 'arm64',
    ppc64: 'ppc64le',
    s390x: 's390x',
    ia32: '32',
  };
  return `${os}-${a[arch] ?? '64'}`;
}

/**
 * Parses a repodata.json body into name → versions. Throws an Error naming what is wrong when the
 * body is not repodata (not JSON, no `packages` maps, entries without name/version are skipped and
 * counted).
 */
export function parseRepodata(body: Buffer | string): {
  index: SubdirIndex;
  count: number;
  skipped: number;
  subdir: string | null;
} {
  let data: unknown;
  try {
    data = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new Error(`repodata is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('repodata is not a JSON object');
  const d = data as Record<string, unknown>;
  const maps = [d.packages, d['packages.conda']].filter((m) => m !== undefined);
  if (maps.length === 0) throw new Error("repodata has neither 'packages' nor 'packages.conda'");
  const sets = new Map<string, Set<string>>();
  let count = 0;
  let skipped = 0;
  for (const m of maps) {
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      throw new Error("repodata 'packages' is not an object");
    for (const key in m as Record<string, unknown>) {
      const e = (m as Record<string, { name?: unknown; version?: unknown }>)[key];
      if (typeof e?.name !== 'string' || typeof e.version !== 'string') {
        skipped++;
        continue;
      }
      count++;
      let s = sets.get(e.name);
      if (!s) sets.set(e.name, (s = new Set()));
      s.add(e.version);
    }
  }
  if (count === 0 && skipped > 0)
    throw new Error(`repodata has ${skipped} entries but none with a name and a version (channeldata.json?)`);
  const index: SubdirIndex = {};
  for (const [name, s] of sets) index[name] = [...s];
  const info = d.info as { subdir?: unknown } | undefined;
  return { index, count, skipped, subdir: typeof info?.subdir === 'string' ? info.subdir : null };
}

export interface ChannelLoadOptions {
  subdirs: string[];
  offline?: boolean;
  ttlMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface SubdirState {
  subdir: string;
  url: string;
  ok: boolean;
  /** How it was obtained, and its age when from the cache. */
  via?: CachedResponse['via'] | 'derived';
  ageMs?: number;
  packages?: number;
  error?: string;
}

/** One conda channel of the mirror. */
export class CondaChannel {
  readonly label: string;
  private readonly indexes = new Map<string, SubdirIndex>();
  readonly states: SubdirState[] = [];

  constructor(readonly url: string) {
    this.url = url.replace(/\/+$/, '');
    this.label = decodeURIComponent(this.url.split('/').pop() || this.url);
  }

  /** Loads every subdir; never throws (failures are in `states` / returned problems). */
  async load(cache: HttpCache, opts: ChannelLoadOptions): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all(
      opts.subdirs.map(async (subdir) => {
        const url = `${this.url}/${subdir}/repodata.json`;
        const state: SubdirState = { subdir, url, ok: false };
        this.states.push(state);
        const ttl = opts.ttlMs ?? 10 * 60 * 1000;
        const name = `conda:${url}`;
        // Fast path: the cached body is current (or we are offline) and its compact index exists.
        const current = cache.currentBodyId(url, {
          accept: 'application/json',
          ttlMs: ttl,
          offline: opts.offline,
        });
        if (current) {
          const derived = cache.readDerived<SubdirIndex>(name, current.bodyId);
          if (derived) {
            this.indexes.set(subdir, derived);
            Object.assign(state, {
              ok: true,
              via: 'derived',
              ageMs: current.ageMs,
              packages: Object.keys(derived).length,
            });
            if (current.stale)
              problems.push(`${url}: offline; using the cached index from ${formatAge(current.ageMs)} ago`);
            return;
          }
        }
        try {
          let parsed: ReturnType<typeof parseRepodata> | null = null;
          const res = await cache.get(url, {
            offline: opts.offline,
            ttlMs: ttl,
            timeoutMs: opts.timeoutMs,
            maxBytes: opts.maxBytes,
            accept: 'application/json',
            validate: (body) => {
              parsed = parseRepodata(body);
            },
          });
          if (res.status !== 200) {
            state.error = `${url}: not found (HTTP ${res.status})`;
            problems.push(state.error);
            return;
          }
          const index =
            (parsed as ReturnType<typeof parseRepodata> | null)?.index ??
            cache.readDerived<SubdirIndex>(name, res.bodyId) ??
            parseRepodata(res.body).index;
          cache.writeDerived(name, res.bodyId, index);
          this.indexes.set(subdir, index);
          Object.assign(state, {
            ok: true,
            via: res.via,
            ageMs: res.ageMs,
            packages: Object.keys(index).length,
          });
          if (res.via === 'cache-stale') {
            problems.push(
              `${url}: ${res.staleReason}; using the cached copy from ${formatAge(res.ageMs)} ago`,
            );
          }
          const skipped = (parsed as ReturnType<typeof parseRepodata> | null)?.skipped;
          if (skipped) problems.push(`${url}: ${skipped} entries without name/version skipped`);
        } catch (err) {
          state.error = (err as Error).message;
          problems.push(state.error);
        }
      }),
    );
    return problems;
  }

  /** True when at least one subdir loaded. */
  get usable(): boolean {
    return this.indexes.size > 0;
  }

  /** Looks a conda package name up across the loaded subdirs. */
  lookup(name: string): MirrorHit | null {
    const versions: string[] = [];
    const subdirs: string[] = [];
    const key = name.toLowerCase();
    let staleAge: number | undefined;
    for (const [subdir, index] of this.indexes) {
      const v = index[key] ?? index[name];
      if (!v) continue;
      versions.push(...v);
      subdirs.push(subdir);
      const st = this.states.find((s) => s.subdir === subdir);
      if (st?.via === 'cache-stale' && st.ageMs !== undefined) staleAge = Math.max(staleAge ?? 0, st.ageMs);
    }
    if (!subdirs.length) return null;
    return {
      source: this.url,
      label: this.label,
      kind: 'conda',
      name: key,
      versions: sortVersions(versions),
      subdirs,
      ...(staleAge !== undefined ? { cachedAgeMs: staleAge } : {}),
    };
  }
}
