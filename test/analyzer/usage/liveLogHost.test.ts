/**
 * Ingest while a real syslog-ng writes the day file: records go over TCP in bursts and ingest runs
 * between (and during) them, so it meets half-written last lines. Every record must be stored exactly
 * once, with no bad lines, whatever the timing.
 */
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeToken, joinTokens } from '../../../analyzer/pyrats/recordMessage';
import { encodeDatagram, formatRecordLine, frameForStream } from '../../../analyzer/pyrats/syslogRecord';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs } from '../../../analyzer/usage/ingest';
import { totals } from '../../../analyzer/usage/queries';
import { UsageStore } from '../../../analyzer/usage/store';
import { mulberry32 } from '../../support/prng';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const missing = syslogNgMissing();
const RECORDS = 2400;

describe.skipIf(missing !== null)(`ingest during writes${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let host: SyslogNgHost;
  let dir: string;
  beforeAll(async () => {
    host = await startSyslogNg({ extraOptions: ' log-msg-size(65536);' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-live-'));
  });
  afterAll(async () => {
    await stopSyslogNg(host);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every record once while syslog-ng is still writing', async () => {
    const store = await UsageStore.open(path.join(dir, 'usage.duckdb'));
    const deriver = new NodeDeriver(defaultDeriveConfig());
    const random = mulberry32(7);
    const socket = net.connect(host.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const send = (i: number) => {
      // lines from 300 bytes to 12 KiB, so that writes often end inside a line
      const deps = 1 + Math.floor(random() * 40);
      const tokens = Array.from({ length: deps }, (_, d) =>
        edgeToken(
          ['/home/u' + (i % 37) + '/proj', `run${i}.py`],
          ['/usr/lib/python3/dist-packages', `pkg${d}/mod${i % 11}.py`],
        ),
      );
      const line = formatRecordLine(
        { loggerName: 'PyRats', pathName: '/p/sitecustomize.py', python: '/usr/bin/python3' },
        joinTokens(tokens),
        1_795_590_000 + i / 1000,
      );
      return socket.write(frameForStream(encodeDatagram(line)));
    };
    // syslog-ng makes the directory with its first file
    const logFiles = () => (existsSync(host.logDir) ? readdirSync(host.logDir).sort() : []);
    const ingest = async () => {
      const files = logFiles().map((f) => path.join(host.logDir, f));
      const reports = await ingestInputs(store, files, { deriver });
      for (const r of reports) expect(r.badLines, r.path).toEqual([]);
      return reports;
    };
    try {
      let sent = 0;
      let runs = 0;
      while (sent < RECORDS) {
        const burst = 50 + Math.floor(random() * 250);
        for (let k = 0; k < burst && sent < RECORDS; k++) {
          if (!send(sent++)) await new Promise((r) => socket.once('drain', r));
        }
        if (logFiles().length) {
          await ingest();
          runs++;
        }
      }
      socket.end();
      await host.waitForLines((lines) => lines.length >= RECORDS, 60_000);
      await ingest();
      expect(runs).toBeGreaterThan(3);
      expect((await totals(store)).records).toBe(RECORDS);
      const [{ n }] = await store.rows<{ n: number }>(
        `SELECT count(DISTINCT line_no)::INTEGER AS n FROM records`,
      );
      expect(n).toBe(RECORDS);
    } finally {
      socket.destroy();
      store.close();
    }
  }, 180_000);
});
