/**
 * One time budget for name lookup, connect and send: a DNS server on 127.0.0.1 that never answers
 * makes a syslog send (TCP and UDP) and a webhook fail at the time limit, saying the lookup did not
 * finish, with nothing left pending that would keep the process alive; a DNS server that answers
 * leads the same sends to a real syslog-ng.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupWithin, NetBudget } from '../../../analyzer/pyrats/netBudget';
import { buildRecordDatagrams } from '../../../analyzer/pyrats/syslogRecord';
import { parseSyslogTarget, sendSyslog } from '../../../analyzer/pyrats/syslogTransport';
import { postWebhook } from '../../../analyzer/requests/webhook';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const NAME = 'loghost.pyrats-test.example';
const header = { loggerName: 'PyRats', pathName: '/test/netBudget', python: '/usr/bin/python3' };

interface DnsServer {
  address: string;
  /** Queried names with their type (1 = A, 28 = AAAA). */
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

/** The question's name and type of a DNS query packet. */
function question(packet: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (packet[at] !== 0) {
    labels.push(packet.toString('latin1', at + 1, at + 1 + packet[at]));
    at += packet[at] + 1;
  }
  return { name: labels.join('.'), type: packet.readUInt16BE(at + 1), end: at + 5 };
}

/** A DNS server on 127.0.0.1: silent, or answering every A query with `answer`. */
async function startDns(answer: string | null): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: DnsServer['queries'] = [];
  socket.on('message', (packet, from) => {
    const q = question(packet);
    queries.push({ name: q.name, type: q.type });
    if (answer === null) return;
    const withAnswer = q.type === 1;
    const head = Buffer.alloc(12);
    packet.copy(head, 0, 0, 2);
    head.writeUInt16BE(0x8180, 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(withAnswer ? 1 : 0, 6);
    const record = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...answer.split('.').map(Number)]);
    const reply = Buffer.concat([head, packet.subarray(12, q.end), ...(withAnswer ? [record] : [])]);
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Requests still pending that would keep a process alive after its work is done. */
const pendingLookups = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'QueryReqWrap' || r === 'GetAddrInfoReqWrap');

describe('a name lookup that hangs counts against the time limit', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDns(null);
  });
  afterAll(() => dns.close());

  for (const transport of ['tcp', 'udp'] as const) {
    it(`${transport}: fails at the limit naming the lookup, and leaves nothing pending`, async () => {
      const before = dns.queries.length;
      const target = parseSyslogTarget(`${transport}://${NAME}:514`);
      const result = await sendSyslog(target, buildRecordDatagrams(['m'], header), {
        timeoutMs: 800,
        dnsServers: [dns.address],
      });
      expect(result).toMatchObject({ sent: 0, failed: 1, confirmed: false });
      expect(result.error).toBe(
        `log host ${transport}://${NAME}:514: the name lookup of '${NAME}' did not finish within the 800 ms time limit`,
      );
      expect(dns.queries.slice(before).map((q) => q.name)).toContain(NAME);
      expect(pendingLookups()).toEqual([]);
    });
  }

  it('webhook: fails at the limit naming the lookup, and leaves nothing pending', async () => {
    const outcome = await postWebhook(`http://${NAME}:8080/hook`, '{}', {
      timeoutMs: 800,
      dnsServers: [dns.address],
    });
    expect(outcome).toEqual({
      ok: false,
      detail: `webhook http://${NAME}:8080/hook not reached`,
      error: `webhook http://${NAME}:8080/hook: the name lookup of '${NAME}' did not finish within the 800 ms time limit`,
    });
    expect(pendingLookups()).toEqual([]);
  });

  it('a spent budget fails at once without asking', async () => {
    const budget = new NetBudget(0);
    const before = dns.queries.length;
    await expect(lookupWithin(NAME, 0, budget, { dnsServers: [dns.address] })).rejects.toMatchObject({
      code: 'ETIMEOUT_LOOKUP',
    });
    expect(dns.queries.length).toBe(before);
  });
});

describe.skipIf(syslogNgMissing())('a name the DNS server answers', () => {
  let dns: DnsServer;
  let host: SyslogNgHost;
  beforeAll(async () => {
    dns = await startDns('127.0.0.1');
    host = await startSyslogNg();
  });
  afterAll(async () => {
    await dns.close();
    await stopSyslogNg(host);
  });

  for (const transport of ['tcp', 'udp'] as const) {
    it(`${transport}: is looked up through it, and the record arrives`, async () => {
      const tag = `by-name-${transport}-${Date.now()}`;
      const target = parseSyslogTarget(`${transport}://${NAME}:${host.port}`);
      const result = await sendSyslog(target, buildRecordDatagrams([tag], header), {
        timeoutMs: 5000,
        dnsServers: [dns.address],
      });
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ sent: 1, failed: 0, confirmed: transport === 'tcp' });
      expect(dns.queries).toContainEqual({ name: NAME, type: 1 });
      await host.waitForLines((ls) => ls.some((l) => l.endsWith(`message=${tag}`)));
    });
  }
});
