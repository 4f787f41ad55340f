/**
 * `pyrats dashboard` for real: the bundled CLI serves a store built from the real sample, synthetic
 * logs, a hostile script path and requests; the JSON API is checked over HTTP, then headless Chromium
 * (Debian's) renders the page: charts, tables, graph, drill-down, exports, and the XSS path as text.
 * Screenshots go to test/artifacts/dashboard/.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeToken, joinTokens } from '../../../analyzer/pyrats/recordMessage';
import { formatRecordLine } from '../../../analyzer/pyrats/syslogRecord';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { startDashboard, type DashboardProcess } from '../../support/dashboardProcess';
import { chromiumMissing, launchChromium } from '../../support/chromium';
import { requestLine } from '../../support/requestLines';
import { writeSyntheticLogs } from '../../support/syntheticLogs';

const REPO = path.resolve(__dirname, '../../..');
const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'dashboard');
const XSS = '<img src=x onerror=alert(1)>.py';

let dir: string;
let db: string;
let url: string;
let dash: DashboardProcess | undefined;

beforeAll(async () => {
  for (const f of [CLI, path.join(REPO, 'dist/media/dashboard.js')])
    if (!existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run 'npm run build' first`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-dash-'));
  db = path.join(dir, 'usage.duckdb');
  const logs = path.join(dir, 'logs');
  await writeSyntheticLogs(logs, {
    lines: 6000,
    users: 40,
    scripts: 120,
    packages: 40,
    hosts: 3,
    days: 75,
    start: '2026-08-01',
    seed: 3,
  });
  copyFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), path.join(logs, '20261125'));
  const hostile = `Nov 26 09:00:00 hfe01 ${formatRecordLine(
    { loggerName: 'PyRats', pathName: '/p/sitecustomize.py', python: '/usr/bin/python3' },
    joinTokens([edgeToken(['/home/mallory/x', XSS], ['/usr/lib/python3/dist-packages', 'numpy'])]),
    1795680000,
  )}`;
  writeFileSync(
    path.join(logs, '20261126'),
    [hostile, requestLine({ user: 'alice', packages: ['PyYAML'], reason: '<b>yaml</b> please' })].join('\n') +
      '\n',
  );
  const r = await runBundledCli(['ingest', logs, '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  dash = await startDashboard(db);
  url = dash.url;
}, 180_000);

afterAll(async () => {
  await dash?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard JSON API', () => {
  it('answers the summary with packages, users and imports, and the drill-down', async () => {
    const res = await dash!.get('api/summary?since=2026-08-01&until=2026-12-31');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    const s = (await res.json()) as { packages: { package: string; users: number; imports: number }[] };
    expect(s.packages.length).toBeGreaterThan(10);
    expect(s.packages[0]).toMatchObject({
      package: expect.any(String),
      users: expect.any(Number),
      imports: expect.any(Number),
    });
    const d = (await (await dash!.get('api/package?name=numpy')).json()) as {
      users: unknown[];
      scripts: { script: string }[];
    };
    expect(d.scripts.some((x) => x.script.endsWith(XSS))).toBe(true);
  });

  it('is read-only, refuses foreign Host headers and bad parameters', async () => {
    expect((await dash!.get('api/summary', { method: 'POST' })).status).toBe(405);
    const evil = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      // fetch() does not let a page set Host; a raw request can (DNS rebinding)
      const req = http.request(
        {
          host: '127.0.0.1',
          port: u.port,
          path: '/api/meta',
          headers: { ...dash!.auth, Host: 'evil.example:80' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(evil).toBe(421);
    const bad = await dash!.get('api/summary?since=2026-13-01');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/since/);
  });
});

describe('dashboard in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const noChromium = chromiumMissing();
    if (noChromium) throw new Error(noChromium);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    await context.route('**/*', (route) =>
      route.request().url().startsWith('http://127.0.0.1:') ? route.continue() : route.abort(),
    );
    page = await context.newPage();
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // the printed URL: the server trades the token for a cookie and redirects to the clean URL
    await page.goto(dash!.loginUrl);
    expect(page.url()).toBe(url);
    await page.waitForFunction(
      () => window.pyratsDashboard?.ready === true || Boolean(window.pyratsDashboard?.error),
      null,
      { timeout: 30_000 },
    );
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders both bar charts, the trend, the tables and the graph', async () => {
    expect(await page.evaluate(() => window.pyratsDashboard?.error ?? null)).toBeNull();
    expect(await page.locator('#pd-chart-users .pd-bar').count()).toBe(20);
    expect(await page.locator('#pd-chart-imports .pd-bar').count()).toBe(20);
    expect(await page.locator('#pd-chart-trend .pd-line').count()).toBeGreaterThan(3);
    const firstBar = await page.locator('#pd-chart-users .pd-bar').first().getAttribute('data-label');
    expect(firstBar).toBe('numpy');
    expect(await page.locator('[data-tab="Packages"] tbody tr').count()).toBeGreaterThan(10);
    // bundles: as many rows as the API gives, each 3 or 4 packages
    const bundles = await page.evaluate(() => window.pyratsDashboard!.summary!.bundles);
    expect(bundles.length).toBeGreaterThan(0);
    await page.getByRole('tab', { name: 'Bundles' }).click();
    const bundleCells = await page.locator('[data-tab="Bundles"] tbody tr td:first-child').allTextContents();
    expect(bundleCells.length).toBe(Math.min(bundles.length, 500)); // the table shows up to 500 rows
    expect(bundleCells[0]).toBe(bundles[0].packages.join(' + '));
    expect(bundleCells.every((c) => [3, 4].includes(c.split(' + ').length))).toBe(true);
    await page.getByRole('tab', { name: 'Packages' }).click();
    await page.waitForFunction(() => (window.pyratsDashboard?.graph?.stats().nodes ?? 0) > 10, null, {
      timeout: 30_000,
    });
    const stats = await page.evaluate(() => window.pyratsDashboard!.graph!.stats());
    expect(stats.edges).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(ARTIFACTS, '01-overview.png'), fullPage: true });
  });

  it('shows the hostile script path as text, never as markup', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.locator('[data-tab="Scripts"] input[type=search]').fill('onerror');
    const cell = page.locator('[data-tab="Scripts"] tbody td', { hasText: 'onerror' }).first();
    await expect.poll(() => cell.textContent(), { timeout: 30_000 }).toBe(`/home/mallory/x/${XSS}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.locator('#pd-tables').screenshot({ path: path.join(ARTIFACTS, '02-xss-as-text.png') });
    await page.getByRole('tab', { name: 'Requests' }).click();
    expect(await page.locator('[data-tab="Requests"] td', { hasText: '<b>yaml</b> please' }).count()).toBe(1);
    expect(await page.locator('[data-tab="Requests"] b').count()).toBe(0);
    await page
      .locator('#pd-tables')
      .screenshot({ path: path.join(ARTIFACTS, '02b-request-reason-as-text.png') });
    expect(dialogs).toEqual([]);
  });

  it('sorts, drills down into a package, filters by date, exports CSV and PNG', async () => {
    await page.getByRole('tab', { name: 'Packages' }).click();
    await page.locator('[data-tab="Packages"] th', { hasText: 'Package' }).click();
    const names = await page.locator('[data-tab="Packages"] tbody tr td:first-child').allTextContents();
    expect(names.slice(0, 5)).toEqual([...names.slice(0, 5)].sort());
    await page.locator('#pd-chart-users .pd-bar rect').first().click();
    await expect
      .poll(() => page.locator('#pd-drill h2').textContent(), { timeout: 30_000 })
      .toBe('Package numpy');
    expect(await page.locator('#pd-drill td', { hasText: XSS }).count()).toBe(1);
    await page.locator('#pd-drill').screenshot({ path: path.join(ARTIFACTS, '03-drill-down.png') });
    const before = await page.evaluate(() => window.pyratsDashboard!.summary!.totals.records);
    await page.fill('#pd-since', '2026-10-01');
    await page.evaluate(() => (window.pyratsDashboard!.ready = false));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => window.pyratsDashboard?.ready === true);
    const after = await page.evaluate(() => window.pyratsDashboard!.summary!.totals.records);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV: current table' }).click(),
    ]);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText.split('\n')[0]).toBe(
      'Package,Distribution,Users,Imports,Scripts,Hosts,First seen,Last seen',
    );
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PNG: packages-by-users' }).click(),
    ]);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(path.join(ARTIFACTS, '04-packages-by-users-export.png'), bytes);
    expect(errors).toEqual([]);
  });
});
