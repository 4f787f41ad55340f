/**
 * Neovim (headless, Debian's 0.7) as a second real LSP client: it starts `node dist/server.js --stdio`
 * and `pyrats lsp --stdio` with the fixture's settings and receives the same diagnostics as the
 * JSON-RPC test client does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, REPO, SERVER_JS, startLspSession } from '../../support/lspClient';
import { neovimUnavailable, runNeovimLsp, type NeovimDiagnostic } from '../../support/neovim';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const skip = neovimUnavailable();

let tmp: string;
let ws: string;
let settings: Record<string, unknown>;
let expected: Diagnostic[];

beforeAll(async () => {
  if (skip) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-nvim-ws-'));
  ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  settings = {
    baseline: `file:${path.join(ws, 'baseline.txt')}`,
    mirrors: [pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString()],
    python: 'python3',
    cacheDir: path.join(tmp, 'cache'),
  };
  // the reference: what a plain JSON-RPC client receives for the same file and settings
  const session = await startLspSession({ rootDir: ws, settings });
  try {
    const file = path.join(ws, 'analysis.py');
    await session.open(fileUri(file), readFileSync(file, 'utf8'));
    expected = (await session.waitForDiagnostics(fileUri(file), (d) => d.diagnostics.length > 0)).diagnostics;
  } finally {
    await session.stop();
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function normalise(ds: NeovimDiagnostic[]) {
  return ds
    .map((d) => ({
      line: d.lnum,
      col: d.col,
      endLine: d.end_lnum,
      endCol: d.end_col,
      severity: d.severity,
      code: d.code,
      source: d.source,
      message: d.message,
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

function fromLsp(ds: Diagnostic[]) {
  return ds
    .map((d) => ({
      line: d.range.start.line,
      col: d.range.start.character,
      endLine: d.range.end.line,
      endCol: d.range.end.character,
      severity: d.severity,
      code: d.code,
      source: d.source,
      message: typeof d.message === 'string' ? d.message : d.message.value,
    }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

describe.skipIf(Boolean(skip))(`Neovim as an LSP client${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const [name, cmd] of [
    ['node dist/server.js --stdio', () => [process.execPath, SERVER_JS, '--stdio']],
    ['pyrats lsp --stdio', () => [process.execPath, path.join(REPO, 'dist', 'cli.js'), 'lsp', '--stdio']],
  ] as const) {
    it(`receives the same diagnostics (${name})`, async () => {
      const run = await runNeovimLsp({
        cmd: cmd(),
        rootDir: ws,
        file: path.join(ws, 'analysis.py'),
        settings,
        minDiagnostics: expected.length,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(normalise(run.diagnostics)).toEqual(fromLsp(expected));
      expect(run.diagnostics.map((d) => d.code)).toContain('pyrats.missing');
    });
  }

  it('reads init_options when the client answers workspace/configuration with nothing (Neovim 0.8+ with settings only in init_options)', async () => {
    const run = await runNeovimLsp({
      cmd: [process.execPath, SERVER_JS, '--stdio'],
      rootDir: ws,
      file: path.join(ws, 'analysis.py'),
      settings,
      settingsVia: 'init_options',
      minDiagnostics: expected.length,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(normalise(run.diagnostics)).toEqual(fromLsp(expected));
  });
});
