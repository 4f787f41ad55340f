/**
 * End to end in real VS Code (code-server + Debian chromium): a workspace with no PyRats settings at
 * all and a site configuration file (PYRATS_SITE_CONFIG, as a centre installs it) naming a `file:`
 * baseline and the fixture's conda mirror. The language server and the extension take that
 * configuration: the status bar names the configured baseline, the Problems panel says what is not in
 * it, *PyRats: Show Configuration* renders every setting with its origin (site file:line) as a Markdown
 * preview, and an edit to the site file applies without a restart.
 * Screenshots go to test/artifacts/config-e2e/.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2E_TEST_TIMEOUT_MS,
  e2eUnavailable,
  finishE2e,
  makeWorkspace,
  openWorkbench,
  prepareE2e,
  REPO,
  startCodeServer,
  waitFor,
  type CodeServer,
  type Workbench,
} from '../support/codeServer';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'config-e2e');
const skip = e2eUnavailable();

let tmp: string;
let siteFile: string;
let cs: CodeServer;
let wb: Workbench;

/** The site file: a baseline relative to it, the fixture's conda channel, Debian's python3. */
function writeSiteConfig(baselineFile: string): void {
  writeFileSync(
    siteFile,
    [
      '# the centre-wide configuration (PYRATS_SITE_CONFIG)',
      `baseline = "file:${baselineFile}"`,
      'mirrors = ["conda:mirror/conda-forge"]  # relative to this file',
      'python = "/usr/bin/python3"',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  if (skip) return;
  const prepared = await prepareE2e('pyrats-config-e2e-');
  tmp = prepared.tmp;
  // two baselines beside the site file; the file names the first, the edit switches to the second
  writeFileSync(path.join(tmp, 'site-baseline.txt'), 'numpy==1.24.2\n');
  writeFileSync(path.join(tmp, 'wider-baseline.txt'), 'numpy==1.24.2\nscipy==1.10.1\n');
  // the fixture's conda channel beside the site file, named relative to it
  cpSync(path.join(FIXTURE, 'mirror'), path.join(tmp, 'mirror'), { recursive: true });
  siteFile = path.join(tmp, 'site-config.toml');
  writeSiteConfig('site-baseline.txt');
  // no pyrats.* settings anywhere: only the cache folder, so the run leaves nothing behind
  const ws = makeWorkspace(path.join(tmp, 'workspace'), {}, path.join(FIXTURE, 'workspace'));
  cs = await startCodeServer({
    vsix: prepared.vsix,
    trusted: true,
    env: { PYRATS_SITE_CONFIG: siteFile, PYRATS_CACHE_DIR: path.join(tmp, 'pyrats-cache') },
  });
  wb = await openWorkbench(cs, ws, ARTIFACTS);
}, 900_000);

afterAll(async () => {
  await finishE2e(wb, cs, tmp);
});

/** The Problems panel's rows, as text. */
async function problems(): Promise<string> {
  const rows = wb.page.locator('.markers-panel .monaco-list-row');
  return (await rows.allTextContents()).join('\n');
}

const title = `PyRats configuration in code-server${skip ? ` (skipped: ${skip})` : ''}`;
describe.skipIf(Boolean(skip))(title, { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  it(
    'checks against the site configuration with no PyRats settings at all',
    { timeout: 180_000 },
    async () => {
      await wb.openFile('analysis.py');
      const item = wb.page.locator('.statusbar-item', { hasText: 'PyRats:' }).first();
      await waitFor(
        'the status bar naming the configured baseline',
        async () => /site-baseline\.txt.*\d+ missing/.test((await item.textContent()) ?? ''),
        150_000,
      );
      await wb.page.keyboard.press('Control+Shift+M');
      await waitFor(
        'scipy not in the configured baseline',
        async () => /scipy: missing everywhere.*site-baseline\.txt/.test(await problems()),
        30_000,
      );
      const all = await problems();
      expect(all).toContain('notarealpackage_xyz: missing everywhere');
      expect(all).not.toMatch(/numpy/);
      await wb.shot('site-configuration-problems');
    },
  );

  it('shows every setting with its origin (PyRats: Show Configuration)', async () => {
    await wb.runCommand('PyRats: Show Configuration');
    const preview = wb.page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const body = preview.locator('body');
    await waitFor(
      'the configuration preview',
      async () => /baseline/.test((await body.textContent({ timeout: 5_000 })) ?? ''),
      60_000,
    );
    const text = (await body.textContent()) ?? '';
    expect(text).toContain('site-baseline.txt');
    // the origin: the site file and the line that sets the baseline (line 2)
    expect(text).toContain(`${path.basename(siteFile)}:2`);
    expect(text).toContain('/usr/bin/python3');
    expect(text).toContain('conda-forge');
    await wb.shot('show-configuration', { publish: 'show-configuration' });
  });

  it('applies an edit to the site file without a restart', { timeout: 120_000 }, async () => {
    writeSiteConfig('wider-baseline.txt');
    await wb.runCommand('View: Close All Editors');
    await wb.openFile('analysis.py');
    const item = wb.page.locator('.statusbar-item', { hasText: 'PyRats:' }).first();
    await waitFor(
      'the status bar naming the new baseline',
      async () => /wider-baseline\.txt/.test((await item.textContent()) ?? ''),
      90_000,
    );
    // the panel filled again for the new baseline: what is still missing, and scipy no longer
    await waitFor(
      'scipy now in the baseline',
      async () => {
        const now = await problems();
        return now.includes('notarealpackage_xyz: missing everywhere') && !/scipy:/.test(now);
      },
      30_000,
    );
    expect(await problems()).toMatch(/notarealpackage_xyz: missing everywhere.*wider-baseline\.txt/);
    await wb.shot('site-configuration-edited');
  });
});
