/**
 * `pyrats dashboard` as a child process of the built CLI: started on a free port, resolved with its
 * URL and token once it prints them; `get` fetches with the token header; `stop` ends it with SIGTERM
 * and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliCommand, runBundledCli } from './bundledCli';

export interface DashboardProcess {
  /** `http://127.0.0.1:PORT/`, without the token. */
  url: string;
  /** The printed URL: `url` with `?token=...`. */
  loginUrl: string;
  token: string;
  /** Headers that authenticate a request: `Authorization: token ...`. */
  auth: Record<string, string>;
  /** fetch(url + pathAndQuery) with the token header. */
  get(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export function startDashboard(
  db: string,
  opts: { args?: string[]; env?: NodeJS.ProcessEnv; umask?: string } = {},
): Promise<DashboardProcess> {
  return new Promise((resolve, reject) => {
    const [command, args] = cliCommand(['dashboard', '--db', db, ...(opts.args ?? [])], opts.umask);
    const proc = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${out}`)), 30_000);
    const stop = async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((res) => proc.once('exit', res));
      proc.kill('SIGTERM');
      await exited;
    };
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=(\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        const url = m[1];
        const token = decodeURIComponent(m[2]);
        const auth = { Authorization: `token ${token}` };
        const get = (p: string, init: RequestInit = {}) =>
          fetch(url + p, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
        resolve({ url, loginUrl: `${url}?token=${m[2]}`, token, auth, get, proc, stop });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
    proc.on('exit', (code) => reject(new Error(`dashboard exited ${code}: ${out}`)));
  });
}

/** A temporary usage store made by `pyrats ingest` from log text (day file 20261125), served by a dashboard. */
export interface ServedStore {
  dir: string;
  db: string;
  dash: DashboardProcess;
  /** Stops the dashboard and removes the directory. */
  dispose(): Promise<void>;
}

export async function serveIngestedLog(prefix: string, logText: string): Promise<ServedStore> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = path.join(dir, 'usage.duckdb');
  writeFileSync(path.join(dir, '20261125'), logText);
  const r = await runBundledCli(['ingest', path.join(dir, '20261125'), '--db', db]);
  if (r.code !== 0) throw new Error(`pyrats ingest exited ${r.code}: ${r.stderr}`);
  const dash = await startDashboard(db);
  return {
    dir,
    db,
    dash,
    async dispose() {
      await dash.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
