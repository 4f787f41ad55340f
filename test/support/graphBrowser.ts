/**
 * Headless Chromium (Debian's, never a downloaded one) for the graph page tests and bench: writes
 * standalone pages with the real `pyrats graph` (dist/cli.js), opens them from disk with every
 * non-file request aborted, and reads the page's state through its `window.pyratsGraph` view.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DependencyGraph } from '../../analyzer/graph/dependencyGraph';
import { chromiumMissing, launchChromium } from './chromium';

const run = promisify(execFile);

export const REPO = path.resolve(__dirname, '..', '..');
/** The CLI under test: the built bundle, or another build named by PYRATS_CLI. */
export const CLI = process.env.PYRATS_CLI ?? path.join(REPO, 'dist', 'cli.js');
export const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'graph');

/** Why these tests cannot run here, or undefined. */
export function graphBrowserUnavailable(): string | undefined {
  return chromiumMissing();
}

/** Fails with a clear message when the bundles are missing (npm test builds them first). */
export function requireBuild(): void {
  const media = path.join(path.dirname(CLI), 'media');
  for (const f of [CLI, path.join(media, 'graph.js'), path.join(media, 'graph.css')]) {
    if (!existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run 'npm run build' first`);
  }
}

/** Runs `node dist/cli.js graph ARGS...`; returns its output and exit status. */
export async function pyratsGraph(
  args: string[],
  cwd = REPO,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'graph', ...args], {
      cwd,
      timeout: 120_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}

/** Writes `graph` as JSON in `dir` and turns it into a standalone page with `pyrats graph --from-json`. */
export async function pageFromGraph(
  dir: string,
  name: string,
  graph: DependencyGraph & { roots?: string[] },
  title: string,
): Promise<string> {
  const json = path.join(dir, `${name}.json`);
  const html = path.join(dir, `${name}.html`);
  writeFileSync(
    json,
    JSON.stringify({ title, roots: graph.roots, graph: { nodes: graph.nodes, edges: graph.edges } }),
  );
  const r = await pyratsGraph(['--from-json', json, '-o', html]);
  if (r.code !== 0) throw new Error(`pyrats graph --from-json failed (${r.code}): ${r.stderr}`);
  return html;
}

export async function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export async function newGraphContext(
  browser: Browser,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    colorScheme,
    acceptDownloads: true,
  });
  // The page is self-contained: anything but the file itself is a bug, so refuse it.
  await context.route('**/*', (route) =>
    route.request().url().startsWith('file:') ? route.continue() : route.abort(),
  );
  return context;
}

/**
 * Opens a standalone page and waits for its first frame; collects page errors into `errors`.
 * A page opens at package level (the scripts' own files, one node per package); `everyModule` opens
 * it as a user who chose *Expand all* and *Packages: all* before, so the first layout has every module
 * of the closure (what the checks of drawing, colours, search and export look at).
 */
export async function openGraphPage(
  context: BrowserContext,
  file: string,
  errors: string[] = [],
  options: { everyModule?: boolean } = {},
): Promise<Page> {
  const page = await context.newPage();
  if (options.everyModule)
    await page.addInitScript((key) => {
      if (sessionStorage.getItem(key) === null)
        sessionStorage.setItem(key, JSON.stringify({ view: { collapsed: [], packageDepth: null } }));
    }, graphStateKey(file));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('.pg-root[data-rendered="true"]', { timeout: 30_000 });
  return page;
}

/** Where a standalone page keeps its view state (sessionStorage). */
export function graphStateKey(file: string): string {
  return `pyrats-graph:${new URL(`file://${file}`).pathname}`;
}

export async function waitSettled(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForSelector('.pg-root[data-settled="true"]', { timeout: timeoutMs });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
