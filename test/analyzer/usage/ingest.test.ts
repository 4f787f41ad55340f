import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs } from '../../../analyzer/usage/ingest';
import { packageUsage, totals } from '../../../analyzer/usage/queries';
import { UsageStore } from '../../../analyzer/usage/store';
import { corruptCorpus } from '../../support/syntheticLogs';

const repo = path.resolve(__dirname, '../../..');
const sample = path.join(repo, 'test/fixtures/usage/syslog-pyrats-sample.log');
const counter = path.join(repo, 'test/support/pyratsCount.py');

interface PyCount {
  records: number;
  scripts: number;
  users: string[];
  packages: Record<string, { users: number; imports: number }>;
}

/** The independent count: Python's ast.literal_eval over the same file. */
function pythonCount(file: string): PyCount {
  const r = spawnSync('python3', [counter, file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pyratsCount.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyCount;
}

let dir: string;
let store: UsageStore;
const deriver = new NodeDeriver(defaultDeriveConfig());

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-ingest-'));
  store = await UsageStore.open(path.join(dir, 'usage.duckdb'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeCounts() {
  const t = await totals(store);
  const pk = await packageUsage(store);
  return {
    records: t.records,
    scripts: t.scriptRecords,
    users: t.users,
    packages: Object.fromEntries(pk.map((p) => [p.package, { users: p.users, imports: p.imports }])),
  };
}

describe('ingest of the real syslog-ng sample', () => {
  it('matches an independent count (Python literal_eval) exactly', async () => {
    const day = path.join(dir, '20261125');
    copyFileSync(sample, day);
    const [rep] = await ingestInputs(store, [day], { deriver });
    const expected = pythonCount(sample);
    const lines = readFileSync(sample, 'utf8').split('\n').filter(Boolean).length;
    expect(rep).toMatchObject({ status: 'new', lines, records: lines, bad: 0, other: 0 });
    const got = await storeCounts();
    expect(got.records).toBe(expected.records);
    expect(got.scripts).toBe(expected.scripts);
    expect(got.users).toBe(expected.users.length);
    expect(got.packages).toEqual(expected.packages);
    // every field of the first record, and the year taken from the file name
    const [first] = await store.rows<Record<string, unknown>>(
      `SELECT strftime(received, '%Y-%m-%d %H:%M:%S') AS received, host, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') AS ts,
              created, python, path_name, level_no, level_name, source_root, source_rel, "user", script, n_targets
       FROM records_v ORDER BY record_id LIMIT 1`,
    );
    expect(first).toEqual({
      received: '2026-11-25 06:28:41',
      host: 'localhost',
      ts: '2026-11-25 06:18:58.058',
      created: 1795587538.058567,
      python: '/usr/bin/python3',
      path_name: '/contrib/anaconda/anaconda3/lib/python3.11/site-packages/sitecustomize.py',
      level_no: 20,
      level_name: 'INFO',
      source_root: '/home/jdoe/scripts',
      source_rel: 'csv_pipeline.py',
      user: 'jdoe',
      script: true,
      n_targets: 3,
    });
    const targets = await store.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM targets`);
    const tupleCount = readFileSync(sample, 'utf8').split('))),(((').length - 1 + lines;
    expect(targets[0].n).toBe(tupleCount);
  });

  it('re-ingesting adds nothing; appended lines are picked up; the rotated .gz is the same input', async () => {
    const all = readFileSync(sample, 'utf8').split('\n').filter(Boolean);
    const day = path.join(dir, '20261125');
    writeFileSync(day, `${all.slice(0, 40).join('\n')}\n${all[40].slice(0, 100)}`); // last line still being written
    let [rep] = await ingestInputs(store, [day], { deriver });
    expect(rep).toMatchObject({ status: 'new', records: 40, pendingPartialLine: true });
    [rep] = await ingestInputs(store, [day], { deriver });
    expect(rep).toMatchObject({ status: 'unchanged', records: 0, lines: 0 });
    writeFileSync(day, `${all.join('\n')}\n`);
    [rep] = await ingestInputs(store, [day], { deriver });
    expect(rep).toMatchObject({ status: 'resumed', records: all.length - 40, bad: 0 });
    const gz = path.join(dir, '20261125.gz');
    writeFileSync(gz, gzipSync(readFileSync(day)));
    rmSync(day);
    [rep] = await ingestInputs(store, [gz], { deriver });
    expect(rep).toMatchObject({ status: 'unchanged', records: 0 });
    // the same text again on stdin adds nothing either
    [rep] = await ingestInputs(store, ['-'], { deriver, stdin: Readable.from([readFileSync(gz)]) });
    expect(rep).toMatchObject({ status: 'unchanged', records: 0 });
    const got = await storeCounts();
    const expected = pythonCount(sample);
    expect(got.records).toBe(expected.records);
    expect(got.packages).toEqual(expected.packages);
  });

  it('reads stdin, in pieces that split lines anywhere', async () => {
    const bytes = readFileSync(sample);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 777) pieces.push(bytes.subarray(i, i + 777));
    const [rep] = await ingestInputs(store, ['-'], {
      deriver,
      stdin: Readable.from(pieces),
      batchBytes: 10_000,
    });
    expect(rep).toMatchObject({ status: 'new', records: 115, bad: 0 });
  });
});

describe('interrupted runs', () => {
  it('days committed but not yet rolled up are read from the daily rows, and compacted by the next run', async () => {
    const day = path.join(dir, '20261125');
    copyFileSync(sample, day);
    await ingestInputs(store, [day], { deriver });
    const before = await storeCounts();
    expect(await store.pendingDays()).toEqual([]);
    // as if the process died after committing its rows and before compacting: rollups missing
    await store.run(`DELETE FROM script_monthly`);
    await store.run(`DELETE FROM runs_monthly`);
    await store.run(`INSERT INTO pending_days SELECT DISTINCT day FROM runs_daily`);
    // the reads do not show the stale rollups: the months of pending days come from the daily rows
    expect(await storeCounts()).toEqual(before);
    const [rep] = await ingestInputs(store, [day], { deriver });
    expect(rep.status).toBe('unchanged');
    expect(await storeCounts()).toEqual(before);
    expect(await store.pendingDays()).toEqual([]);
  });
});

describe('corrupt lines', () => {
  it('counts and reports every bad line by number, keeps the good ones, never stops', async () => {
    const corpus = corruptCorpus();
    const day = path.join(dir, '20261125');
    writeFileSync(day, corpus.bytes);
    const [rep] = await ingestInputs(store, [day], { deriver, batchBytes: 50_000 });
    expect(rep.status).toBe('new');
    expect(rep.records).toBe(corpus.goodRecords);
    expect(rep.other).toBe(corpus.other);
    expect(rep.badLines.map((b) => b.line)).toEqual(corpus.bad.map((b) => b.line));
    expect(rep.bad).toBe(corpus.bad.length);
    for (const b of rep.badLines) expect(b.reason.length).toBeGreaterThan(5);
    const kinds = new Map(corpus.bad.map((b) => [b.line, b.kind]));
    const nonUtf8 = rep.badLines.filter((b) => kinds.get(b.line) === 'non-utf8');
    for (const b of nonUtf8) expect(b.reason).toMatch(/not UTF-8 \(invalid byte at column 61\)/);
    const overLong = rep.badLines.find((b) => kinds.get(b.line) === 'over-long')!;
    expect(overLong.reason).toMatch(/longer than/);
    const stored = await store.rows<{ line_no: number }>(
      `SELECT line_no::INTEGER AS line_no FROM bad_lines ORDER BY line_no`,
    );
    expect(stored.map((s) => s.line_no)).toEqual(corpus.bad.map((b) => b.line));
    const t = await totals(store);
    expect(t.records).toBe(corpus.goodRecords);
    // appending good lines later continues the line numbering
    appendFileSync(day, readFileSync(sample));
    const [again] = await ingestInputs(store, [day], { deriver });
    expect(again).toMatchObject({ status: 'resumed', records: 115, bad: 0 });
  });

  it('reports an unreadable input and carries on with the next', async () => {
    const day = path.join(dir, '20261125');
    copyFileSync(sample, day);
    const reps = await ingestInputs(store, [path.join(dir, 'missing'), day], { deriver });
    expect(reps[0].status).toBe('failed');
    expect(reps[0].error).toMatch(/ENOENT/);
    expect(reps[1]).toMatchObject({ status: 'new', records: 115 });
  });

  it('a corrupt .gz keeps what was read before the damage', async () => {
    const gz = gzipSync(readFileSync(sample));
    const cut = path.join(dir, '20261125.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const [rep] = await ingestInputs(store, [cut], { deriver, batchBytes: 5_000 });
    expect(rep.status).toBe('failed');
    expect(rep.error).toMatch(/end of file/i);
    expect(rep.records).toBeGreaterThan(20);
    const t = await totals(store);
    expect(t.records).toBe(rep.records);
  });
});
