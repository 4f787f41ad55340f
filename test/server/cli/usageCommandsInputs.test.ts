/**
 * `pyrats ingest` with inputs that cannot be read: a broken symbolic link in the log directory (a
 * `current` link left by rotation), a missing file, a truncated .gz, a missing --name-map. Each is one
 * line naming it and the problem in words; the readable inputs beside them are still ingested.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';

const REPO = path.resolve(__dirname, '../../..');
const SAMPLE = path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pyrats ingest: unreadable inputs', () => {
  it('a broken link in a log directory is reported, the other files of the directory are ingested', async () => {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    copyFileSync(SAMPLE, path.join(logs, '20261125'));
    symlinkSync(path.join(logs, '20261124'), path.join(logs, 'current'));
    const db = path.join(dir, 'a.duckdb');
    const r = await runBundledCli(['ingest', logs, '--db', db]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${path.join(logs, '20261125')}: new, 115 lines: 115 records`);
    expect(r.stderr).toBe(
      `pyrats ingest: ${path.join(logs, 'current')}: broken symbolic link: its target does not exist (ENOENT)\n`,
    );
    const report = await runBundledCli(['report', '--db', db, '--format', 'json']);
    expect(JSON.parse(report.stdout).totals.records).toBe(115);
  });

  it('a truncated .gz and a missing file are named with the problem in words', async () => {
    const gz = gzipSync(readFileSync(SAMPLE));
    const cut = path.join(dir, '20261125.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await runBundledCli([
      'ingest',
      cut,
      path.join(dir, 'nosuch'),
      '--db',
      path.join(dir, 'b.duckdb'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')).toEqual([
      `pyrats ingest: ${cut}: truncated gzip data (unexpected end of file)`,
      `pyrats ingest: ${path.join(dir, 'nosuch')}: no such file or directory (ENOENT)`,
      '',
    ]);
    // the complete lines before the cut are kept
    expect(r.stdout).toMatch(/20261125\.gz: failed, [1-9]\d* lines: [1-9]\d* records/);
  });

  it('mirror-page: a broken link among the installers is named and left out; the page is written', async () => {
    const inst = path.join(dir, 'installers');
    mkdirSync(inst);
    writeFileSync(path.join(inst, 'Miniforge3-24.11.0-0-Linux-x86_64.sh'), '#!/bin/sh\n');
    symlinkSync(path.join(inst, 'gone.sh'), path.join(inst, 'Miniforge3-latest-Linux-x86_64.sh'));
    const out = path.join(dir, 'index.html');
    const args = ['mirror-page', '--out', out, '--pypi-url', 'https://m.example.org/pypi/simple'];
    const r = await runBundledCli([
      ...args,
      '--conda-url',
      'https://m.example.org/conda',
      '--installers',
      inst,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats mirror-page: ${path.join(inst, 'Miniforge3-latest-Linux-x86_64.sh')}: left out (broken symbolic link: its target does not exist)\n`,
    );
    expect(readFileSync(out, 'utf8')).toContain('Miniforge3-24.11.0-0-Linux-x86_64.sh');
  });

  it('reads a pipe named as a path (bash <(zcat …), a FIFO): plain and gzipped, once', async () => {
    const db = path.join(dir, 'pipe.duckdb');
    const gz = path.join(dir, 'rotated.gz');
    writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
    const ingest = (source: string) =>
      spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ingest <(${source}) --db "${db}"`], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const first = ingest(`cat "${SAMPLE}"`);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^\/dev\/fd\/\d+: new, 115 lines: 115 records/);
    const again = ingest(`cat "${gz}"`); // the same text, gzipped: the same input
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: unchanged, 0 lines/);
    const report = await runBundledCli(['report', '--db', db, '--format', 'json']);
    expect(JSON.parse(report.stdout).totals.records).toBe(115);
  });

  it('a store kept in the log directory is not read as a log file', async () => {
    const logs = path.join(dir, 'with-store');
    mkdirSync(logs);
    copyFileSync(SAMPLE, path.join(logs, '20261125'));
    const db = path.join(logs, 'usage.duckdb');
    expect((await runBundledCli(['ingest', logs, '--db', db])).code).toBe(0);
    writeFileSync(path.join(logs, '20261126'), readFileSync(SAMPLE, 'utf8').replace(/^Nov 25/gm, 'Nov 26'));
    const again = await runBundledCli(['ingest', logs, '--db', db]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('usage.duckdb');
    const named = await runBundledCli(['ingest', db, '--db', db]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/usage\.duckdb is the usage store \(--db\), not a log file/);
    const bad = await runBundledCli(['report', '--db', db, '--format', 'json']);
    expect(JSON.parse(bad.stdout).totals.records).toBe(230);
  });

  it('--user-pattern / --name-map on a store built without them: said, as they cannot change it', async () => {
    const db = path.join(dir, 'settings.duckdb');
    const first = await runBundledCli(['ingest', SAMPLE, '--db', db]);
    expect(first.stderr).toBe('');
    const map = path.join(dir, 'names.map');
    writeFileSync(map, 'yaml:PyYAML\n');
    const later = await runBundledCli([
      'ingest',
      SAMPLE,
      '--db',
      db,
      '--user-pattern',
      '/home/{user}',
      '--name-map',
      map,
    ]);
    expect(later.code).toBe(0);
    expect(later.stderr).toBe(
      `pyrats ingest: ${db} was built with user patterns /home/{user} /scratch*/{user} /work*/{user} ` +
        '/lustre/*/{user} /gpfs/*/{user} /glade/*/{user} and no --name-map; the new settings apply only to ' +
        'paths not seen before (ingest into a new store to apply them to everything)\n',
    );
    // the same settings again: nothing to say
    expect((await runBundledCli(['ingest', SAMPLE, '--db', db])).stderr).toBe('');
  });

  it('a missing --name-map is one line naming the option and the file', async () => {
    const r = await runBundledCli([
      'ingest',
      SAMPLE,
      '--db',
      path.join(dir, 'c.duckdb'),
      '--name-map',
      path.join(dir, 'map.txt'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `pyrats ingest: --name-map ${path.join(dir, 'map.txt')}: no such file or directory (ENOENT)\n`,
    );
  });
});
