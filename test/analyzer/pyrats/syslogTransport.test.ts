/**
 * Sending records to a real syslog-ng on a loopback port, over UDP and TCP, and reading back the lines
 * it writes to its day file; failures (host down, oversized datagram) come back as results, not throws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRecordDatagrams,
  MAX_UDP_PAYLOAD,
  datagramOverhead,
  type RecordHeader,
} from '../../../analyzer/pyrats/syslogRecord';
import { parseSyslogTarget, sendSyslog } from '../../../analyzer/pyrats/syslogTransport';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const missing = syslogNgMissing();
const header: RecordHeader = {
  loggerName: 'PyRats',
  pathName: '/opt/pyrats-lens/dist/cli.js',
  python: '/usr/bin/python3',
};

/** `Mon dd HH:MM:SS 127.0.0.1 Python: ts=…;…;message=…` → the fields, or null when malformed. */
export function parseWrittenLine(line: string) {
  const m =
    /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) Python: ts=(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3});loggerName=([^;]*);pathName=(.*?);python=(.*?);logRecordCreationTime=(\d+\.\d{6});levelNo=20;levelName=INFO;message=(.*)$/s.exec(
      line,
    );
  if (!m) return null;
  const [, received, host, ts, loggerName, pathName, python, created, message] = m;
  return { received, host, ts, loggerName, pathName, python, created, message };
}

describe.skipIf(missing)('syslog transport to a real syslog-ng', () => {
  let host: SyslogNgHost;
  beforeAll(async () => {
    host = await startSyslogNg();
  });
  afterAll(() => stopSyslogNg(host));

  for (const transport of ['udp', 'tcp'] as const) {
    it(`writes every record whole over ${transport.toUpperCase()}, with well-formed header fields`, async () => {
      const tag = `${transport}-${Date.now()}`;
      const messages = [
        `((('/home/jdoe/${tag}', 'a.py'), ('/usr/lib/python3/dist-packages', 'numpy')))`,
        `((('/home/jdoe/${tag}', 'b.py'), ('/home/jdoe/${tag}', 'é "q" \\'s.py')))`,
        // 60,000 bytes in all: the largest PyRats-size record must arrive whole.
        `((('/home/jdoe/${tag}', 'c.py'), ('/x', '`.padEnd(60_000 - datagramOverhead(header) - 4, 'x') +
          "')))",
      ];
      const datagrams = buildRecordDatagrams(messages, header);
      expect(datagrams[2].length).toBe(60_000);
      const url = transport === 'udp' ? host.udpUrl : host.tcpUrl;
      const result = await sendSyslog(parseSyslogTarget(url), datagrams);
      expect(result).toMatchObject({ sent: 3, failed: 0 });
      expect(result.error).toBeUndefined();
      const lines = await host.waitForLines((ls) => ls.filter((l) => l.includes(tag)).length === 3);
      const mine = lines.filter((l) => l.includes(tag)).map(parseWrittenLine);
      expect(mine.map((r) => r?.message)).toEqual(messages);
      for (const r of mine) {
        expect(r).not.toBeNull();
        expect(r!.host).toBe('127.0.0.1');
        expect(r!.loggerName).toBe('PyRats');
        expect(r!.pathName).toBe(header.pathName);
        expect(r!.python).toBe(header.python);
        const created = Number(r!.created);
        expect(Math.abs(created * 1000 - Date.now())).toBeLessThan(60_000);
      }
    });
  }

  it('delivers a burst of 400 UDP records whole and in order', async () => {
    const tag = `burst-${Date.now()}`;
    const messages = Array.from(
      { length: 400 },
      (_, i) => `((('/home/jdoe/${tag}', '${i}.py'), ('/x', '${'y'.repeat(900)}')))`,
    );
    const result = await sendSyslog(parseSyslogTarget(host.udpUrl), buildRecordDatagrams(messages, header));
    expect(result).toMatchObject({ sent: 400, failed: 0 });
    const lines = await host.waitForLines((ls) => ls.filter((l) => l.includes(tag)).length === 400);
    expect(lines.filter((l) => l.includes(tag)).map((l) => parseWrittenLine(l)?.message)).toEqual(messages);
  });

  it('reports a datagram too large for UDP instead of sending a truncated one', async () => {
    const datagrams = buildRecordDatagrams(['x'.repeat(MAX_UDP_PAYLOAD)], header);
    const result = await sendSyslog(parseSyslogTarget(host.udpUrl), datagrams);
    expect(result).toMatchObject({ sent: 0, failed: 1 });
    expect(result.error).toMatch(/exceed the 65507-byte datagram limit/);
  });
});

describe('syslog transport when the log host is down', () => {
  async function closedPort(): Promise<number> {
    const net = await import('node:net');
    return new Promise((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as import('node:net').AddressInfo;
        srv.close(() => resolve(port));
      });
    });
  }

  it('reports a refused TCP connection', async () => {
    const port = await closedPort();
    const result = await sendSyslog(
      parseSyslogTarget(`tcp://127.0.0.1:${port}`),
      buildRecordDatagrams(['m'], header),
    );
    expect(result).toMatchObject({ sent: 0, failed: 1 });
    expect(result.error).toMatch(/refused the connection/);
  });

  it('reports a UDP port where nothing listens (ICMP port unreachable)', async () => {
    const port = await closedPort();
    const result = await sendSyslog(
      parseSyslogTarget(`udp://127.0.0.1:${port}`),
      buildRecordDatagrams(['m', 'n'], header),
      { settleMs: 2000 },
    );
    expect(result).toMatchObject({ sent: 0, failed: 2 });
    expect(result.error).toMatch(/refused/);
  });

  it('reports a UDP address it cannot connect to instead of crashing (the broadcast address)', async () => {
    // the kernel refuses to connect a UDP socket to 255.255.255.255 without SO_BROADCAST (EACCES): no
    // packet leaves the machine. The failed connect used to fall through to send() on an unconnected
    // socket, which threw ERR_SOCKET_BAD_PORT out of a callback and killed the process.
    const result = await sendSyslog(
      parseSyslogTarget('udp://255.255.255.255:514'),
      buildRecordDatagrams(['m', 'n'], header),
    );
    expect(result).toMatchObject({ sent: 0, failed: 2 });
    expect(result.error).toMatch(/udp:\/\/255\.255\.255\.255:514 is not permitted/);
  });
});

describe('parseSyslogTarget', () => {
  it('accepts udp/tcp URLs, IPv6 in brackets', () => {
    expect(parseSyslogTarget('udp://log.example.org:515')).toEqual({
      transport: 'udp',
      host: 'log.example.org',
      port: 515,
    });
    expect(parseSyslogTarget('TCP://[::1]:6514')).toEqual({ transport: 'tcp', host: '::1', port: 6514 });
  });
  it('rejects anything else with a specific message', () => {
    expect(() => parseSyslogTarget('http://x:1')).toThrow(/expected udp:\/\/HOST:PORT or tcp:\/\/HOST:PORT/);
    expect(() => parseSyslogTarget('udp://x')).toThrow(/expected udp/);
    expect(() => parseSyslogTarget('udp://x:70000')).toThrow(/outside 1-65535/);
  });
});

describe('time limits beyond what a timer holds', () => {
  it('a timeout over 2^31-1 ms (e.g. --timeout 1e10) is a long wait, not an immediate time-out', async () => {
    const dgram = await import('node:dgram');
    const listener = dgram.createSocket('udp4');
    const received: string[] = [];
    listener.on('message', (m) => received.push(m.toString('latin1')));
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address();
      const datagrams = buildRecordDatagrams(['a', 'b', 'c'], header);
      const result = await sendSyslog(parseSyslogTarget(`udp://127.0.0.1:${port}`), datagrams, {
        timeoutMs: 1e10,
      });
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ sent: 3, failed: 0 });
      await expect.poll(() => received.length, { timeout: 5000 }).toBe(3);
    } finally {
      listener.close();
    }
  });
});
