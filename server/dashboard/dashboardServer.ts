/**
 * The usage dashboard's local HTTP server (`pyrats dashboard`, and the VS Code panel's data source):
 * serves the dashboard page and bundle, and a read-only JSON API over one usage store. Listens on
 * 127.0.0.1 only, answers GET/HEAD only, checks the Host header (no DNS rebinding), and sends a strict
 * Content-Security-Policy: log content reaches the page only as JSON and is rendered as text.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { listQueue } from '../../analyzer/requests/queue';
import {
  aggregatedGraph,
  byHost,
  coUsage,
  packageBundles,
  dayNumber,
  drillDown,
  monthlyTrend,
  packageUsage,
  resolvePackage,
  topScripts,
  totals,
  type UsageFilter,
} from '../../analyzer/usage/queries';
import { StoreBusyError, UsageStore } from '../../analyzer/usage/store';

export interface DashboardServerOptions {
  db: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Directory holding dashboard.js / dashboard.css (default: `media/` beside this bundle). */
  assetsDir?: string;
  /** Queries taking longer are interrupted (default 30 s). */
  queryTimeoutMs?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Finds the bundled dashboard assets: dist/media beside dist/cli.js, or the repo's dist/media. */
export function defaultAssetsDir(): string {
  const candidates = [path.join(__dirname, 'media'), path.resolve(__dirname, '../../dist/media')];
  return candidates.find((d) => existsSync(path.join(d, 'dashboard.js'))) ?? candidates[0];
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardPage(title: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<div id="pyrats-dashboard" data-api="api/"></div>
<script src="dashboard.js"></script>
</body>
</html>
`;
}

function filterFrom(q: URLSearchParams): UsageFilter {
  const f: UsageFilter = {};
  for (const k of ['since', 'until'] as const) {
    const v = q.get(k);
    if (!v) continue;
    try {
      dayNumber(v);
    } catch (err) {
      throw new HttpError(400, `${k}: ${(err as Error).message}`);
    }
    f[k] = v;
  }
  if (f.since && f.until && f.since > f.until) throw new HttpError(400, 'since is after until');
  const hosts = q.getAll('host').filter(Boolean);
  if (hosts.length) f.hosts = hosts;
  if (q.get('stdlib') === '1') f.includeStdlib = true;
  return f;
}

function intParam(q: URLSearchParams, name: string, def: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new HttpError(400, `${name}: a whole number 0..${max}`);
  return n;
}

/** Runs one API call against the store; the JSON-ready answer. */
export async function answerApi(store: UsageStore, route: string, q: URLSearchParams): Promise<unknown> {
  const f = filterFrom(q);
  switch (route) {
    case 'meta': {
      const [range] = await store.rows<{ first: number | null; last: number | null }>(
        `SELECT min(day)::INTEGER AS first, max(day)::INTEGER AS last FROM runs_daily`,
      );
      const hosts = await store.rows<{ host: string }>(
        `SELECT DISTINCT s.value AS host FROM runs_daily d JOIN strings s ON s.string_id = d.host_id ORDER BY host`,
      );
      const iso = (d: number | null) =>
        d === null ? null : new Date(d * 86_400_000).toISOString().slice(0, 10);
      return {
        store: path.basename(store.file),
        firstDay: iso(range.first),
        lastDay: iso(range.last),
        hosts: hosts.map((h) => h.host),
      };
    }
    case 'summary': {
      const top = intParam(q, 'top', 50, 10_000);
      return {
        filter: f,
        totals: await totals(store, f),
        packages: await packageUsage(store, f),
        monthly: await monthlyTrend(store, f, 8),
        hosts: await byHost(store, f),
        scripts: await topScripts(store, f, top),
        coUsage: await coUsage(store, f, top),
        bundles: await packageBundles(store, f, { limit: top }),
      };
    }
    // the parts of the summary, one query each (the page asks for them in parallel)
    case 'totals':
      return totals(store, f);
    case 'packages':
      return packageUsage(store, f);
    case 'monthly':
      return monthlyTrend(store, f, intParam(q, 'top', 8, 100));
    case 'hosts':
      return byHost(store, f);
    case 'scripts':
      return topScripts(store, f, intParam(q, 'top', 500, 10_000));
    case 'co-usage':
      return coUsage(store, f, intParam(q, 'top', 500, 10_000));
    case 'bundles':
      return packageBundles(store, f, { limit: intParam(q, 'top', 500, 10_000) });
    case 'package': {
      const name = q.get('name');
      if (!name) throw new HttpError(400, 'name: required');
      const [found] = await resolvePackage(store, name);
      if (found === undefined) throw new HttpError(404, `no package '${name.slice(0, 100)}' in the store`);
      return drillDown(store, found, f);
    }
    case 'graph': {
      const graph = await aggregatedGraph(store, f, {
        maxScripts: intParam(q, 'scripts', 100, 5000),
        maxPackages: intParam(q, 'packages', 150, 5000),
      });
      return { graph, title: 'aggregated usage graph' };
    }
    case 'requests':
      return listQueue(store);
    case 'bad-lines':
      return store.rows(
        `SELECT path, bad_lines::DOUBLE AS bad, lines::DOUBLE AS lines FROM sources WHERE bad_lines > 0 ORDER BY path`,
      );
    default:
      throw new HttpError(404, `no API '${route}'`);
  }
}

/**
 * The store, open only while queries are waiting or running: DuckDB lets no process write a file that
 * another has open, so a dashboard holding it for its whole life would make every `pyrats ingest`
 * fail. A burst of queries (the page asks for its parts in parallel) shares one opening; the store is
 * closed when the last one is answered. While an ingest holds the file, a query is a 503 saying so.
 */
class StoreHandle {
  private store: UsageStore | null = null;
  /** Queries waiting or running. */
  private active = 0;

  constructor(private readonly db: string) {}

  /** A query arrives (before it waits for its turn). */
  enter(): void {
    this.active++;
  }

  /** The store for the query whose turn it is. */
  async acquire(): Promise<UsageStore> {
    if (!this.store) {
      try {
        this.store = await UsageStore.open(this.db, { readOnly: true });
      } catch (err) {
        if (err instanceof StoreBusyError) throw new HttpError(503, err.message);
        throw err;
      }
    }
    return this.store;
  }

  /** The query is over: the last one closes the store. */
  leave(): void {
    if (--this.active === 0) this.close();
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const handle = new StoreHandle(opts.db);
  await UsageStore.open(opts.db, { readOnly: true }).then((s) => s.close()); // fail now if unreadable
  const assets = opts.assetsDir ?? defaultAssetsDir();
  const timeoutMs = opts.queryTimeoutMs ?? 30_000;
  let port = 0;
  // One query at a time on the one connection.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const server = http.createServer((req, res) => {
    const send = (
      status: number,
      type: string,
      body: string | Buffer,
      extra: Record<string, string> = {},
    ) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const sendError = (status: number, message: string) =>
      send(status, 'application/json; charset=utf-8', JSON.stringify({ error: message }));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(405, 'read-only: GET and HEAD only');
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return sendError(421, `unexpected Host '${host.slice(0, 100)}'`);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const p = url.pathname;
    if (p === '/' || p === '/index.html')
      return send(200, 'text/html; charset=utf-8', dashboardPage(`PyRats usage — ${path.basename(opts.db)}`));
    if (p === '/dashboard.js' || p === '/dashboard.css' || p === '/dashboard.js.map') {
      const file = path.join(assets, p.slice(1));
      if (!existsSync(file)) return sendError(404, `${p.slice(1)} is not built (run npm run build)`);
      const type = p.endsWith('.css')
        ? 'text/css; charset=utf-8'
        : p.endsWith('.map')
          ? 'application/json'
          : 'text/javascript; charset=utf-8';
      return send(200, type, readFileSync(file));
    }
    if (p === '/favicon.ico') return send(204, 'text/plain', '');
    const m = /^\/api\/([a-z-]+)$/.exec(p);
    if (!m) return sendError(404, 'not found');
    handle.enter();
    const work = serialised(async () => {
      let timer: NodeJS.Timeout | undefined;
      let query: Promise<unknown> | undefined;
      try {
        const store = await handle.acquire();
        query = answerApi(store, m[1], url.searchParams);
        return await Promise.race([
          query,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              store.connection.interrupt();
              reject(new HttpError(503, `query took longer than ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await query?.catch(() => undefined); // an interrupted query ends before the store may close
        handle.leave();
      }
    });
    work.then(
      (body) => {
        send(200, 'application/json; charset=utf-8', JSON.stringify(body));
      },
      (err: unknown) => {
        if (err instanceof HttpError) sendError(err.status, err.message);
        else sendError(500, err instanceof Error ? err.message : String(err));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${opts.port} on 127.0.0.1 is in use: choose another --port, or 0 for a free one`)
          : err.code === 'EACCES'
            ? new Error(
                `port ${opts.port} on 127.0.0.1 needs privileges: choose one above 1023, or 0 for a free one`,
              )
            : err,
      ),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          void queue.then(() => {
            handle.close();
            resolve();
          });
        });
      }),
  };
}
