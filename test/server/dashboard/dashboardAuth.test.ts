/**
 * The dashboard behind a secret, over real HTTP to the bundled CLI: no token 401 (page, API, bundle),
 * the token in the URL traded for an HttpOnly SameSite=Strict cookie and a redirect, the header, a
 * wrong token 401, foreign Host headers 421; fixed tokens from --token-file (made 0600 under umask
 * 022) and PYRATS_DASHBOARD_TOKEN; --socket made 0600, reachable as through `ssh -L`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, runBundledCli } from '../../support/bundledCli';
import { serveIngestedLog, startDashboard, type ServedStore } from '../../support/dashboardProcess';

const REPO = path.resolve(__dirname, '../../..');
let served: ServedStore;

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET with exactly these headers (fetch() would not let us set Host), over TCP or a socket. */
function rawGet(
  to: { port: string } | { socketPath: string },
  pathAndQuery: string,
  headers: Record<string, string>,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = 'port' in to ? { host: '127.0.0.1', port: to.port } : { socketPath: to.socketPath };
    const req = http.request({ ...target, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  served = await serveIngestedLog(
    'pyrats-dash-auth-',
    readFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), 'utf8'),
  );
}, 60_000);

afterAll(async () => {
  await served?.dispose();
});

describe('dashboard token', () => {
  it('prints the URL with a fresh 192-bit token', () => {
    expect(served.dash.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('answers 401 without the token: the page, the API and the bundle alike', async () => {
    const { port } = new URL(served.dash.url);
    const host = { Host: `127.0.0.1:${port}` };
    for (const p of ['/', '/api/summary', '/api/meta', '/dashboard.js', '/nothing-here']) {
      const r = await rawGet({ port }, p, host);
      expect([p, r.status]).toEqual([p, 401]);
      expect(JSON.parse(r.body).error).toMatch(/^token required: open the URL pyrats dashboard printed/);
    }
  });

  it('trades ?token= on a page for a cookie and a redirect to the clean URL; the cookie then works', async () => {
    const { port } = new URL(served.dash.url);
    const host = { Host: `localhost:${port}` };
    const login = await rawGet({ port }, `/?token=${served.dash.token}&since=2026-11-01`, host);
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/?since=2026-11-01');
    const [cookie] = login.headers['set-cookie'] ?? [];
    expect(cookie).toMatch(
      new RegExp(`^pyrats-dashboard-${port}=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$`),
    );
    expect(cookie).not.toContain(served.dash.token);
    const pair = cookie.split(';')[0];
    const summary = await rawGet({ port }, '/api/summary', { ...host, Cookie: `other=1; ${pair}` });
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.body).totals.records).toBe(115);
    // the same cookie with its last hex digit changed (to another digit: one in 16 already ends in 0)
    const changed = pair.endsWith('0') ? '1' : '0';
    const forged = await rawGet({ port }, '/api/summary', {
      ...host,
      Cookie: `${pair.slice(0, -1)}${changed}`,
    });
    expect(forged.status).toBe(401);
  });

  it('answers the API with the token in the query (setting the cookie) or in the header', async () => {
    const byQuery = await fetch(`${served.dash.url}api/summary?token=${served.dash.token}`, {
      redirect: 'manual',
    });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    for (const scheme of ['token', 'Bearer']) {
      const r = await fetch(`${served.dash.url}api/summary`, {
        headers: { Authorization: `${scheme} ${served.dash.token}` },
      });
      expect(r.status).toBe(200);
    }
  });

  it('refuses a wrong token in the query, the header or an empty one with 401', async () => {
    const wrong = served.dash.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const answers = [
      await fetch(`${served.dash.url}api/summary?token=${wrong}`, { redirect: 'manual' }),
      await fetch(`${served.dash.url}?token=${wrong}`, { redirect: 'manual' }),
      await fetch(`${served.dash.url}api/summary`, { headers: { Authorization: `token ${wrong}` } }),
      await fetch(`${served.dash.url}api/summary`, { headers: { Authorization: 'token' } }),
      await fetch(`${served.dash.url}api/summary?token=`),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(((await answers[0].json()) as { error: string }).error).toMatch(/^wrong token: /);
    expect(answers.every((a) => a.headers.get('set-cookie') === null)).toBe(true);
  });

  it('refuses foreign Host headers (421) even with the token; [::1] and localhost at the port pass', async () => {
    const { port } = new URL(served.dash.url);
    const auth = served.dash.auth;
    const status = async (host: string) =>
      (await rawGet({ port }, '/api/meta', { ...auth, Host: host })).status;
    expect(await status('evil.example')).toBe(421);
    expect(await status(`evil.example:${port}`)).toBe(421);
    expect(await status(`127.0.0.1:${Number(port) + 1}`)).toBe(421);
    expect(await status('127.0.0.1')).toBe(421);
    expect(await status(`[::1]:${port}`)).toBe(200);
    expect(await status(`LOCALHOST:${port}`)).toBe(200);
  });
});

describe('fixed tokens', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-dash-token-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--token-file makes the file (0600 under umask 022, in a new 0700 directory) and keeps its token', async () => {
    const file = path.join(dir, 'new', 'token');
    const first = await startDashboard(served.db, { args: ['--token-file', file], umask: '022' });
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(readFileSync(file, 'utf8')).toBe(`${first.token}\n`);
      expect((await first.get('api/meta')).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await startDashboard(served.db, { args: ['--token-file', file] });
    await second.stop();
    expect(second.token).toBe(first.token);
  });

  it('refuses a token file others may read, and one with a short token (exit 3, one line)', async () => {
    const open = path.join(dir, 'open-token');
    writeFileSync(open, `${'x'.repeat(40)}\n`);
    chmodSync(open, 0o644);
    const r = await runBundledCli(['dashboard', '--db', served.db, '--token-file', open]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats dashboard: ${open}: readable by other users (mode 0644); chmod 600 ${open} first\n`,
    );
    const short = path.join(dir, 'short-token');
    writeFileSync(short, 'secret\n', { mode: 0o600 });
    const s = await runBundledCli(['dashboard', '--db', served.db, '--token-file', short]);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(
      /^pyrats dashboard: .*short-token: a dashboard token of 6 characters is too easy to guess/,
    );
  });

  it('PYRATS_DASHBOARD_TOKEN fixes the token; a short one is refused', async () => {
    const token = 'T0ken-from-the-environment-0123456789';
    const dash = await startDashboard(served.db, { env: { ...process.env, PYRATS_DASHBOARD_TOKEN: token } });
    try {
      expect(dash.loginUrl).toBe(`${dash.url}?token=${token}`);
      expect((await dash.get('api/totals')).status).toBe(200);
    } finally {
      await dash.stop();
    }
    const r = await runBundledCli(['dashboard', '--db', served.db], {
      env: { PYRATS_DASHBOARD_TOKEN: 'abc' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^pyrats dashboard: PYRATS_DASHBOARD_TOKEN: a dashboard token of 3 characters/);
  });
});

describe('dashboard on a unix socket', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-dash-sock-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `pyrats dashboard --socket` under umask 022; resolves with its token once it listens. */
  function startOnSocket(socketPath: string) {
    const [command, args] = cliCommand(['dashboard', '--db', served.db, '--socket', socketPath], '022');
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((res) => proc.once('exit', res));
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    };
    const started = new Promise<{ out: string; token: string }>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d) => {
        out += d;
        const m = /then open http:\/\/127\.0\.0\.1:8765\/\?token=([0-9a-f]{48})\n/.exec(out);
        if (m) resolve({ out, token: m[1] });
      });
      proc.stderr.on('data', (d) => (out += d));
      proc.once('exit', (code) => reject(new Error(`dashboard exited ${code}: ${out}`)));
    });
    return { started, stop };
  }

  it('listens on a 0600 socket (umask 022), wants the token, accepts a forwarded Host, removes the socket at exit', async () => {
    const socketPath = path.join(dir, 'dash.sock');
    writeFileSync(path.join(dir, 'placeholder'), '');
    const dash = startOnSocket(socketPath);
    try {
      const { out, token } = await dash.started;
      expect(out.split('\n')[0]).toBe(`PyRats usage dashboard: unix socket ${socketPath} (mode 0600)`);
      expect(out).toContain(`ssh -N -L 8765:${socketPath} ${os.hostname()}`);
      const st = statSync(socketPath);
      expect(st.isSocket()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
      const forwarded = { Host: 'localhost:8765' };
      expect((await rawGet({ socketPath }, '/api/totals', forwarded)).status).toBe(401);
      const ok = await rawGet({ socketPath }, '/api/totals', {
        ...forwarded,
        Authorization: `token ${token}`,
      });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).records).toBe(115);
      const evil = await rawGet({ socketPath }, '/api/totals', {
        Host: 'evil.example',
        Authorization: `token ${token}`,
      });
      expect(evil.status).toBe(421);
    } finally {
      await dash.stop();
    }
    expect(() => statSync(socketPath)).toThrow(/ENOENT/);
  });

  it('replaces a stale socket, refuses a path that is not a socket, and --port with --socket', async () => {
    const stale = path.join(dir, 'stale.sock');
    // a killed dashboard leaves its socket file behind: a process that bound it and exited does too
    const bind = spawnSync('python3', [
      '-c',
      'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      stale,
    ]);
    expect(bind.status, String(bind.stderr)).toBe(0);
    expect(statSync(stale).isSocket()).toBe(true);
    const dash = startOnSocket(stale);
    try {
      const { token } = await dash.started;
      expect(
        (
          await rawGet({ socketPath: stale }, '/api/meta', {
            Host: 'localhost',
            Authorization: `token ${token}`,
          })
        ).status,
      ).toBe(200);
    } finally {
      await dash.stop();
    }
    const plain = path.join(dir, 'placeholder');
    const r = await runBundledCli(['dashboard', '--db', served.db, '--socket', plain]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats dashboard: ${plain}: exists and is not a socket; choose another --socket path\n`,
    );
    const both = await runBundledCli(['dashboard', '--db', served.db, '--socket', stale, '--port', '0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--port and --socket exclude each other/);
  });
});
