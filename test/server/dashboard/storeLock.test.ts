/**
 * The dashboard and ingest share one DuckDB file, which takes one writer and no reader meanwhile:
 * a running `pyrats dashboard` must not make the nightly `pyrats ingest` fail (it opens the store only
 * while answering), and while an ingest writes, the dashboard and `pyrats report` say so in one line.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { serveIngestedLog, type DashboardProcess, type ServedStore } from '../../support/dashboardProcess';

const REPO = path.resolve(__dirname, '../../..');
const SAMPLE = readFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), 'utf8')
  .split('\n')
  .filter(Boolean);

let dir: string;
let db: string;
let dash: DashboardProcess | undefined;

/** Polls `fn` every 100 ms until it returns a value (not undefined), up to `ms`. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function totals(): Promise<{ status: number; body: { records?: number; error?: string } }> {
  const res = await dash!.get('api/totals');
  return { status: res.status, body: (await res.json()) as { records?: number; error?: string } };
}

let served: ServedStore;

beforeAll(async () => {
  served = await serveIngestedLog('pyrats-lock-', SAMPLE.slice(0, 60).join('\n') + '\n');
  ({ dir, db, dash } = served);
}, 60_000);

afterAll(async () => {
  await served?.dispose();
});

describe('one store, a dashboard and ingests', () => {
  it('lets pyrats ingest write while the dashboard runs, and then shows the new records', async () => {
    expect(await totals()).toMatchObject({ status: 200, body: { records: 60 } });
    writeFileSync(path.join(dir, '20261126'), SAMPLE.slice(60, 90).join('\n') + '\n');
    const r = await runBundledCli(['ingest', path.join(dir, '20261126'), '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await totals()).toMatchObject({ status: 200, body: { records: 90 } });
  }, 120_000);

  it('while an ingest writes: the dashboard answers 503 and report exits 3, each saying why', async () => {
    // an ingest reading stdin holds the store until its input ends
    const ingest = spawn(process.execPath, [CLI, 'ingest', '-', '--db', db, '--quiet'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    ingest.stdout.on('data', (d) => (out += d));
    ingest.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((res) => ingest.on('close', (code) => res(code ?? -1)));
    ingest.stdin.write(SAMPLE.slice(90).join('\n') + '\n');
    const busy = await until('the dashboard to see the ingest', async () => {
      const t = await totals();
      return t.status === 503 ? t.body.error : undefined;
    });
    expect(busy).toMatch(/usage\.duckdb: being written by another process \(a pyrats ingest .*PID \d+\)/);
    const report = await runBundledCli(['report', '--db', db]);
    expect(report.code).toBe(3);
    expect(report.stderr).toMatch(/^pyrats report: .*usage\.duckdb: being written by another process .*\n$/);
    expect(report.stderr.split('\n')).toHaveLength(2); // one line, no stack trace
    ingest.stdin.end();
    expect(await exited, out).toBe(0);
    const after = await until('the dashboard to read the store again', async () => {
      const t = await totals();
      return t.status === 200 ? t.body : undefined;
    });
    expect(after.records).toBe(SAMPLE.length);
  }, 120_000);
});
