/**
 * `pyrats dashboard` with bad input: a port already in use (exit 3, one line saying what to do) and
 * a date range that ends before it starts (400, as `pyrats report` refuses it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundledCli } from '../../support/bundledCli';
import { serveIngestedLog, type DashboardProcess, type ServedStore } from '../../support/dashboardProcess';

const REPO = path.resolve(__dirname, '../../..');
let served: ServedStore;
let db: string;
let dash: DashboardProcess | undefined;

beforeAll(async () => {
  served = await serveIngestedLog(
    'pyrats-dash-inputs-',
    readFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), 'utf8'),
  );
  ({ db, dash } = served);
}, 60_000);

afterAll(async () => {
  await served?.dispose();
});

describe('dashboard input errors', () => {
  it('a port in use is exit 3 with one line naming the port', async () => {
    const port = new URL(dash!.url).port;
    const r = await runBundledCli(['dashboard', '--db', db, '--port', port]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats dashboard: port ${port} on 127.0.0.1 is in use: choose another --port, or 0 for a free one\n`,
    );
  });

  it('since after until is a 400 naming the problem', async () => {
    const res = await dash!.get('api/summary?since=2026-12-01&until=2026-01-01');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'since is after until' });
  });
});
