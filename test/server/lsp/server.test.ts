/**
 * The language server over a real stdio JSON-RPC connection (`node dist/server.js --stdio`), with a
 * real interpreter (python3), a `file:` requirements baseline and a conda channel mirror on disk
 * (file://): open, incremental edits, save, close, configuration changes, hover, code actions,
 * cancellation, a 2,000-line file, relative paths in settings and settings problems. The server at
 * its edges (big and several workspaces, clients that push settings, trust, positions, odd URIs,
 * life cycle) is in serverEdgeCases.test.ts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  HoverRequest,
  InlayHintRequest,
  ResponseError,
  type CodeAction,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import {} from 'vscode-languageserver-textdocument';
import type {
  FileVerdictsResult,
  GraphPayload,
  InstallFromMirrorArgs,
  RequestPackagesArgs,
} from '../../../server/protocol';
import { fileUri, startLspSession, type LspSession } from '../../support/lspClient';
import { byCode, lineOf, LSP_MIRROR, lspSettings, msg, copyLspWorkspace } from '../../support/lspFixture';

let tmp: string;
let ws: string;
let session: LspSession;
let cacheDir: string;

const settings = (extra: Record<string, unknown> = {}) => lspSettings(ws, cacheDir, extra);

beforeAll(() => {
  ({ tmp, ws, cacheDir } = copyLspWorkspace());
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
        source: LSP_MIRROR,
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
