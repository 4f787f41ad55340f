/**
 * A real HTTP mirror on 127.0.0.1 for tests, serving a fixture tree (conda channels and a PyPI simple
 * index). URL prefixes choose how it behaves:
 *   /ok/...         the tree as a mirror would serve it: ETag + Last-Modified, 304 on a matching
 *                   conditional request; a directory with index.json and index.html is served by
 *                   content negotiation (PEP 691 JSON when the Accept header asks for it, else HTML)
 *   /html/...       the same, but only HTML for directories (a static PEP 503 mirror)
 *   /redirect/...   302 to the same path under /ok/
 *   /fail500/...    HTTP 500
 *   /hang/...       accepts the request and never answers
 *   /malformed/...  200 with a truncated JSON / garbage body
 *   /auth/...       as /ok/, but only with HTTP Basic credentials jdoe:s3cret (else 401)
 *   /loop/...       302 to itself, forever
 *   /stall/...      sends the headers and part of the body, then nothing more
 *   /switch/...     behaves as `mode` says (ok, fail500, hang, malformed), changeable during a test
 * Every request is logged (method, path, status) so tests can assert what reached the server.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export type MirrorMode = 'ok' | 'fail500' | 'hang' | 'malformed';

export interface MirrorServer {
  url: string;
  root: string;
  requests: { method: string; path: string; status: number | 'hang'; accept: string }[];
  mode: MirrorMode;
  close(): Promise<void>;
}

const LAST_MODIFIED = 'Wed, 01 Nov 2023 12:00:00 GMT';

export async function startMirrorServer(root: string): Promise<MirrorServer> {
  const sockets = new Set<Socket>();
  const state: MirrorServer = {
    url: '',
    root,
    requests: [],
    mode: 'ok',
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, prefix, ...rest] = url.pathname.split('/');
    const tail = rest.join('/');
    const accept = String(req.headers.accept ?? '');
    if (prefix === 'loop') {
      state.requests.push({ method: req.method ?? 'GET', path: url.pathname, status: 302, accept });
      res.writeHead(302, { location: url.pathname }).end();
      return;
    }
    if (prefix === 'stall') {
      state.requests.push({ method: req.method ?? 'GET', path: url.pathname, status: 200, accept });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100000 });
      res.write('{"packages": {');
      return; // never finishes the body
    }
    let mode: MirrorMode | 'html' | 'redirect' | 'unknown' =
      prefix === 'ok'
        ? 'ok'
        : prefix === 'html'
          ? 'html'
          : prefix === 'redirect'
            ? 'redirect'
            : prefix === 'fail500'
              ? 'fail500'
              : prefix === 'hang'
                ? 'hang'
                : prefix === 'malformed'
                  ? 'malformed'
                  : 'unknown';
    if (prefix === 'switch') mode = state.mode;
    if (prefix === 'auth') {
      if (req.headers.authorization !== `Basic ${Buffer.from('jdoe:s3cret').toString('base64')}`) {
        state.requests.push({ method: req.method ?? 'GET', path: url.pathname, status: 401, accept });
        res.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"' }).end();
        return;
      }
      mode = 'ok';
    }
    const log = (status: number | 'hang'): void => {
      state.requests.push({ method: req.method ?? 'GET', path: url.pathname, status, accept });
    };
    if (mode === 'hang') {
      log('hang');
      return; // never answer
    }
    if (mode === 'fail500') {
      log(500);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      return;
    }
    if (mode === 'redirect') {
      log(302);
      res.writeHead(302, { location: `/ok/${tail}` }).end();
      return;
    }
    if (mode === 'unknown') {
      log(404);
      res.writeHead(404).end();
      return;
    }
    let file = path.join(root, decodeURIComponent(tail));
    if (!file.startsWith(root)) {
      log(403);
      res.writeHead(403).end();
      return;
    }
    let contentType = 'application/octet-stream';
    if (existsSync(file) && statSync(file).isDirectory()) {
      const json = path.join(file, 'index.json');
      const html = path.join(file, 'index.html');
      const wantsJson = /application\/vnd\.pypi\.simple\.v1\+json/.test(accept);
      if (mode !== 'html' && wantsJson && existsSync(json)) {
        file = json;
        contentType = 'application/vnd.pypi.simple.v1+json';
      } else if (existsSync(html)) {
        file = html;
        contentType = 'text/html; charset=utf-8';
      } else file = json;
    } else if (file.endsWith('.json')) contentType = 'application/json';
    if (!existsSync(file) || !statSync(file).isFile()) {
      log(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (mode === 'malformed') {
      log(200);
      res
        .writeHead(200, { 'content-type': contentType.includes('html') ? 'application/json' : contentType })
        .end('{"packages": {"broken-1.0-0.tar.bz2": {"name": "bro');
      return;
    }
    const body = readFileSync(file);
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag || req.headers['if-modified-since'] === LAST_MODIFIED) {
      log(304);
      res.writeHead(304, { etag, 'last-modified': LAST_MODIFIED }).end();
      return;
    }
    log(200);
    res
      .writeHead(200, {
        'content-type': contentType,
        etag,
        'last-modified': LAST_MODIFIED,
        'content-length': body.length,
      })
      .end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
