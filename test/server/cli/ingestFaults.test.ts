/**
 * Ingest under real faults (issue 12 items 4 and 6): a store on a filesystem that fills up (a small
 * tmpfs when this runs as root and may mount; always also a file-size limit, `ulimit -f`, which makes
 * the kernel refuse the store's writes with EFBIG for any user), and `kill -9` at seeded random
 * moments. Each run that fails says the cause and the file and exits 3; the rerun gives exactly the
 * input's record count, none twice; reads between runs show no stale rollups.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { mulberry32 } from '../../support/prng';
import { writeSyntheticLogs, type SyntheticTruth } from '../../support/syntheticLogs';

const LINES = 60_000;

let dir: string;
let logs: string;
let truth: SyntheticTruth;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-faults-'));
  logs = path.join(dir, 'logs');
  truth = await writeSyntheticLogs(logs, {
    lines: LINES,
    users: 80,
    scripts: 400,
    packages: 200,
    hosts: 3,
    days: 6,
    start: '2026-03-28',
    seed: 12,
  });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records in the store, distinct (input, line) pairs among them, and the per-package sums of the rollups. */
async function storeFigures(db: string): Promise<{ records: number; distinct: number; imports: number }> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  try {
    const c = await instance.connect();
    const r = await c.runAndReadAll(
      `SELECT count(*)::INTEGER AS records, count(DISTINCT (source_id, line_no))::INTEGER AS "distinct",
         (SELECT count(*)::INTEGER FROM targets) AS imports FROM records`,
    );
    c.closeSync();
    return r.getRowObjectsJS()[0] as { records: number; distinct: number; imports: number };
  } finally {
    instance.closeSync();
  }
}

/** What `pyrats report` shows: records, and the imports summed over its package table. */
async function reported(db: string): Promise<{ records: number; imports: number; users: number }> {
  const r = await runBundledCli(['report', '--db', db, '--format', 'json', '--top', '100000']);
  expect(r.stderr).toBe('');
  const rep = JSON.parse(r.stdout) as {
    totals: { records: number; users: number };
    packages: { imports: number }[];
  };
  return {
    records: rep.totals.records,
    users: rep.totals.users,
    imports: rep.packages.reduce((n, p) => n + p.imports, 0),
  };
}

const expectedRecords = () => truth.scriptRecords + truth.libraryRecords;

function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'pyrats-mount-probe-'));
  try {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    if (m.status !== 0) return false;
    spawnSync('umount', [probe]);
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('pyrats ingest: a store that cannot be written', () => {
  it.skipIf(!canMountTmpfs())(
    'a tmpfs that fills up: exit 3 with the cause; the rerun after space is freed gives every record once',
    async () => {
      const mnt = path.join(dir, 'small');
      mkdirSync(mnt);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status).toBe(0);
      try {
        const db = path.join(mnt, 'usage.duckdb');
        const full = await runBundledCli(['ingest', logs, '--db', db, '--quiet']);
        expect(full.code).toBe(3);
        expect(full.stderr).toMatch(
          new RegExp(
            `^pyrats ingest: No space left on device: ${db.replace(/[.]/g, '\\.')}(\\.wal)?\\n`,
            'm',
          ),
        );
        // what a reader sees of the partial store is consistent with its records
        const partial = await storeFigures(db);
        expect(partial.records).toBeLessThan(expectedRecords());
        expect(partial.distinct).toBe(partial.records);
        expect(spawnSync('mount', ['-o', 'remount,size=256m', mnt]).status).toBe(0);
        const rerun = await runBundledCli(['ingest', logs, '--db', db, '--quiet']);
        expect(rerun.stderr).toBe('');
        expect(rerun.code).toBe(0);
        const after = await storeFigures(db);
        expect(after).toMatchObject({ records: expectedRecords(), distinct: expectedRecords() });
        expect((await reported(db)).records).toBe(expectedRecords());
      } finally {
        spawnSync('umount', ['-l', mnt]);
      }
    },
    300_000,
  );

  it('a file-size limit (EFBIG, any user): exit 3 with the cause; the rerun without it gives every record once', async () => {
    const db = path.join(dir, 'limited', 'usage.duckdb');
    mkdirSync(path.dirname(db));
    // bash: ignore SIGXFSZ so that the write fails with EFBIG instead of killing the process
    const limited = spawnSync(
      'bash',
      [
        '-c',
        `trap '' XFSZ; ulimit -f 1024; exec "$0" "$@"`,
        process.execPath,
        CLI,
        'ingest',
        logs,
        '--db',
        db,
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    expect(limited.status).toBe(3);
    expect(limited.stderr).toMatch(/^pyrats ingest: File too large: .*usage\.duckdb(\.wal)?\n/m);
    const rerun = await runBundledCli(['ingest', logs, '--db', db, '--quiet']);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(await storeFigures(db)).toMatchObject({ records: expectedRecords(), distinct: expectedRecords() });
  }, 300_000);
});

describe('pyrats ingest: kill -9 at random moments', () => {
  it('three killed runs, reads in between, then a rerun: exactly the input, none twice, no stale report', async () => {
    const db = path.join(dir, 'killed.duckdb');
    const random = mulberry32(20260328);
    const killedAt: number[] = [];
    const empty = path.join(dir, 'empty.log');
    writeFileSync(empty, '');
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [CLI, 'ingest', logs, '--db', db, '--quiet'], {
        stdio: 'ignore',
      });
      const delay = 300 + Math.floor(random() * 2500);
      killedAt.push(delay);
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await exited;
      clearTimeout(timer);
      const seen = await storeFigures(db).catch(() => null); // killed before the store was made
      if (seen === null) continue;
      expect(seen.distinct).toBe(seen.records);
      // the report after an interrupted run is the report of the same store with its rollups rebuilt
      // (a copy, compacted by an ingest of nothing new), not stale figures
      const copy = path.join(dir, `compacted-${i}.duckdb`);
      copyFileSync(db, copy);
      if (existsSync(`${db}.wal`)) copyFileSync(`${db}.wal`, `${copy}.wal`);
      const compacted = await runBundledCli(['ingest', empty, '--db', copy, '--quiet']);
      expect(compacted.code).toBe(0);
      const rep = await reported(db);
      expect({ killedAt, rep }).toEqual({ killedAt, rep: await reported(copy) });
      expect(rep.records).toBe(seen.records);
    }
    const done = await runBundledCli(['ingest', logs, '--db', db, '--quiet']);
    expect(done.code).toBe(0);
    expect(await storeFigures(db)).toMatchObject({ records: expectedRecords(), distinct: expectedRecords() });
    const rep = await reported(db);
    expect(rep.records).toBe(expectedRecords());
    expect(rep.users).toBe(truth.users.size);
    const imports = [...truth.packages.values()].reduce((n, p) => n + p.imports, 0);
    expect(rep.imports).toBe(imports);
  }, 300_000);
});
