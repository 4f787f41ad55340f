/**
 * *PyRats: Open Usage Dashboard* in real VS Code (code-server 4.100.3 + Debian chromium): pick
 * "Open a usage store…", give the store's path in VS Code's own file dialog, and the dashboard webview
 * shows the bar charts and tables of the store (data relayed from the bundled `pyrats dashboard`).
 * Screenshots go to test/artifacts/dashboard-e2e/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2E_TEST_TIMEOUT_MS,
  e2eUnavailable,
  ensureCodeServer,
  finishE2e,
  openWorkbench,
  packageExtension,
  REPO,
  startCodeServer,
  waitFor,
  type CodeServer,
  type Workbench,
} from '../support/codeServer';

const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'dashboard-e2e');
const skip = e2eUnavailable();

let tmp: string;
let ws: string;
let db: string;
let cs: CodeServer;
let wb: Workbench;

beforeAll(async () => {
  if (skip) return;
  await ensureCodeServer((s) => process.stderr.write(`code-server install: ${s}\n`));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-dashboard-e2e-'));
  ws = path.join(tmp, 'workspace');
  mkdirSync(ws);
  const day = path.join(tmp, '20261125');
  copyFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), day);
  db = path.join(ws, 'usage.duckdb');
  const ing = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'ingest', day, '--db', db], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (ing.status !== 0) throw new Error(`pyrats ingest failed: ${ing.stderr}`);
  const vsix = await packageExtension(path.join(tmp, 'pyrats-lens.vsix'));
  cs = await startCodeServer({ vsix, trusted: true });
  wb = await openWorkbench(cs, ws, ARTIFACTS);
}, 600_000);

afterAll(() => finishE2e(wb, cs, tmp));

describe.skipIf(skip)('usage dashboard panel in VS Code', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  it('opens a usage store and shows its charts and tables', async () => {
    const page = wb.page;
    await wb.runCommand('PyRats: Open Usage Dashboard');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open a usage store' });
    await row.first().waitFor({ timeout: 15_000 });
    await row.first().click();
    // VS Code's own (simple) file dialog: a quick input holding a path
    const input = page.locator('.quick-input-widget input');
    await waitFor('file dialog', async () => (await input.inputValue()).startsWith('/'));
    await input.fill(db);
    await wb.shot('file-dialog');
    await page.keyboard.press('Enter');
    const frame = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    await frame.locator('#pd-chart-users .pd-bar').first().waitFor({ timeout: 60_000 });
    const bars = await frame
      .locator('#pd-chart-users .pd-bar')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    expect(bars).toEqual(['numpy', 'matplotlib', 'scipy', 'pandas', 'xarray']);
    await waitFor(
      'packages table',
      async () => (await frame.locator('[data-tab="Packages"] tbody tr').count()) === 5,
    );
    expect(await frame.locator('.pd-totals').textContent()).toContain('115 records');
    await wb.shot('dashboard-panel');
  });
});
