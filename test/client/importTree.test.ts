/**
 * The PyRats view's tree (client/importTree.ts) over the real language server's workspace report
 * of the fixture workspace (file: baseline numpy/scipy/matplotlib, the fixture conda channel):
 * verdict groups in the order a user acts on them, packages with counts and what the verdict says,
 * sites sorted by file and line, and the filter by text and by verdict.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImportTree, VERDICT_ORDER } from '../../client/importTree';
import type { WorkspaceReportResult } from '../../server/protocol';
import { REPO, startLspSession, type LspSession } from '../support/lspClient';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');

let tmp: string;
let session: LspSession;
let report: WorkspaceReportResult;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-import-tree-'));
  const ws = path.join(tmp, 'workspace');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  session = await startLspSession({
    rootDir: ws,
    settings: {
      baseline: `file:${path.join(ws, 'baseline.txt')}`,
      mirrors: [pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString()],
      python: 'python3',
      cacheDir: path.join(tmp, 'cache'),
    },
  });
  report = (await session.connection.sendRequest('pyrats/workspaceReport', {})) as WorkspaceReportResult;
}, 120_000);

afterAll(async () => {
  await session?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the PyRats view tree', () => {
  it('groups the workspace imports by verdict, then package, then site', () => {
    const tree = buildImportTree(report);
    const order = VERDICT_ORDER.map((v) => v.kind);
    const kinds = tree.map((v) => v.kind);
    // the groups present, in the view's order, each with as many sites as the report counts
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    const counts = report.folders[0].counts;
    for (const v of tree) expect(v.count, v.kind).toBe(counts[v.kind as keyof typeof counts]);
    const all = report.folders[0].files.reduce((n, f) => n + f.imports.length, 0);
    expect(tree.reduce((n, v) => n + v.count, 0)).toBe(all);

    const byKind = Object.fromEntries(tree.map((v) => [v.kind, v]));
    expect(tree[0].kind).toBe('missing');
    expect(byKind.missing.packages.map((p) => p.name)).toEqual(['notarealpackage_xyz']);
    expect(byKind.mirror.packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['cartopy', 'netCDF4', 'xarray']),
    );
    const xarray = byKind.mirror.packages.find((p) => p.name === 'xarray')!;
    expect(xarray.detail).toContain('conda-forge');
    const numpy = byKind.baseline.packages.find((p) => p.name === 'numpy')!;
    expect(numpy.detail).toBe('numpy 1.24.2');
    expect(byKind.local.packages.map((p) => p.name)).toEqual(['helpers']);
    // a site is the file and the imported name's range (zero-based), as the editor opens it
    const site = byKind.missing.packages[0].sites[0];
    expect(site.uri.endsWith('/analysis.py')).toBe(true);
    expect(site.verdict.range.start.line).toBe(16);
  });

  it('filters by text (package, module or file) and by verdict', () => {
    const net = buildImportTree(report, { text: 'NETCDF' });
    expect(net.map((v) => v.kind)).toEqual(['mirror']);
    expect(net[0].packages.map((p) => p.name)).toEqual(['netCDF4']);
    const onlyBaseline = buildImportTree(report, { kinds: ['baseline'] });
    expect(onlyBaseline.map((v) => v.kind)).toEqual(['baseline']);
    expect(onlyBaseline[0].packages.map((p) => p.name)).toEqual(['numpy', 'scipy']);
    expect(buildImportTree(report, { text: 'helpers.py' }).flatMap((v) => v.packages).length).toBeGreaterThan(
      0,
    );
    expect(buildImportTree(report, { text: 'no such import anywhere' })).toEqual([]);
    expect(buildImportTree({ folders: [] })).toEqual([]);
  });
});
