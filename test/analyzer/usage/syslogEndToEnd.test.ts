/**
 * End to end with real parts: `pyrats emit` sends the records of real scripts (resolved by Debian's
 * python3 with numpy and scipy) and `pyrats request` a package request through a real syslog-ng;
 * `pyrats ingest` reads syslog-ng's day file; `pyrats report` shows the right users, counts and
 * requests. Users come from the scripts' paths (…/home/USER/…).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const PYTHON = '/usr/bin/python3';

const missing =
  syslogNgMissing() ??
  (existsSync(PYTHON) ? null : `${PYTHON} is missing`) ??
  (existsSync('/usr/lib/python3/dist-packages/numpy') && existsSync('/usr/lib/python3/dist-packages/scipy')
    ? null
    : 'python3-numpy / python3-scipy are not installed (apt-get install python3-numpy python3-scipy)');

describe.skipIf(missing !== null)(
  `records and requests through syslog-ng${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let host: SyslogNgHost;
    let dir: string;
    beforeAll(async () => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
      dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-usage-e2e-'));
      host = await startSyslogNg();
    });
    afterAll(async () => {
      await stopSyslogNg(host);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('emit + request -> syslog-ng -> ingest -> report', async () => {
      const alice = path.join(dir, 'home', 'alice', 'proj');
      const bob = path.join(dir, 'home', 'bob');
      mkdirSync(alice, { recursive: true });
      mkdirSync(bob, { recursive: true });
      writeFileSync(path.join(alice, 'plot.py'), 'import json\nimport numpy as np\nprint(np.pi)\n');
      writeFileSync(path.join(bob, 'fit.py'), 'import numpy\nfrom scipy import optimize\n');
      const runs: string[] = [
        path.join(alice, 'plot.py'),
        path.join(bob, 'fit.py'),
        path.join(bob, 'fit.py'),
      ];
      let expectedLines = 0;
      for (const script of runs) {
        const dry = await runBundledCli(['emit', script, '--python', PYTHON, '--dry-run']);
        expect(dry.code, dry.stderr).toBe(0);
        expectedLines += dry.stdout.split('\n').filter((l) => l.includes('loggerName=PyRats;')).length;
        const sent = await runBundledCli(['emit', script, '--to', host.udpUrl, '--python', PYTHON]);
        expect(sent.code, sent.stderr).toBe(0);
      }
      const outbox = path.join(dir, 'outbox');
      const req = await runBundledCli([
        'request',
        'PyYAML',
        '--reason',
        'reads config files',
        '--to',
        host.udpUrl,
        '--outbox',
        outbox,
      ]);
      expect(req.code, req.stderr).toBe(0);
      expectedLines += 1;
      await host.waitForLines((lines) => lines.length >= expectedLines, 30_000);

      const db = path.join(dir, 'usage.duckdb');
      const userPattern = path.join(dir, 'home', '{user}');
      const ing = await runBundledCli(['ingest', host.logDir, '--db', db, '--user-pattern', userPattern]);
      expect(ing.code, ing.stderr).toBe(0);
      expect(ing.stdout).toMatch(
        new RegExp(`${expectedLines} lines: ${expectedLines - 1} records, 1 requests, 0 other, 0 bad`),
      );

      const rep = await runBundledCli(['report', '--db', db, '--format', 'json', '--requests']);
      expect(rep.code, rep.stderr).toBe(0);
      const report = JSON.parse(rep.stdout) as {
        totals: { scriptRecords: number; users: number };
        packages: { package: string; users: number; imports: number }[];
        requests: { package: string; requesters: number; reasons: string[]; users: string[] }[];
      };
      expect(report.totals).toMatchObject({ scriptRecords: 3, users: 2 });
      const byName = Object.fromEntries(
        report.packages.map((p) => [p.package, { users: p.users, imports: p.imports }]),
      );
      expect(byName.numpy).toEqual({ users: 2, imports: 3 });
      expect(byName.scipy).toEqual({ users: 1, imports: 2 });
      expect(byName.json).toBeUndefined(); // standard library, not a third-party package
      expect(report.requests).toEqual([
        expect.objectContaining({
          package: 'pyyaml',
          requesters: 1,
          reasons: ['reads config files'],
          users: [os.userInfo().username],
        }),
      ]);

      // drill-down names the two users' scripts; re-ingesting adds nothing
      const drill = await runBundledCli(['report', '--db', db, '--package', 'numpy', '--format', 'csv']);
      expect(drill.stdout).toContain(path.join(bob, 'fit.py'));
      expect(drill.stdout).toContain(path.join(alice, 'plot.py'));
      const again = await runBundledCli(['ingest', host.logDir, '--db', db, '--user-pattern', userPattern]);
      expect(again.stdout).toMatch(/unchanged, 0 lines/);
    });
  },
);
