/**
 * `pyrats emit` of a 2,001-record closure into a real syslog-ng, ten times over UDP with the log host
 * stopped and restarted in the middle: every record the command says it sent is written, and every
 * record it did not send is counted in its summary. Over TCP with RFC 6587 octet counting into
 * syslog-ng's `syslog()` source, every record arrives whole.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../server/cli/main';
import { captureCli } from '../../support/cliCapture';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const cli = (args: string[]) => captureCli((io) => main(args, io));
const missing = syslogNgMissing();
const MODULES = 2000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-emit-faults-'));
/** main.py → m0 → m1 → … → m1999 → m0: one record per file, 2,001 in all. */
const script = path.join(tmp, 'closure', 'main.py');
mkdirSync(path.dirname(script));
for (let i = 0; i < MODULES; i++) {
  writeFileSync(path.join(tmp, 'closure', `m${i}.py`), `import m${(i + 1) % MODULES}\n`);
}
writeFileSync(script, 'import m0\n');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const linesOf = (host: SyslogNgHost, tag: string) =>
  host.lines().filter((l) => l.includes(`;pathName=${tag};`));

/** Records the command says went out: all on success, else total minus the counted ones. */
function reportedSent(r: { code: number; out: string; err: string }, total: number): number {
  if (r.code === 0) return Number(/^sent (\d+) record\(s\)/.exec(r.out)![1]);
  const m = /; (\d+) of (\d+) record\(s\) not sent\n$/.exec(r.err);
  expect(m, r.err).not.toBeNull();
  expect(Number(m![2])).toBe(total);
  return total - Number(m![1]);
}

describe.skipIf(missing)('pyrats emit: honest counts with a real syslog-ng', () => {
  let udpHost: SyslogNgHost;
  let total = 0;
  beforeAll(async () => {
    udpHost = await startSyslogNg();
    const dry = await cli(['emit', script, '--dry-run', '--quiet']);
    total = dry.out.trimEnd().split('\n').length;
  });
  afterAll(() => stopSyslogNg(udpHost));

  it('10 UDP emissions, the log host stopped before the 5th and back before the 8th', async () => {
    expect(total).toBe(MODULES + 1);
    const sentPerRun: number[] = [];
    for (let run = 0; run < 10; run++) {
      if (run === 4) await udpHost.stop();
      if (run === 7) await udpHost.restart();
      const tag = `/emit-faults/udp-${run}-${Date.now()}/sitecustomize.py`;
      const r = await cli(['emit', script, '--to', udpHost.udpUrl, '--path-name', tag, '--quiet']);
      const sent = reportedSent(r, total);
      sentPerRun.push(sent);
      if (run >= 4 && run < 7) {
        expect(r.code).toBe(3);
        expect(r.err).toMatch(/refused/);
        continue;
      }
      await udpHost.waitForLines(() => linesOf(udpHost, tag).length >= sent, 30_000);
      expect(linesOf(udpHost, tag)).toHaveLength(sent);
    }
    // the runs while it was down sent nothing, and said so
    expect(sentPerRun.slice(4, 7)).toEqual([0, 0, 0]);
    const written = udpHost.lines().filter((l) => l.includes(';pathName=/emit-faults/udp-')).length;
    expect(written).toBe(sentPerRun.reduce((a, b) => a + b, 0));
  });

  it('TCP with octet counting into the syslog() source: every record, whole and in order', async () => {
    const host = await startSyslogNg({ tcpSource: 'syslog' });
    try {
      const tag = `/emit-faults/octet-${Date.now()}/sitecustomize.py`;
      const dry = await cli(['emit', script, '--dry-run', '--quiet', '--path-name', tag]);
      const messages = dry.out
        .trimEnd()
        .split('\n')
        .map((l) => l.slice(l.indexOf(';message=')));
      const url = `${host.tcpUrl}?framing=octet-counting`;
      const r = await cli(['emit', script, '--to', url, '--path-name', tag, '--quiet', '--timeout', '20s']);
      expect(r.err).toBe('');
      expect(r.out).toBe(
        `sent ${total} record(s) to ${url} (delivered: the log host closed the connection cleanly)\n`,
      );
      await host.waitForLines(() => linesOf(host, tag).length >= total, 30_000);
      expect(linesOf(host, tag).map((l) => l.slice(l.indexOf(';message=')))).toEqual(messages);
    } finally {
      await stopSyslogNg(host);
    }
  });
});
