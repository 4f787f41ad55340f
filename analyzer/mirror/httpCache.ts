/**
 * An HTTP(S) and file:// client with an on-disk cache (default `$XDG_CACHE_HOME/pyrats/http`): each
 * response body is kept with its ETag / Last-Modified and fetch time; within the TTL it is served
 * without a request, after it a conditional request revalidates it (304 keeps the body). Not-found
 * answers (404/410) are cached too. Offline, or when the server fails (timeout, network error, 5xx,
 * unexpected 4xx, a body the caller's `validate` rejects), the last good copy is served and marked
 * stale with the reason and its age; without one a FetchError says exactly what failed.
 * Timeouts cover the whole exchange; bodies above a size cap are refused; redirects are followed
 * (at most 10). Uses Node's built-in fetch. It does not interpret bodies (see condaChannel.ts,
 * pypiSimple.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timerDelay } from '../timerDelay';
import { replacePrivateFile } from '../privateFiles';

export interface FetchOptions {
  /** `Accept` header (part of the cache key). */
  accept?: string;
  /** Whole-exchange timeout; default 20 s. */
  timeoutMs?: number;
  /** Largest accepted body; default 512 MB. */
  maxBytes?: number;
  /** Serve a cached copy younger than this without asking; default 10 minutes. */
  ttlMs?: number;
  /** Never use the network: cached copies only (any age). */
  offline?: boolean;
  /** Throws to reject a body (malformed JSON, ...); a rejected body is not cached. */
  validate?: (body: Buffer, contentType: string) => void;
}

export interface CachedResponse {
  url: string;
  /** URL after redirects. */
  finalUrl: string;
  /** 200 (body present) or 404/410 (not found). */
  status: number;
  contentType: string;
  body: Buffer;
  /** Identifies this body: unchanged across 304 revalidations (for caches derived from it). */
  bodyId: string;
  /** When the body was last confirmed current (fetch or 304). */
  checkedAt: number;
  /** How the answer was obtained. */
  via: 'network' | 'revalidated' | 'cache-fresh' | 'cache-stale' | 'file';
  /** For `cache-stale`: why the network was not used or failed. */
  staleReason?: string;
  /** Age of the copy, ms since `checkedAt`. */
  ageMs: number;
}

export class FetchError extends Error {
  constructor(
    readonly url: string,
    readonly reason: 'timeout' | 'network' | 'http' | 'too-large' | 'offline' | 'malformed',
    message: string,
    readonly status?: number,
  ) {
    super(redactUrl(message));
  }
}

/** Hides the password of any `scheme://user:password@host` in a text. */
/** What went wrong below HTTP, in words (fetch's own errors are terse: 'fetch failed', 'bad port'). */
function networkProblem(
  url: string,
  cause: { code?: string; message?: string } | undefined,
  err: Error,
): string {
  const { hostname, port } = new URL(url);
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listening)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name '${hostname}' could not be resolved`;
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  const message = cause?.message ?? err.message;
  // the fetch standard's blocked ports (6000, 6665-6669, 10080, ...): refused before any connection
  if (message === 'bad port')
    return `port ${port} is one that fetch refuses to connect to (use another port)`;
  return `${cause?.code ?? ''} ${message}`.replace(/\s+/g, ' ').trim();
}

export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]*@/gi, '$1:***@');
}

interface Meta {
  url: string;
  finalUrl: string;
  accept: string;
  status: number;
  contentType: string;
  etag: string | null;
  lastModified: string | null;
  checkedAt: number;
  bodyId: string;
  size: number;
}

/** `12 s`, `5 min`, `3 h`, `2 days`. */
export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

const USER_AGENT = 'pyrats-lens (+https://github.com/pyrats-lens)';

export class HttpCache {
  /** Counts requests that reached the network (for tests and the bench). */
  requests = 0;

  /** `dir` false: no disk cache (every call asks the server). */
  constructor(readonly dir: string | false) {}

  private paths(url: string, accept: string): { meta: string; body: string } | null {
    if (!this.dir) return null;
    const key = createHash('sha256').update(`${url}\0${accept}`).digest('hex');
    const d = path.join(this.dir, 'http', key.slice(0, 2));
    return { meta: path.join(d, `${key}.json`), body: path.join(d, `${key}.body`) };
  }

  /** The cached metadata for a URL, without reading its body. */
  peek(url: string, accept = ''): (Meta & { ageMs: number }) | null {
    const p = this.paths(url, accept);
    if (!p) return null;
    try {
      const meta = JSON.parse(readFileSync(p.meta, 'utf8')) as Meta;
      return { ...meta, ageMs: Date.now() - meta.checkedAt };
    } catch {
      return null;
    }
  }

  /**
   * The id of the body `get` would serve without reading it: for file:// URLs from stat, for HTTP
   * when the cached copy is within the TTL (or any age when offline). Null when a fetch is needed.
   */
  currentBodyId(
    url: string,
    opts: { accept?: string; ttlMs?: number; offline?: boolean } = {},
  ): { bodyId: string; ageMs: number; stale: boolean } | null {
    if (url.startsWith('file:')) {
      try {
        const st = statSync(fileURLToPath(url));
        return st.isFile() ? { bodyId: `file:${st.size}:${st.mtimeMs}`, ageMs: 0, stale: false } : null;
      } catch {
        return null;
      }
    }
    const meta = this.peek(url, opts.accept ?? '');
    if (!meta || meta.status !== 200) return null;
    const fresh = meta.ageMs < (opts.ttlMs ?? 10 * 60 * 1000);
    if (!fresh && !opts.offline) return null;
    return { bodyId: meta.bodyId, ageMs: meta.ageMs, stale: !fresh };
  }

  private readCached(url: string, accept: string): { meta: Meta; body: Buffer } | null {
    const p = this.paths(url, accept);
    const meta = this.peek(url, accept);
    if (!p || !meta) return null;
    try {
      const body = meta.status === 200 ? readFileSync(p.body) : Buffer.alloc(0);
      if (body.length !== meta.size) return null;
      return { meta, body };
    } catch {
      return null;
    }
  }

  /** Writes an entry; the URL is kept on disk without its password (the key is a hash of the full URL). */
  private store(meta: Meta, body: Buffer): void {
    const p = this.paths(meta.url, meta.accept);
    meta = { ...meta, url: redactUrl(meta.url), finalUrl: redactUrl(meta.finalUrl) };
    if (!p) return;
    try {
      if (meta.status === 200) replacePrivateFile(p.body, body);
      replacePrivateFile(p.meta, JSON.stringify(meta));
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }

  private touch(meta: Meta, rawUrl: string): void {
    const p = this.paths(rawUrl, meta.accept);
    if (!p) return;
    try {
      replacePrivateFile(p.meta, JSON.stringify(meta));
    } catch {
      // ignore
    }
  }

  private async getFile(url: string, opts: FetchOptions): Promise<CachedResponse> {
    const file = fileURLToPath(url);
    const max = opts.maxBytes ?? 512 * 1024 * 1024;
    const now = Date.now();
    const base = { url, finalUrl: url, checkedAt: now, via: 'file' as const, ageMs: 0 };
    let target = file;
    try {
      let st = await stat(target);
      if (st.isDirectory()) {
        target = path.join(target, 'index.html');
        st = await stat(target);
      }
      if (st.size > max)
        throw new FetchError(url, 'too-large', `${url}: ${st.size} bytes, more than the ${max}-byte limit`);
      const body = await readFile(target);
      const contentType = target.endsWith('.json')
        ? 'application/json'
        : target.endsWith('.html')
          ? 'text/html'
          : '';
      if (opts.validate) {
        try {
          opts.validate(body, contentType);
        } catch (err) {
          throw new FetchError(url, 'malformed', `${url}: ${(err as Error).message}`);
        }
      }
      return { ...base, status: 200, contentType, body, bodyId: `file:${st.size}:${st.mtimeMs}` };
    } catch (err) {
      if (err instanceof FetchError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        return { ...base, status: 404, contentType: '', body: Buffer.alloc(0), bodyId: 'file:404' };
      }
      throw new FetchError(url, 'network', `${url}: ${(err as Error).message}`);
    }
  }

  /** Gets `url` through the cache. Throws FetchError only when there is no usable copy. */
  async get(url: string, opts: FetchOptions = {}): Promise<CachedResponse> {
    if (url.startsWith('file:')) return this.getFile(url, opts);
    const accept = opts.accept ?? '';
    const ttl = opts.ttlMs ?? 10 * 60 * 1000;
    const cached = this.readCached(url, accept);
    const fromCache = (via: 'cache-fresh' | 'cache-stale', staleReason?: string): CachedResponse => {
      const { meta, body } = cached!;
      return {
        url,
        finalUrl: meta.finalUrl,
        status: meta.status,
        contentType: meta.contentType,
        body,
        bodyId: meta.bodyId,
        checkedAt: meta.checkedAt,
        via,
        ageMs: Date.now() - meta.checkedAt,
        ...(staleReason ? { staleReason } : {}),
      };
    };
    if (cached && Date.now() - cached.meta.checkedAt < ttl) return fromCache('cache-fresh');
    if (opts.offline) {
      if (cached) return fromCache('cache-stale', 'offline');
      throw new FetchError(url, 'offline', `${url}: offline and not in the cache`);
    }
    try {
      return await this.fetchNetwork(url, accept, opts, cached?.meta ?? null, cached?.body ?? null);
    } catch (err) {
      const fe =
        err instanceof FetchError ? err : new FetchError(url, 'network', `${url}: ${(err as Error).message}`);
      if (cached) return fromCache('cache-stale', fe.message);
      throw fe;
    }
  }

  private async fetchNetwork(
    url: string,
    accept: string,
    opts: FetchOptions,
    meta: Meta | null,
    cachedBody: Buffer | null,
  ): Promise<CachedResponse> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const max = opts.maxBytes ?? 512 * 1024 * 1024;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (accept) headers.accept = accept;
    if (meta && meta.status === 200) {
      if (meta.etag) headers['if-none-match'] = meta.etag;
      if (meta.lastModified) headers['if-modified-since'] = meta.lastModified;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timerDelay(timeoutMs));
    this.requests++;
    let current = url; // the URL asked last (after redirects)
    try {
      let res: Response | undefined;
      for (let hop = 0; hop <= 10; hop++) {
        // Credentials in the URL (private mirrors in pip.conf) become a Basic Authorization header,
        // sent only to the host that was named with them.
        const target = new URL(current);
        const hopHeaders = { ...headers };
        if (target.username || target.password) {
          const user = decodeURIComponent(target.username);
          const pass = decodeURIComponent(target.password);
          hopHeaders.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
          target.username = '';
          target.password = '';
        }
        res = await fetch(target, { headers: hopHeaders, redirect: 'manual', signal: controller.signal });
        if (res.status >= 300 && res.status < 400 && res.status !== 304 && res.headers.get('location')) {
          await res.body?.cancel();
          current = new URL(res.headers.get('location')!, current).toString();
          if (!/^https?:/.test(current))
            throw new FetchError(url, 'http', `${url}: redirect to unsupported URL ${current}`);
          if (hop === 10) throw new FetchError(url, 'http', `${url}: more than 10 redirects`);
          continue;
        }
        break;
      }
      res = res!;
      const now = Date.now();
      if (res.status === 304 && meta && cachedBody) {
        await res.body?.cancel();
        const updated = { ...meta, checkedAt: now };
        this.touch(updated, url);
        return {
          url,
          finalUrl: meta.finalUrl,
          status: meta.status,
          contentType: meta.contentType,
          body: cachedBody,
          bodyId: meta.bodyId,
          checkedAt: now,
          via: 'revalidated',
          ageMs: 0,
        };
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        const m: Meta = {
          url,
          finalUrl: current,
          accept,
          status: res.status,
          contentType: '',
          etag: null,
          lastModified: null,
          checkedAt: now,
          bodyId: `404:${now}`,
          size: 0,
        };
        this.store(m, Buffer.alloc(0));
        return {
          url,
          finalUrl: current,
          status: res.status,
          contentType: '',
          body: Buffer.alloc(0),
          bodyId: m.bodyId,
          checkedAt: now,
          via: 'network',
          ageMs: 0,
        };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new FetchError(
          url,
          'http',
          `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
          res.status,
        );
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > max) {
        await res.body?.cancel();
        throw new FetchError(url, 'too-large', `${url}: ${declared} bytes, more than the ${max}-byte limit`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      const reader = res.body?.getReader();
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > max) {
          await reader.cancel();
          throw new FetchError(url, 'too-large', `${url}: body larger than the ${max}-byte limit`);
        }
        chunks.push(value);
      }
      const body = Buffer.concat(chunks);
      const contentType = res.headers.get('content-type') ?? '';
      if (opts.validate) {
        try {
          opts.validate(body, contentType);
        } catch (err) {
          throw new FetchError(url, 'malformed', `${url}: ${(err as Error).message}`);
        }
      }
      const m: Meta = {
        url,
        finalUrl: current,
        accept,
        status: 200,
        contentType,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
        checkedAt: now,
        bodyId: randomBytes(8).toString('hex'),
        size: body.length,
      };
      this.store(m, body);
      return {
        url,
        finalUrl: current,
        status: 200,
        contentType,
        body,
        bodyId: m.bodyId,
        checkedAt: now,
        via: 'network',
        ageMs: 0,
      };
    } catch (err) {
      if (err instanceof FetchError) throw err;
      if (controller.signal.aborted)
        throw new FetchError(url, 'timeout', `${url}: no complete answer within ${timeoutMs} ms`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new FetchError(url, 'network', `${url}: ${networkProblem(current, cause, err as Error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads a JSON document derived from a cached body (e.g. a compact channel index), if still current. */
  readDerived<T>(name: string, bodyId: string): T | null {
    if (!this.dir) return null;
    try {
      const file = path.join(this.dir, 'derived', `${createHash('sha256').update(name).digest('hex')}.json`);
      statSync(file);
      const data = JSON.parse(readFileSync(file, 'utf8')) as { bodyId: string; value: T };
      return data.bodyId === bodyId ? data.value : null;
    } catch {
      return null;
    }
  }

  writeDerived(name: string, bodyId: string, value: unknown): void {
    if (!this.dir) return;
    try {
      const dir = path.join(this.dir, 'derived');
      const file = path.join(dir, `${createHash('sha256').update(name).digest('hex')}.json`);
      replacePrivateFile(file, JSON.stringify({ bodyId, value }));
    } catch {
      // ignore
    }
  }
}
