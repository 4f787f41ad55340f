/**
 * The usage commands through the bundled CLI (dist/cli.js): ingest exit codes and reports, report in
 * its three formats with a baseline (missing packages and the greedy what-if worked out by hand from
 * the sample's five scripts), Parquet export read back by DuckDB, requests, mirror lists and page.
 */
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { requestLine } from '../../support/requestLines';

const REPO = path.resolve(__dirname, '../../..');
const cli = (args: string[], input?: string) => runBundledCli(args, { input });

let dir: string;
let db: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-usage-cli-'));
  db = path.join(dir, 'usage.duckdb');
  copyFileSync(path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'), path.join(dir, '20261125'));
  writeFileSync(
    path.join(dir, '20261126'),
    [
      requestLine({ user: 'alice', packages: ['PyYAML'], reason: 'config' }),
      requestLine({ user: 'bob', packages: ['pyyaml', 'cartopy'] }),
      'Nov 26 08:00:00 hfe01 Python: ts=garbage',
    ].join('\n') + '\n',
  );
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pyrats ingest / report / export / requests / mirror-lists / mirror-page', () => {
  it('ingest: exit 1 and FILE:LINE reports when lines are bad; usage errors exit 2', async () => {
    const r = await cli(['ingest', path.join(dir, '20261125'), path.join(dir, '20261126'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, '20261126')}:3: `);
    expect(r.stdout).toContain('115 lines: 115 records, 0 requests, 0 other, 0 bad');
    expect(r.stdout).toContain('3 lines: 0 records, 2 requests, 0 other, 1 bad');
    expect((await cli(['ingest', '--db', db])).code).toBe(2);
    expect((await cli(['ingest', 'x'])).code).toBe(2);
    expect((await cli(['report', '--db', db, '--bogus'])).code).toBe(2);
    const stdin = await cli(
      ['ingest', '-', '--db', db, '--json'],
      readFileSync(path.join(dir, '20261125'), 'utf8'),
    );
    expect(JSON.parse(stdin.stdout)[0]).toMatchObject({ path: '-', status: 'unchanged', records: 0 });
  });

  it('report: json packages array, text charts, csv sections; baseline gaps and the greedy what-if', async () => {
    const json = JSON.parse((await cli(['report', '--db', db, '--format', 'json'])).stdout);
    expect(json.packages.map((p: { package: string }) => p.package)).toEqual([
      'numpy',
      'matplotlib',
      'scipy',
      'pandas',
      'xarray',
    ]);
    expect(json.packages[0]).toMatchObject({ package: 'numpy', users: 1, imports: 5 });
    const text = (await cli(['report', '--db', db])).stdout;
    expect(text).toContain('Packages by distinct users');
    expect(text).toMatch(/numpy\s+#+ 5/);
    const csv = (await cli(['report', '--db', db, '--format', 'csv'])).stdout.split('\n');
    expect(csv[0]).toBe('package,distribution,kind,users,imports,scripts,hosts,firstSeen,lastSeen');
    expect(csv[1]).toBe('numpy,numpy,thirdParty,1,5,5,1,2026-11-25,2026-11-25');
    // one user here, and a bundle needs two
    expect(json.bundles).toEqual([]);
    const bundles = await cli(['report', '--db', db, '--format', 'csv', '--section', 'bundles']);
    expect(bundles.stdout).toBe('packages,users,scripts\n');
    writeFileSync(path.join(dir, 'baseline.txt'), 'numpy==1.24.2\nscipy==1.10.1\n');
    const withBaseline = await cli([
      'report',
      '--db',
      db,
      '--format',
      'json',
      '--baseline',
      `file:${path.join(dir, 'baseline.txt')}`,
    ]);
    expect(withBaseline.code, withBaseline.stderr).toBe(0);
    const m = JSON.parse(withBaseline.stdout).missing;
    expect(m.missing.map((p: { package: string }) => p.package)).toEqual(['matplotlib', 'pandas', 'xarray']);
    // only signal_proc.py (numpy, scipy) runs on the baseline: 1 of 5 runs, the one user not covered
    expect([m.coveredUsersPct, m.coveredRunsPct]).toEqual([0, 20]);
    expect(
      m.whatIf.map((s: { package: string; coveredUsersPct: number; coveredRunsPct: number }) => [
        s.package,
        s.coveredUsersPct,
        s.coveredRunsPct,
      ]),
    ).toEqual([
      ['matplotlib', 0, 40], // + fit_model.py
      ['pandas', 0, 60], // + csv_pipeline.py
      ['xarray', 100, 100], // + plot_netcdf.py, xr_pandas_report.py
    ]);
    const bad = await cli(['report', '--db', db, '--since', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since: '2026-02-30' is not a real date/);
  });

  it('export: day-partitioned Parquet that DuckDB reads back', async () => {
    const out = path.join(dir, 'parquet');
    const r = await cli(['export', '--db', db, '--parquet', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(out, 'records'))).toEqual(['day=2026-11-25']);
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    const rows = (
      await c.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT "user")::INTEGER AS users FROM read_parquet('${out}/records/*/*.parquet', hive_partitioning = true)`,
      )
    ).getRowObjectsJS();
    expect(rows).toEqual([{ n: 115, users: 1 }]);
    const req = (
      await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${out}/requests/*/*.parquet')`)
    ).getRowObjectsJS();
    expect(req).toEqual([{ n: 3 }]);
    c.closeSync();
    inst.closeSync();
  });

  it('export: since after until is exit 2; an export directory that cannot be made is one line', async () => {
    const inverted = await cli([
      'export',
      '--db',
      db,
      '--parquet',
      path.join(dir, 'x'),
      '--since',
      '2026-12-01',
      '--until',
      '2026-01-01',
    ]);
    expect(inverted.code).toBe(2);
    expect(inverted.stderr).toMatch(/^pyrats export: --since is after --until\n/);
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const r = await cli(['export', '--db', db, '--parquet', path.join(file, 'parquet')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats export: ${path.join(file, 'parquet')}: cannot make the export directory (ENOTDIR)\n`,
    );
  });

  it('requests, mirror-lists and mirror-page from the approved requests', async () => {
    const list = await cli(['requests', 'list', '--db', db, '--format', 'json']);
    expect(
      JSON.parse(list.stdout).map((e: { package: string; requesters: number }) => [e.package, e.requesters]),
    ).toEqual([
      ['pyyaml', 2],
      ['cartopy', 1],
    ]);
    expect((await cli(['requests', 'approve', 'PyYAML', '--db', db])).stdout).toBe('approved: pyyaml\n');
    expect((await cli(['requests', 'reject', 'cartopy', '--db', db, '--note', 'use the module'])).code).toBe(
      0,
    );
    expect((await cli(['requests', 'approve', 'nothing', '--db', db])).code).toBe(2);
    writeFileSync(path.join(dir, 'base.mirrorlist'), 'numpy\nconda:r-base\n');
    const out = path.join(dir, 'mirror');
    const ml = await cli([
      'mirror-lists',
      '--db',
      db,
      '--base',
      path.join(dir, 'base.mirrorlist'),
      '--out',
      out,
    ]);
    expect(ml.code, ml.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'wget-pypi-patterns.txt'), 'utf8')).toBe('numpy-*\npyyaml-*\n');
    expect(readFileSync(path.join(out, 'bandersnatch-allowlist.conf'), 'utf8')).toContain(
      'packages =\n    numpy\n    pyyaml\n',
    );
    const page = path.join(dir, 'index.html');
    const mp = await cli([
      'mirror-page',
      '--out',
      page,
      '--pypi-url',
      'https://mirror.example.org/pypi/simple',
      '--conda-url',
      'https://mirror.example.org/conda/conda-forge',
      '--db',
      db,
    ]);
    expect(mp.code, mp.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('PYRATS_DISABLE=1');
    expect(html).toContain('<li>pyyaml</li>');
  });

  it('report --package takes the import name in any case or the distribution; an unknown one (or --host) is exit 2', async () => {
    const drill = async (name: string) => {
      const r = await cli(['report', '--db', db, '--package', name, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { drillDown: { package: string; users: unknown[] } }).drillDown;
    };
    const numpy = await drill('numpy');
    expect(numpy.users.length).toBeGreaterThan(0);
    expect(await drill('NumPy')).toEqual(numpy);
    expect((await drill('Pillow')).package).toBe('PIL');
    const unknown = await cli(['report', '--db', db, '--package', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^pyrats report: --package: no package 'nosuch' in .*usage\.duckdb/);
    expect(unknown.stdout).toBe('');
    // a host that sent nothing (a typo) is named with the hosts there are, not an empty report
    const host = await cli(['report', '--db', db, '--host', 'localhots']);
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(
      /^pyrats report: --host: no records from 'localhots' in .*\(hosts: .*localhost/,
    );
    expect((await cli(['report', '--db', db, '--host', 'localhost'])).code).toBe(0);
  });

  it('requests with a --db that does not exist: exit 3, and no empty store left behind', async () => {
    const typo = path.join(dir, 'usgae.duckdb');
    for (const args of [['approve', 'PyYAML'], ['list'], ['list', '--mirror-index', '/dev/null']]) {
      const r = await cli(['requests', ...args, '--db', typo]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(
        `pyrats requests: ${typo}: no such usage store (pyrats ingest makes it; --force to set a status in a new one)\n`,
      );
    }
    expect(existsSync(typo)).toBe(false);
    // a pre-approval before the first ingest makes the store
    expect((await cli(['requests', 'approve', 'PyYAML', '--force', '--db', typo])).stdout).toBe(
      'approved: pyyaml\n',
    );
  });

  it('mirror-lists: a missing or bad base list is a clear error naming it, exit 3, nothing written', async () => {
    const out = path.join(dir, 'mirror-bad');
    const missing = await cli(['mirror-lists', '--base', path.join(dir, 'no.list'), '--out', out]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      `pyrats mirror-lists: ${path.join(dir, 'no.list')}: cannot read the base list (ENOENT)\n`,
    );
    const bad = path.join(REPO, 'test/fixtures/mirror/lists/base-with-specifiers.list');
    const r = await cli(['mirror-lists', '--db', db, '--base', bad, '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n').filter((l) => l.startsWith(`${bad}:`))).toHaveLength(3);
    expect(existsSync(out)).toBe(false);
  });
});
