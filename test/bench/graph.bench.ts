/**
 * Graph view speed in headless Chromium (Debian's): the standalone page of a 2,000-node synthetic
 * graph (same bundle as the webview). First render = navigation start to the first drawn frame
 * (the page's `pyrats-graph:first-render` mark; median of 3 loads); panning = animation-frame
 * intervals while the mouse drags the settled graph across the canvas.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { introspectInterpreter } from '../../analyzer/env/introspect';
import { buildGraphPayload } from '../../server/graphData';
import { graphPageHtml } from '../../server/graphPage';
import type { GraphPayload } from '../../server/protocol';
import { syntheticGraph } from '../support/syntheticGraph';
import type { BenchRow, BenchSuite } from './benchmark';

const CHROMIUM = process.env.PYRATS_CHROMIUM ?? '/usr/bin/chromium';
const DEBIAN_PYTHON = '/usr/bin/python3';
/** A real closure: Debian's scientific stack, followed with the python profile (packages followed). */
const REAL_SCRIPT = 'import matplotlib.pyplot\nimport xarray\nimport scipy.optimize\nimport pandas\n';
const NODES = 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * Navigation start to the first drawn frame and to the settled layout. A page opens at package level;
 * `everyModule` opens it with every module drawn (as after *Expand all*, *Packages: all*), the
 * figure the first-render budget is about.
 */
async function firstRender(
  page: Page,
  url: string,
  everyModule = true,
): Promise<{ first: number; settled: number }> {
  if (everyModule)
    await page.addInitScript(
      (key) => {
        sessionStorage.setItem(key, JSON.stringify({ view: { collapsed: [], packageDepth: null } }));
      },
      `pyrats-graph:${new URL(url).pathname}`,
    );
  await page.goto(url);
  await page.waitForSelector('.pg-root[data-rendered="true"]', { timeout: 60_000 });
  await page.waitForSelector('.pg-root[data-settled="true"]', { timeout: 120_000 });
  return page.evaluate(() => ({
    first: performance.getEntriesByName('pyrats-graph:first-render')[0].startTime,
    settled: performance.getEntriesByName('pyrats-graph:settled')[0].startTime,
  }));
}

/** Drags the canvas back and forth; returns the animation-frame intervals seen meanwhile (ms). */
async function panFrames(page: Page): Promise<number[]> {
  const box = (await page.locator('.pg-stage canvas').boundingBox())!;
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let round = 0; round < 3; round++) {
    for (let i = 1; i <= 40; i++) await page.mouse.move(cx + i * 6, cy + i * 3);
    for (let i = 39; i >= 0; i--) await page.mouse.move(cx + i * 6, cy + i * 3);
  }
  await page.mouse.up();
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
}

/** The same measures on a real follow closure, when Debian's python3 has the scientific stack. */
async function realClosure(
  dir: string,
  log: (line: string) => void,
  measure: (
    file: string,
  ) => Promise<{ first: number; settled: number; pan: number[]; packageLevel: number; packageNodes: number }>,
): Promise<BenchRow[]> {
  if (!existsSync(DEBIAN_PYTHON) || !existsSync('/usr/lib/python3/dist-packages/matplotlib')) {
    log('real closure skipped: needs /usr/bin/python3 with python3-matplotlib, -xarray, -scipy, -pandas');
    return [];
  }
  const script = path.join(dir, 'science.py');
  writeFileSync(script, REAL_SCRIPT);
  const env = await introspectInterpreter(DEBIAN_PYTHON);
  const payload: GraphPayload = await buildGraphPayload({ inputs: [script], env, profile: 'python' });
  const file = path.join(dir, 'science.html');
  writeFileSync(file, graphPageHtml(payload));
  const n = payload.graph.nodes.length;
  const e = payload.graph.edges.length;
  log(
    `real closure (matplotlib.pyplot, xarray, scipy.optimize, pandas; python profile): ${n} nodes, ${e} edges`,
  );
  const t = await measure(file);
  return [
    {
      name: `first render, real closure (${n} nodes)`,
      value: t.first,
      unit: 'ms',
      budget: 1500,
      better: 'lower',
      detail: `${e} edges`,
    },
    { name: `layout settled, real closure`, value: t.settled, unit: 'ms', better: 'lower' },
    {
      name: 'first render at package level (the default opening), real closure',
      value: t.packageLevel,
      unit: 'ms',
      better: 'lower',
      detail: `${t.packageNodes} nodes drawn`,
    },
    {
      name: 'frame time while panning, real closure (median)',
      value: median(t.pan),
      unit: 'ms',
      budget: 33,
      better: 'lower',
      detail: `${t.pan.length} frames, p95 ${percentile(t.pan, 95).toFixed(1)} ms`,
    },
  ];
}

export const graphSuite: BenchSuite = {
  name: 'graph view (headless Chromium)',
  async run(log) {
    if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium)`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-graph-bench-'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
    try {
      const g = syntheticGraph({ nodes: NODES, seed: 42 });
      const file = path.join(dir, 'graph.html');
      writeFileSync(
        file,
        graphPageHtml({
          title: `synthetic ${NODES}`,
          roots: g.roots,
          graph: { nodes: g.nodes, edges: g.edges },
        }),
      );
      log(
        `${NODES} nodes, ${g.edges.length} edges; page ${(Buffer.byteLength(graphPageHtml({ title: '', graph: g })) / 1e6).toFixed(2)} MB`,
      );
      const firsts: number[] = [];
      const settles: number[] = [];
      let frames: number[] = [];
      for (let run = 0; run < 3; run++) {
        // A fresh context each time: no saved state, no cache.
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        await context.route('**/*', (r) =>
          r.request().url().startsWith('file:') ? r.continue() : r.abort(),
        );
        const page = await context.newPage();
        const t = await firstRender(page, `file://${file}`);
        firsts.push(t.first);
        settles.push(t.settled);
        if (run === 2) frames = await panFrames(page);
        await context.close();
      }
      log(`first render runs: ${firsts.map((f) => f.toFixed(0)).join(', ')} ms`);
      const rows: BenchRow[] = [
        {
          name: `first render, ${NODES}-node graph`,
          value: median(firsts),
          unit: 'ms',
          budget: 1500,
          better: 'lower',
          detail: 'navigation start to first drawn frame, median of 3',
        },
        {
          name: `layout settled, ${NODES}-node graph`,
          value: median(settles),
          unit: 'ms',
          better: 'lower',
          detail: 'incremental d3-force in animation frames; the graph is drawn and usable meanwhile',
        },
        {
          name: 'frame time while panning (median)',
          value: median(frames),
          unit: 'ms',
          budget: 33,
          better: 'lower',
          detail: `${frames.length} frames, p95 ${percentile(frames, 95).toFixed(1)} ms`,
        },
      ];
      rows.push(
        ...(await realClosure(dir, log, async (file) => {
          const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
          await context.route('**/*', (r) =>
            r.request().url().startsWith('file:') ? r.continue() : r.abort(),
          );
          const page = await context.newPage();
          const t = await firstRender(page, `file://${file}`);
          const pan = await panFrames(page);
          await context.close();
          // the default opening, in a fresh context (no saved state)
          const fresh = await browser.newContext({ viewport: { width: 1400, height: 900 } });
          await fresh.route('**/*', (r) =>
            r.request().url().startsWith('file:') ? r.continue() : r.abort(),
          );
          const opening = await fresh.newPage();
          const packageLevel = (await firstRender(opening, `file://${file}`, false)).first;
          const packageNodes = await opening.evaluate(
            () =>
              (window as unknown as { pyratsGraph: { stats(): { nodes: number } } }).pyratsGraph.stats()
                .nodes,
          );
          await fresh.close();
          return { ...t, pan, packageLevel, packageNodes };
        })),
      );
      return rows;
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
