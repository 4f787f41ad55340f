/**
 * A stream of readers cannot starve the writer (issue 13 item 3): two loops open the store read-only,
 * query and close it back to back (as dashboard polls do, overlapping so that the file is nearly
 * always held) while `pyrats ingest` waits to write it. The ingest announces itself
 * (`FILE.writer-waiting`), the readers step aside, and the ingest gets in after the read in progress.
 * A marker left by a process that is gone is ignored.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreBusyError, UsageStore, writerWaitingFile } from '../../../analyzer/usage/store';
import { runBundledCli } from '../../support/bundledCli';

const REPO = path.resolve(__dirname, '../../..');
const SAMPLE = path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-writer-waits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function records(db: string): Promise<number> {
  const store = await UsageStore.open(db, { readOnly: true });
  try {
    return (await store.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM records`))[0].n;
  } finally {
    store.close();
  }
}

describe('the writer is not starved by readers', () => {
  it('an ingest gets the store while two reader loops keep opening it; they step aside meanwhile', async () => {
    const db = path.join(dir, 'usage.duckdb');
    copyFileSync(SAMPLE, path.join(dir, '20261125'));
    expect((await runBundledCli(['ingest', path.join(dir, '20261125'), '--db', db, '--quiet'])).code).toBe(0);
    expect(await records(db)).toBe(115);
    // a second input: the same records after another program's line
    writeFileSync(
      path.join(dir, '20261126'),
      `Nov 26 00:00:01 hfe01 CRON[4242]: (root) CMD (true)\n${readFileSync(SAMPLE, 'utf8')}`,
    );
    let stop = false;
    const seen = { reads: 0, steppedAside: 0 };
    const readerLoop = async () => {
      while (!stop) {
        try {
          const store = await UsageStore.open(db, { readOnly: true });
          try {
            await store.rows(`SELECT count(*) FROM records`);
            seen.reads++;
          } finally {
            store.close();
          }
        } catch (err) {
          if (!(err instanceof StoreBusyError)) throw err;
          if (/waiting to write/.test(err.message)) seen.steppedAside++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const readers = [readerLoop(), readerLoop()];
    try {
      // the readers hold the file before the ingest starts
      while (seen.reads < 4) await new Promise((resolve) => setTimeout(resolve, 10));
      const ing = await runBundledCli(['ingest', path.join(dir, '20261126'), '--db', db, '--quiet']);
      expect(ing.stderr).toBe('');
      expect(ing.code).toBe(0);
    } finally {
      stop = true;
      await Promise.all(readers);
    }
    expect(seen.steppedAside).toBeGreaterThan(0);
    expect(existsSync(writerWaitingFile(db))).toBe(false);
    expect(await records(db)).toBe(230);
  }, 180_000);

  it('a marker left by a process that is gone does not keep readers out', async () => {
    const db = path.join(dir, 'usage.duckdb');
    expect((await runBundledCli(['ingest', SAMPLE, '--db', db, '--quiet'])).code).toBe(0);
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(writerWaitingFile(db), `${gone}\n`);
    expect(await records(db)).toBe(115);
  }, 60_000);
});
