/**
 * End to end in real VS Code (code-server 4.100.3 + Debian chromium via playwright-core): build and
 * package the .vsix, install it, open the fixture workspace (a `file:` requirements baseline and a
 * conda channel mirror on disk), open a script and check what a user sees: the status bar, the
 * Problems panel, a hover, the quick-fix list and the workspace report. Screenshots of each step go
 * to test/artifacts/client-e2e/.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  e2eUnavailable,
  ensureCodeServer,
  installedExtensionDir,
  openWorkbench,
  packageExtension,
  REPO,
  startCodeServer,
  waitFor,
  type CodeServer,
  type Workbench,
} from '../support/codeServer';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'client-e2e');
const skip = e2eUnavailable();

let tmp: string;
let ws: string;
let cs: CodeServer;
let wb: Workbench;

beforeAll(async () => {
  if (skip) return;
  await ensureCodeServer((s) => process.stderr.write(`code-server install: ${s}\n`));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-e2e-'));
  const vsix = await packageExtension(path.join(tmp, 'pyrats-lens.vsix'));
  ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  mkdirSync(path.join(ws, '.vscode'));
  writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'pyrats.baseline': `file:${path.join(ws, 'baseline.txt')}`,
        'pyrats.mirrors': [pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString()],
        'pyrats.cacheDir': path.join(tmp, 'pyrats-cache'),
      },
      null,
      2,
    ),
  );
  cs = await startCodeServer({ vsix, trusted: true });
  rmSync(ARTIFACTS, { recursive: true, force: true });
  wb = await openWorkbench(cs, ws, ARTIFACTS);
}, 900_000);

afterAll(async () => {
  await wb?.close();
  await cs?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Moves the cursor to a 1-based line and column with Go to Line. */
async function goTo(line: number, column: number): Promise<void> {
  await wb.page.keyboard.press('Control+G');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await wb.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

describe.skipIf(Boolean(skip))(`PyRats in code-server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('installs the .vsix with both wasm files and the bundles', () => {
    const dir = installedExtensionDir(cs);
    expect(dir).toBeDefined();
    for (const f of [
      'dist/client.js',
      'dist/server.js',
      'dist/cli.js',
      'dist/tree-sitter.wasm',
      'dist/tree-sitter-python.wasm',
    ]) {
      expect(existsSync(path.join(dir!, f)), f).toBe(true);
    }
  });

  it('shows the baseline and the counts in the status bar', async () => {
    await wb.openFile('analysis.py');
    const item = wb.page.locator('.statusbar-item', { hasText: 'PyRats:' }).first();
    await waitFor(
      'the PyRats status bar item with counts',
      async () => /1 missing · 3 mirror only/.test((await item.textContent()) ?? ''),
      60_000,
    );
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('baseline.txt');
    expect(text).toContain('1 missing · 3 mirror only · 5 ok');
    await wb.shot('status-bar');
  });

  it('lists the imports in the Problems panel', async () => {
    await wb.page.keyboard.press('Control+Shift+M');
    const rows = wb.page.locator('.markers-panel .monaco-list-row');
    await waitFor('4 problems', async () => (await rows.count()) >= 5, 30_000);
    const texts = await rows.allTextContents();
    const all = texts.join('\n');
    expect(all).toContain('notarealpackage_xyz: missing everywhere');
    expect(all).toContain('xarray: only on the mirror');
    expect(all).toContain('netCDF4');
    expect(all).toContain('cartopy.crs: only on the mirror');
    expect(all).toContain('pyrats');
    await wb.shot('problems-panel');
  });

  it('explains an import on hover', async () => {
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    await goTo(7, 10); // import xarray
    await wb.runCommand('Show or Focus Hover');
    const hover = wb.page.locator('.monaco-hover:visible').first();
    await waitFor('the hover', async () => /Why:/.test((await hover.textContent()) ?? ''), 30_000);
    const text = (await hover.textContent()) ?? '';
    expect(text).toContain('xarray');
    expect(text).toContain('conda-forge');
    expect(text).toContain('2024.1.1');
    expect(text).toContain('Why:');
    await wb.shot('hover');
    await wb.page.keyboard.press('Escape');
  });

  it('offers the request and graph quick fixes', async () => {
    await goTo(17, 12); // import notarealpackage_xyz
    await wb.page.keyboard.press('Control+.');
    const widget = wb.page.locator('.action-widget');
    await waitFor(
      'the quick-fix list',
      async () => /Request this package/.test((await widget.textContent()) ?? ''),
      30_000,
    );
    const text = (await widget.textContent()) ?? '';
    expect(text).toContain('Request this package: notarealpackage_xyz');
    expect(text).toContain('Request all missing packages in this file (4)');
    expect(text).toContain('Show in dependency graph: notarealpackage_xyz');
    await wb.shot('quick-fixes');
    await wb.page.keyboard.press('Escape');
  });

  it('checks the workspace against the baseline (report view)', async () => {
    await wb.runCommand('PyRats: Check Workspace Against Baseline');
    const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Workspace Report' });
    await tab.first().waitFor({ timeout: 60_000 });
    // Monaco renders spaces as no-break spaces
    const editorText = async () =>
      (await wb.page.locator('.monaco-editor .view-lines').allTextContents()).map((t) =>
        t.replace(/\u00a0/g, ' '),
      );
    await waitFor(
      'the report text',
      async () => (await editorText()).some((t) => t.includes('Missing everywhere')),
      30_000,
    );
    const text = (await editorText()).find((t) => t.includes('Missing everywhere'))!;
    expect(text).toContain('notarealpackage_xyz');
    expect(text).toContain('Only on the mirror');
    await wb.shot('workspace-report');
  });

  it('activates quickly (Developer: Show Running Extensions)', async () => {
    await wb.runCommand('Developer: Show Running Extensions');
    const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'PyRats Lens' });
    await row.first().waitFor({ timeout: 30_000 });
    const text = (await row.first().textContent()) ?? '';
    const ms = /(\d+)\s*ms/.exec(text);
    expect(ms, text).not.toBeNull();
    // recorded for `npm run bench` and for people; budgets are not asserted in tests
    writeFileSync(
      path.join(ARTIFACTS, 'activation.json'),
      JSON.stringify(
        { activationMs: Number(ms![1]), row: text, measuredAt: new Date().toISOString() },
        null,
        2,
      ),
    );
    await wb.shot('running-extensions');
  });
});

describe.skipIf(Boolean(skip))('PyRats in an untrusted workspace', () => {
  let untrusted: CodeServer;
  let ui: Workbench;
  afterAll(async () => {
    await ui?.close();
    await untrusted?.stop();
  });

  it('says so in the status bar, runs nothing the workspace names, and still marks imports', async () => {
    const vsix = path.join(tmp, 'pyrats-lens.vsix');
    untrusted = await startCodeServer({ vsix, trusted: false });
    ui = await openWorkbench(untrusted, ws, path.join(ARTIFACTS, 'untrusted'));
    // the trust dialog: stay in Restricted Mode
    const noTrust = ui.page.getByRole('button', { name: /No, I don't trust/ });
    await noTrust.waitFor({ timeout: 60_000 });
    await ui.shot('trust-dialog');
    await noTrust.click();
    await ui.openFile('analysis.py');
    const item = ui.page.locator('.statusbar-item', { hasText: 'PyRats' }).first();
    await waitFor(
      'a restricted PyRats status',
      async () => /restricted/.test((await item.textContent()) ?? ''),
      60_000,
    );
    await waitFor(
      'counts in restricted mode',
      async () => /\d+ missing/.test((await item.textContent()) ?? ''),
      60_000,
    );
    await ui.shot('restricted-status');
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('restricted');
    expect(text).toContain('baseline.txt');
    // the user's own interpreter (not one named by the workspace) still tells stdlib and local apart
    expect(text).toContain('1 missing · 3 mirror only · 5 ok');
  });
});
