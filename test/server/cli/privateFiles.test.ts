/**
 * Private files whatever the umask: every command runs under `umask 022` (the usual default, which
 * would leave files 0644 and directories 0755) and what it writes is checked on disk — the store in
 * new directories and its WAL while an ingest runs, the warning for a store others may read,
 * `--mode 0640`, the Parquet export, the request outbox, and the mirror / environment / extract
 * caches of a real `pyrats check` and `pyrats deps` against a mirror on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, runBundledCli } from '../../support/bundledCli';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

const REPO = path.resolve(__dirname, '../../..');
const SAMPLE = path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log');
let tmp: string;

const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

/** Every directory and file under `root` (itself included) with its mode, e.g. `700 cache/pyrats`. */
function modesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    out.push(`${modeOf(p)} ${path.relative(path.dirname(root), p)}`);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
  };
  walk(root);
  return out;
}

/** Polls `fn` every 100 ms until it is true, up to 30 s. */
async function until(what: string, fn: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-private-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the usage store under umask 022', () => {
  it('ingest makes missing directories 0700 and the store 0600; the WAL is 0600 while it writes', async () => {
    const db = path.join(tmp, 'new', 'sub', 'usage.duckdb');
    const [command, args] = cliCommand(['ingest', '-', '--db', db, '--quiet'], '022');
    const ingest = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    ingest.stdout.on('data', (d) => (out += d));
    ingest.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((res) => ingest.on('close', (code) => res(code ?? -1)));
    try {
      ingest.stdin.write(readFileSync(SAMPLE));
      await until('the WAL', () => existsSync(`${db}.wal`));
      expect(modeOf(`${db}.wal`)).toBe('600');
      expect(modeOf(db)).toBe('600');
    } finally {
      ingest.stdin.end();
    }
    expect(await exited, out).toBe(0);
    expect(out).toBe('-: new, 115 lines: 115 records, 0 requests, 0 other, 0 bad\n');
    expect([modeOf(path.join(tmp, 'new')), modeOf(path.dirname(db)), modeOf(db)]).toEqual([
      '700',
      '700',
      '600',
    ]);
  });

  it('warns when an existing store is readable by others; --mode 0640 sets group read on purpose', async () => {
    const db = path.join(tmp, 'shared', 'usage.duckdb');
    const day = path.join(tmp, '20261125');
    writeFileSync(day, readFileSync(SAMPLE));
    expect((await runBundledCli(['ingest', day, '--db', db], { umask: '022' })).code).toBe(0);
    chmodSync(db, 0o644);
    const warned = await runBundledCli(['ingest', day, '--db', db, '--quiet'], { umask: '022' });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe(
      `pyrats ingest: warning: ${db} is readable by other users (mode 0644): chmod 600 ${db}, ` +
        'or pass --mode 0644 to keep that on purpose\n',
    );
    const group = await runBundledCli(['ingest', day, '--db', db, '--quiet', '--mode', '0640'], {
      umask: '022',
    });
    expect([group.code, group.stderr]).toEqual([0, '']);
    expect(modeOf(db)).toBe('640');
    const bad = await runBundledCli(['ingest', day, '--db', db, '--mode', '0755']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^pyrats ingest: --mode: '0755' is not a file mode for private files: execute bits/,
    );
  });

  it('export writes Parquet 0600 in 0700 directories, or 0640 / 0750 with --mode 0640', async () => {
    const db = path.join(tmp, 'new', 'sub', 'usage.duckdb');
    const out = path.join(tmp, 'parquet');
    const r = await runBundledCli(['export', '--db', db, '--parquet', out], { umask: '022' });
    expect(r.code, r.stderr).toBe(0);
    const modes = modesUnder(out);
    expect(modes).toContain('600 parquet/records/day=2026-11-25/data_0.parquet');
    expect(modes.length).toBe(10); // parquet, 3 tables, 3 days dirs, 3 files
    expect(
      modes.filter((m) => !/^(700 parquet(\/[a-z_]+(\/day=[\d-]+)?)?|600 .*\.parquet)$/.test(m)),
    ).toEqual([]);
    const grouped = path.join(tmp, 'parquet-group');
    expect(
      (await runBundledCli(['export', '--db', db, '--parquet', grouped, '--mode', '640'], { umask: '022' }))
        .code,
    ).toBe(0);
    const groupModes = modesUnder(grouped);
    expect(groupModes.filter((m) => !/^(750 [^.]*|640 .*\.parquet)$/.test(m))).toEqual([]);
  });
});

describe('outbox and caches under umask 022', () => {
  let server: MirrorServer;
  beforeAll(async () => {
    server = await startMirrorServer(path.join(REPO, 'test/fixtures/mirror/tree'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a failed request delivery waits in a 0700 outbox (made with its parents) as a 0600 file', async () => {
    const outbox = path.join(tmp, 'state', 'pyrats', 'outbox');
    const r = await runBundledCli(
      ['request', 'PyYAML', '--to', `${server.url}/fail500/hook`, '--outbox', outbox, '--redact', 'none'],
      { umask: '022' },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/FAILED: .*\n {2}kept in the outbox/);
    const modes = modesUnder(path.join(tmp, 'state'));
    expect(modes.slice(0, 3)).toEqual(['700 state', '700 state/pyrats', '700 state/pyrats/outbox']);
    expect(modes.length).toBe(4);
    expect(modes[3]).toMatch(/^600 state\/pyrats\/outbox\/\S+$/);
  });

  it('check and deps leave the mirror, environment and extract caches 0700 / 0600', async () => {
    const work = path.join(tmp, 'work');
    mkdirSync(work);
    writeFileSync(path.join(work, 'a.py'), 'import numpy\nimport seaborn\nimport helper\n');
    writeFileSync(path.join(work, 'helper.py'), 'import json\n');
    const env = { XDG_CACHE_HOME: path.join(tmp, 'cache') };
    const check = await runBundledCli(
      [
        'check',
        path.join(work, 'a.py'),
        '--python',
        'python3',
        '--mirror',
        `${server.url}/ok/conda/conda-forge`,
        '--mirror',
        `pypi:${server.url}/ok/simple`,
      ],
      { umask: '022', env },
    );
    expect(check.code, check.stderr).toBeLessThan(2);
    const deps = await runBundledCli(['deps', path.join(work, 'a.py')], { umask: '022', env });
    expect(deps.code, deps.stderr).toBe(0);
    const modes = modesUnder(path.join(tmp, 'cache'));
    for (const sub of ['http', 'env', 'extract'])
      expect(modes.some((m) => m.startsWith(`600 cache/pyrats/${sub}`))).toBe(true);
    expect(modes.filter((m) => !(m.startsWith('700 ') || m.startsWith('600 ')))).toEqual([]);
    for (const m of modes)
      expect(m.startsWith('700 ')).toBe(statSync(path.join(tmp, m.slice(4))).isDirectory());
  });
});
