/**
 * The standalone graph page (`pyrats graph ... -o page.html`) in headless Chromium: a real script's
 * follow closure and a 2,000-node synthetic graph. Checks node counts against the transforms run in
 * Node, the colour of nodes per verdict against the legend, search, filters, collapse/expand,
 * keyboard, hover, click-to-open, exports, and that state survives a reload. Screenshots go to
 * test/artifacts/graph/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphPayload } from '../../server/protocol';
import type { GraphView } from '../../media/graph/render';
import type { DependencyGraph } from '../../analyzer/graph/dependencyGraph';
import { packageLevelCollapsed } from '../../media/graph/packageLevel';
import {
  buildView,
  clustersOf,
  resolveRoots,
  searchNodes,
  verdictCounts,
} from '../../media/graph/transforms';
import {
  REPO,
  graphBrowserUnavailable,
  launchBrowser,
  newGraphContext,
  openGraphPage,
  pageFromGraph,
  pyratsGraph,
  requireBuild,
  screenshot,
  waitSettled,
} from '../support/graphBrowser';
import { syntheticGraph } from '../support/syntheticGraph';

const unavailable = graphBrowserUnavailable();
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'graph', 'project', 'analyse.py');

type Win = { pyratsGraph: GraphView };

/** How many nodes a fresh page shows: the scripts' own files and one node per package they import. */
function packageLevelNodes(graph: DependencyGraph & { roots: string[] }): number {
  const roots = resolveRoots(graph, graph.roots);
  return buildView(graph, { roots, collapsed: packageLevelCollapsed(graph, roots), packageDepth: 1 }).nodes
    .length;
}

function stats(page: Page) {
  return page.evaluate(() => (window as unknown as Win).pyratsGraph.stats());
}

/** Colour of the canvas pixel at a node's centre and the legend's colour for its verdict. */
async function nodeColours(
  page: Page,
  ids: string[],
): Promise<{ id: string; pixel: string; inside: boolean }[]> {
  return page.evaluate((ids) => {
    const view = (window as unknown as Win).pyratsGraph;
    const canvas = document.querySelector<HTMLCanvasElement>('.pg-stage canvas')!;
    const ctx = canvas.getContext('2d')!;
    const dpr = canvas.width / canvas.clientWidth;
    return ids.map((id) => {
      const p = view.screenPosition(id)!;
      const inside = p.x > 5 && p.y > 5 && p.x < canvas.clientWidth - 5 && p.y < canvas.clientHeight - 5;
      const d = ctx.getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data;
      const pixel = `#${[d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      return { id, pixel, inside };
    });
  }, ids);
}

async function legendColours(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const li of document.querySelectorAll<HTMLElement>('.pg-legend-verdict')) {
      const rgb = getComputedStyle(li.querySelector('.pg-swatch')!)
        .backgroundColor.match(/\d+/g)!
        .map(Number);
      out[li.dataset.verdict!] = `#${rgb
        .slice(0, 3)
        .map((v) => v.toString(16).padStart(2, '0'))
        .join('')}`;
    }
    return out;
  });
}

function close(a: string, b: string): boolean {
  const pa = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  return pa.every((v, i) => Math.abs(v - pb[i]) <= 3);
}

/** For every verdict in the view, some node of it is drawn in the legend's colour for it. */
async function expectColoursPerVerdict(page: Page): Promise<string[]> {
  // No hover, no focus: nothing is dimmed. Then let a frame be drawn.
  await page.mouse.move(2, 2);
  await page.evaluate(() => (window as unknown as Win).pyratsGraph.focusNode(null));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const legend = await legendColours(page);
  const nodes = await page.evaluate(() =>
    (window as unknown as Win).pyratsGraph
      .viewNodes()
      .map((n) => ({ id: n.id, verdict: n.verdict, kind: n.kind })),
  );
  const verdicts = [...new Set(nodes.map((n) => n.verdict))];
  for (const v of verdicts) {
    const ids = nodes.filter((n) => n.verdict === v).map((n) => n.id);
    const colours = await nodeColours(page, ids);
    const hits = colours.filter((c) => c.inside && close(c.pixel, legend[v]));
    expect(
      hits.length,
      `some ${v} node drawn in ${legend[v]} (saw ${colours.slice(0, 5).map((c) => c.pixel)})`,
    ).toBeGreaterThan(0);
  }
  // Distinct colours for distinct verdicts.
  const shown = verdicts.map((v) => legend[v]);
  expect(new Set(shown).size).toBe(shown.length);
  return verdicts;
}

async function canvasPoint(page: Page, id: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.pg-stage canvas').boundingBox())!;
  const p = await page.evaluate((id) => (window as unknown as Win).pyratsGraph.screenPosition(id), id);
  return { x: box.x + p!.x, y: box.y + p!.y };
}

async function download(page: Page, format: string): Promise<{ name: string; body: Buffer }> {
  const [d] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`button[data-format="${format}"]`),
  ]);
  const file = await d.path();
  return { name: d.suggestedFilename(), body: readFileSync(file) };
}

describe.skipIf(unavailable)('standalone graph page in Chromium', () => {
  let browser: Browser;
  let tmp: string;

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-graph-page-'));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('a real script (pyrats graph on a fixture)', () => {
    let context: BrowserContext;
    let page: Page;
    let payload: GraphPayload;
    const errors: string[] = [];

    beforeAll(async () => {
      const json = await pyratsGraph([FIXTURE, '--format', 'json', '--no-mirror']);
      expect(json.code, json.stderr).toBe(0);
      payload = JSON.parse(json.stdout) as GraphPayload;
      const html = path.join(tmp, 'fixture.html');
      const r = await pyratsGraph([FIXTURE, '-o', html, '--no-mirror']);
      expect(r.code, r.stderr).toBe(0);
      context = await newGraphContext(browser, 'dark');
      page = await openGraphPage(context, html, errors, { everyModule: true });
      await waitSettled(page);
    });

    afterAll(async () => context?.close());

    it('draws every node of the closure, with the scripts, the local cycle and the missing imports', async () => {
      const expected = buildView(payload.graph, { roots: payload.roots });
      const s = await stats(page);
      expect(s.nodes).toBe(payload.graph.nodes.length);
      expect(s.edges).toBe(expected.edges.length);
      const nodes = await page.evaluate(() =>
        (window as unknown as Win).pyratsGraph
          .viewNodes()
          .map((n) => ({ label: n.label, verdict: n.verdict, inCycle: n.inCycle, root: n.root })),
      );
      const byLabel = new Map(nodes.map((n) => [n.label, n]));
      expect(byLabel.get('analyse')).toMatchObject({ root: true, verdict: 'local' });
      expect(byLabel.get('lab.helpers')).toMatchObject({ verdict: 'local', inCycle: true });
      expect(byLabel.get('lab.util')).toMatchObject({ verdict: 'local', inCycle: true });
      expect(byLabel.get('absentpkg_for_graph_test')?.verdict).toBe('missing');
      expect(byLabel.get('missing_plotting_lib')?.verdict).toBe('missing');
      expect(byLabel.get('email.mime.text')?.verdict).toBe('stdlib');
      expect(await page.locator('.pg-legend-extra').first().textContent()).toMatch(/import cycle \([1-9]/);
      expect(errors).toEqual([]);
    });

    it('colours nodes by verdict as the legend says (dark theme)', async () => {
      const verdicts = await expectColoursPerVerdict(page);
      expect(verdicts).toEqual(expect.arrayContaining(['local', 'stdlib', 'missing']));
      await screenshot(page, 'fixture-dark');
    });

    it('shows details on hover and opens the file on click', async () => {
      const id = payload.graph.nodes.find((n) => n.rel === 'lab/util.py')!.id;
      const at = await canvasPoint(page, id);
      await page.mouse.move(at.x, at.y);
      const tip = page.locator('.pg-tooltip');
      await tip.waitFor({ state: 'visible' });
      expect(await tip.textContent()).toContain(path.join('lab', 'util.py'));
      expect(await tip.textContent()).toContain('import cycle');
      await screenshot(page, 'fixture-hover');
      const [opened] = await Promise.all([context.waitForEvent('page'), page.mouse.click(at.x, at.y)]);
      await opened.waitForLoadState('domcontentloaded').catch(() => undefined);
      expect(decodeURIComponent(opened.url())).toBe(
        `file://${path.join(path.dirname(FIXTURE), 'lab', 'util.py')}`,
      );
      await opened.close();
    });

    it('follows a theme change as VS Code makes it (body class, --vscode-* variables), high contrast included', async () => {
      await page.evaluate(() => {
        document.body.className = 'vscode-high-contrast';
        const root = document.documentElement.style;
        root.setProperty('--vscode-editor-background', '#000000');
        root.setProperty('--vscode-editor-foreground', '#ffffff');
        root.setProperty('--vscode-contrastBorder', '#6fc3df');
        root.setProperty('--vscode-charts-red', '#ff5555');
        root.setProperty('--vscode-charts-green', '#89d185');
      });
      await page.waitForFunction(
        () => (window as unknown as Win).pyratsGraph.palette().background === '#000000',
      );
      const palette = await page.evaluate(() => (window as unknown as Win).pyratsGraph.palette());
      expect(palette.verdict.missing).toBe('#ff5555');
      expect(palette.verdict.local).toBe('#89d185');
      expect(palette.foreground).toBe('#ffffff');
      expect((await legendColours(page)).missing).toBe('#ff5555');
      // The canvas is repainted in the new colours.
      await page.waitForFunction(() => {
        const c = document.querySelector<HTMLCanvasElement>('.pg-stage canvas')!;
        const d = c.getContext('2d')!.getImageData(2, 2, 1, 1).data;
        return d[0] === 0 && d[1] === 0 && d[2] === 0;
      });
      await expectColoursPerVerdict(page);
      await screenshot(page, 'fixture-high-contrast');
    });

    it('filters: only missing keeps the missing imports and their importers', async () => {
      await page.check('input[name="onlyMissing"]');
      const expected = buildView(payload.graph, { roots: payload.roots, filter: { onlyMissing: true } });
      expect((await stats(page)).nodes).toBe(expected.nodes.length);
      const verdicts = await page.evaluate(() =>
        (window as unknown as Win).pyratsGraph.viewNodes().map((n) => n.verdict),
      );
      expect(verdicts.filter((v) => v === 'missing')).toHaveLength(2);
      await screenshot(page, 'fixture-only-missing');
      await page.uncheck('input[name="onlyMissing"]');
      await page.check('input[name="hideStdlib"]');
      const noStd = await page.evaluate(() =>
        (window as unknown as Win).pyratsGraph.viewNodes().map((n) => n.verdict),
      );
      expect(noStd).not.toContain('stdlib');
      await page.uncheck('input[name="hideStdlib"]');
      expect((await stats(page)).nodes).toBe(payload.graph.nodes.length);
      // Depth: only what the script imports itself.
      await page.selectOption('select.pg-depth', '1');
      const direct = buildView(payload.graph, { roots: payload.roots, depth: 1 });
      expect((await stats(page)).nodes).toBe(direct.nodes.length);
      await screenshot(page, 'fixture-depth-1');
      await page.selectOption('select.pg-depth', '');
      expect((await stats(page)).nodes).toBe(payload.graph.nodes.length);
    });
  });

  describe('a 2,000-node synthetic graph', () => {
    const graph = syntheticGraph({ nodes: 2000, seed: 11 });
    let context: BrowserContext;
    let page: Page;
    let html: string;
    const errors: string[] = [];

    beforeAll(async () => {
      html = await pageFromGraph(tmp, 'synthetic', graph, 'synthetic 2000');
      context = await newGraphContext(browser, 'light');
      page = await openGraphPage(context, html, errors, { everyModule: true });
      await waitSettled(page);
    });

    afterAll(async () => context?.close());

    it('draws all 2,000 nodes and every verdict in its legend colour', async () => {
      const expected = buildView(graph, { roots: graph.roots });
      const s = await stats(page);
      expect(s).toMatchObject({ nodes: 2000, edges: expected.edges.length, cycles: expected.cycles.length });
      const verdicts = await expectColoursPerVerdict(page);
      expect(verdicts.sort()).toEqual([
        'baseline',
        'builtin',
        'local',
        'mirror',
        'missing',
        'stdlib',
        'unknown',
      ]);
      const counts = verdictCounts(expected);
      for (const [v, n] of Object.entries(counts)) {
        const cell = page.locator(`.pg-legend-verdict[data-verdict="${v}"] .pg-legend-count`);
        // conflict and undeclared have no row while the view has none of them
        if (n === 0 && ['conflict', 'undeclared'].includes(v)) {
          expect(await cell.count()).toBe(0);
          continue;
        }
        expect(await cell.textContent()).toBe(String(n));
      }
      expect(errors).toEqual([]);
      await screenshot(page, 'synthetic-2000-light');
    });

    it('shows one script of several, to a chosen depth', async () => {
      const second = graph.roots[1];
      await page.selectOption('select.pg-root-select', second);
      await page.selectOption('select.pg-depth', '2');
      const expected = buildView(graph, { roots: graph.roots, focusRoot: second, depth: 2 });
      expect(expected.nodes.length).toBeLessThan(2000);
      expect((await stats(page)).nodes).toBe(expected.nodes.length);
      await page.selectOption('select.pg-root-select', '');
      await page.selectOption('select.pg-depth', '');
      expect((await stats(page)).nodes).toBe(2000);
    });

    it('searches', async () => {
      await page.fill('.pg-search input', 'pkg3/');
      const expected = searchNodes(buildView(graph, { roots: graph.roots }), 'pkg3/');
      expect(expected.length).toBeGreaterThan(0);
      expect((await stats(page)).matches).toBe(expected.length);
      expect(await page.locator('.pg-match-count').textContent()).toBe(`${expected.length} matches`);
      await page.focus('.pg-search input');
      await page.keyboard.press('Enter');
      expect(await page.locator('.pg-announce').textContent()).toMatch(/^pkg3/);
      await screenshot(page, 'synthetic-search');
      await page.fill('.pg-search input', '');
      expect((await stats(page)).matches).toBe(0);
    });

    it('collapses and expands packages (all, from the list, by clicking a package node)', async () => {
      await page.click('text=Collapse all');
      const keys = clustersOf(graph)
        .filter((c) => c.size > 1)
        .map((c) => c.key);
      const collapsed = buildView(graph, { roots: graph.roots, collapsed: keys });
      let s = await stats(page);
      expect(s.nodes).toBe(collapsed.nodes.length);
      expect(s.clusters).toBe(keys.length);
      await waitSettled(page);
      await screenshot(page, 'synthetic-collapsed');
      // Click the biggest package's node: it expands.
      const big = clustersOf(graph)[0];
      const at = await canvasPoint(page, `cluster:${big.key}`);
      await page.mouse.click(at.x, at.y);
      s = await stats(page);
      expect(s.nodes).toBe(collapsed.nodes.length - 1 + big.size);
      expect(await page.locator(`button[data-cluster="${big.key}"]`).getAttribute('aria-pressed')).toBe(
        'false',
      );
      // And collapses again from the package list.
      await page.click(`button[data-cluster="${big.key}"]`);
      expect((await stats(page)).nodes).toBe(collapsed.nodes.length);
      await page.click('text=Expand all');
      expect((await stats(page)).nodes).toBe(2000);
    });

    it('is keyboard navigable', async () => {
      await waitSettled(page);
      await page.evaluate(() => (window as unknown as Win).pyratsGraph.focusNode(null));
      await page.focus('.pg-search input');
      await page.focus('.pg-stage canvas');
      const first = await page.locator('.pg-announce').textContent();
      expect(first).toMatch(/script \(follow root\)/);
      await page.keyboard.press('ArrowRight');
      const second = await page.locator('.pg-announce').textContent();
      expect(second).not.toBe(first);
      await page.keyboard.press('c');
      expect((await stats(page)).clusters).toBe(1);
      await page.keyboard.press('c');
      expect((await stats(page)).clusters).toBe(0);
      await page.keyboard.press('y');
      expect(await page.locator('.pg-announce').textContent()).toMatch(/^Cycle 1 of \d+: /);
      const before = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state().transform!.k);
      await page.keyboard.press('+');
      const after = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state().transform!.k);
      expect(after).toBeCloseTo(before * 1.25, 5);
      await page.keyboard.press('Escape');
    });

    it('exports the current view as SVG, PNG, dot, Mermaid and JSON', async () => {
      await page.check('input[name="onlyThirdParty"]');
      const view = buildView(graph, { roots: graph.roots, filter: { onlyThirdParty: true } });
      expect((await stats(page)).nodes).toBe(view.nodes.length);
      const svg = await download(page, 'svg');
      expect(svg.name).toBe('synthetic-2000.svg');
      const text = svg.body.toString('utf8');
      expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(text.match(/<circle /g)).toHaveLength(view.nodes.length);
      const png = await download(page, 'png');
      expect(png.body.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.body.readUInt32BE(16)).toBeGreaterThan(500);
      const dot = (await download(page, 'dot')).body.toString('utf8');
      expect(dot).toMatch(/^digraph "synthetic 2000" \{/);
      expect(dot.match(/ -> /g)).toHaveLength(view.edges.length);
      const mermaid = (await download(page, 'mermaid')).body.toString('utf8');
      expect(mermaid).toContain('flowchart LR');
      const json = JSON.parse((await download(page, 'json')).body.toString('utf8'));
      expect(json.nodes).toHaveLength(view.nodes.length);
      expect(json.edges).toHaveLength(view.edges.length);
      expect(json.nodes.every((n: { x?: number }) => typeof n.x === 'number')).toBe(true);
      await page.uncheck('input[name="onlyThirdParty"]');
    });

    it('keeps its state across a reload, positions included', async () => {
      await page.click(`button[data-cluster="${clustersOf(graph)[1].key}"]`);
      await page.fill('.pg-search input', 'absent');
      await waitSettled(page);
      const before = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state());
      // The state is saved shortly after changes: wait until the stored copy is this settled one (every
      // position: after an expand or collapse the nodes already drawn stay pinned, only the new ones move).
      await page.waitForFunction(
        ({ key, positions }) => {
          const saved = JSON.parse(sessionStorage.getItem(key) ?? '{}') as {
            view?: { search?: string; positions?: Record<string, [number, number]> };
          };
          const p = saved.view?.positions ?? {};
          return (
            saved.view?.search === 'absent' &&
            Object.keys(positions).every(
              (id) => p[id]?.[0] === positions[id][0] && p[id]?.[1] === positions[id][1],
            )
          );
        },
        { key: `pyrats-graph:${new URL(`file://${html}`).pathname}`, positions: before.positions! },
      );
      await page.reload();
      await page.waitForSelector('.pg-root[data-rendered="true"]');
      const after = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state());
      expect(after.collapsed).toEqual(before.collapsed);
      expect(after.search).toBe('absent');
      expect(await page.inputValue('.pg-search input')).toBe('absent');
      // Every node is where it was: the restored layout does not move.
      expect(after.positions).toEqual(before.positions);
      expect(after.transform).toEqual(before.transform);
      await screenshot(page, 'synthetic-restored');
      // A broken saved state (edited storage, an older version) is ignored, not fatal.
      for (const broken of [
        '{"view": {"positions": {"x": "bad"}, "transform": {"k": "NaN"}, "collapsed": 5}}',
        'not json',
      ]) {
        // (The live view is stopped first, so no pending save overwrites the broken state.)
        await page.evaluate(
          ({ key, broken }) => {
            (window as unknown as Win).pyratsGraph.destroy();
            sessionStorage.setItem(key, broken);
          },
          {
            key: `pyrats-graph:${new URL(`file://${html}`).pathname}`,
            broken,
          },
        );
        await page.reload();
        await page.waitForSelector('.pg-root[data-rendered="true"]');
        // ignored: the page opens as a fresh one does, at package level
        expect((await stats(page)).nodes).toBe(packageLevelNodes(graph));
      }
      expect(errors).toEqual([]);
    });
  });

  it('keeps every node in place when the graph updates after an edit, and places the new module beside its importer', async () => {
    const graph = syntheticGraph({ nodes: 600, seed: 4 });
    const html = await pageFromGraph(tmp, 'update', graph, 'update');
    const context = await newGraphContext(browser);
    const errors: string[] = [];
    const page = await openGraphPage(context, html, errors, { everyModule: true });
    await waitSettled(page);
    const before = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state().positions!);
    const importer = graph.nodes.find((n) => n.rel === 'lab/module_3.py')!;
    const added = {
      id: 'added',
      root: importer.root,
      rel: 'lab/added_by_edit.py',
      source: true,
      verdict: 'local' as const,
    };
    const payload = {
      title: 'update',
      roots: graph.roots,
      graph: { nodes: [...graph.nodes, added], edges: [...graph.edges, { from: importer.id, to: 'added' }] },
    };
    await page.evaluate((p) => (window as unknown as Win).pyratsGraph.update(p), payload);
    await waitSettled(page);
    const after = await page.evaluate(() => (window as unknown as Win).pyratsGraph.state().positions!);
    for (const id of Object.keys(before)) expect(after[id], id).toEqual(before[id]);
    const [ax, ay] = after.added;
    const [ix, iy] = after[importer.id];
    expect(Math.hypot(ax - ix, ay - iy)).toBeLessThan(120);
    expect((await stats(page)).nodes).toBe(601);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('selects the module an import names, or the package the closure did not enter', async () => {
    const graph = syntheticGraph({ nodes: 100, seed: 8 });
    const pkg = graph.nodes.find((n) => n.rel.endsWith('__init__.py') && n.verdict === 'baseline')!;
    const label = pkg.rel.split('/')[0];
    const context = await newGraphContext(browser);
    const html = await pageFromGraph(tmp, 'select', graph, 'select');
    const page = await openGraphPage(context, html, [], { everyModule: true });
    const focused = async (select: string) => {
      await page.evaluate((p) => (window as unknown as Win).pyratsGraph.update(p), {
        title: 'select',
        roots: graph.roots,
        graph: { nodes: graph.nodes, edges: graph.edges },
        select,
      });
      return page.locator('.pg-announce').textContent();
    };
    expect(await focused(`${label}.linalg.lapack`)).toMatch(new RegExp(`^${label}: in baseline`));
    expect(await focused(graph.roots[1])).toMatch(/^plot_results: local/);
    await context.close();
  });

  it('rejects hostile text: labels never become markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const graph = {
      nodes: [
        { id: 'a', root: '/p', rel: 'main.py', source: true, verdict: 'local' as const },
        { id: 'b', root: '/p', rel: `${evil}.py`, source: true, verdict: 'missing' as const },
      ],
      edges: [{ from: 'a', to: 'b' }],
      roots: ['a'],
    };
    const html = await pageFromGraph(tmp, 'hostile', graph, `</script><script>window.__pwned=1</script>`);
    const context = await newGraphContext(browser);
    const errors: string[] = [];
    const page = await openGraphPage(context, html, errors);
    const at = await canvasPoint(page, 'b');
    await page.mouse.move(at.x, at.y);
    await page.locator('.pg-tooltip').waitFor({ state: 'visible' });
    expect(await page.locator('.pg-tooltip .pg-tip-title').textContent()).toContain('<img');
    expect(await page.locator('.pg-title').textContent()).toBe('</script><script>window.__pwned=1</script>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    await context.close();
  });
});
