/**
 * Nothing lost on the way to the log host (issue 12): `pyrats request` against a real syslog-ng with
 * `max-connections(2)`, stopped while requests queue up, rejecting connections, and beside malformed
 * outbox entries. Every request arrives exactly once, and only confirmed deliveries leave the outbox.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestMessage } from '../../../analyzer/pyrats/packageRequest';
import { main } from '../../../server/cli/main';
import { captureCli } from '../../support/cliCapture';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const cli = (args: string[]) => captureCli((io) => main(args, io));
const missing = syslogNgMissing();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-request-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Request ids in the `loggerName=PyRatsRequest` lines syslog-ng wrote. */
function deliveredIds(host: SyslogNgHost): string[] {
  return host
    .lines()
    .filter((l) => l.includes('loggerName=PyRatsRequest'))
    .map((l) => parseRequestMessage(l.slice(l.indexOf(';message=') + ';message='.length)).id);
}

const waitingFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.request.json'));

/** Queues one request per name while the log host is down; returns the request ids. */
async function queueWhileDown(names: string[], to: string, outbox: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const r = await cli(['request', name, '--to', to, '--outbox', outbox, '--timeout', '3s', '--json']);
    expect(r.code).toBe(3);
    const answer = JSON.parse(r.out) as { request: { id: string }; queued: number };
    expect(answer.queued).toBe(1);
    ids.push(answer.request.id);
  }
  return ids;
}

/**
 * A connection syslog-ng accepted and counts against max-connections: the line written on it shows
 * up in the log. A connection it rejected (one of its own start-up probes may still count for a
 * moment) is replaced, up to five times.
 */
async function holdConnection(host: SyslogNgHost): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    const tag = `holder-${process.pid}-${Date.now()}-${attempt}`;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: host.port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.on('error', () => {});
    socket.write(`<14>Python: ${tag}\n`);
    try {
      await host.waitForLines((ls) => ls.some((l) => l.endsWith(tag)), 3000);
      return socket;
    } catch (err) {
      socket.destroy();
      if (attempt >= 4) throw err;
    }
  }
}

describe.skipIf(missing)('pyrats request --retry into syslog-ng with max-connections(2)', () => {
  let host: SyslogNgHost;
  beforeAll(async () => {
    host = await startSyslogNg({ maxConnections: 2 });
  });
  afterAll(() => stopSyslogNg(host));

  it('40 requests queued while the log host is down stay while it is down, then arrive exactly once', async () => {
    const outbox = path.join(tmp, 'forty');
    await host.stop();
    const names = Array.from({ length: 40 }, (_, i) => `pkg-${i}`);
    const ids = await queueWhileDown(names, host.tcpUrl, outbox);
    expect(waitingFiles(outbox)).toHaveLength(40);

    const down = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '3s']);
    expect(down.code).toBe(3);
    expect(down.out).toMatch(/40 still waiting\n$/);
    expect(down.out.match(/FAILED: log host .* refused the connection/g)).toHaveLength(40);
    const listed = JSON.parse((await cli(['request', '--list', '--json', '--outbox', outbox])).out) as {
      entries: { attempts: number; lastError: string; nextAttempt: string }[];
    };
    expect(listed.entries).toHaveLength(40);
    for (const e of listed.entries) {
      expect(e.attempts).toBe(2);
      expect(e.lastError).toMatch(/refused the connection/);
      expect(Date.parse(e.nextAttempt)).toBeGreaterThan(Date.now());
    }

    await host.restart();
    const up = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '5s']);
    expect(up.err).toBe('');
    expect(up.code).toBe(0);
    expect(up.out.match(/delivered: syslog record delivered to /g)).toHaveLength(40);
    expect(up.out).toMatch(/0 still waiting\n$/);
    expect(waitingFiles(outbox)).toEqual([]);
    await host.waitForLines(() => deliveredIds(host).length >= 40);
    expect(deliveredIds(host).sort()).toEqual([...ids].sort());
  });

  it('a connection the log host rejects (max-connections reached) is not counted as delivered', async () => {
    const outbox = path.join(tmp, 'rejected');
    await host.stop();
    const ids = await queueWhileDown(['alpha', 'beta', 'gamma'], host.tcpUrl, outbox);
    await host.restart();
    const before = deliveredIds(host).length;
    // two other clients hold both connections syslog-ng allows (holdConnection checks it accepted each)
    const holders = [await holdConnection(host), await holdConnection(host)];
    try {
      const rejected = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '3s']);
      expect(rejected.code).toBe(3);
      expect(rejected.out).toMatch(/3 still waiting\n$/);
      expect(
        rejected.out.match(/FAILED: log host .* (closed the connection before|reset the connection)/g),
      ).toHaveLength(3);
      expect(waitingFiles(outbox)).toHaveLength(3);
    } finally {
      for (const s of holders) s.destroy();
    }
    // syslog-ng notices the holders' close on its own time: retry until it accepts again
    let retried = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '5s']);
    for (let i = 0; i < 5 && retried.code !== 0; i++) {
      expect(waitingFiles(outbox)).toHaveLength(3);
      retried = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '5s']);
    }
    expect(retried.code).toBe(0);
    expect(waitingFiles(outbox)).toEqual([]);
    await host.waitForLines(() => deliveredIds(host).length >= before + 3);
    expect(deliveredIds(host).slice(before).sort()).toEqual([...ids].sort());
  });

  it('a malformed entry beside 3 good ones: 3 delivered, the bad one moved to bad/ and named, exit 3', async () => {
    const outbox = path.join(tmp, 'malformed');
    await host.stop();
    const ids = await queueWhileDown(['delta', 'epsilon', 'zeta'], host.tcpUrl, outbox);
    await host.restart();
    // one good entry as an older version wrote it: no nextAttempt, firstAttempt null
    const old = path.join(outbox, `${ids[0]}.0.request.json`);
    const entry = JSON.parse(readFileSync(old, 'utf8')) as Record<string, unknown>;
    delete entry.nextAttempt;
    writeFileSync(old, JSON.stringify({ ...entry, firstAttempt: null }));
    const broken = path.join(outbox, 'half-written.0.request.json');
    writeFileSync(broken, '{"key": "half-written.0", "request": {"format": "pyrats-req');
    const before = deliveredIds(host).length;

    const r = await cli(['request', '--retry', '--outbox', outbox, '--timeout', '5s']);
    expect(r.code).toBe(3);
    expect(r.out.match(/delivered: /g)).toHaveLength(3);
    expect(r.out).toMatch(/0 still waiting\n$/);
    const movedTo = path.join(outbox, 'bad', 'half-written.0.request.json');
    expect(r.err).toBe(
      `pyrats request: malformed outbox entry ${broken} (${r.err.match(/\((not JSON[^)]*\))\)/)![1]}); moved to ${movedTo}\n`,
    );
    expect(r.err).toMatch(/\(not JSON \(/);
    expect(readFileSync(`${movedTo}.reason`, 'utf8')).toMatch(
      /^half-written\.0\.request\.json: not JSON \(.*\)\n$/,
    );
    expect(waitingFiles(outbox)).toEqual([]);
    await host.waitForLines(() => deliveredIds(host).length >= before + 3);
    expect(deliveredIds(host).slice(before).sort()).toEqual([...ids].sort());
  });
});
