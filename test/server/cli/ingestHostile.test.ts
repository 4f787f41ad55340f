/**
 * Hostile log lines at ingest (issue 13 items 4 and 5): a 900,000-character request reason, a
 * request naming 150 packages, over-long paths and host names are bounded (cut with a mark, or
 * counted in bad_lines) while the rest is kept; ESC sequences and bidi overrides in file names, in
 * valid records and in malformed lines never reach the terminal raw, and the malformed lines are
 * still reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBundledCli } from '../../support/bundledCli';
import { requestLine } from '../../support/requestLines';

const ESC = '\x1b';
/** Control characters that must never reach a terminal raw: BEL, ESC, CSI (C1), DEL, RLO. */
const RAW_CONTROLS = /[\x07\x1b\x7f\x9b\u202e]/;

function recordLine(script: string, target: string, opts: { ts?: string; host?: string } = {}): string {
  const [dir, file] = [path.dirname(script), path.basename(script)];
  return (
    `Nov 25 06:28:41 ${opts.host ?? 'hfe01'} Python: ts=${opts.ts ?? '2026-11-25 06:18:58,058'};loggerName=PyRats;` +
    'pathName=/p/sitecustomize.py;python=/usr/bin/python3;logRecordCreationTime=1795587538.058567;' +
    `levelNo=20;levelName=INFO;message=((('${dir}', '${file}'), ('/usr/lib/python3/dist-packages', '${target}')))`
  );
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('pyrats ingest: bounded inputs', () => {
  it('a 900,000-character reason is cut to 2,000 plus the mark; 3 requests are listed', async () => {
    const log = path.join(dir, '20261125');
    const lines = [
      // forged by hand: pyrats itself caps the reason when it makes a request
      requestLine({
        user: 'mallory',
        packages: ['hugepkg'],
        id: 'r1',
        forge: (r) => (r.reason = 'x'.repeat(900_000)),
      }),
      requestLine({ user: 'alice', packages: ['polars'], reason: 'fast frames', id: 'r2' }),
      requestLine({ user: 'bob', packages: ['duckdb'], reason: 'sql', id: 'r3' }),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const db = path.join(dir, 'u.duckdb');
    const ing = await runBundledCli(['ingest', log, '--db', db]);
    expect(ing.stdout).toBe(`${log}: new, 3 lines: 0 records, 3 requests, 0 other, 1 bad\n`);
    expect(ing.stderr).toBe(`${log}:1: request reason of 900000 characters cut to 2000\n`);
    expect(ing.code).toBe(1);
    const list = await runBundledCli(['requests', 'list', '--db', db, '--format', 'json']);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as { package: string; reasons: string[] }[];
    expect(entries.map((e) => e.package).sort()).toEqual(['duckdb', 'hugepkg', 'polars']);
    const huge = entries.find((e) => e.package === 'hugepkg')!;
    expect(huge.reasons).toEqual([`${'x'.repeat(2000)} [truncated]`]);
    expect(list.stdout.length).toBeLessThan(10_000);
  });

  it('a forged request of 150 packages is refused whole; over-long user, paths and hosts are counted', async () => {
    const log = path.join(dir, '20261125');
    const many = Array.from({ length: 150 }, (_, i) => `pkg${String(i).padStart(3, '0')}`);
    const lines = [
      requestLine({
        user: 'carol',
        packages: ['ok-pkg'],
        id: 'many',
        forge: (r) => {
          const first = (r.packages as object[])[0];
          r.packages = many.map((name) => ({ ...first, name }));
        },
      }),
      requestLine({
        user: 'dave',
        packages: ['kept-pkg'],
        id: 'long',
        forge: (r) => (r.user = 'u'.repeat(1025)),
      }),
      recordLine(`/home/erin/${'d'.repeat(1100)}/run.py`, 'numpy'),
      recordLine('/home/erin/run.py', 'numpy', { host: 'h'.repeat(1100) }),
      recordLine('/home/erin/run.py', 'numpy'),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const db = path.join(dir, 'u.duckdb');
    const ing = await runBundledCli(['ingest', log, '--db', db]);
    expect(ing.stdout).toBe(`${log}: new, 5 lines: 1 records, 1 requests, 0 other, 4 bad\n`);
    expect(ing.stderr.split('\n')).toEqual([
      `${log}:1: not a valid pyrats-request/1 request: more than 50 packages`,
      `${log}:2: request requester of 1025 characters dropped (limit 1024)`,
      `${log}:3: script path of 1117 characters is longer than 1024`,
      `${log}:4: host name of 1100 characters is longer than 1024`,
      '',
    ]);
    const list = await runBundledCli(['requests', 'list', '--db', db, '--format', 'json']);
    const entries = JSON.parse(list.stdout) as { package: string }[];
    expect(entries.map((e) => e.package)).toEqual(['kept-pkg']);
    const report = await runBundledCli(['report', '--db', db, '--format', 'json']);
    expect(JSON.parse(report.stdout).totals.records).toBe(1);
  });
});

describe('pyrats ingest: control characters from logs are escaped on the terminal', () => {
  it('ESC in a file name, a valid record, a request and a malformed timestamp: none raw, all reported', async () => {
    const log = path.join(dir, `2026112${ESC}[2J5`);
    const lines = [
      recordLine(`/home/eve/${ESC}]0;pwned\x07/a\u202eyp.py`, `numpy${ESC}[31m`),
      recordLine('/home/eve/b.py', 'numpy', { ts: `2026-11-25 06:18:58,058${ESC}[2J` }),
      requestLine({
        user: `eve${ESC}[8m`,
        packages: ['evil'],
        reason: `why${ESC}[2J\x9b2J\x7f`,
        id: 'e1',
      }),
      `Nov 25 06:28:41 hfe01 Python: ts=${ESC}[2Jgarbage`,
      requestLine({
        user: 'eve',
        packages: ['x'],
        id: 'e2',
        forge: (r) => ((r.packages as { name: string }[])[0].name = `a${ESC}[1;1H`),
      }),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const db = path.join(dir, 'u.duckdb');
    const ing = await runBundledCli(['ingest', log, '--db', db]);
    expect(ing.code).toBe(1);
    expect(ing.stdout).not.toMatch(RAW_CONTROLS);
    expect(ing.stderr).not.toMatch(RAW_CONTROLS);
    const shown = path.join(dir, '2026112\\x1b[2J5');
    expect(ing.stdout).toBe(`${shown}: new, 5 lines: 1 records, 1 requests, 0 other, 3 bad\n`);
    const bad = ing.stderr.trimEnd().split('\n');
    expect(bad.map((l) => l.slice(0, shown.length + 3))).toEqual([
      `${shown}:2:`,
      `${shown}:4:`,
      `${shown}:5:`,
    ]);
    expect(bad[0]).toContain('\\x1b[2J');
    const json = await runBundledCli(['ingest', log, '--db', path.join(dir, 'v.duckdb'), '--json']);
    expect(json.stdout).not.toMatch(RAW_CONTROLS);
    expect(JSON.parse(json.stdout)[0].path).toBe(log);
    for (const args of [
      ['report', '--db', db],
      ['report', '--db', db, '--format', 'json'],
      ['report', '--db', db, '--format', 'csv', '--section', 'scripts'],
      ['requests', 'list', '--db', db],
      ['requests', 'list', '--db', db, '--format', 'json'],
      ['requests', 'list', '--db', db, '--format', 'csv'],
    ]) {
      const r = await runBundledCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect(r.stdout).not.toMatch(RAW_CONTROLS);
      expect(r.stderr).not.toMatch(RAW_CONTROLS);
    }
    const text = await runBundledCli(['requests', 'list', '--db', db]);
    expect(text.stdout).toContain('why\\x1b[2J\\x9b2J\\x7f');
    const listed = JSON.parse(
      (await runBundledCli(['requests', 'list', '--db', db, '--format', 'json'])).stdout,
    );
    expect(listed[0].reasons).toEqual([`why${ESC}[2J\x9b2J\x7f`]);
  }, 180_000); // nine CLI runs
});
