/**
 * Real VS Code for end-to-end tests: code-server 4.100.3 (VS Code 1.100.3's workbench over HTTP)
 * installed from the npm registry into the git-ignored `.cache/code-server`, started on 127.0.0.1
 * with a private user-data/extensions dir, and driven by playwright-core in Debian's chromium.
 * Recipe: see the project's e2e notes (offline install, gallery on loopback, trust, stopping).
 *
 *   const cs = await startCodeServer({ vsix, settings, trusted: true });
 *   const ui = await openWorkbench(cs, folder, artifactsDir);
 *   ... ui.page ..., await ui.shot('problems');
 *   await ui.close(); await cs.stop();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from './chromium';
import { REPO } from './repo';

const run = promisify(execFile);

export const CODE_SERVER_VERSION = '4.100.3';
/**
 * Per-test limit for the end-to-end suites: their steps wait up to 60–90 s for the workbench on a
 * loaded machine (one test can hold several such waits), beyond the suite-wide 60 s.
 */
export const E2E_TEST_TIMEOUT_MS = 180_000;
export { REPO };
/** Where code-server is installed: `.cache/code-server` (git-ignored), or `$PYRATS_CODE_SERVER_CACHE`. */
export const CACHE_DIR = process.env.PYRATS_CODE_SERVER_CACHE ?? path.join(REPO, '.cache', 'code-server');

const MARKER = path.join(CACHE_DIR, `.installed-${CODE_SERVER_VERSION}`);
const BIN = path.join(CACHE_DIR, 'node_modules', '.bin', 'code-server');

/** Packages whose install scripts code-server needs (npm ≥ 11 runs only approved ones). */
const SCRIPTED = [
  '@parcel/watcher',
  '@vscode/deviceid',
  '@vscode/ripgrep',
  '@vscode/spdlog',
  'kerberos',
  'native-watchdog',
  'node-pty',
];

/** Why the e2e suite cannot run here, or undefined when it can. */
export function e2eUnavailable(): string | undefined {
  const noChromium = chromiumMissing();
  if (noChromium) return noChromium;
  if (!existsSync('/usr/bin/rg')) return 'no /usr/bin/rg (apt-get install ripgrep)';
  if (
    !existsSync('/usr/include/gssapi.h') &&
    !existsSync('/usr/include/gssapi/gssapi.h') &&
    !existsSync(MARKER)
  ) {
    return 'no gssapi.h to build code-server (apt-get install libkrb5-dev)';
  }
  return undefined;
}

async function withLock<T>(lockDir: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function patchAllowScripts(pkgFile: string, names: string[]): void {
  if (!existsSync(pkgFile)) return;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  const allow = (pkg.allowScripts as Record<string, boolean> | undefined) ?? {};
  for (const n of names) allow[n] = true;
  pkg.allowScripts = allow;
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
}

/**
 * Installs code-server into `.cache/code-server` once (about 2 minutes: native modules compile).
 * Offline: ripgrep comes from Debian's /usr/bin/rg; prebuilt-binary downloads fail and fall back to
 * compiling. Returns the code-server executable.
 */
export async function ensureCodeServer(log: (s: string) => void = () => {}): Promise<string> {
  if (existsSync(MARKER) && existsSync(BIN)) return BIN;
  mkdirSync(CACHE_DIR, { recursive: true });
  return withLock(path.join(CACHE_DIR, '.lock'), 15 * 60_000, async () => {
    if (existsSync(MARKER) && existsSync(BIN)) return BIN;
    const tmp = path.join(CACHE_DIR, 'tmp');
    const rgCache = path.join(tmp, 'vscode-ripgrep-cache-1.15.11');
    mkdirSync(rgCache, { recursive: true });
    const rgTarball = path.join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
    if (!existsSync(rgTarball)) {
      const staging = mkdtempSync(path.join(tmp, 'rg-'));
      copyFileSync('/usr/bin/rg', path.join(staging, 'rg'));
      await run('tar', ['-czf', rgTarball, '-C', staging, 'rg']);
      rmSync(staging, { recursive: true, force: true });
    }
    writeFileSync(
      path.join(CACHE_DIR, 'package.json'),
      `${JSON.stringify(
        {
          name: 'pyrats-code-server-cache',
          private: true,
          dependencies: { 'code-server': CODE_SERVER_VERSION },
          allowScripts: { 'code-server': true, argon2: true },
        },
        null,
        2,
      )}\n`,
    );
    const env = {
      ...process.env,
      TMPDIR: tmp,
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    const npm = async (args: string[], cwd: string) => {
      log(`npm ${args.join(' ')} (in ${path.relative(REPO, cwd)})`);
      await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
    };
    await npm(['install', '--no-audit', '--no-fund'], CACHE_DIR);
    // code-server's postinstall installs VS Code's own dependencies, which ship in the tarball; their
    // native modules are built by their install scripts, which npm ≥ 11 runs only when approved.
    const vscodeDir = path.join(CACHE_DIR, 'node_modules', 'code-server', 'lib', 'vscode');
    patchAllowScripts(path.join(vscodeDir, 'package.json'), SCRIPTED);
    patchAllowScripts(path.join(vscodeDir, 'extensions', 'package.json'), SCRIPTED);
    await npm(['rebuild'], vscodeDir);
    if (!existsSync(path.join(vscodeDir, 'node_modules.asar'))) {
      await npm(['rebuild', 'code-server'], CACHE_DIR);
    }
    if (!existsSync(BIN)) throw new Error(`code-server install finished but ${BIN} is missing`);
    writeFileSync(MARKER, new Date().toISOString());
    return BIN;
  });
}

/** Packages the extension (`vsce package`) from dist/ (built by test/support/globalSetup.ts) into `outFile`. */
export async function packageExtension(outFile: string): Promise<string> {
  const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(
    process.execPath,
    // the README's pictures stay relative: the installed extension shows them from its own folder
    [
      vsce,
      'package',
      '--allow-missing-repository',
      '--skip-license',
      '--no-rewrite-relative-links',
      '-o',
      outFile,
    ],
    {
      cwd: REPO,
      timeout: 5 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return outFile;
}

/**
 * What every e2e suite does first: installs code-server (if not cached), makes a temporary folder
 * named `<prefix>XXXXXX` and packages the extension into `<tmp>/pyrats-lens.vsix`.
 */
export async function prepareE2e(prefix: string): Promise<{ tmp: string; vsix: string }> {
  await ensureCodeServer((s) => process.stderr.write(`code-server install: ${s}\n`));
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const vsix = await packageExtension(path.join(tmp, 'pyrats-lens.vsix'));
  return { tmp, vsix };
}

/**
 * Makes a workspace folder `dir` (a copy of `fixture` when given, else empty) with the workspace
 * settings `.vscode/settings.json`; returns `dir`.
 */
export function makeWorkspace(dir: string, settings: Record<string, unknown>, fixture?: string): string {
  if (fixture) cpSync(fixture, dir, { recursive: true });
  mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return dir;
}

/** The e2e teardown: closes the workbench, stops code-server and removes the temporary folder (each if made). */
export async function finishE2e(
  wb: Workbench | undefined,
  cs: CodeServer | undefined,
  tmp: string | undefined,
): Promise<void> {
  await wb?.close();
  await cs?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/** The README's pictures, taken by the e2e suites (`npm run screenshots` refreshes them). */
export const SCREENSHOTS_DIR = path.join(REPO, 'media', 'screenshots');

/** Copies a screenshot to media/screenshots/<name>.png when PYRATS_UPDATE_SCREENSHOTS=1. */
export function publishScreenshot(file: string, name: string): void {
  if (process.env.PYRATS_UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  copyFileSync(file, path.join(SCREENSHOTS_DIR, `${name}.png`));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface CodeServerOptions {
  /** A .vsix to install before starting. */
  vsix?: string;
  /** User settings (merged over the defaults that keep the Welcome page away). */
  settings?: Record<string, unknown>;
  /** Workspace trust: true starts with trust disabled (everything trusted); false leaves trust on. */
  trusted?: boolean;
  /** Extra environment for code-server and the extension host. */
  env?: NodeJS.ProcessEnv;
}

export interface CodeServer {
  url: string;
  port: number;
  dir: string;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  /** code-server's own output so far. */
  output(): string;
  /** The extension host logs of this session (where our output channel is written). */
  logsDir: string;
  /** Stops code-server (its whole process group) and removes its folder `dir`. */
  stop(): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const bin = await ensureCodeServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-code-server-'));
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const trusted = options.trusted ?? true;
  const settings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': !trusted,
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    ...options.settings,
  };
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server's IPC sockets and scratch files go below `dir` too: stop() removes all of it
  mkdirSync(path.join(dir, 'tmp'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: path.join(dir, 'tmp'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/gallery',
      itemUrl: 'http://127.0.0.1:9/item',
    }),
    ...options.env,
  };
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (options.vsix) {
    await run(bin, [...common, '--install-extension', options.vsix], { env, timeout: 120_000 });
  }
  const port = await freePort();
  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    ...common,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
  if (trusted) args.push('--disable-workspace-trust');
  let output = '';
  const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stopProcesses = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // the whole process group: code-server's file watcher child can outlive a plain SIGTERM
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const stop = async () => {
    await stopProcesses();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'code-server /healthz',
      async () => {
        if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}): ${output}`);
        const r = await fetch(`${url}/healthz`);
        return r.ok;
      },
      60_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    port,
    dir,
    userDataDir,
    extensionsDir,
    process: child,
    output: () => output,
    logsDir: path.join(userDataDir, 'logs'),
    stop,
  };
}

/** The extension's installed folder (after `--install-extension`), for tests that look inside. */
export function installedExtensionDir(cs: CodeServer, id = 'pyrats-lens.pyrats-lens'): string | undefined {
  const file = path.join(cs.extensionsDir, 'extensions.json');
  if (!existsSync(file)) return undefined;
  const list = JSON.parse(readFileSync(file, 'utf8')) as {
    identifier: { id: string };
    relativeLocation: string;
  }[];
  const hit = list.find((e) => e.identifier.id.toLowerCase() === id.toLowerCase());
  return hit ? path.join(cs.extensionsDir, hit.relativeLocation) : undefined;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /**
   * Saves a full-window screenshot `<artifactsDir>/<NN>-<name>.png` and returns its path. With
   * `publish`, and PYRATS_UPDATE_SCREENSHOTS=1 (`npm run screenshots`), also as the README's picture
   * `media/screenshots/<publish>.png`.
   */
  shot(name: string, options?: { publish?: string }): Promise<string>;
  /** Opens a file of the workspace from the Explorer (a path relative to the folder, `/`-separated). */
  openFile(relative: string): Promise<void>;
  /** Runs a command from the palette by its title (e.g. `PyRats: Show Output`). */
  runCommand(title: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the workbench on `folder` in a fresh Chromium profile; every non-loopback request is aborted. */
export async function openWorkbench(
  cs: CodeServer,
  folder: string,
  artifactsDir: string,
): Promise<Workbench> {
  mkdirSync(artifactsDir, { recursive: true });
  const profile = path.join(cs.dir, `chromium-${Date.now()}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [...CHROMIUM_ARGS],
  });
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  let n = 0;
  const wb: Workbench = {
    page,
    context,
    async shot(name, options) {
      const file = path.join(artifactsDir, `${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file });
      if (options?.publish) publishScreenshot(file, options.publish);
      return file;
    },
    async openFile(relative) {
      // Quick Open is independent of the Explorer's tree state.
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(relative);
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      const base = relative.split('/').pop()!;
      await page.locator(`.tabs-container .tab[aria-label*="${base}"]`).first().waitFor({ timeout: 15_000 });
    },
    async runCommand(title) {
      // The palette lists the commands known when it opens: while the workbench is still scanning
      // extensions (a loaded machine), ours may be absent, so close it and ask again until it shows.
      const input = page.locator('.quick-input-widget input');
      const row = page
        .locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^.*?: /, '') })
        .first();
      const deadline = Date.now() + 60_000;
      for (;;) {
        await page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 15_000 });
        await input.fill(`>${title}`);
        try {
          await row.waitFor({ timeout: 10_000 });
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await page.keyboard.press('Escape');
        }
      }
      await page.keyboard.press('Enter');
    },
    async close() {
      await context.close();
    },
  };
  return wb;
}
