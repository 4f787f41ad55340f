/**
 * What the language-server tests share: the fixture workspace and mirror (test/fixtures/lsp), the
 * settings a test client sends, and small readers of diagnostics.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { REPO } from './lspClient';

export const LSP_FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
export const LSP_MIRROR = pathToFileURL(path.join(LSP_FIXTURE, 'mirror', 'conda-forge')).toString();

/** A copy of the fixture workspace in a new temp dir, with a cache dir beside it; remove `tmp` after. */
export function copyLspWorkspace(): { tmp: string; ws: string; cacheDir: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-lsp-'));
  const ws = path.join(tmp, 'workspace');
  cpSync(path.join(LSP_FIXTURE, 'workspace'), ws, { recursive: true });
  return { tmp, ws, cacheDir: path.join(tmp, 'cache') };
}

/** The settings of the fixture workspace copied to `ws` (baseline.txt there), with `extra` on top. */
export function lspSettings(
  ws: string,
  cacheDir: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    baseline: `file:${path.join(ws, 'baseline.txt')}`,
    mirrors: [LSP_MIRROR],
    python: 'python3',
    cacheDir,
    ...extra,
  };
}

export const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);
export const msg = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
export const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
