/**
 * "Add to the script's PEP 723 block" over LSP (issue 18 item 3, issue 16 item 3's code action):
 * the real server (dist/server.js) with a requirements-file baseline; on a conflict with the
 * script's block and on a missing import of a script without one, the quick fix's edit writes the
 * block as `pyrats pin` does (same engine), every line outside the block unchanged.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { fileUri, REPO, startLspSession, type LspSession } from '../../support/lspClient';

let tmp: string;
let session: LspSession;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-pin-lsp-'));
  cpSync(path.join(REPO, 'test/fixtures/lsp/workspace/baseline.txt'), path.join(tmp, 'baseline.txt'));
  session = await startLspSession({
    rootDir: tmp,
    settings: {
      baseline: `file:${path.join(tmp, 'baseline.txt')}`,
      python: 'python3',
      cacheDir: path.join(tmp, 'cache'),
    },
  });
}, 60_000);

afterAll(async () => {
  await session?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens `name` with `text`, waits for a diagnostic with `code`, and asks for the code actions there. */
async function actionsOn(
  name: string,
  text: string,
  code: string,
): Promise<{ actions: CodeAction[]; diag: Diagnostic }> {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  await session.open(fileUri(file), text);
  const published = await session.waitForDiagnostics(fileUri(file), (p) =>
    p.diagnostics.some((d) => d.code === code),
  );
  const diag = published.diagnostics.find((d) => d.code === code)!;
  const actions = (await session.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: fileUri(file) },
    range: diag.range,
    context: { diagnostics: [diag] },
  })) as CodeAction[];
  return { actions, diag };
}

function pinned(actions: CodeAction[]): string {
  const pin = actions.find((a) => a.title.startsWith("Add to the script's PEP 723 block"));
  expect(pin?.title).toBe("Add to the script's PEP 723 block (pin against baseline.txt)");
  const change = pin!.edit!.documentChanges![0] as TextDocumentEdit;
  expect(change.edits).toHaveLength(1);
  return (change.edits[0] as TextEdit).newText;
}

describe('the PEP 723 pin quick fix', () => {
  it('on a conflict: the block asks for the baseline version; the rest of the file is unchanged', async () => {
    const head = '#!/usr/bin/env python3\r\n';
    const block = '# /// script\r\n# dependencies = ["numpy>=2.0"]\r\n# ///\r\n';
    const body = 'import numpy\r\nimport scipy.linalg\r\n\r\nprint(numpy.pi)\r\n';
    const { actions, diag } = await actionsOn('conflict.py', head + block + body, 'pyrats.conflict');
    expect(diag.message).toMatch(/numpy 1\.24\.2/);
    const text = pinned(actions);
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(body)).toBe(true);
    const newBlock = text.slice(head.length, text.length - body.length);
    expect(newBlock).toMatch(/^# \/\/\/ script\r\n/);
    expect(newBlock).toContain('"numpy>=1.24.2"');
    expect(newBlock).toContain('"scipy>=1.10.1"');
    expect(newBlock).not.toContain('numpy>=2.0');
  }, 60_000);

  it('on a missing import of a script without a block: a new block, nothing else changed', async () => {
    const body = 'import numpy\nimport notarealpackage_xyz\n';
    const { actions } = await actionsOn('missing.py', body, 'pyrats.missing');
    const text = pinned(actions);
    expect(text.endsWith(body)).toBe(true);
    const newBlock = text.slice(0, text.length - body.length);
    expect(newBlock).toMatch(/^# \/\/\/ script\n/);
    expect(newBlock).toContain('"numpy>=1.24.2"');
    expect(newBlock).toMatch(/"notarealpackage[-_]xyz"/);
  }, 60_000);

  it('a stdlib-only script offers no pin', async () => {
    const file = path.join(tmp, 'plain.py');
    writeFileSync(file, 'import os\n');
    await session.open(fileUri(file), 'import os\n');
    await session.waitForDiagnostics(fileUri(file));
    const actions = (await session.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: fileUri(file) },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    expect(actions.filter((a) => a.title.includes('PEP 723'))).toEqual([]);
  }, 60_000);
});
