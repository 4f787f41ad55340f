/**
 * conda channels on the mirror: `<channel>/<subdir>/repodata.json` for the platform subdir and
 * `noarch`, both the `packages` (.tar.bz2) and `packages.conda` maps. Each repodata is reduced to a
 * compact name → versions index plus the names that are Python packages (a build depends on python
 * or python_abi, or is `noarch: python`), kept beside the HTTP cache entry so a warm run never re-reads the
 * (often hundreds of MB) JSON. A subdir that fails is reported and the others still answer; a
 * failed fetch falls back to the cached copy (see httpCache.ts).
 * Does not solve dependencies or read package contents.
 */
import { formatAge, redactUrl, type CachedResponse, type HttpCache } from './httpCache';
import { sortVersions } from '../baseline/pep440';
import type { MirrorHit } from './mirrorHit';
import { condaBuildPythonSpec, type PythonConstraints } from './pythonFit';

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

/** What is kept of one repodata.json (and cached beside it). */
export interface ChannelIndex {
  index: SubdirIndex;
  /** Names with a build that depends on python / python_abi or is `noarch: python`, sorted. */
  python: string[];
  /**
   * For those names: version → the python constraints of its builds (see pythonFit.ts; '' = any
   * Python), for "the newest version that suits the baseline's Python".
   */
  pythonSpecs: Record<string, Record<string, string[]>>;
}

export interface ParsedRepodata extends ChannelIndex {
  count: number;
  skipped: number;
  subdir: string | null;
}

const PYTHON_DEPENDENCY = /^python(?:_abi)?(?:\s|$)/;

/** Whether one package entry (its `depends` and `noarch`) makes it a Python package. */
function isPythonEntry(depends: unknown, noarch: unknown): boolean {
  if (noarch === 'python') return true;
  return Array.isArray(depends) && depends.some((d) => typeof d === 'string' && PYTHON_DEPENDENCY.test(d));
}

/** The same test on the raw text of one flat entry (fast path). */
function isPythonEntryText(entry: string): boolean {
  if (/"noarch"\s*:\s*"python"/.test(entry)) return true;
  const deps = /"depends"\s*:\s*\[([^\]]*)\]/.exec(entry);
  return deps !== null && /"python(?:_abi)?(?:\s[^"]*)?"/.test(deps[1]);
}

/** The `depends` strings of one flat entry's raw text (fast path). */
function dependsOfText(entry: string): string[] {
  const deps = /"depends"\s*:\s*\[([^\]]*)\]/.exec(entry);
  return deps ? [...deps[1].matchAll(/"([^"\\]*)"/g)].map((m) => m[1]) : [];
}

/** Collects name → version → python constraints of the Python builds. */
class PythonSpecs {
  private readonly specs = new Map<string, Map<string, Set<string>>>();

  add(name: string, version: string, depends: readonly string[]): void {
    let byVersion = this.specs.get(name);
    if (!byVersion) this.specs.set(name, (byVersion = new Map()));
    let set = byVersion.get(version);
    if (!set) byVersion.set(version, (set = new Set()));
    set.add(condaBuildPythonSpec(depends));
  }

  toJSON(): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    for (const [name, byVersion] of this.specs) {
      out[name] = {};
      for (const [version, set] of byVersion) out[name][version] = [...set];
    }
    return out;
  }
}

/** Counts occurrences of one character (outside or inside strings alike). */
function countChar(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** The JSON string starting at the quote at `q`, or null when it has escapes (the slow path decodes those). */
function plainString(s: string, q: number): { value: string; end: number } | null {
  const close = s.indexOf('"', q + 1);
  if (close < 0) return null;
  const value = s.slice(q + 1, close);
  return value.includes('\\') ? null : { value, end: close };
}

/**
 * Fast path for the usual flat repodata (every package entry an object without nested objects):
 * finds each entry's `"name"` and `"version"` by scanning, without building the whole object graph
 * (a conda-forge repodata.json is hundreds of MB). Returns null whenever the text is not plainly of
 * that shape (unbalanced braces, nested objects in an entry, escaped strings, no packages key), and
 * the caller then parses it fully, which also gives the precise error for a malformed body.
 */
function scanRepodata(text: string): ParsedRepodata | null {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  if (!/"packages(\.conda)?"\s*:\s*\{/.test(t.slice(0, 4096)) && !t.includes('"packages"')) return null;
  if (countChar(t, '{') !== countChar(t, '}') || countChar(t, '[') !== countChar(t, ']')) return null;
  const sets = new Map<string, Set<string>>();
  const python = new Set<string>();
  const specs = new PythonSpecs();
  let count = 0;
  for (let at = t.indexOf('"name"'); at >= 0; at = t.indexOf('"name"', at + 6)) {
    const colon = t.indexOf(':', at + 6);
    if (colon < 0 || t.slice(at + 6, colon).trim() !== '') continue; // a value "name", not a key
    const open = t.lastIndexOf('{', at);
    const close = t.indexOf('}', at);
    if (open < 0 || close < 0) return null;
    const q = t.indexOf('"', colon + 1);
    if (q < 0 || t.slice(colon + 1, q).trim() !== '') continue; // name is not a string: not an entry
    const name = plainString(t, q);
    if (!name) return null;
    const vkey = t.indexOf('"version"', open);
    if (vkey < 0 || vkey > close) continue;
    const vcolon = t.indexOf(':', vkey + 9);
    const vq = t.indexOf('"', vcolon + 1);
    if (vcolon < 0 || vq < 0 || vq > close || t.slice(vcolon + 1, vq).trim() !== '') continue;
    const version = plainString(t, vq);
    if (!version) return null;
    // A nested object inside the entry would make the braces above lie: take the slow path.
    const inner = t.indexOf('{', open + 1);
    if (inner >= 0 && inner < close) return null;
    count++;
    const entry = t.slice(open, close);
    if (isPythonEntryText(entry)) {
      python.add(name.value);
      specs.add(name.value, version.value, dependsOfText(entry));
    }
    let set = sets.get(name.value);
    if (!set) sets.set(name.value, (set = new Set()));
    set.add(version.value);
  }
  if (count === 0) return null;
  const index: SubdirIndex = {};
  for (const [name, set] of sets) index[name] = [...set];
  const sub = /"subdir"\s*:\s*"([^"\\]*)"/.exec(t.slice(0, 4096));
  return {
    index,
    python: [...python].sort(),
    pythonSpecs: specs.toJSON(),
    count,
    skipped: 0,
    subdir: sub ? sub[1] : null,
  };
}

/**
 * Parses a repodata.json body into name → versions. Throws an Error naming what is wrong when the
 * body is not repodata (not JSON, no `packages` maps); entries without name/version are skipped and
 * counted. Flat, well-formed bodies take a scanning fast path; anything else is fully parsed.
 */
export function parseRepodata(body: Buffer | string): ParsedRepodata {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const fast = scanRepodata(text);
  if (fast) return fast;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`repodata is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('repodata is not a JSON object');
  const d = data as Record<string, unknown>;
  const maps = [d.packages, d['packages.conda']].filter((m) => m !== undefined);
  if (maps.length === 0) throw new Error("repodata has neither 'packages' nor 'packages.conda'");
  const sets = new Map<string, Set<string>>();
  const python = new Set<string>();
  const specs = new PythonSpecs();
  let count = 0;
  let skipped = 0;
  for (const m of maps) {
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      throw new Error("repodata 'packages' is not an object");
    for (const key in m as Record<string, unknown>) {
      const e = (
        m as Record<string, { name?: unknown; version?: unknown; depends?: unknown; noarch?: unknown }>
      )[key];
      if (typeof e?.name !== 'string' || typeof e.version !== 'string') {
        skipped++;
        continue;
      }
      count++;
      if (isPythonEntry(e.depends, e.noarch)) {
        python.add(e.name);
        const depends = Array.isArray(e.depends) ? e.depends.filter((d) => typeof d === 'string') : [];
        specs.add(e.name, e.version, depends);
      }
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
  return {
    index,
    python: [...python].sort(),
    pythonSpecs: specs.toJSON(),
    count,
    skipped,
    subdir: typeof info?.subdir === 'string' ? info.subdir : null,
  };
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

/** The cached compact index of one subdir, or null when absent or of another shape (older cache). */
function readChannelIndex(cache: HttpCache, name: string, bodyId: string): ChannelIndex | null {
  const d = cache.readDerived<ChannelIndex>(name, bodyId);
  if (!d || typeof d.index !== 'object' || d.index === null || !Array.isArray(d.python)) return null;
  if (typeof d.pythonSpecs !== 'object' || d.pythonSpecs === null) return null;
  return d;
}

/** One conda channel of the mirror. */
export class CondaChannel {
  readonly label: string;
  private readonly indexes = new Map<
    string,
    { index: SubdirIndex; python: Set<string>; pythonSpecs: ChannelIndex['pythonSpecs'] }
  >();
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
        // v3: the derived index also keeps which names are Python packages and their python constraints
        const name = `conda-v3:${url}`;
        // Fast path: the cached body is current (or we are offline) and its compact index exists.
        const current = cache.currentBodyId(url, {
          accept: 'application/json',
          ttlMs: ttl,
          offline: opts.offline,
        });
        if (current) {
          const derived = readChannelIndex(cache, name, current.bodyId);
          if (derived) {
            this.keep(subdir, derived);
            Object.assign(state, {
              ok: true,
              via: current.stale ? 'cache-stale' : 'derived',
              ageMs: current.ageMs,
              packages: Object.keys(derived.index).length,
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
            // Reported below unless another subdir of the channel answered (noarch-only channels).
            state.error = `${url}: not found (HTTP ${res.status})`;
            return;
          }
          const fresh = parsed as ReturnType<typeof parseRepodata> | null;
          const kept: ChannelIndex = fresh ??
            readChannelIndex(cache, name, res.bodyId) ?? { ...parseRepodata(res.body) };
          const derived: ChannelIndex = {
            index: kept.index,
            python: kept.python,
            pythonSpecs: kept.pythonSpecs,
          };
          cache.writeDerived(name, res.bodyId, derived);
          this.keep(subdir, derived);
          Object.assign(state, {
            ok: true,
            via: res.via,
            ageMs: res.ageMs,
            packages: Object.keys(derived.index).length,
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
    if (!this.states.some((st) => st.ok)) {
      for (const st of this.states)
        if (st.error?.endsWith('not found (HTTP 404)') || st.error?.endsWith('not found (HTTP 410)'))
          problems.push(st.error);
    }
    return problems;
  }

  private keep(subdir: string, derived: ChannelIndex): void {
    this.indexes.set(subdir, {
      index: derived.index,
      python: new Set(derived.python),
      pythonSpecs: derived.pythonSpecs,
    });
  }

  /** Version → python constraints of its builds across the loaded subdirs (see pythonFit.ts). */
  pythonConstraints(name: string): PythonConstraints {
    const out: PythonConstraints = new Map();
    const key = name.toLowerCase();
    for (const { pythonSpecs } of this.indexes.values()) {
      const byVersion = pythonSpecs[key] ?? pythonSpecs[name];
      if (!byVersion) continue;
      for (const [version, specs] of Object.entries(byVersion))
        out.set(version, [...new Set([...(out.get(version) ?? []), ...specs])]);
    }
    return out;
  }

  /** Every package name of the loaded subdirs. */
  *names(): Iterable<string> {
    for (const { index } of this.indexes.values()) yield* Object.keys(index);
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
    let pythonPackage = false;
    for (const [subdir, { index, python }] of this.indexes) {
      const v = index[key] ?? index[name];
      if (!v) continue;
      pythonPackage ||= python.has(key) || python.has(name);
      versions.push(...v);
      subdirs.push(subdir);
      const st = this.states.find((s) => s.subdir === subdir);
      if (st?.via === 'cache-stale' && st.ageMs !== undefined) staleAge = Math.max(staleAge ?? 0, st.ageMs);
    }
    if (!subdirs.length) return null;
    return {
      source: redactUrl(this.url),
      label: this.label,
      kind: 'conda',
      name: key,
      versions: sortVersions(versions),
      subdirs,
      pythonPackage,
      ...(staleAge !== undefined ? { cachedAgeMs: staleAge } : {}),
    };
  }
}
