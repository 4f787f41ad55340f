/**
 * `pyrats emit` end to end with a real syslog-ng on loopback: for every PyRats parity case, over UDP
 * and over TCP, the `message=` of each line syslog-ng writes equals the case's expected message (in
 * send order) and the header fields are present and well-formed; over-long messages are split into
 * records that each parse; `--dry-run`, `--redact`, `PYRATS_DISABLE=1` and an unreachable host.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { parseLogLine } from '../../../analyzer/pyrats/logLine';
import { PYRATS_MESSAGE_LIMIT } from '../../../analyzer/pyrats/recordMessage';
import { main } from '../../../server/cli/main';
import { copyCase, expectedRecords, listCases, STDLIB_CASES } from '../../support/pyratsCases';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';
import { captureCli } from '../../support/cliCapture';

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await captureCli((io) => main(args, io));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The fields of a line syslog-ng wrote: `Mon dd HH:MM:SS HOST Python: ts=…;…;message=…`. */
const WRITTEN =
  /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) 127\.0\.0\.1 Python: ts=(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3});loggerName=PyRats;pathName=([^;]*);python=([^;]*);logRecordCreationTime=(\d{10}\.\d{6});levelNo=20;levelName=INFO;message=(.*)$/;

const COMPAT_FOLLOW_ORACLE = path.resolve(__dirname, '../../support/compatFollowOracle.py');

let env: Environment;
let pyenvBuild = false;
const cases = listCases();
const copies: { cleanup: () => void }[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-emit-'));

beforeAll(async () => {
  env = await introspectInterpreter('python3', { cacheDir: false });
  pyenvBuild = env.version === '3.11.7' && !env.builtinModules.includes('math');
});
afterAll(() => {
  for (const c of copies) c.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pyrats emit: usage and local behaviour', () => {
  it('needs a destination unless --dry-run, and says so', async () => {
    const r = await cli(['emit', 'x.py']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--to udp:\/\/HOST:PORT or tcp:\/\/HOST:PORT is required/);
    expect((await cli(['emit', 'x.py', '--to', 'http://x'])).err).toMatch(/--to: .*expected udp/);
    expect((await cli(['emit', 'x.py', '--dry-run', '--redact', 'all'])).err).toMatch(
      /use one of none, home, hash/,
    );
  });

  it('PYRATS_DISABLE=1 sends nothing and says so', async () => {
    const r = await cli(['emit', 'x.py', '--to', 'udp://127.0.0.1:9'], { PYRATS_DISABLE: '1' });
    expect(r.code).toBe(0);
    expect(r.out).toBe('PYRATS_DISABLE=1: records are disabled, nothing was sent\n');
  });

  it('--dry-run prints one line per record, exactly the datagram without its NUL', async () => {
    const { dir, cleanup } = copyCase('22_follow_chain');
    copies.push({ cleanup });
    const r = await cli([
      'emit',
      path.join(dir, 'main.py'),
      '--dry-run',
      '--path-name',
      '/site/sitecustomize.py',
    ]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) {
      expect(l).toMatch(
        new RegExp(
          `^<14>Python: ts=\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3};loggerName=PyRats;pathName=/site/sitecustomize\\.py;python=${env.executable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};logRecordCreationTime=\\d+\\.\\d{6};levelNo=20;levelName=INFO;message=\\(\\(\\(`,
        ),
      );
    }
    if (pyenvBuild) {
      expect(lines.map((l) => l.slice(l.indexOf(';message=') + 9))).toEqual(
        expectedRecords('22_follow_chain', dir, env.prefix).map((x) => x.message),
      );
    }
  });

  it('--redact home and hash rewrite the paths below the home directory', async () => {
    const home = path.join(tmp, 'home', 'jdoe');
    mkdirSync(path.join(home, 'proj'), { recursive: true });
    writeFileSync(path.join(home, 'proj', 'main.py'), 'import helper\n');
    writeFileSync(path.join(home, 'proj', 'helper.py'), 'x = 1\n');
    const script = path.join(home, 'proj', 'main.py');
    const run = (mode: string) => cli(['emit', script, '--dry-run', '--redact', mode], { HOME: home });
    expect((await run('home')).out).toContain("message=((('~/proj', 'main.py'), ('~/proj', 'helper.py')))");
    const hashed = (await run('hash')).out;
    expect(hashed).toMatch(
      /message=\(\(\('~\/[0-9a-f]{12}', '[0-9a-f]{12}\.py'\), \('~\/[0-9a-f]{12}', '[0-9a-f]{12}\.py'\)\)\)/,
    );
    expect(hashed).not.toContain('proj');
    expect((await run('none')).out).toContain(`message=((('${path.join(home, 'proj')}', 'main.py'),`);
  });

  it('reports an unreachable log host once and exits 3', async () => {
    const { dir, cleanup } = copyCase('01_plain_import');
    copies.push({ cleanup });
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as import('node:net').AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await cli(['emit', path.join(dir, 'main.py'), '--to', `tcp://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toEqual([
      `pyrats emit: warning: log host tcp://127.0.0.1:${port} refused the connection (nothing listening); 1 of 1 record(s) not sent`,
    ]);
  });
});

const missing = syslogNgMissing();

describe.skipIf(missing)('pyrats emit to a real syslog-ng: PyRats parity cases', () => {
  let host: SyslogNgHost;
  beforeAll(async () => {
    host = await startSyslogNg();
  });
  afterAll(() => stopSyslogNg(host));

  for (const transport of ['udp', 'tcp'] as const) {
    for (const c of cases) {
      it(`${transport}: ${c.name}`, async (ctx) => {
        if (STDLIB_CASES.has(c.name) && !pyenvBuild) {
          ctx.skip(
            `needs the pyenv CPython 3.11.7 build as python3 (found ${env.executable} ${env.version})`,
          );
        }
        const { dir, cleanup } = copyCase(c.name);
        copies.push({ cleanup });
        const expected = expectedRecords(c.name, dir, env.prefix).map((r) => r.message);
        const tag = `/test/${transport}/${c.name}/sitecustomize.py`;
        const url = transport === 'udp' ? host.udpUrl : host.tcpUrl;
        const r = await cli(['emit', path.join(dir, c.script), '--to', url, '--path-name', tag, '--quiet']);
        expect(r.code).toBe(0);
        if (!expected.length) {
          expect(r.out).toMatch(/^no records/);
          return;
        }
        expect(r.out).toBe(
          transport === 'udp'
            ? `sent ${expected.length} record(s) to ${url} (UDP: arrival unconfirmed)\n`
            : `sent ${expected.length} record(s) to ${url} (delivered: the log host closed the connection cleanly)\n`,
        );
        const mine = (ls: string[]) => ls.filter((l) => l.includes(`;pathName=${tag};`));
        const lines = mine(await host.waitForLines((ls) => mine(ls).length >= expected.length));
        const fields = lines.map((l) => WRITTEN.exec(l));
        expect(fields.every(Boolean)).toBe(true);
        // UDP datagrams may in principle be reordered; on loopback they are not, and TCP keeps order.
        expect(fields.map((f) => f![6])).toEqual(expected);
        for (const f of fields) {
          expect(f![4]).toBe(env.executable);
          const created = Number(f![5]);
          expect(Math.abs(created * 1000 - Date.now())).toBeLessThan(120_000);
          const ts = f![2];
          const local = new Date(Math.floor(created) * 1000);
          expect(ts.slice(0, 10)).toBe(
            `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`,
          );
          // ts carries the milliseconds truncated from the exact time; the printed creation time is that
          // time rounded to microseconds: x.1239996 gives ts ,123 and 0.124000, so the printed fraction is
          // up to half a microsecond below ts and up to a whole millisecond above it (plus float error).
          const ms = Number(ts.slice(-3));
          let fractionMs = (created % 1) * 1000;
          if (fractionMs - ms < -500) fractionMs += 1000; // x.9999996 printed as (x+1).000000
          expect(fractionMs - ms).toBeGreaterThan(-0.0015);
          expect(fractionMs - ms).toBeLessThan(1.0015);
        }
      });
    }
  }

  it.skipIf(!existsSync('/usr/bin/python3'))(
    'delivers every record of a follow closure (matplotlib.pyplot, xarray, scipy) over UDP',
    async (ctx) => {
      const debian = await introspectInterpreter('/usr/bin/python3');
      const lacking = ['matplotlib', 'xarray', 'scipy'].filter(
        (m) => !debian.distributions.some((d) => d.modules.includes(m)),
      );
      if (lacking.length)
        ctx.skip(`/usr/bin/python3 lacks ${lacking.join(', ')} (apt-get install python3-…)`);
      const script = path.join(tmp, 'analyse.py');
      writeFileSync(script, 'import matplotlib.pyplot as plt\nimport xarray as xr\nimport scipy\n');
      const tag = '/test/closure/sitecustomize.py';
      const dry = await cli(['emit', script, '--python', '/usr/bin/python3', '--dry-run', '--quiet']);
      const expected = dry.out
        .trimEnd()
        .split('\n')
        .map((l) => l.slice(l.indexOf(';message=') + 9));
      // the closure's size depends on what the machine has installed: an independent follow says
      const oracle = JSON.parse(
        execFileSync('/usr/bin/python3', [COMPAT_FOLLOW_ORACLE, realpathSync(script)], {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        }),
      ) as [string, string][];
      const sources = new Set(oracle.map(([from]) => from));
      expect(sources.size).toBeGreaterThan(3);
      expect(expected.length).toBeGreaterThanOrEqual(sources.size);
      const r = await cli([
        'emit',
        script,
        '--python',
        '/usr/bin/python3',
        '--to',
        host.udpUrl,
        '--path-name',
        tag,
        '--quiet',
      ]);
      expect(r.out).toBe(`sent ${expected.length} record(s) to ${host.udpUrl} (UDP: arrival unconfirmed)\n`);
      const mine = (ls: string[]) => ls.filter((l) => l.includes(`;pathName=${tag};`));
      const lines = mine(await host.waitForLines((ls) => mine(ls).length >= expected.length));
      expect(lines.map((l) => l.slice(l.indexOf(';message=') + 9))).toEqual(expected);
    },
  );

  it('splits an over-long message into records that each parse and together hold every edge', async () => {
    const dir = path.join(tmp, 'wide');
    mkdirSync(dir, { recursive: true });
    const names = Array.from(
      { length: 600 },
      (_, i) => `module_with_a_rather_long_name_for_splitting_${String(i).padStart(4, '0')}`,
    );
    for (const n of names) writeFileSync(path.join(dir, `${n}.py`), 'x = 1\n');
    writeFileSync(path.join(dir, 'main.py'), names.map((n) => `import ${n}`).join('\n') + '\n');
    const tag = '/test/split/sitecustomize.py';
    for (const url of [host.udpUrl, host.tcpUrl]) {
      const r = await cli(['emit', path.join(dir, 'main.py'), '--to', url, '--path-name', `${tag}${url}`]);
      expect(r.code).toBe(0);
      const count = Number(/^sent (\d+) record/.exec(r.out)?.[1]);
      expect(count).toBeGreaterThan(1);
      const mine = (ls: string[]) => ls.filter((l) => l.includes(`;pathName=${tag}${url};`));
      const lines = mine(await host.waitForLines((ls) => mine(ls).length >= count));
      expect(lines).toHaveLength(count);
      const targets: string[] = [];
      for (const line of lines) {
        const message = line.slice(line.indexOf(';message=') + 9);
        expect(message.length).toBeLessThan(PYRATS_MESSAGE_LIMIT);
        const parsed = parseLogLine(line, { referenceDate: new Date() });
        expect(parsed.kind).toBe('record');
        if (parsed.kind !== 'record') continue;
        expect(parsed.source).toEqual([dir, 'main.py']);
        targets.push(...parsed.targets.map((t) => t[1]));
      }
      expect(targets).toEqual(names.map((n) => `${n}.py`));
    }
  });
});
