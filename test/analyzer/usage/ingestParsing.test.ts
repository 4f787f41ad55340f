/**
 * Where ingest parses (analyzer/usage/ingestParsing.ts): the bundled worker thread
 * (dist/ingestWorker.js, built by `npm test`) and the thread that writes the store give the very same
 * store and reports, with pieces cut anywhere; a worker that dies mid-run, or cannot start, loses
 * nothing: the pieces it had not answered are parsed in this thread. Inputs: the corrupt-lines corpus,
 * the real syslog-ng sample (also with CRLF line ends), requests (good, forged, over-long), a record
 * over the name bounds, lines that are not UTF-8. Real DuckDB stores, compared table by table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs, type IngestOptions, type ParseStats } from '../../../analyzer/usage/ingest';
import { UsageStore } from '../../../analyzer/usage/store';
import { requestLine } from '../../support/requestLines';
import { corruptCorpus } from '../../support/syntheticLogs';
import { tempDirForTest } from '../../support/tempDir';

const repo = path.resolve(__dirname, '../../..');
const worker = path.join(repo, 'dist', 'ingestWorker.js');
const sample = readFileSync(path.join(repo, 'test/fixtures/usage/syslog-pyrats-sample.log'), 'utf8');
const deriver = new NodeDeriver(defaultDeriveConfig());

/** Every kind of line, twice over: bad, other, records, requests, CRLF, non-UTF-8, over the bounds. */
function mixedInput(): Buffer {
  const sampleLines = sample.split('\n').filter(Boolean);
  const longHost = sampleLines[0].replace(/^(\w{3} [ \d]\d [\d:]{8}) \S+/, `$1 ${'h'.repeat(1100)}`);
  const requests = [
    requestLine({ user: 'ann', packages: ['xarray', 'dask'], id: 'r1', reason: 'climate runs' }),
    requestLine({ user: 'bob', packages: ['ok'], id: 'r2', forge: (r) => (r.user = 'u'.repeat(1025)) }),
    requestLine({ user: 'cy', packages: ['x'], id: 'r3', forge: (r) => (r.packages = []) }),
  ];
  return Buffer.concat([
    corruptCorpus().bytes,
    Buffer.from(`${sampleLines.join('\r\n')}\r\n`),
    Buffer.from(`${[...requests, longHost].join('\n')}\n`),
    Buffer.from([0x4e, 0x6f, 0x76, 0x20, 0xc3, 0x28, 0x0a]), // "Nov " and a broken two-byte sequence
    corruptCorpus(11).bytes,
    Buffer.from(`${sample}`),
  ]);
}

/** Every table of the store, each as sorted rows of text (not the times of the run). */
async function dump(store: UsageStore): Promise<Record<string, string[]>> {
  const tables = await store.rows<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const except = name === 'sources' ? ' EXCLUDE (first_ingest, last_ingest)' : '';
    const rows = await store.rows<Record<string, unknown>>(`SELECT *${except} FROM ${name}`);
    out[name] = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
  }
  return out;
}

async function ingestWith(dir: string, name: string, opts: Partial<IngestOptions>) {
  const file = path.join(dir, '20261125');
  if (!existsSync(file)) writeFileSync(file, mixedInput());
  const store = await UsageStore.open(path.join(dir, `${name}.duckdb`));
  try {
    const stats: ParseStats = { byWorker: 0, inThisThread: 0 };
    const reports = await ingestInputs(store, [file], {
      deriver,
      batchBytes: 40_000,
      parseStats: stats,
      ...opts,
    });
    return { reports, stats, tables: await dump(store) };
  } finally {
    store.close();
  }
}

describe.skipIf(!existsSync(worker))(
  `ingest's parse stage${existsSync(worker) ? '' : ' (skipped: run npm run build)'}`,
  () => {
    it('the worker thread and this thread store the same, with pieces cut anywhere', async () => {
      const dir = tempDirForTest('pyrats-parsing-');
      const here = await ingestWith(dir, 'here', { parseWorker: false });
      const there = await ingestWith(dir, 'worker', { parseWorker: worker, pieceBytes: 3_001 });
      expect(here.stats.byWorker).toBe(0);
      expect(here.stats.inThisThread).toBeGreaterThan(0);
      expect(there.stats.inThisThread).toBe(0);
      expect(there.stats.byWorker).toBeGreaterThan(100);
      const [rep] = here.reports;
      // the input's own counts: both corpora's good records, the sample twice (115 records each; the
      // line with a 1,100-character host is refused), two of the three requests
      const records = corruptCorpus().goodRecords + corruptCorpus(11).goodRecords + 2 * 115;
      expect(rep).toMatchObject({ status: 'new', records, requests: 2 });
      expect(there.reports).toEqual(here.reports);
      expect(there.tables).toEqual(here.tables);
      expect(here.tables.records.length).toBe(rep.records);
    });

    it('a worker script that fails as it loads: every piece is parsed here, the same store', async () => {
      const dir = tempDirForTest('pyrats-parsing-');
      const broken = path.join(dir, 'brokenWorker.js');
      writeFileSync(broken, "throw new Error('this worker cannot start');\n");
      const here = await ingestWith(dir, 'here', { parseWorker: false, pieceBytes: 3_001 });
      const fallen = await ingestWith(dir, 'fallen', { parseWorker: broken, pieceBytes: 3_001 });
      expect(fallen.stats.byWorker).toBe(0);
      expect(fallen.stats.inThisThread).toBe(here.stats.inThisThread);
      expect(fallen.reports).toEqual(here.reports);
      expect(fallen.tables).toEqual(here.tables);
    });

    it('a worker that dies mid-run loses nothing: what it had not answered is parsed here', async () => {
      const dir = tempDirForTest('pyrats-parsing-');
      const dying = path.join(dir, 'dyingWorker.js');
      // the real worker, in a thread that ends itself at its fifth piece
      writeFileSync(
        dying,
        [
          "const { parentPort } = require('node:worker_threads');",
          'let pieces = 0;',
          "parentPort.on('message', () => { if (++pieces === 5) process.exit(3); });",
          `require(${JSON.stringify(worker)});`,
        ].join('\n'),
      );
      const here = await ingestWith(dir, 'here', { parseWorker: false, pieceBytes: 3_001 });
      const died = await ingestWith(dir, 'died', { parseWorker: dying, pieceBytes: 3_001 });
      expect(died.stats.byWorker).toBeGreaterThanOrEqual(3);
      expect(died.stats.byWorker).toBeLessThanOrEqual(5);
      expect(died.stats.inThisThread).toBeGreaterThan(50);
      expect(died.reports).toEqual(here.reports);
      expect(died.tables).toEqual(here.tables);
    });
  },
);
