/**
 * The dependency graph panel in real VS Code (code-server 4.100.3 + Debian chromium): *PyRats: Show
 * Dependency Graph* on a script shows its graph in a webview (theme colours from VS Code, nonce
 * CSP), clicking a module opens its file in the editor, the view survives the panel being hidden,
 * switching to the workspace view works, and an export is saved where the save dialog says.
 * Screenshots go to test/artifacts/graph-e2e/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphView } from '../../media/graph/render';
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

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'graph', 'project');
const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'graph-e2e');
const skip = e2eUnavailable();

type Win = { pyratsGraph?: GraphView };

let tmp: string;
let ws: string;
let cs: CodeServer;
let wb: Workbench;

beforeAll(async () => {
  if (skip) return;
  const prepared = await prepareE2e('pyrats-graph-e2e-');
  tmp = prepared.tmp;
  const vsix = prepared.vsix;
  ws = makeWorkspace(
    path.join(tmp, 'workspace'),
    { 'pyrats.mirrors': [], 'pyrats.cacheDir': path.join(tmp, 'pyrats-cache') },
    FIXTURE,
  );
  cs = await startCodeServer({ vsix, trusted: true });
  wb = await openWorkbench(cs, ws, ARTIFACTS);
}, 600_000);

afterAll(() => finishE2e(wb, cs, tmp));

function graphFrame(): FrameLocator {
  return wb.page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

describe.skipIf(skip)('dependency graph panel in VS Code', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  it('shows the graph of the active script at package level, in the theme colours', async () => {
    await wb.openFile('analyse.py');
    await wb.runCommand('PyRats: Show Dependency Graph');
    const frame = graphFrame();
    const root = frame.locator('.pg-root[data-settled="true"]');
    await root.waitFor({ timeout: 90_000 });
    const seen = await root.evaluate(() => {
      const view = (window as unknown as Win).pyratsGraph!;
      const bg = getComputedStyle(document.documentElement)
        .getPropertyValue('--vscode-editor-background')
        .trim();
      return {
        stats: view.stats(),
        labels: view.viewNodes().map((n) => `${n.label}:${n.verdict}`),
        clusters: view
          .viewNodes()
          .filter((n) => n.kind === 'cluster')
          .map((n) => n.cluster),
        background: view.palette().background,
        vscodeBackground: bg,
        themeClass: document.body.className,
      };
    });
    expect(seen.labels).toEqual(
      expect.arrayContaining([
        'analyse:local',
        'lab.helpers:local',
        'lab.util:local',
        'absentpkg_for_graph_test:missing',
      ]),
    );
    // the scripts' own files are drawn; a package they import is one node (email.mime.text is in it)
    expect(seen.clusters).toContain('email');
    expect(seen.labels).not.toContain('email.mime.text:stdlib');
    expect(seen.stats.cycles).toBeGreaterThan(0);
    expect(seen.themeClass).toMatch(/vscode-(dark|light|high-contrast)/);
    expect(seen.background.toLowerCase()).toBe(seen.vscodeBackground.toLowerCase().slice(0, 7));
    await wb.shot('graph-panel', { publish: 'graph-package-level' });
  });

  it('opens the file of a clicked module in the editor', async () => {
    const frame = graphFrame();
    const root = frame.locator('.pg-root');
    const point = await root.evaluate(() => {
      const view = (window as unknown as Win).pyratsGraph!;
      const node = view.viewNodes().find((n) => n.label === 'lab.util')!;
      return view.screenPosition(node.id);
    });
    const box = (await frame.locator('.pg-stage canvas').boundingBox())!;
    await wb.page.mouse.click(box.x + point!.x, box.y + point!.y);
    await wb.page.locator('.tabs-container .tab[aria-label*="util.py"]').first().waitFor({ timeout: 15_000 });
    await waitFor('util.py active', async () =>
      (await wb.page.locator('.tabs-container .tab.active').first().getAttribute('aria-label'))?.includes(
        'util.py',
      ),
    );
    await wb.shot('opened-util');
  });

  it('keeps its view state when the panel is hidden and shown again', async () => {
    const frame = graphFrame();
    const collapsed = await frame.locator('.pg-root').evaluate(() => {
      const view = (window as unknown as Win).pyratsGraph!;
      view.expandAll();
      view.toggleCluster('email', true);
      return view.stats().collapsed;
    });
    expect(collapsed).toBe(1);
    // Hide the panel behind another editor of its group, then bring it back: the page is rebuilt.
    await wb.page.locator('.tabs-container .tab[aria-label*="Dependency graph"]').first().click();
    // (A click, not Quick Open: the keyboard focus is inside the webview now.)
    await wb.page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'helpers.py' })
      .first()
      .click();
    await wb.page
      .locator('.tabs-container .tab[aria-label*="helpers.py"]')
      .first()
      .waitFor({ timeout: 15_000 });
    await waitFor(
      'graph hidden',
      async () =>
        (await wb.page.locator('iframe.webview').count()) === 0 ||
        !(await frame
          .locator('.pg-root')
          .isVisible()
          .catch(() => false)),
    );
    await wb.page.locator('.tabs-container .tab[aria-label*="Dependency graph"]').first().click();
    await frame.locator('.pg-root[data-rendered="true"]').waitFor({ timeout: 30_000 });
    const restored = await frame.locator('.pg-root').evaluate(() => {
      const view = (window as unknown as Win).pyratsGraph!;
      return { stats: view.stats(), collapsed: view.state().collapsed };
    });
    expect(restored.collapsed).toEqual(['email']);
    expect(restored.stats.clusters).toBe(1);
    await wb.shot('restored-after-hide');
  });

  it('switches to the workspace view', async () => {
    const frame = graphFrame();
    await frame.locator('select.pg-scope').selectOption('workspace');
    const shown = waitFor(
      'workspace graph',
      async () =>
        frame.locator('.pg-root').evaluate(() => {
          // The package's __init__ is a node only when every file of the folder is a seed.
          const view = (window as unknown as Win).pyratsGraph!;
          return view.state().scope === 'workspace' && view.viewNodes().some((n) => n.label === 'lab');
        }),
      45_000,
    );
    try {
      await shown;
    } finally {
      await wb.shot('workspace-view');
    }
  });

  it('exports the current view through a save dialog', async () => {
    const frame = graphFrame();
    await frame.locator('button[data-format="dot"]').click();
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in the suggested path (the workspace folder and the view's name) shortly after opening.
    await waitFor('the suggested file name', async () => (await input.inputValue()).endsWith('.dot'), 10_000);
    await wb.shot('export-dialog');
    await wb.page.keyboard.press('Enter');
    const written = await waitFor(
      'the exported file',
      () => readdirSync(ws).find((f) => f.endsWith('.dot')),
      20_000,
    );
    const dot = readFileSync(path.join(ws, written!), 'utf8');
    expect(dot).toMatch(/^digraph "/);
    expect(dot).toContain('label="lab.helpers"');
  });
});
