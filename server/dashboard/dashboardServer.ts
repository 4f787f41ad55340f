/**
 * The usage dashboard's local HTTP server (`pyrats dashboard`, and the VS Code panel's data source):
 * serves the dashboard page and bundle, and a read-only JSON API over one usage store (its routes:
 * dashboardApi.ts; their answers: dashboardAnswers.ts). Listens on 127.0.0.1 or on a unix socket
 * (mode 0600) only, answers GET/HEAD only, checks the Host header (no DNS rebinding), wants the token
 * on every request (dashboardAuth.ts), and sends a strict Content-Security-Policy: log content
 * reaches the page only as JSON and is rendered as text.
 */
import { chmodSync, existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { holdUmask, PRIVATE_FILE_MODE } from '../../analyzer/privateFiles';
import { StoreBusyError, UsageStore } from '../../analyzer/usage/store';
import { answerApi, HttpError } from './dashboardAnswers';
import { DashboardAuth, loopbackHost, newToken } from './dashboardAuth';

export interface DashboardServerOptions {
  db: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen on this unix socket (made 0600) instead of a port. */
  socketPath?: string;
  /** The secret every request must bring (default: a fresh random one). */
  token?: string;
  /** Directory holding dashboard.js / dashboard.css (default: `media/` beside this bundle). */
  assetsDir?: string;
  /** Queries taking longer are interrupted (default 10 s: nobody keeps the store from an ingest). */
  queryTimeoutMs?: number;
}

export interface DashboardServer {
  /** `http://127.0.0.1:PORT/` (for a unix socket: `http://localhost/`, reached through the socket). */
  url: string;
  /** The URL to open first: `url` with `?token=...`; the server trades it for a cookie. */
  loginUrl: string;
  /** The TCP port, or null on a unix socket. */
  port: number | null;
  socketPath?: string;
  token: string;
  close(): Promise<void>;
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

/** Runs API calls one at a time on the store handle, each interrupted after `timeoutMs`. */
function apiRunner(handle: StoreHandle, timeoutMs: number) {
  // One query at a time on the one connection.
  let queue: Promise<unknown> = Promise.resolve();
  const run = (route: string, query: URLSearchParams): Promise<unknown> => {
    handle.enter();
    const work = async () => {
      let timer: NodeJS.Timeout | undefined;
      let answer: Promise<unknown> | undefined;
      try {
        const store = await handle.acquire();
        answer = answerApi(store, route, query);
        return await Promise.race([
          answer,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              store.connection.interrupt();
              reject(new HttpError(503, `query took longer than ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await answer?.catch(() => undefined); // an interrupted query ends before the store may close
        handle.leave();
      }
    };
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return { run, idle: () => queue };
}

type Send = (status: number, type: string, body: string | Buffer, extra?: Record<string, string>) => void;

const STATIC_TYPES: Record<string, string> = {
  '/dashboard.js': 'text/javascript; charset=utf-8',
  '/dashboard.css': 'text/css; charset=utf-8',
  '/dashboard.js.map': 'application/json',
};

/** What answering a request needs: the store, the bundle's directory, the API, the checks. */
interface RequestContext {
  db: string;
  assets: string;
  api: ReturnType<typeof apiRunner>;
  /** The TCP port (the Host header must name it), or null on a unix socket. */
  port: number | null;
  auth: DashboardAuth;
}

/** The page, the bundle, or an API answer, for a request that passed the Host and token checks. */
function serve(url: URL, send: Send, ctx: RequestContext): void {
  const sendError = (status: number, message: string) =>
    send(status, 'application/json; charset=utf-8', JSON.stringify({ error: message }));
  const p = url.pathname;
  if (p === '/' || p === '/index.html')
    return send(200, 'text/html; charset=utf-8', dashboardPage(`PyRats usage — ${path.basename(ctx.db)}`));
  if (STATIC_TYPES[p]) {
    const file = path.join(ctx.assets, p.slice(1));
    if (!existsSync(file)) return sendError(404, `${p.slice(1)} is not built (run npm run build)`);
    return send(200, STATIC_TYPES[p], readFileSync(file));
  }
  if (p === '/favicon.ico') return send(204, 'text/plain', '');
  const m = /^\/api\/([a-z-]+)$/.exec(p);
  if (!m) return sendError(404, 'not found');
  const query = new URLSearchParams(url.searchParams);
  query.delete('token');
  ctx.api.run(m[1], query).then(
    (body) => send(200, 'application/json; charset=utf-8', JSON.stringify(body)),
    (err: unknown) => {
      if (err instanceof HttpError) sendError(err.status, err.message);
      else sendError(500, err instanceof Error ? err.message : String(err));
    },
  );
}

const AUTH_HELP =
  'open the URL pyrats dashboard printed (with ?token=...), or send the header Authorization: token TOKEN';

/**
 * Host check, token check, method check, in that order; then `serve`. A page visited with the right
 * `?token=` sets the cookie and is redirected to the same URL without it; an API call with it is
 * answered (and sets the cookie too).
 */
function handleRequest(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void {
  const send: Send = (status, type, body, extra = {}) => {
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
  const sendError = (status: number, message: string, extra?: Record<string, string>) =>
    send(status, 'application/json; charset=utf-8', JSON.stringify({ error: message }), extra);
  const host = req.headers.host ?? '';
  if (!loopbackHost(host, ctx.port)) return sendError(421, `unexpected Host '${host.slice(0, 100)}'`);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const credential = ctx.auth.check(req, url.searchParams);
  if (credential === 'missing' || credential === 'wrong')
    return sendError(
      401,
      credential === 'wrong' ? `wrong token: ${AUTH_HELP}` : `token required: ${AUTH_HELP}`,
      {
        'WWW-Authenticate': 'token',
      },
    );
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(405, 'read-only: GET and HEAD only');
  if (credential === 'login') {
    res.setHeader('Set-Cookie', ctx.auth.setCookie());
    if (!url.pathname.startsWith('/api/')) {
      url.searchParams.delete('token');
      return send(302, 'text/plain; charset=utf-8', '', { Location: url.pathname + url.search });
    }
  }
  serve(url, send, ctx);
}

/** Listens on 127.0.0.1:port, or on the unix socket (mode 0600; a stale one is replaced). */
async function listen(server: http.Server, opts: DashboardServerOptions): Promise<void> {
  if (opts.socketPath) await removeStaleSocket(opts.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenProblem(err, opts)));
    if (!opts.socketPath) return server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    const release = holdUmask(PRIVATE_FILE_MODE); // the socket is born private: no window to connect
    try {
      server.listen(opts.socketPath, () => resolve());
    } finally {
      release();
    }
  });
  if (opts.socketPath) chmodSync(opts.socketPath, PRIVATE_FILE_MODE);
}

function listenProblem(err: NodeJS.ErrnoException, opts: DashboardServerOptions): Error {
  if (opts.socketPath)
    return new Error(
      err.code === 'EADDRINUSE'
        ? `${opts.socketPath}: a dashboard is already listening on this socket`
        : `${opts.socketPath}: cannot listen on this socket (${err.code ?? err.message})`,
    );
  if (err.code === 'EADDRINUSE')
    return new Error(`port ${opts.port} on 127.0.0.1 is in use: choose another --port, or 0 for a free one`);
  if (err.code === 'EACCES')
    return new Error(
      `port ${opts.port} on 127.0.0.1 needs privileges: choose one above 1023, or 0 for a free one`,
    );
  return err;
}

/**
 * A socket file left by a dashboard that was killed is removed; a live one (it accepts a
 * connection) or anything that is not a socket is left alone and listening then fails, saying so.
 */
async function removeStaleSocket(file: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(file).isSocket();
  } catch {
    return; // absent
  }
  if (!isSocket) throw new Error(`${file}: exists and is not a socket; choose another --socket path`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file, () => {
      probe.destroy();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
  });
  if (!live) rmSync(file, { force: true });
}

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const handle = new StoreHandle(opts.db);
  await UsageStore.open(opts.db, { readOnly: true }).then((s) => s.close()); // fail now if unreadable
  const api = apiRunner(handle, opts.queryTimeoutMs ?? 10_000);
  const token = opts.token ?? newToken();
  let ctx: RequestContext | undefined = undefined; // set once listening: the cookie is named after the port
  const server = http.createServer((req, res) =>
    ctx ? handleRequest(req, res, ctx) : res.writeHead(503).end(),
  );
  await listen(server, opts);
  const port = opts.socketPath ? null : (server.address() as AddressInfo).port;
  ctx = {
    db: opts.db,
    assets: opts.assetsDir ?? defaultAssetsDir(),
    api,
    port,
    auth: new DashboardAuth(token, port === null ? 'socket' : String(port)),
  };
  const url = port === null ? 'http://localhost/' : `http://127.0.0.1:${port}/`;
  return {
    url,
    loginUrl: `${url}?token=${encodeURIComponent(token)}`,
    port,
    socketPath: opts.socketPath,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          void api.idle().then(() => {
            handle.close();
            resolve();
          });
        });
      }),
  };
}
