/**
 * Jupyter notebooks over LSP 3.17 notebook document sync, with the real server over stdio
 * (`node dist/server.js --stdio`), python3, the fixture workspace's requirements baseline and its
 * conda channel on disk: notebookDocument/didOpen with markdown and code cells, diagnostics per
 * `vscode-notebook-cell:` URI on the cell's own lines, IPython syntax masked, `%%bash` cells
 * skipped, `%pip install` honoured, hover and quick fixes on a cell, cell edits and inserted cells,
 * close; and a notebook opened as a JSON text document is not taken for Python.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  DidChangeNotebookDocumentNotification,
  DidCloseNotebookDocumentNotification,
  DidOpenNotebookDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  NotebookCellKind,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { fileUri, REPO, startLspSession, type LspSession } from '../../support/lspClient';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const MIRROR = pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString();

let tmp: string;
let ws: string;
let session: LspSession | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-lsp-nb-'));
  ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  session = await startLspSession({
    rootDir: ws,
    settings: {
      baseline: `file:${path.join(ws, 'baseline.txt')}`,
      mirrors: [MIRROR],
      python: 'python3',
      cacheDir: path.join(tmp, 'cache'),
    },
  });
});

afterAll(async () => {
  await session?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const codes = (ds: Diagnostic[]) =>
  ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);

describe('notebooks over LSP (notebookDocumentSync)', () => {
  const notebookPath = () => path.join(ws, 'analysis.ipynb');
  const cellUri = (i: number) => `vscode-notebook-cell:${notebookPath()}#cell${i}`;
  const cellTexts = [
    '# Analysis\nReads `import notarealpackage_xyz` in prose only.',
    '%matplotlib inline\nimport numpy\nimport xarray\nnumpy.ones?',
    'Notes',
    '%pip install notarealpackage-two\nfiles = !ls\nimport notarealpackage_xyz\nimport notarealpackage_two',
    '%%bash\nimport notarealpackage_xyz\necho done',
  ];
  const kinds = [
    NotebookCellKind.Markup,
    NotebookCellKind.Code,
    NotebookCellKind.Markup,
    NotebookCellKind.Code,
    NotebookCellKind.Code,
  ];

  it('announces notebook sync for Python cells of Jupyter notebooks', () => {
    expect(session!.initializeResult.capabilities.notebookDocumentSync).toMatchObject({
      notebookSelector: [
        { notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] },
        { notebook: { pattern: '**/*.ipynb' }, cells: [{ language: 'python' }] },
      ],
    });
  });

  it('after notebookDocument/didOpen, diagnostics arrive for each code cell on its own lines', async () => {
    const s = session!;
    await s.connection.sendNotification(DidOpenNotebookDocumentNotification.type, {
      notebookDocument: {
        uri: fileUri(notebookPath()),
        notebookType: 'jupyter-notebook',
        version: 1,
        cells: kinds.map((kind, i) => ({ kind, document: cellUri(i) })),
      },
      cellTextDocuments: cellTexts.map((text, i) => ({
        uri: cellUri(i),
        languageId: kinds[i] === NotebookCellKind.Code ? 'python' : 'markdown',
        version: 1,
        text,
      })),
    });
    const cell3 = await s.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length > 0);
    expect(codes(cell3.diagnostics)).toEqual(['pyrats.missing@2:7', 'pyrats.missing@3:7']);
    const [missing, installed] = cell3.diagnostics;
    expect(missing.severity).toBe(DiagnosticSeverity.Error);
    expect(installed.severity).not.toBe(DiagnosticSeverity.Error);
    expect(installed.message).toMatch(
      /^notarealpackage_two.*: installed by the notebook itself — .*\(cell 4, line 1: %pip install notarealpackage-two\)/,
    );
    const cell1 = await s.waitForDiagnostics(cellUri(1), (p) => p.diagnostics.length > 0);
    expect(codes(cell1.diagnostics)).toEqual(['pyrats.mirror-only@2:7']);
    const bash = await s.waitForDiagnostics(cellUri(4));
    expect(bash.diagnostics).toEqual([]);
    expect(s.published.filter((p) => p.uri === cellUri(0) || p.uri === cellUri(2))).toEqual([]);
  });

  it('hover and quick fixes work on a cell URI', async () => {
    const s = session!;
    const hover = await s.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: cellUri(1) },
      position: { line: 1, character: 9 },
    });
    expect((hover!.contents as MarkupContent).value).toMatch(/numpy/);
    const cell3 = await s.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length > 0);
    const actions = (await s.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: cellUri(3) },
      range: cell3.diagnostics[0].range,
      context: { diagnostics: [cell3.diagnostics[0]] },
    })) as CodeAction[];
    expect(actions.some((a) => /notarealpackage/.test(a.title))).toBe(true);
  });

  it('cell edits and inserted cells are re-checked with their new lines', async () => {
    const s = session!;
    const from = s.published.length;
    await s.connection.sendNotification(DidChangeNotebookDocumentNotification.type, {
      notebookDocument: { uri: fileUri(notebookPath()), version: 2 },
      change: {
        cells: {
          structure: {
            array: {
              start: 1,
              deleteCount: 0,
              cells: [{ kind: NotebookCellKind.Code, document: cellUri(9) }],
            },
            didOpen: [
              {
                uri: cellUri(9),
                languageId: 'python',
                version: 1,
                text: '!echo hi\nimport notarealpackage_xyz',
              },
            ],
          },
          textContent: [
            {
              document: { uri: cellUri(1), version: 2 },
              changes: [
                { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n\n' },
              ],
            },
          ],
        },
      },
    });
    const inserted = await s.waitForDiagnostics(cellUri(9), (p) => p.diagnostics.length > 0, { from });
    expect(codes(inserted.diagnostics)).toEqual(['pyrats.missing@1:7']);
    const moved = await s.waitForDiagnostics(cellUri(1), (p) => p.version === 2, { from });
    expect(codes(moved.diagnostics)).toEqual(['pyrats.mirror-only@4:7']);
  });

  it('closing the notebook clears its cells; a notebook opened as JSON text is not Python', async () => {
    const s = session!;
    const from = s.published.length;
    await s.connection.sendNotification(DidCloseNotebookDocumentNotification.type, {
      notebookDocument: { uri: fileUri(notebookPath()) },
      cellTextDocuments: [0, 1, 2, 3, 4, 9].map((i) => ({ uri: cellUri(i) })),
    });
    const cleared = await s.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length === 0, { from });
    expect(cleared.diagnostics).toEqual([]);

    const asText = fileUri(path.join(REPO, 'test/fixtures/notebooks/project/analysis.ipynb'));
    const json = readFileSync(new URL(asText), 'utf8');
    for (const languageId of ['json', 'python']) {
      await s.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: asText, languageId, version: 1, text: json },
      });
    }
    const script = fileUri(path.join(ws, 'helpers.py'));
    const after = s.published.length;
    await s.open(script, readFileSync(new URL(script), 'utf8'));
    await s.waitForDiagnostics(script, () => true, { from: after });
    expect(s.published.filter((p) => p.uri === asText)).toEqual([]);
  });
});
