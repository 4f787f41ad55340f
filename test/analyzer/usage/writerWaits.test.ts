/**
 * A stream of readers cannot starve the writer (issue 13 item 3): another process holds a read, and
 * two loops open the store read-only,
 * query and close it back to back (as dashboard polls do, overlapping so that the file is nearly
 * always held) while `pyrats ingest` waits to write it. The ingest announces itself
 * (`FILE.writer-waiting`), the readers step aside, and the ingest gets in after the read in progress.
 * A marker left by a process that is gone is ignored.
 */
import { spawn, spawnSync } from 'node:child_process';
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

/**
 * A separate process that opens the store read-only and keeps it open until `release` exists;
 * resolves once it holds the store, with a promise of its exit.
 */
async function holdRead(db: string, release: string): Promise<Promise<void>> {
  const script = `
const { DuckDBInstance } = require('@duckdb/node-api');
const fs = require('node:fs');
(async () => {
  const [db, release] = process.argv.slice(1);
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  await (await instance.connect()).run('SELECT count(*) FROM records');
  process.stdout.write('held\\n');
  const until = Date.now() + 120000;
  while (!fs.existsSync(release) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  process.exit(0);
})();`;
  const child = spawn(process.execPath, ['-e', script, db, release], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('held') && resolve());
    child.on('close', (code) =>
      reject(new Error(`the holding process exited (${code}) before holding the store`)),
    );
  });
  return exited;
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
    // Another process holds a read until released, so the ingest always meets a reader (readers in
    // this process alone leave gaps: closing any handle drops the process's file lock).
    const release = path.join(dir, 'release');
    const holder = await holdRead(db, release);
    const readers = [readerLoop(), readerLoop()];
    try {
      while (seen.reads < 4) await new Promise((resolve) => setTimeout(resolve, 10));
      const ingest = runBundledCli(['ingest', path.join(dir, '20261126'), '--db', db, '--quiet']);
      // the ingest announces itself while the holder still reads; a new reader steps aside
      const until = Date.now() + 60_000;
      while (!existsSync(writerWaitingFile(db)) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const late = await UsageStore.open(db, { readOnly: true }).then(
        (store) => (store.close(), null),
        (err: unknown) => err,
      );
      expect(late).toBeInstanceOf(StoreBusyError);
      expect((late as Error).message).toMatch(/waiting to write/);
      writeFileSync(release, '');
      const ing = await ingest;
      expect(ing.stderr).toBe('');
      expect(ing.code).toBe(0);
    } finally {
      stop = true;
      writeFileSync(release, '');
      await holder;
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
