/**
 * The datagram bytes against the real thing: CPython's `logging` + `SysLogHandler` configured exactly
 * as PyRats configures them, with the clock pinned, sending to a UDP socket of the test. Our bytes for
 * the same creation time, path, interpreter and message must be identical.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildRecordDatagrams,
  datagramOverhead,
  encodeDatagram,
  formatAsctime,
  formatCreated,
  formatRecordLine,
  frameForStream,
  type RecordHeader,
} from '../../../analyzer/pyrats/syslogRecord';

const PYTHON = process.env.PYRATS_TEST_PYTHON ?? 'python3';
const pythonMissing = spawnSync(PYTHON, ['-c', 'import logging.handlers'], { timeout: 20_000 }).status !== 0;

/** PyRats' logging set-up (SPEC section 5), with time.time pinned to argv[2]. */
const PYRATS_LOGGING = `
import json, logging, logging.handlers, socket, sys, time
port, created, python = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
messages = json.load(open(sys.argv[4], encoding='utf-8'))
time.time = lambda: created
time.time_ns = lambda: int(round(created * 1e9))
logger = logging.getLogger('PyRats')
logger.setLevel(logging.INFO)
logger.propagate = False
handler = logging.handlers.SysLogHandler(address=('127.0.0.1', port),
    facility=logging.handlers.SysLogHandler.LOG_USER, socktype=socket.SOCK_DGRAM)
handler.setFormatter(logging.Formatter('Python: ts=%(asctime)s;loggerName=%(name)s;pathName=%(pathname)s;'
    'python=%(python)s;logRecordCreationTime=%(created)f;levelNo=%(levelno)s;levelName=%(levelname)s;'
    'message=%(message)s'))
logger.addHandler(handler)
adapter = logging.LoggerAdapter(logger, {'python': python})
for m in messages:
    adapter.info(m)
`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function pythonDatagrams(created: number, python: string, messages: string[], tz: string) {
  const script = path.join(tmp, 'sitecustomize.py');
  const input = path.join(tmp, 'messages.json');
  writeFileSync(script, PYRATS_LOGGING);
  writeFileSync(input, JSON.stringify(messages));
  const sock = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { port } = sock.address();
  const got = new Promise<void>((resolve) => {
    sock.on('message', (m) => {
      received.push(m);
      if (received.length === messages.length) resolve();
    });
  });
  const r = spawnSync(PYTHON, [script, String(port), String(created), python, input], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  await got;
  sock.close();
  return { received, script };
}

describe('PyRats datagram bytes', () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  const messages = [
    "((('/home/jdoe/scripts', 'fit.py'), ('/usr/lib/python3/dist-packages', 'numpy')))",
    "((('/home/jdoe/it\\'s', 'main.py'), ('/home/jdoe/it\\'s', 'helper.py'))),((('/home/jdoe/it\\'s', 'main.py'), ('/opt/données', 'ß.py')))",
    '100% sure; message=with separators; and "quotes"',
  ];

  for (const [tz, created] of [
    ['UTC', 1795587538.058567],
    ['America/Denver', 1795587542.9999996],
    ['Asia/Kolkata', 1700000000.000001],
    ['Europe/Berlin', 1711846799.5],
  ] as const) {
    it.skipIf(pythonMissing)(
      `are identical to CPython's SysLogHandler (TZ=${tz}, created=${created})`,
      async () => {
        const python = '/usr/bin/python3';
        const { received, script } = await pythonDatagrams(created, python, messages, tz);
        process.env.TZ = tz;
        const header: RecordHeader = { loggerName: 'PyRats', pathName: script, python };
        const ours = buildRecordDatagrams(messages, header, () => created);
        expect(ours.map((b) => b.toString('utf8'))).toEqual(received.map((b) => b.toString('utf8')));
        expect(Buffer.concat(ours).equals(Buffer.concat(received))).toBe(true);
      },
    );
  }
});

describe('record fields', () => {
  it('formats asctime in local time with truncated comma milliseconds', () => {
    process.env.TZ = 'UTC';
    expect(formatAsctime(1795587538.058567)).toBe('2026-11-25 06:18:58,058');
    expect(formatAsctime(1795587538.9999)).toBe('2026-11-25 06:18:58,999');
    expect(formatAsctime(0)).toBe('1970-01-01 00:00:00,000');
    process.env.TZ = 'America/New_York';
    expect(formatAsctime(1795587538.5)).toBe('2026-11-25 01:18:58,500');
  });

  it('formats the creation time with six decimals', () => {
    expect(formatCreated(1795587538.058567)).toBe('1795587538.058567');
    expect(formatCreated(12)).toBe('12.000000');
  });

  it('wraps the line in <14> … NUL, UTF-8', () => {
    const d = encodeDatagram('Python: x=é');
    expect(d.subarray(0, 4).toString()).toBe('<14>');
    expect(d[d.length - 1]).toBe(0);
    expect(d.length).toBe(4 + 'Python: x='.length + 2 + 1);
  });

  it('knows the fixed overhead of a header', () => {
    const header = { loggerName: 'PyRats', pathName: '/p/sitecustomize.py', python: '/usr/bin/python3' };
    const m = "((('/a', 'b.py'), ('/a', 'c.py')))";
    expect(encodeDatagram(formatRecordLine(header, m, 1795587538.058567)).length).toBe(
      datagramOverhead(header) + m.length,
    );
  });

  it('frames for TCP with one trailing newline and no newline inside', () => {
    const plain = encodeDatagram('Python: a');
    expect(frameForStream(plain).toString()).toBe('<14>Python: a\0\n');
    const odd = encodeDatagram('Python: pathName=/tmp/a\nb.py');
    const framed = frameForStream(odd).toString();
    expect(framed).toBe('<14>Python: pathName=/tmp/a\\nb.py\0\n');
    expect(framed.indexOf('\n')).toBe(framed.length - 1);
  });
});
