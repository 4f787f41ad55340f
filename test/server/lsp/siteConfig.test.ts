/**
 * The language server with no PyRats settings at all takes the centre's configuration: a site file
 * (PYRATS_SITE_CONFIG) naming the baseline and the mirror. Neovim started on the plain
 * `pyrats lsp --stdio` gets the same diagnostics as a client that sets those values explicitly, and an
 * edit of the site file takes effect without restarting the server.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, REPO, startLspSession } from '../../support/lspClient';
import { neovimUnavailable, runNeovimLsp } from '../../support/neovim';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const skip = neovimUnavailable();

let tmp: string;
let ws: string;
let siteFile: string;
let serverEnv: NodeJS.ProcessEnv;
const mirror = pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString();

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-site-lsp-'));
  ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  mkdirSync(path.join(tmp, 'site'));
  mkdirSync(path.join(tmp, 'home'));
  // the baseline lives beside the site file and is named relative to it
  cpSync(path.join(ws, 'baseline.txt'), path.join(tmp, 'site', 'baseline.txt'));
  siteFile = path.join(tmp, 'site', 'config.toml');
  writeFileSync(siteFile, `baseline = "file:baseline.txt"\nmirrors = ["${mirror}"]\npython = "python3"\n`);
  serverEnv = {
    PYRATS_SITE_CONFIG: siteFile,
    HOME: path.join(tmp, 'home'),
    XDG_CONFIG_HOME: '',
    PYRATS_BASELINE: '',
    PYRATS_MIRRORS: '',
    PYRATS_PYTHON: '',
    PYRATS_CACHE_DIR: path.join(tmp, 'cache'),
  };
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function rows(ds: Diagnostic[]) {
  return ds
    .map((d) => ({
      line: d.range.start.line,
      col: d.range.start.character,
      code: d.code,
      message: d.message,
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

describe('the language server without settings', () => {
  it('a JSON-RPC client with no settings gets the site configuration, and a site file edit applies without restart', async () => {
    const file = path.join(ws, 'analysis.py');
    const explicit = await startLspSession({
      rootDir: ws,
      settings: {
        baseline: `file:${path.join(tmp, 'site', 'baseline.txt')}`,
        mirrors: [mirror],
        python: 'python3',
        cacheDir: path.join(tmp, 'cache'),
      },
    });
    let expected: Diagnostic[];
    try {
      await explicit.open(fileUri(file), readFileSync(file, 'utf8'));
      expected = (await explicit.waitForDiagnostics(fileUri(file), (d) => d.diagnostics.length > 0))
        .diagnostics;
    } finally {
      await explicit.stop();
    }
    expect(expected.map((d) => d.code)).toContain('pyrats.mirror-only');

    const session = await startLspSession({ rootDir: ws, settings: {}, env: serverEnv });
    try {
      await session.open(fileUri(file), readFileSync(file, 'utf8'));
      const got = await session.waitForDiagnostics(fileUri(file), (d) => d.diagnostics.length > 0);
      expect(rows(got.diagnostics)).toEqual(rows(expected));
      // the site drops its mirror: the mirror-only imports become missing everywhere, no restart
      writeFileSync(siteFile, 'baseline = "file:baseline.txt"\nmirrors = []\npython = "python3"\n');
      const after = await session.waitForDiagnostics(
        fileUri(file),
        (d) => d.diagnostics.length > 0 && !d.diagnostics.some((x) => x.code === 'pyrats.mirror-only'),
        { timeoutMs: 20_000 },
      );
      expect(after.diagnostics.filter((d) => d.code === 'pyrats.missing').length).toBeGreaterThan(
        got.diagnostics.filter((d) => d.code === 'pyrats.missing').length,
      );
    } finally {
      writeFileSync(
        siteFile,
        `baseline = "file:baseline.txt"\nmirrors = ["${mirror}"]\npython = "python3"\n`,
      );
      await session.stop();
    }
  });

  it.skipIf(Boolean(skip))(
    `Neovim on plain 'pyrats lsp --stdio' shows the site configuration's diagnostics${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const run = await runNeovimLsp({
        cmd: [process.execPath, path.join(REPO, 'dist', 'cli.js'), 'lsp', '--stdio'],
        rootDir: ws,
        file: path.join(ws, 'analysis.py'),
        settings: {},
        minDiagnostics: 3,
        env: serverEnv,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const codes = run.diagnostics.map((d) => d.code);
      expect(codes).toContain('pyrats.missing');
      expect(codes).toContain('pyrats.mirror-only');
      const mirrorOnly = run.diagnostics.find((d) => d.code === 'pyrats.mirror-only')!;
      expect(mirrorOnly.message).toMatch(/is not in baseline baseline\.txt/);
    },
  );
});
