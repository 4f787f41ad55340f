/**
 * Readers cannot starve the writer (issue 13 item 3): a reader holds the store when `pyrats ingest`
 * starts, so the ingest has to wait; it announces itself (`FILE.writer-waiting`), every reader that
 * comes meanwhile steps aside without touching the file (as dashboard polls would), and the ingest
 * gets in as soon as the read in progress ends. Deterministic: each step waits for the one before.
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
  it('an ingest waiting for a reader announces itself; new readers step aside; it gets in after the read', async () => {
    const db = path.join(dir, 'usage.duckdb');
    copyFileSync(SAMPLE, path.join(dir, '20261125'));
    expect((await runBundledCli(['ingest', path.join(dir, '20261125'), '--db', db, '--quiet'])).code).toBe(0);
    expect(await records(db)).toBe(115);
    // a second input: the same records after another program's line
    writeFileSync(
      path.join(dir, '20261126'),
      `Nov 26 00:00:01 hfe01 CRON[4242]: (root) CMD (true)\n${readFileSync(SAMPLE, 'utf8')}`,
    );
    // a reader holds the store when the ingest starts: the ingest must wait, and says so
    const held = await UsageStore.open(db, { readOnly: true });
    let released = false;
    const release = () => {
      if (!released) held.close();
      released = true;
    };
    const seen = { steppedAside: 0, readsAfterMarker: 0 };
    try {
      const ingest = runBundledCli(['ingest', path.join(dir, '20261126'), '--db', db, '--quiet']);
      const deadline = Date.now() + 60_000;
      while (!existsSync(writerWaitingFile(db))) {
        if (Date.now() > deadline) throw new Error('the waiting ingest never wrote its marker');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // while it waits, every new reader steps aside (it never touches the file, so the ingest's wait
      // ends with the read in progress): two readers, as dashboard polls would come
      for (let i = 0; i < 2; i++) {
        try {
          await UsageStore.open(db, { readOnly: true });
          seen.readsAfterMarker++;
        } catch (err) {
          if (!(err instanceof StoreBusyError)) throw err;
          if (/waiting to write/.test(err.message)) seen.steppedAside++;
        }
      }
      release(); // the read in progress ends; the ingest gets in
      const ing = await ingest;
      expect(ing.stderr).toBe('');
      expect(ing.code).toBe(0);
    } finally {
      release();
    }
    expect(seen).toEqual({ steppedAside: 2, readsAfterMarker: 0 });
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
