/**
 * The language server at its edges, over a real stdio JSON-RPC connection with python3, a `file:`
 * baseline and a conda mirror on disk: a 2,000-file workspace, several folders, clients that push
 * settings, an untrusted workspace, an analyzer rebuilt under open documents, a mirror that never
 * answers, UTF-16 positions, documents that are not files, differently encoded URIs, a folder that
 * does not exist, life cycle and out-of-order messages.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancellationTokenSource,
  DidChangeConfigurationNotification,
  DidChangeWorkspaceFoldersNotification,
  ErrorCodes,
  ExitNotification,
  HoverRequest,
  LSPErrorCodes,
  ResponseError,
  ShutdownRequest,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { GraphPayload, WorkspaceReportResult } from '../../../server/protocol';
import { fileUri, startLspSession, type LspSession } from '../../support/lspClient';
import { byCode, lspSettings, copyLspWorkspace } from '../../support/lspFixture';

let tmp: string;
let ws: string;
let cacheDir: string;

const settings = (extra: Record<string, unknown> = {}) => lspSettings(ws, cacheDir, extra);

beforeAll(() => {
  ({ tmp, ws, cacheDir } = copyLspWorkspace());
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('a 2,000-file workspace', () => {
  let big: string;
  let s: LspSession;

  beforeAll(async () => {
    big = path.join(tmp, 'many');
    for (let pkg = 0; pkg < 20; pkg++) {
      const dir = path.join(big, `pkg${pkg}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100; i++) {
        writeFileSync(
          path.join(dir, `mod${i}.py`),
          `import os\nimport numpy\nimport xarray\nimport nowhere_${i % 7}\nfrom . import mod${(i + 1) % 100}\n`,
        );
      }
      writeFileSync(path.join(dir, '__init__.py'), '');
    }
    s = await startLspSession({ rootDir: big, settings: settings() });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('reports every file through pyrats/workspaceReport', async () => {
    const report = (await s.connection.sendRequest('pyrats/workspaceReport', {})) as WorkspaceReportResult;
    expect(report.folders).toHaveLength(1);
    const f = report.folders[0];
    expect(f.files).toHaveLength(2020);
    expect(f.counts.missing).toBe(2000);
    expect(f.counts.mirror).toBe(2000);
    expect(f.counts.baseline).toBe(2000);
    expect(f.counts.local).toBe(2000);
  });

  it('cancels a running workspace report', async () => {
    const cts = new CancellationTokenSource();
    const pending = s.connection.sendRequest('pyrats/workspaceReport', {}, cts.token);
    setImmediate(() => cts.cancel());
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError<unknown>).code).toBe(LSPErrorCodes.RequestCancelled);
    // the server still answers afterwards
    const again = (await s.connection.sendRequest('pyrats/workspaceReport', {})) as WorkspaceReportResult;
    expect(again.folders[0].files).toHaveLength(2020);
  });

  it('keeps diagnostics for 2,000 open files', async () => {
    const files: string[] = [];
    for (let pkg = 0; pkg < 20; pkg++)
      for (let i = 0; i < 100; i++) files.push(path.join(big, `pkg${pkg}`, `mod${i}.py`));
    const mark = s.published.length;
    for (const f of files) await s.open(fileUri(f), readFileSync(f, 'utf8'));
    const last = fileUri(files.at(-1)!);
    await s.waitForDiagnostics(last, (d) => d.diagnostics.length > 0, { from: mark, timeoutMs: 60_000 });
    const seen = new Set(s.published.slice(mark).map((p) => p.uri));
    expect(seen.size).toBe(2000);
  });
});

describe('several workspace folders', () => {
  it('keeps one analyzer per folder, with its own settings, and follows folder changes', async () => {
    const a = path.join(tmp, 'folder-a');
    const b = path.join(tmp, 'folder-b');
    const c = path.join(tmp, 'folder-c');
    for (const d of [a, b, c]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, 'script.py'), 'import numpy\nimport xarray\n');
    }
    writeFileSync(path.join(a, 'baseline.txt'), 'numpy==1.24.2\nxarray==2023.1.0\n');
    writeFileSync(path.join(b, 'baseline.txt'), 'numpy==1.24.2\n');
    writeFileSync(path.join(c, 'baseline.txt'), '');
    const s = await startLspSession({ rootDir: a, extraFolders: [b], settings: settings() });
    try {
      for (const d of [a, b, c])
        s.folderSettings[fileUri(d)] = settings({ baseline: `file:${path.join(d, 'baseline.txt')}` });
      const kinds = async (d: string) => {
        const uri = fileUri(path.join(d, 'script.py'));
        const mark = s.published.length;
        await s.open(uri, readFileSync(path.join(d, 'script.py'), 'utf8'));
        await s.waitForDiagnostics(uri, () => true, { from: mark });
        const summary = s.summaries.filter((x) => x.uri === uri).at(-1)!;
        return { baseline: summary.baseline, counts: summary.counts };
      };
      expect(await kinds(a)).toMatchObject({ counts: { baseline: 2, mirror: 0 } });
      expect(await kinds(b)).toMatchObject({ counts: { baseline: 1, mirror: 1 } });
      // a folder added at run time gets its own settings too
      await s.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
        event: { added: [{ uri: fileUri(c), name: 'folder-c' }], removed: [] },
      });
      const third = await kinds(c);
      expect(third.baseline).toContain('baseline.txt');
      expect(third.counts).toMatchObject({ baseline: 0, mirror: 1, missing: 1 }); // numpy: not on the fixture mirror
    } finally {
      await s.stop();
    }
  });
});

describe('clients that push settings (no workspace/configuration)', () => {
  it('uses initializationOptions / didChangeConfiguration settings', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings(), pullConfiguration: false });
    try {
      const uri = fileUri(path.join(ws, 'analysis.py'));
      await s.open(uri, readFileSync(path.join(ws, 'analysis.py'), 'utf8'));
      const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
      expect(byCode(p.diagnostics, 'pyrats.missing')).toHaveLength(1);
      expect(byCode(p.diagnostics, 'pyrats.mirror-only')).toHaveLength(3);
    } finally {
      await s.stop();
    }
  });
});

describe('clients that push settings without the "pyrats" section around them', () => {
  it('reads the settings at the top level and says so', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings(), pullConfiguration: false });
    try {
      const flatBaseline = path.join(tmp, 'flat-baseline.txt');
      writeFileSync(flatBaseline, 'numpy==1.24.2\nxarray==2023.1.0\n');
      await s.connection.sendNotification(DidChangeConfigurationNotification.type, {
        settings: settings({ baseline: `file:${flatBaseline}` }),
      });
      const uri = fileUri(path.join(ws, 'flat.py'));
      await s.open(uri, 'import xarray\nimport nothere_flat\n');
      await s.waitForDiagnostics(uri, (d) => d.diagnostics.length === 1);
      expect(s.summaries.filter((x) => x.uri === uri).at(-1)!.baseline).toBe('flat-baseline.txt');
      expect(s.logs.join('\n')).toContain(
        'workspace/didChangeConfiguration settings has baseline, mirrors, python, cacheDir at the top level, not under "pyrats"',
      );
    } finally {
      await s.stop();
    }
  });
});

describe('untrusted workspace (settings.trusted = false)', () => {
  it('runs no baseline interpreter or module named by settings, and says so in the summary', async () => {
    // An "interpreter" that leaves a mark when anything runs it.
    const marker = path.join(tmp, 'interpreter-ran');
    const fake = path.join(tmp, 'fake-python');
    writeFileSync(fake, `#!/bin/sh\ntouch '${marker}'\nexec python3 "$@"\n`, { mode: 0o755 });
    const s = await startLspSession({
      rootDir: ws,
      settings: settings({ baseline: `python:${fake}`, trusted: false }),
    });
    try {
      const uri = fileUri(path.join(ws, 'analysis.py'));
      await s.open(uri, readFileSync(path.join(ws, 'analysis.py'), 'utf8'));
      await s.waitForDiagnostics(uri);
      const summary = s.summaries.filter((x) => x.uri === uri).at(-1)!;
      expect(summary.trusted).toBe(false);
      expect(summary.problems.join('\n')).toMatch(/not trusted/);
      expect(existsSync(marker)).toBe(false);

      // once trusted, the same settings run it
      s.settings = { ...s.settings, trusted: true };
      const mark = s.published.length;
      await s.configurationChanged();
      await s.waitForDiagnostics(uri, () => true, { from: mark });
      expect(existsSync(marker)).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('with a file: baseline, the client-vetted interpreter still tells stdlib and local imports apart', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings({ trusted: false }) });
    try {
      const uri = fileUri(path.join(ws, 'analysis.py'));
      await s.open(uri, readFileSync(path.join(ws, 'analysis.py'), 'utf8'));
      const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
      expect(byCode(p.diagnostics, 'pyrats.missing')).toHaveLength(1);
      const summary = s.summaries.filter((x) => x.uri === uri).at(-1)!;
      expect(summary.trusted).toBe(false);
      expect(summary.counts).toMatchObject({ missing: 1, mirror: 3, baseline: 2, local: 1 });
    } finally {
      await s.stop();
    }
  });
});

describe('an analyzer rebuilt under open documents', () => {
  const failures = (s: LspSession) => s.logs.filter((l) => /checking .* failed/.test(l));

  it('edits after a baseline change (new analyzer, new parser) are checked, not lost to a dead parser', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    try {
      const uri = fileUri(path.join(ws, 'rebuilt.py'));
      await s.open(uri, 'import os\nimport nothere_before\n');
      await s.waitForDiagnostics(uri, (d) => byCode(d.diagnostics, 'pyrats.missing').length === 1);
      const wider = path.join(tmp, 'baseline-rebuilt.txt');
      writeFileSync(wider, 'numpy==1.24.2\n');
      let mark = s.published.length;
      s.settings = settings({ baseline: `file:${wider}` });
      await s.configurationChanged();
      await s.waitForDiagnostics(uri, () => true, { from: mark });
      // typing after the rebuild: the tree of the old parser must not be re-parsed by a freed parser
      for (let v = 2; v <= 4; v++) {
        mark = s.published.length;
        await s.change(uri, v, [
          {
            range: { start: { line: v, character: 0 }, end: { line: v, character: 0 } },
            text: `import typed_${v}\n`,
          },
        ]);
        const p = await s.waitForDiagnostics(uri, (d) => d.version === v, { from: mark });
        expect(byCode(p.diagnostics, 'pyrats.missing').map((d) => d.range.start.line)).toEqual(
          Array.from({ length: v }, (_, i) => i + 1),
        );
      }
      expect(failures(s)).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('a removed workspace folder: its open file is checked by the analyzer of its directory, edits too', async () => {
    const dir = path.join(tmp, 'removed-folder');
    mkdirSync(dir, { recursive: true });
    const s = await startLspSession({ rootDir: ws, extraFolders: [dir], settings: settings() });
    try {
      const uri = fileUri(path.join(dir, 'script.py'));
      await s.open(uri, 'import nothere_one\n');
      await s.waitForDiagnostics(uri, (d) => d.diagnostics.length === 1);
      await s.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
        event: { added: [], removed: [{ uri: fileUri(dir), name: 'removed-folder' }] },
      });
      const mark = s.published.length;
      await s.change(uri, 2, [
        {
          range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
          text: 'import nothere_two\n',
        },
      ]);
      const p = await s.waitForDiagnostics(uri, (d) => d.version === 2, { from: mark });
      expect(p.diagnostics.map((d) => d.range.start.line)).toEqual([0, 1]);
      expect(failures(s)).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});

describe('a mirror that never answers', () => {
  const analysis = () => path.join(ws, 'analysis.py');
  let silent: Server;
  const sockets = new Set<Socket>();
  let mirrorUrl: string;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    mirrorUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/conda-forge`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('requests waiting for the analyzer are cancelled at once; diagnostics come after the mirror timeout', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings({ mirrors: [mirrorUrl] }) });
    try {
      const timedOut = () => s.logs.some((l) => l.includes(mirrorUrl) && /no complete answer/.test(l));
      const cancelledAnswer = async (method: string, params: object) => {
        const cts = new CancellationTokenSource();
        const pending = s.connection.sendRequest(method, params, cts.token);
        setImmediate(() => cts.cancel());
        const err = await pending.then(
          () => undefined,
          (e: unknown) => e,
        );
        // answered while the analyzer is still waiting for the mirror
        expect(timedOut()).toBe(false);
        expect(err).toBeInstanceOf(ResponseError);
        expect((err as ResponseError<unknown>).code).toBe(LSPErrorCodes.RequestCancelled);
      };
      await cancelledAnswer('pyrats/workspaceReport', {});
      await cancelledAnswer('pyrats/fileVerdicts', { uri: fileUri(path.join(ws, 'helpers.py')) });
      await cancelledAnswer('pyrats/dependencyGraph', { uri: fileUri(analysis()), scope: 'script' });

      // what can be analysed still is, and the problem names the mirror
      const uri = fileUri(analysis());
      await s.open(uri, readFileSync(analysis(), 'utf8'));
      const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0, { timeoutMs: 60_000 });
      expect(byCode(p.diagnostics, 'pyrats.missing').length).toBeGreaterThan(0);
      const summary = s.summaries.filter((x) => x.uri === uri).at(-1)!;
      expect(summary.counts).toMatchObject({ baseline: 2, local: 1 });
      expect(summary.problems.join('\n')).toContain(mirrorUrl);
      expect(timedOut()).toBe(true);
      // while it waited, the log said what for (before the mirror's timeout was reported)
      const still = s.logs.findIndex((l) => /still loading after \d+ s/.test(l) && l.includes(mirrorUrl));
      expect(still).toBeGreaterThanOrEqual(0);
      expect(still).toBeLessThan(s.logs.findIndex((l) => /no complete answer/.test(l)));
      expect(s.logs.some((l) => /loaded after \d+\.\d s/.test(l))).toBe(true);

      // a refresh asks the silent mirror again: cancelling it answers before that times out too
      const timeouts = () =>
        s.logs.filter((l) => l.includes(mirrorUrl) && /no complete answer/.test(l)).length;
      const before = timeouts();
      const cts = new CancellationTokenSource();
      const refresh = s.connection.sendRequest('pyrats/refreshMirrorIndex', {}, cts.token);
      setImmediate(() => cts.cancel());
      const err = await refresh.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as ResponseError<unknown>).code).toBe(LSPErrorCodes.RequestCancelled);
      expect(timeouts()).toBe(before);
    } finally {
      await s.stop();
    }
  }, 90_000);
});

describe('positions (UTF-16, every LSP line break)', () => {
  it('diagnostics and hovers sit exactly on the imported name after non-BMP and combining characters, CRLF and lone CR line ends', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    try {
      const text =
        's = "😀😀"; import nothere_emoji\r\n' +
        'x = "e\u0301\u0301"; import nothere_combining\r\r\n' +
        'import os\rimport nothere_cr\n' +
        '"""😀\r\n"""; from nothere_pkg import (\r\n    name_𝔡 as n)\n';
      const uri = fileUri(path.join(ws, 'positions.py'));
      await s.open(uri, text);
      const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
      const doc = TextDocument.create(uri, 'python', 1, text);
      const marked = p.diagnostics.map((d) => `${d.range.start.line}:${doc.getText(d.range)}`);
      expect(marked).toEqual(['0:nothere_emoji', '1:nothere_combining', '4:nothere_cr', '7:name_𝔡']);
      for (const d of p.diagnostics) {
        const middle = { line: d.range.start.line, character: d.range.start.character + 1 };
        const hover = await s.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri },
          position: middle,
        });
        expect(hover?.range).toEqual(d.range);
      }
    } finally {
      await s.stop();
    }
  });
});

describe('documents that are not files (untitled:, notebook cells)', () => {
  it("are checked with their workspace folder's settings and local modules", async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    try {
      const folderBaseline = path.join(tmp, 'folder-baseline.txt');
      writeFileSync(folderBaseline, 'numpy==1.24.2\nxarray==2023.1.0\n');
      s.folderSettings[fileUri(ws)] = settings({ baseline: `file:${folderBaseline}` });
      const text = 'import helpers\nimport xarray\nimport nothere_cell\n';
      const summaryOf = async (uri: string) => {
        await s.open(uri, text);
        const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
        return { diagnostics: p.diagnostics, summary: s.summaries.filter((x) => x.uri === uri).at(-1)! };
      };
      const untitled = await summaryOf('untitled:Untitled-1');
      expect(untitled.summary.baseline).toBe('folder-baseline.txt');
      expect(untitled.summary.counts).toMatchObject({ local: 1, baseline: 1, missing: 1 });

      const cell = `vscode-notebook-cell:${pathToFileURL(path.join(ws, 'notebook.ipynb')).pathname}#W0sZmlsZQ%3D%3D`;
      const notebook = await summaryOf(cell);
      expect(notebook.summary.baseline).toBe('folder-baseline.txt');
      expect(notebook.summary.counts).toMatchObject({ local: 1, baseline: 1, missing: 1 });
      expect(notebook.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([['pyrats.missing', 2]]);
      // the graph of a cell is its notebook's, followed from the notebook on disk (issue 17)
      const notebookFile = path.join(ws, 'notebook.ipynb');
      const cellJson = { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: text };
      writeFileSync(
        notebookFile,
        JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cellJson] }),
      );
      try {
        const graph = (await s.connection.sendRequest('pyrats/dependencyGraph', {
          uri: cell,
          scope: 'script',
        })) as GraphPayload;
        const nb = graph.graph.nodes.find((n) => n.rel === 'notebook.ipynb');
        expect(nb).toMatchObject({ source: true, notebook: true });
        expect(graph.graph.edges.some((e) => e.from === nb!.id && e.to.endsWith('helpers.py'))).toBe(true);
        const err = await s.connection
          .sendRequest('pyrats/dependencyGraph', { uri: 'untitled:Untitled-1', scope: 'script' })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect((err as ResponseError<unknown>).message).toContain('not a file URI');
      } finally {
        rmSync(notebookFile, { force: true });
      }
    } finally {
      await s.stop();
    }
  });
});

describe('URIs percent-encoded differently by the client', () => {
  it('a document belongs to its workspace folder whether "@" and ":" are encoded or not', async () => {
    const dir = path.join(tmp, 'user@host:proj');
    mkdirSync(dir, { recursive: true });
    // VS Code's URI.toString() encodes "@" and ":"; Node's pathToFileURL (and many clients) do not
    const encoded = fileUri(dir)
      .replace(/@/g, '%40')
      .replace(/:(?!\/\/)/g, (m, at: number) => (at > 5 ? '%3A' : m));
    expect(encoded).toContain('%40host%3Aproj');
    const folderBaseline = path.join(tmp, 'encoded-folder-baseline.txt');
    writeFileSync(folderBaseline, 'xarray==2023.1.0\n');
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    try {
      s.folderSettings[encoded] = settings({ baseline: `file:${folderBaseline}` });
      await s.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, {
        event: { added: [{ uri: encoded, name: 'proj' }], removed: [] },
      });
      const uri = fileUri(path.join(dir, 'script.py'));
      expect(uri).toContain('user@host:proj');
      await s.open(uri, 'import xarray\n');
      await s.waitForDiagnostics(uri);
      expect(s.summaries.filter((x) => x.uri === uri).at(-1)!.baseline).toBe('encoded-folder-baseline.txt');
    } finally {
      await s.stop();
    }
  });
});

describe('a workspace folder that does not exist', () => {
  it('is checked without a crash; the workspace report names the problem and refuses folders that are not file: URIs', async () => {
    const gone = path.join(tmp, 'no-such-folder');
    const s = await startLspSession({ rootDir: gone, settings: settings() });
    try {
      const uri = fileUri(path.join(gone, 'script.py'));
      await s.open(uri, 'import os\nimport nothere_gone\n');
      const p = await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
      expect(p.diagnostics.map((d) => d.code)).toEqual(['pyrats.missing']);
      const report = (await s.connection.sendRequest('pyrats/workspaceReport', {})) as WorkspaceReportResult;
      expect(report.folders).toHaveLength(1);
      expect(report.folders[0].files).toEqual([]);
      expect(report.folders[0].skipped).toEqual([
        { uri: fileUri(gone), reason: 'workspace folder: no such file or directory (ENOENT)' },
      ]);
      expect(report.folders[0].problems).toContain(
        `${gone}: workspace folder: no such file or directory (ENOENT)`,
      );
      // a folder that is not a file: URI is refused (it was reported as the server's working directory)
      for (const folderUri of ['untitled:Untitled-1', 'not a uri', 42]) {
        const err = await s.connection.sendRequest('pyrats/workspaceReport', { folderUri }).then(
          () => undefined,
          (e: unknown) => e as ResponseError<unknown>,
        );
        expect(err?.code).toBe(ErrorCodes.InvalidParams);
        expect(err?.message).toBe(`not a file URI of a folder: ${JSON.stringify(folderUri)}`);
      }
    } finally {
      await s.stop();
    }
  });
});

describe('life cycle and out-of-order messages', () => {
  const analysis = () => path.join(ws, 'analysis.py');
  it('a change with a stale version is applied in arrival order and logged', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    try {
      const uri = fileUri(path.join(ws, 'versions.py'));
      await s.open(uri, 'import nothere_v\n', 5);
      await s.waitForDiagnostics(uri, (d) => d.version === 5);
      const mark = s.published.length;
      await s.change(uri, 3, [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          text: 'import nothere_w\n',
        },
      ]);
      const p = await s.waitForDiagnostics(uri, (d) => d.version === 3, { from: mark });
      expect(p.diagnostics.map((d) => d.range.start.line)).toEqual([0, 1]);
      expect(s.logs.join('\n')).toContain(`${uri}: change to version 3 arrived after version 5`);
    } finally {
      await s.stop();
    }
  });

  it('after shutdown, requests fail with InvalidRequest and opened files are not checked; exit ends with 0', async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings() });
    const uri = fileUri(analysis());
    await s.open(uri, readFileSync(analysis(), 'utf8'));
    await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
    await s.connection.sendRequest(ShutdownRequest.type);
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => (e as ResponseError<unknown>).code,
      );
    expect(
      await refused(
        s.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri },
          position: { line: 6, character: 9 },
        }),
      ),
    ).toBe(ErrorCodes.InvalidRequest);
    const late = fileUri(path.join(ws, 'late.py'));
    await s.open(late, 'import nothere_late\n');
    expect(await refused(s.connection.sendRequest('pyrats/fileVerdicts', { uri: late }))).toBe(
      ErrorCodes.InvalidRequest,
    );
    const exited = new Promise<number | null>((r) => s.process.once('exit', (code) => r(code)));
    await s.connection.sendNotification(ExitNotification.type);
    expect(await exited).toBe(0);
    expect(s.published.some((p) => p.uri === late)).toBe(false);
    s.connection.dispose();
  });
});
