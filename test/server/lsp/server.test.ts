/**
 * The language server over a real stdio JSON-RPC connection (`node dist/server.js --stdio`), with a
 * real interpreter (python3), a `file:` requirements baseline and a conda channel mirror on disk
 * (file://): open, incremental edits, save, close, configuration changes, hover, code actions,
 * cancellation, a 2,000-line file and a 2,000-file workspace.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancellationTokenSource,
  CodeActionRequest,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  ErrorCodes,
  ExitNotification,
  FileChangeType,
  HoverRequest,
  InlayHintRequest,
  LSPErrorCodes,
  ResponseError,
  ShutdownRequest,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  FileVerdictsResult,
  GraphPayload,
  InstallFromMirrorArgs,
  RequestPackagesArgs,
  WorkspaceReportResult,
} from '../../../server/protocol';
import { fileUri, REPO, startLspSession, type LspSession } from '../../support/lspClient';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const MIRROR = pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString();

let tmp: string;
let ws: string;
let session: LspSession;
let cacheDir: string;

function settings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    baseline: `file:${path.join(ws, 'baseline.txt')}`,
    mirrors: [MIRROR],
    python: 'python3',
    cacheDir,
    ...extra,
  };
}

const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);
const msg = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-lsp-'));
  ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  cacheDir = path.join(tmp, 'cache');
});

afterAll(async () => {
  await session?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pyrats language server over stdio', () => {
  const analysis = () => path.join(ws, 'analysis.py');
  let text: string;

  it('initializes with incremental sync, hover and quick fixes', async () => {
    session = await startLspSession({ rootDir: ws, settings: settings() });
    const caps = session.initializeResult.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.hoverProvider).toBe(true);
    expect(caps.codeActionProvider).toMatchObject({ codeActionKinds: ['quickfix'] });
  });

  it('publishes one diagnostic per import that needs attention, on the imported name', async () => {
    text = readFileSync(analysis(), 'utf8');
    const uri = fileUri(analysis());
    await session.open(uri, text);
    const p = await session.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
    const ds = p.diagnostics;
    for (const d of ds) expect(d.source).toBe('pyrats');

    const missing = byCode(ds, 'pyrats.missing');
    expect(missing).toHaveLength(1);
    expect(missing[0].severity).toBe(DiagnosticSeverity.Error);
    const line = lineOf(text, 'import notarealpackage_xyz');
    expect(missing[0].range).toEqual({
      start: { line, character: 7 },
      end: { line, character: 7 + 'notarealpackage_xyz'.length },
    });

    const mirrorOnly = byCode(ds, 'pyrats.mirror-only');
    const names = mirrorOnly.map((d) =>
      text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character),
    );
    // `from M import n` marks the name (the ImportSite range); `import a.b` the dotted module
    expect(names.sort()).toEqual(['Dataset', 'cartopy.crs', 'xarray']);
    const cartopy = mirrorOnly.find((d) => msg(d).includes('cartopy'))!;
    expect(cartopy.severity).toBe(DiagnosticSeverity.Information); // guarded: one step milder
    for (const d of mirrorOnly.filter((x) => x !== cartopy))
      expect(d.severity).toBe(DiagnosticSeverity.Warning);

    // stdlib, baseline and local imports: no diagnostics by default
    const flagged = new Set(ds.map((d) => d.range.start.line));
    for (const quiet of ['import os', 'import json', 'import numpy', 'from scipy', 'import helpers']) {
      expect(flagged.has(lineOf(text, quiet))).toBe(false);
    }
    const summary = session.summaries.filter((s) => s.uri === uri).at(-1)!;
    expect(summary.baseline).toContain('baseline.txt');
    expect(summary.counts).toMatchObject({ missing: 1, mirror: 3, baseline: 2, local: 1 });
    expect(summary.counts.stdlib + summary.counts.builtin).toBe(2);
    expect(summary.trusted).toBe(true);
  });

  it('re-checks after incremental edits, with ranges that follow the text', async () => {
    const uri = fileUri(analysis());
    const mark = session.published.length;
    // insert a new import at the top: every later range moves down one line
    await session.change(uri, 2, [
      {
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
        text: 'import yaml_nowhere_42\n',
      },
    ]);
    const p = await session.waitForDiagnostics(uri, (d) => d.version === 2, { from: mark });
    const missing = byCode(p.diagnostics, 'pyrats.missing');
    expect(missing.map((d) => d.range.start)).toEqual([
      { line: 1, character: 7 },
      { line: lineOf(text, 'import notarealpackage_xyz') + 1, character: 7 },
    ]);
    // replace the name inside the new import (a mid-line edit): the module changes
    const mark2 = session.published.length;
    await session.change(uri, 3, [
      { range: { start: { line: 1, character: 7 }, end: { line: 1, character: 22 } }, text: 'numpy.linalg' },
    ]);
    const p2 = await session.waitForDiagnostics(uri, (d) => d.version === 3, { from: mark2 });
    expect(byCode(p2.diagnostics, 'pyrats.missing')).toHaveLength(1);
    // remove the line again
    const mark3 = session.published.length;
    await session.change(uri, 4, [
      { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' },
    ]);
    const p3 = await session.waitForDiagnostics(uri, (d) => d.version === 4, { from: mark3 });
    expect(byCode(p3.diagnostics, 'pyrats.missing')[0].range.start.line).toBe(
      lineOf(text, 'import notarealpackage_xyz'),
    );
  });

  it('a burst of edits is debounced: the last version wins and stale checks are dropped', async () => {
    const uri = fileUri(analysis());
    const mark = session.published.length;
    let version = 4;
    for (let i = 0; i < 20; i++) {
      version++;
      const chunk = i % 2 === 0 ? 'import burst_pkg_x\n' : '';
      const range =
        i % 2 === 0
          ? { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }
          : { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } };
      await session.change(uri, version, [{ range, text: chunk }]);
    }
    const last = await session.waitForDiagnostics(uri, (d) => d.version === version, { from: mark });
    expect(byCode(last.diagnostics, 'pyrats.missing')).toHaveLength(1);
    const after = session.published.slice(mark).filter((p) => p.uri === uri);
    expect(after.length).toBeLessThan(20);
    // versions only go up
    const versions = after.map((p) => p.version ?? 0);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('hover says where an import resolves, the baseline version and the mirror versions', async () => {
    const uri = fileUri(analysis());
    const xLine = lineOf(text, 'import xarray');
    const hover = await session.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: xLine, character: 9 },
    });
    const md = (hover?.contents as MarkupContent).value;
    expect(md).toContain('xarray');
    expect(md).toContain('only on the mirror');
    expect(md).toContain('conda-forge');
    expect(md).toContain('2024.1.1');
    expect(md).toMatch(/Why: /);

    const nLine = lineOf(text, 'import numpy');
    const h2 = await session.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: nLine, character: 8 },
    });
    const md2 = (h2?.contents as MarkupContent).value;
    expect(md2).toContain('in the baseline');
    expect(md2).toContain('1.24.2');
    expect(md2).toMatch(/resolves to `[^`]*numpy[^`]*`/);

    const nothing = await session.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: lineOf(text, 'def anomaly'), character: 5 },
    });
    expect(nothing).toBeNull();
  });

  it('offers request and graph quick fixes on a missing import', async () => {
    const uri = fileUri(analysis());
    const last = session.published.filter((p) => p.uri === uri).at(-1)!;
    const missing = byCode(last.diagnostics, 'pyrats.missing')[0];
    const actions = (await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: missing.range,
      context: { diagnostics: [missing] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    // only what is missing everywhere is counted (mirror-only imports are installed, not requested)
    expect(titles).toEqual([
      'Request this package: notarealpackage_xyz',
      'Request all missing packages in this file (1)',
      'Show in dependency graph: notarealpackage_xyz',
      // the script declares nothing yet: pinning writes a PEP 723 block (see pinAction.test.ts)
      "Add to the script's PEP 723 block (pin against baseline.txt)",
    ]);
    expect(actions.every((a) => a.kind === 'quickfix')).toBe(true);
    expect(actions[0].command?.command).toBe('pyrats.requestPackages');
    expect(actions[0].diagnostics).toHaveLength(1);
    const one = actions[0].command!.arguments![0] as RequestPackagesArgs;
    expect(one.uri).toBe(uri);
    expect(one.packages).toHaveLength(1);
    expect(one.packages[0]).toMatchObject({
      module: 'notarealpackage_xyz',
      kind: 'missing',
      line: missing.range.start.line,
    });
    expect(one.packages[0].lineText).toBe('import notarealpackage_xyz');
    const all = actions[1].command!.arguments![0] as RequestPackagesArgs;
    expect(all.packages.map((p) => p.kind)).toEqual(['missing']);
    expect(actions[2].command).toMatchObject({
      command: 'pyrats.showDependencyGraph',
      arguments: [{ uri, module: 'notarealpackage_xyz' }],
    });

    // on a stdlib import: only the graph action
    const osLine = lineOf(text, 'import os');
    const stdlib = (await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: osLine, character: 8 }, end: { line: osLine, character: 8 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    expect(stdlib.map((a) => a.title)).toEqual(['Show in dependency graph: os']);
  });

  it('offers install from the mirror (naming the channel) on a mirror-only import, and request for the baseline', async () => {
    const uri = fileUri(analysis());
    const xLine = lineOf(text, 'import xarray');
    const at = { start: { line: xLine, character: 8 }, end: { line: xLine, character: 8 } };
    const actions = (await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: at,
      context: { diagnostics: [] },
    })) as CodeAction[];
    expect(actions.map((a) => a.title)).toEqual([
      'Install xarray from the mirror (conda-forge)',
      'Request xarray for the baseline',
      'Request all missing packages in this file (1)',
      'Show in dependency graph: xarray',
    ]);
    expect(actions[0].isPreferred).toBe(true);
    expect(actions[0].command?.command).toBe('pyrats.installFromMirror');
    const args = actions[0].command!.arguments![0] as InstallFromMirrorArgs;
    expect(args.uri).toBe(uri);
    expect(args.packages).toEqual([
      {
        module: 'xarray',
        name: 'xarray',
        kind: 'conda',
        source: MIRROR,
        label: 'conda-forge',
        version: '2024.1.1',
      },
    ]);
  });

  it('shows versions inline: inlay hints after each third-party import, none for stdlib or local', async () => {
    const uri = fileUri(analysis());
    const lines = text.split('\n');
    const hints = await session.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
    });
    const byLine = new Map((hints ?? []).map((h) => [h.position.line, h]));
    const label = (needle: string) => byLine.get(lineOf(text, needle))?.label;
    expect(label('import numpy')).toBe('numpy 1.24.2 · baseline');
    expect(label('from scipy import stats')).toBe('scipy 1.10.1 · baseline');
    // "(probably)" when only a same-name match backs the channel's xarray (issue 15's evidence rules)
    expect(label('import xarray')).toMatch(/^mirror: conda-forge 2024\.1\.1( \(probably\))?$/);
    expect(label('import notarealpackage_xyz')).toBe('missing');
    expect(label('import os')).toBeUndefined();
    expect(label('import helpers')).toBeUndefined();
    // the hint sits right after the imported name
    const n = byLine.get(lineOf(text, 'import numpy'))!;
    expect(lines[n.position.line].slice(0, n.position.character)).toBe('import numpy');
    // a range that covers only the xarray line gets only its hint
    const xLine = lineOf(text, 'import xarray');
    const one = await session.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range: { start: { line: xLine, character: 0 }, end: { line: xLine, character: 99 } },
    });
    expect(one?.map((h) => h.label)).toEqual([label('import xarray')]);

    // the setting turns them off (and back on) without a restart
    const count = async () =>
      (
        await session.connection.sendRequest(InlayHintRequest.type, {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
        })
      )?.length ?? 0;
    const until = async (want: (n: number) => boolean) => {
      const deadline = Date.now() + 20_000;
      let n = await count();
      while (!want(n) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        n = await count();
      }
      return n;
    };
    session.settings = settings({ inlayHints: false });
    await session.configurationChanged();
    expect(await until((n) => n === 0)).toBe(0);
    session.settings = settings();
    await session.configurationChanged();
    expect(await until((n) => n > 0)).toBe(hints!.length);
  });

  it('answers pyrats/fileVerdicts for an open file and for a file on disk', async () => {
    const open = (await session.connection.sendRequest('pyrats/fileVerdicts', {
      uri: fileUri(analysis()),
    })) as FileVerdictsResult;
    expect(open.baseline).toContain('baseline.txt');
    expect(open.imports.map((v) => `${v.topLevel}:${v.kind}`)).toEqual([
      'os:stdlib',
      'json:stdlib',
      'numpy:baseline',
      'scipy:baseline',
      'xarray:mirror',
      'netCDF4:mirror',
      'helpers:local',
      'cartopy:mirror',
      'notarealpackage_xyz:missing',
    ]);
    const cartopy = open.imports.find((v) => v.topLevel === 'cartopy')!;
    expect(cartopy).toMatchObject({ guarded: 'try', code: 'pyrats.mirror-only', distribution: 'cartopy' });
    expect(cartopy.mirror[0]).toMatchObject({
      kind: 'conda',
      label: 'conda-forge',
      name: 'cartopy',
      versions: ['0.22.0', '0.23.0'],
    });
    const disk = (await session.connection.sendRequest('pyrats/fileVerdicts', {
      uri: fileUri(path.join(ws, 'helpers.py')),
    })) as FileVerdictsResult;
    expect(disk.imports.map((v) => v.module)).toEqual(['math']);
    // compiled in or an extension module in lib-dynload, depending on how the interpreter was built
    expect(['stdlib', 'builtin']).toContain(disk.imports[0].kind);
  });

  it('answers pyrats/dependencyGraph with the follow graph and verdicts', async () => {
    const uri = fileUri(analysis());
    const payload = (await session.connection.sendRequest('pyrats/dependencyGraph', {
      uri,
      scope: 'script',
    })) as GraphPayload;
    const byRel = new Map(payload.graph.nodes.map((n) => [n.rel, n]));
    expect(byRel.get('analysis.py')?.verdict).toBe('local');
    expect(byRel.get('helpers.py')?.verdict).toBe('local');
    expect(byRel.get('notarealpackage_xyz')?.verdict).toBe('missing');
    expect([...byRel.values()].find((n) => n.rel.startsWith('xarray'))?.verdict).toBe('mirror');
    expect(payload.roots).toHaveLength(1);
    const bad = await session.connection
      .sendRequest('pyrats/dependencyGraph', { uri: 'untitled:Untitled-1', scope: 'script' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(bad).toBeInstanceOf(ResponseError);
  });

  it('configuration changes re-check open files (severity, baseline)', async () => {
    const uri = fileUri(analysis());
    let mark = session.published.length;
    session.settings = settings({ severity: { missing: 'hint', mirrorOnly: 'none' } });
    await session.configurationChanged();
    const p = await session.waitForDiagnostics(
      uri,
      (d) => byCode(d.diagnostics, 'pyrats.missing')[0]?.severity === DiagnosticSeverity.Hint,
      { from: mark },
    );
    // mirrorOnly: none → only the guarded mirror import keeps its (information) diagnostic
    expect(byCode(p.diagnostics, 'pyrats.mirror-only').map((d) => d.severity)).toEqual([
      DiagnosticSeverity.Information,
    ]);

    // a baseline that has xarray: it is no longer mirror-only
    const wider = path.join(ws, 'baseline-wider.txt');
    writeFileSync(wider, 'numpy==1.24.2\nscipy==1.10.1\nxarray==2023.1.0\n');
    mark = session.published.length;
    session.settings = settings({ baseline: `file:${wider}` });
    await session.configurationChanged();
    const p2 = await session.waitForDiagnostics(
      uri,
      (d) => byCode(d.diagnostics, 'pyrats.mirror-only').length === 2,
      { from: mark },
    );
    expect(p2.diagnostics.some((d) => msg(d).includes('xarray'))).toBe(false);
    session.settings = settings();
    mark = session.published.length;
    await session.configurationChanged();
    await session.waitForDiagnostics(uri, (d) => byCode(d.diagnostics, 'pyrats.mirror-only').length === 3, {
      from: mark,
    });
  });

  it('a new local module (created on disk, then saved) resolves the missing import', async () => {
    const uri = fileUri(analysis());
    const mark = session.published.length;
    const created = path.join(ws, 'notarealpackage_xyz.py');
    writeFileSync(created, 'VALUE = 1\n');
    await session.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(created), type: FileChangeType.Created }],
    });
    await session.save(fileUri(created));
    const p = await session.waitForDiagnostics(
      uri,
      (d) => byCode(d.diagnostics, 'pyrats.missing').length === 0,
      {
        from: mark,
      },
    );
    expect(byCode(p.diagnostics, 'pyrats.mirror-only')).toHaveLength(3);
    rmSync(created);
    const mark2 = session.published.length;
    await session.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(created), type: FileChangeType.Deleted }],
    });
    await session.waitForDiagnostics(uri, (d) => byCode(d.diagnostics, 'pyrats.missing').length === 1, {
      from: mark2,
    });
  });

  it('closing a file clears its diagnostics', async () => {
    const uri = fileUri(analysis());
    const mark = session.published.length;
    await session.close(uri);
    const p = await session.waitForDiagnostics(uri, (d) => d.diagnostics.length === 0, { from: mark });
    expect(p.diagnostics).toEqual([]);
  });

  it('a deleted file that is not open has its diagnostics cleared; an over-large file says so', async () => {
    const gone = fileUri(path.join(ws, 'was_here.py'));
    let mark = session.published.length;
    await session.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: gone, type: FileChangeType.Deleted }],
    });
    expect((await session.waitForDiagnostics(gone, () => true, { from: mark })).diagnostics).toEqual([]);

    const huge = fileUri(path.join(ws, 'huge.py'));
    mark = session.published.length;
    await session.open(huge, `import numpy\n${'x = 1\n'.repeat(1_000_000)}`);
    const p = await session.waitForDiagnostics(huge, () => true, { from: mark, timeoutMs: 60_000 });
    expect(p.diagnostics.map((d) => d.code)).toEqual(['pyrats.too-large']);
    expect(msg(p.diagnostics[0])).toMatch(/File too large to check its imports: 5\.7 MiB \(limit 5\.0 MiB\)/);
    await session.close(huge);
  });

  it('a 2,000-line file: diagnostics after open and after an edit in the middle', async () => {
    const big = path.join(ws, 'big_script.py');
    const lines: string[] = ['import os', 'import numpy', 'import xarray'];
    for (let i = 0; lines.length < 2000; i++) {
      if (i % 50 === 0) lines.push(`import missing_mod_${i}`);
      else lines.push(`def f${i}(x):\n    return os.path.join(str(x), "${i}")`.split('\n')[i % 2]);
    }
    const content = `${lines.join('\n')}\n`;
    expect(content.split('\n').length - 1).toBe(2000);
    writeFileSync(big, content);
    const uri = fileUri(big);
    const mark = session.published.length;
    await session.open(uri, content, 1);
    const p = await session.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0, { from: mark });
    const missingCount = lines.filter((l) => l.startsWith('import missing_mod_')).length;
    expect(byCode(p.diagnostics, 'pyrats.missing')).toHaveLength(missingCount);
    const mark2 = session.published.length;
    await session.change(uri, 2, [
      {
        range: { start: { line: 1000, character: 0 }, end: { line: 1000, character: 0 } },
        text: 'import zz_new_missing\n',
      },
    ]);
    const p2 = await session.waitForDiagnostics(uri, (d) => d.version === 2, { from: mark2 });
    const m2 = byCode(p2.diagnostics, 'pyrats.missing');
    expect(m2).toHaveLength(missingCount + 1);
    expect(m2.some((d) => d.range.start.line === 1000 && msg(d).includes('zz_new_missing'))).toBe(true);
    await session.close(uri);
  });
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

describe('relative paths in settings', () => {
  const analysis = () => path.join(ws, 'analysis.py');
  it("file:baseline.txt is the workspace folder's file, wherever the editor started the server", async () => {
    const s = await startLspSession({ rootDir: ws, settings: settings({ baseline: 'file:baseline.txt' }) });
    try {
      expect(existsSync(path.join(process.cwd(), 'baseline.txt'))).toBe(false);
      const uri = fileUri(analysis());
      await s.open(uri, readFileSync(analysis(), 'utf8'));
      await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
      const summary = s.summaries.filter((x) => x.uri === uri).at(-1)!;
      expect(summary.problems).toEqual([]);
      expect(summary.baseline).toBe('baseline.txt');
      expect(summary.counts).toMatchObject({ baseline: 2, mirror: 3, missing: 1 });
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

describe('settings problems', () => {
  it('are logged once per folder, naming the folder, even when files are opened while its settings are read', async () => {
    const s = await startLspSession({
      rootDir: ws,
      settings: settings({ debounceMs: 'soon', severity: 'high' }),
    });
    try {
      const uris = ['a.py', 'b.py', 'c.py'].map((f) => fileUri(path.join(ws, 'settings-problems', f)));
      for (const uri of uris) await s.open(uri, 'import nothere_s\n');
      for (const uri of uris) await s.waitForDiagnostics(uri, (d) => d.diagnostics.length === 1);
      const warned = s.logs.filter((l) => l.includes('pyrats.debounceMs'));
      expect(warned).toEqual([
        `${fileUri(ws)}: setting pyrats.debounceMs must be a number of milliseconds ≥ 0; ignored`,
      ]);
      expect(s.logs.filter((l) => l.includes('setting pyrats.severity must be an object'))).toHaveLength(1);
    } finally {
      await s.stop();
    }
  });
});
