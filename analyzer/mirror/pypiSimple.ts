/**
 * PyPI "simple" repositories on the mirror, one project at a time (`<index>/<normalised-name>/`; the
 * root list of every project is read only to suggest names when nothing provides an import, see
 * `projectNames`): asks for PEP 691 JSON and accepts PEP 503 HTML (content negotiation
 * by `Accept`, parsing by the answer's content type, sniffing when a static server sends neither).
 * Versions come from PEP 691 `versions` when present, else from wheel / sdist file names; versions
 * whose every file is yanked are left out. Not-found (404) means "not on this index".
 * Does not download distributions.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nameFromArchive, normalizeName } from '../baseline/pep508';
import type { PythonConstraints } from './pythonFit';
import { sortVersions } from '../baseline/pep440';
import type { MirrorHit } from './mirrorHit';
import { formatAge, redactUrl, type FetchOptions, type HttpCache } from './httpCache';

export const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

export interface SimpleFile {
  filename: string;
  url: string;
  /** false, or the reason (true when no reason given). */
  yanked: boolean | string;
  requiresPython: string | null;
}

export interface SimpleProject {
  name: string;
  /** Versions offered (ascending), yanked-only versions excluded. */
  versions: string[];
  files: SimpleFile[];
  format: 'json' | 'html';
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes HTML character references. */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1].toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[ref.toLowerCase()] ?? whole;
  });
}

function versionsFromFiles(project: string, files: SimpleFile[]): string[] {
  const norm = normalizeName(project);
  const live = new Set<string>();
  for (const f of files) {
    const a = nameFromArchive(f.filename);
    if (!a?.version || normalizeName(a.name) !== norm) continue;
    if (f.yanked === false) live.add(a.version);
  }
  return sortVersions(live);
}

/** Parses a PEP 691 project page. Throws for anything that is not one. */
export function parseSimpleJson(body: string, project: string): SimpleProject {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    throw new Error(`simple index JSON is not valid JSON: ${(err as Error).message}`);
  }
  const d = data as { name?: unknown; files?: unknown; versions?: unknown; meta?: unknown };
  if (typeof d !== 'object' || d === null || !Array.isArray(d.files)) {
    throw new Error("simple index JSON has no 'files' list (not a PEP 691 project page)");
  }
  const files: SimpleFile[] = [];
  for (const f of d.files as Record<string, unknown>[]) {
    if (typeof f?.filename !== 'string' || typeof f.url !== 'string') continue;
    files.push({
      filename: f.filename,
      url: f.url,
      yanked: f.yanked === true || typeof f.yanked === 'string' ? (f.yanked as string | true) : false,
      requiresPython: typeof f['requires-python'] === 'string' ? (f['requires-python'] as string) : null,
    });
  }
  const name = typeof d.name === 'string' ? d.name : project;
  let versions = versionsFromFiles(name, files);
  if (Array.isArray(d.versions)) {
    // PEP 700 `versions` lists every version; drop those whose files are all yanked.
    const yankedOnly = new Set(
      sortVersions(files.map((f) => nameFromArchive(f.filename)?.version ?? '').filter(Boolean)).filter(
        (v) => !versions.includes(v),
      ),
    );
    versions = sortVersions(
      (d.versions as unknown[]).filter((v): v is string => typeof v === 'string' && !yankedOnly.has(v)),
    );
  }
  return { name, versions, files, format: 'json' };
}

/** Parses a PEP 503 project page (HTML anchors). Throws when the body is not HTML at all. */
export function parseSimpleHtml(body: string, project: string, pageUrl: string): SimpleProject {
  if (body.trim() && !/<\s*(html|a|body|!doctype)\b/i.test(body))
    throw new Error('simple index page is not HTML');
  const files: SimpleFile[] = [];
  for (const m of body.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(
      /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g,
    )) {
      attrs.set(a[1].toLowerCase(), decodeHtml(a[2] ?? a[3] ?? a[4] ?? ''));
    }
    const href = attrs.get('href');
    if (!href) continue;
    let url: string;
    try {
      url = new URL(href, pageUrl).toString();
    } catch {
      url = href;
    }
    const text = decodeHtml(m[2].replace(/<[^>]*>/g, '')).trim();
    const filename = text || decodeURIComponent(href.split(/[#?]/)[0].split('/').pop() ?? '');
    const yanked = attrs.has('data-yanked') ? attrs.get('data-yanked') || true : false;
    files.push({ filename, url, yanked, requiresPython: attrs.get('data-requires-python') || null });
  }
  return { name: project, versions: versionsFromFiles(project, files), files, format: 'html' };
}

/**
 * The project names of an index's root page: PEP 691 `projects[].name`, or the text of each PEP 503
 * anchor. Throws when the body is neither.
 */
export function parseSimpleRoot(body: string, contentType: string): string[] {
  const ct = contentType.toLowerCase();
  const json = ct.includes('json') || (!ct.includes('html') && body.trimStart().startsWith('{'));
  if (json) {
    let data: { projects?: unknown };
    try {
      data = JSON.parse(body) as { projects?: unknown };
    } catch (err) {
      throw new Error(`simple index JSON is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(data?.projects))
      throw new Error("simple index JSON has no 'projects' list (not a root page)");
    return (data.projects as { name?: unknown }[])
      .map((p) => p?.name)
      .filter((n): n is string => typeof n === 'string' && n !== '');
  }
  if (body.trim() && !/<\s*(html|a|body|!doctype)\b/i.test(body))
    throw new Error('simple index page is not HTML');
  const names: string[] = [];
  for (const m of body.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a\s*>/gi)) {
    const name = decodeHtml(m[1].replace(/<[^>]*>/g, '')).trim();
    if (name) names.push(name);
  }
  return names;
}

/** Parses a project page by its content type (sniffing when the type says neither). */
export function parseSimpleProject(
  body: string,
  contentType: string,
  project: string,
  pageUrl: string,
): SimpleProject {
  const ct = contentType.toLowerCase();
  if (ct.includes('json')) return parseSimpleJson(body, project);
  if (ct.includes('html')) return parseSimpleHtml(body, project, pageUrl);
  return body.trimStart().startsWith('{')
    ? parseSimpleJson(body, project)
    : parseSimpleHtml(body, project, pageUrl);
}

export interface IndexLookupOptions {
  offline?: boolean;
  ttlMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
}

function isDirectory(fileUrl: string): boolean {
  try {
    return statSync(fileURLToPath(fileUrl)).isDirectory();
  } catch {
    return false;
  }
}

/** Version → the `requires-python` of its files that are not yanked ('' = any Python). */
export function requiresPythonByVersion(project: SimpleProject): PythonConstraints {
  const out: PythonConstraints = new Map();
  for (const f of project.files) {
    const version = nameFromArchive(f.filename)?.version;
    if (!version || f.yanked) continue;
    const list = out.get(version) ?? [];
    if (!list.includes(f.requiresPython ?? '')) list.push(f.requiresPython ?? '');
    out.set(version, list);
  }
  return out;
}

/** How long an index's answers are kept in memory: the cache TTL, and within one run at least a minute. */
function memoTtl(opts: IndexLookupOptions): number {
  return Math.max(opts.ttlMs ?? 10 * 60 * 1000, 60_000);
}

/** The fetch options of an index page: negotiated PEP 691/503, the lookup's budget, `maxBytes` by default. */
function pageFetch(opts: IndexLookupOptions, maxBytes: number): FetchOptions {
  return {
    accept: SIMPLE_ACCEPT,
    offline: opts.offline,
    ttlMs: opts.ttlMs,
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes ?? maxBytes,
  };
}

/** One PyPI simple index of the mirror. */
export class PypiIndex {
  readonly label: string;
  /** Answers of this object's life, with when they were asked (they expire with the cache TTL). */
  private readonly memo = new Map<
    string,
    { at: number; answer: Promise<{ hit: MirrorHit | null; problem?: string; failed?: boolean }> }
  >();
  /** requires-python per version of each project looked up (normalised name → constraints). */
  private readonly constraints = new Map<string, PythonConstraints>();
  /** The root page's project names, with when they were asked. */
  private root: { at: number; answer: Promise<string[] | null> } | undefined;

  constructor(readonly url: string) {
    this.url = url.replace(/\/+$/, '');
    try {
      const u = new URL(this.url);
      this.label = u.protocol === 'file:' ? this.url : `${u.host}${u.pathname}`;
    } catch {
      this.label = this.url;
    }
  }

  /** The project page URL for a distribution name. */
  projectUrl(name: string): string {
    return `${this.url}/${normalizeName(name)}/`;
  }

  /** Version → requires-python of a project this index has answered for (empty when unknown). */
  pythonConstraints(name: string): PythonConstraints {
    return this.constraints.get(normalizeName(name)) ?? new Map();
  }

  /**
   * Every project the index lists (its root page), for suggesting names when nothing provides an
   * import: fetched through the cache at most once per TTL, null when it cannot be read. Never throws.
   */
  projectNames(cache: HttpCache, opts: IndexLookupOptions = {}): Promise<string[] | null> {
    if (!this.root || Date.now() - this.root.at >= memoTtl(opts)) {
      const url = `${this.url}/`;
      let parsed: string[] | null = null;
      const answer = cache
        .get(url, {
          ...pageFetch(opts, 256 * 1024 * 1024),
          validate: (body, ct) => {
            parsed = parseSimpleRoot(body.toString('utf8'), ct);
          },
        })
        .then((res) =>
          res.status === 200
            ? ((parsed as string[] | null) ?? parseSimpleRoot(res.body.toString('utf8'), res.contentType))
            : null,
        )
        .catch(() => null);
      this.root = { at: Date.now(), answer };
    }
    return this.root.answer;
  }

  /** Looks one distribution up (memoised per instance for the TTL). Never throws. */
  lookup(
    cache: HttpCache,
    name: string,
    opts: IndexLookupOptions = {},
  ): Promise<{ hit: MirrorHit | null; problem?: string; failed?: boolean }> {
    const key = normalizeName(name);
    const m = this.memo.get(key);
    // Within one run (a minute) a name is asked once even with a zero TTL.
    if (m && Date.now() - m.at < memoTtl(opts)) return m.answer;
    const answer = this.fetchProject(cache, key, opts);
    this.memo.set(key, { at: Date.now(), answer });
    return answer;
  }

  private async fetchProject(
    cache: HttpCache,
    key: string,
    opts: IndexLookupOptions,
  ): Promise<{ hit: MirrorHit | null; problem?: string; failed?: boolean }> {
    const url = this.projectUrl(key);
    let parsed: SimpleProject | null = null;
    try {
      const res = await cache.get(url, {
        ...pageFetch(opts, 64 * 1024 * 1024),
        validate: (body, ct) => {
          parsed = parseSimpleProject(body.toString('utf8'), ct, key, url);
        },
      });
      if (res.status !== 200) {
        // a local copy whose folder is not there is a misconfigured source, not an index without the project
        if (this.url.startsWith('file:') && !isDirectory(this.url))
          return { hit: null, problem: `${fileURLToPath(this.url)}: no such directory`, failed: true };
        return { hit: null };
      }
      const project =
        (parsed as SimpleProject | null) ??
        parseSimpleProject(res.body.toString('utf8'), res.contentType, key, res.finalUrl);
      const stale = res.via === 'cache-stale';
      const problem = stale
        ? `${url}: ${res.staleReason}; using the cached page from ${formatAge(res.ageMs)} ago`
        : undefined;
      if (!project.versions.length && !project.files.length) return { hit: null, problem };
      this.constraints.set(key, requiresPythonByVersion(project));
      return {
        hit: {
          source: redactUrl(this.url),
          label: this.label,
          kind: 'pypi',
          name: project.name,
          versions: project.versions,
          ...(stale ? { cachedAgeMs: res.ageMs } : {}),
        },
        problem,
      };
    } catch (err) {
      return { hit: null, problem: (err as Error).message, failed: true };
    }
  }
}
