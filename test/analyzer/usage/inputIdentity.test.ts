/**
 * Which stored input a file continues. The first line's fingerprint alone made a second file that
 * starts with the same line (a syslog-ng start-up line, a blank line) the "continuation" of the
 * first: it was read from the first one's offset and everything before that was silently lost.
 * The first bytes (up to HEAD_BYTES) now tell such files apart; the same text (a grown file, its
 * rotated .gz, stdin) still continues where it stopped.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs } from '../../../analyzer/usage/ingest';
import { totals } from '../../../analyzer/usage/queries';
import { HEAD_BYTES, UsageStore } from '../../../analyzer/usage/store';

const repo = path.resolve(__dirname, '../../..');
const fixtures = path.join(repo, 'test/fixtures/usage/same-first-line');
const sample = path.join(repo, 'test/fixtures/usage/syslog-pyrats-sample.log');
const deriver = new NodeDeriver(defaultDeriveConfig());

let dir: string;
let db: string;
let store: UsageStore;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-identity-'));
  db = path.join(dir, 'usage.duckdb');
  store = await UsageStore.open(db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inputs with the same first line', () => {
  for (const [a, b, firstLine] of [
    ['20261125-hfe01', '20261125-hfe02', 'other'],
    ['blank-first-line-a', 'blank-first-line-b', 'bad'],
  ] as const) {
    it(`${a} and ${b} are two inputs: every record of both is stored, once`, async () => {
      const files = [a, b].map((f) => path.join(fixtures, f));
      const first = await ingestInputs(store, [files[0]], { deriver });
      expect(first[0]).toMatchObject({ status: 'new', records: 60 });
      const second = await ingestInputs(store, [files[1]], { deriver });
      expect(second[0]).toMatchObject({ status: 'new', lines: 56, records: 55 });
      expect([second[0].other, second[0].bad]).toEqual(firstLine === 'other' ? [1, 0] : [0, 1]);
      expect((await totals(store)).records).toBe(115);
      // again, in one run, with the rotated .gz of the second and the first on stdin: nothing new
      const gz = path.join(dir, `${b}.gz`);
      writeFileSync(gz, gzipSync(readFileSync(files[1])));
      const again = await ingestInputs(store, [...files, gz, '-'], {
        deriver,
        stdin: Readable.from([readFileSync(files[0])]),
      });
      expect(again.map((r) => [r.status, r.lines])).toEqual([
        ['unchanged', 0],
        ['unchanged', 0],
        ['unchanged', 0],
        ['unchanged', 0],
      ]);
      expect((await totals(store)).records).toBe(115);
      const sources = await store.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM sources`);
      expect(sources[0].n).toBe(2);
    });
  }

  it('a file that grows past HEAD_BYTES after a first short read continues where it stopped', async () => {
    const lines = readFileSync(sample, 'utf8').split('\n').filter(Boolean);
    const day = path.join(dir, '20261125');
    writeFileSync(day, `${lines[0]}\n`);
    expect(Buffer.byteLength(lines[0]) + 1).toBeLessThan(HEAD_BYTES);
    expect((await ingestInputs(store, [day], { deriver }))[0]).toMatchObject({ status: 'new', records: 1 });
    appendFileSync(day, lines.slice(1).join('\n') + '\n');
    expect((await ingestInputs(store, [day], { deriver }))[0]).toMatchObject({
      status: 'resumed',
      records: lines.length - 1,
    });
    // the same text under another name (copied) is the same input
    const copy = path.join(dir, 'copy.log');
    copyFileSync(day, copy);
    expect((await ingestInputs(store, [copy], { deriver }))[0].status).toBe('unchanged');
    expect((await totals(store)).records).toBe(lines.length);
  });

  it('a store written before first bytes were kept still resumes its inputs (no duplicates)', async () => {
    const day = path.join(dir, '20261125');
    copyFileSync(sample, day);
    await ingestInputs(store, [day], { deriver });
    await store.run(`UPDATE sources SET head_hex = NULL`);
    expect((await ingestInputs(store, [day], { deriver }))[0].status).toBe('unchanged');
    expect((await totals(store)).records).toBe(115);
    // its first bytes are now kept
    const h = await store.rows<{ n: number }>(`SELECT length(head_hex)::INTEGER AS n FROM sources`);
    expect(h[0].n).toBe(2 * HEAD_BYTES);
  });
});
