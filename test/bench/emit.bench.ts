/**
 * What emitting PyRats records costs beyond computing them: for a script importing matplotlib.pyplot,
 * xarray and scipy with Debian's /usr/bin/python3 (a follow closure of about 124 files), the time to
 * build the messages, encode the datagrams and send them (UDP and TCP, to a real syslog-ng on
 * 127.0.0.1), against the time to compute the closure in the same run. Budget: ≤ 5 ms of CPU. Sending
 * is asynchronous (nothing waits for it), and UDP is paced so the log host drops nothing, so its wall
 * time is reported beside it without a budget.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { introspectInterpreter } from '../../analyzer/env/introspect';
import { followDependencies, type FollowResult } from '../../analyzer/graph/follow';
import { planRecords } from '../../analyzer/pyrats/emitRecords';
import { sendSyslog } from '../../analyzer/pyrats/syslogTransport';
import { startSyslogNg, stopSyslogNg, syslogNgMissing } from '../support/syslogNg';
import type { BenchRow, BenchSuite } from './benchmark';

const PYTHON = '/usr/bin/python3';
const ROUNDS = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const emitSuite: BenchSuite = {
  name: 'emit: PyRats records of a 124-file closure',
  async run(log) {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is absent`);
    const missingLogHost = syslogNgMissing();
    if (missingLogHost) throw new Error(missingLogHost);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-emit-bench-'));
    const host = await startSyslogNg();
    try {
      const script = path.join(tmp, 'analyse.py');
      writeFileSync(script, 'import matplotlib.pyplot as plt\nimport xarray as xr\nimport scipy\n');
      const env = await introspectInterpreter(PYTHON);
      const missing = ['matplotlib', 'xarray', 'scipy'].filter(
        (m) => !env.distributions.some((d) => d.modules.includes(m)),
      );
      if (missing.length)
        throw new Error(`${PYTHON} lacks ${missing.join(', ')} (apt-get install python3-…)`);

      const computeTimes: number[] = [];
      let result: FollowResult | undefined;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        result = await followDependencies([script], env);
        computeTimes.push(performance.now() - t0);
      }
      const sources = result!.sources;
      const files = sources.filter((s) => s.analysed).length;

      const rows = {
        plan: [] as number[],
        udpCpu: [] as number[],
        udpWall: [] as number[],
        tcpCpu: [] as number[],
        tcpWall: [] as number[],
      };
      let records = 0;
      let bytes = 0;
      const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
      for (const transport of ['udp', 'tcp'] as const) {
        const target = { transport, host: '127.0.0.1', port: host.port };
        for (let i = 0; i < ROUNDS; i++) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const plan = planRecords(sources, { pathName: `/bench/${transport}/${i}`, python: env.executable });
          const t1 = performance.now();
          const sent = await sendSyslog(target, plan.datagrams, { settleMs: 0 });
          const t2 = performance.now();
          const cpu = cpuMs(process.cpuUsage(c0));
          if (sent.error) throw new Error(sent.error);
          if (transport === 'udp') {
            rows.plan.push(t1 - t0);
            rows.udpCpu.push(cpu);
            rows.udpWall.push(t2 - t0);
          } else {
            rows.tcpCpu.push(cpu);
            rows.tcpWall.push(t2 - t0);
          }
          records = plan.datagrams.length;
          bytes = plan.datagrams.reduce((n, d) => n + d.length, 0);
        }
      }
      const expectedLines = 2 * ROUNDS * records;
      const lines = await host
        .waitForLines((ls) => ls.length >= expectedLines, 30_000)
        .catch(() => host.lines());
      log(
        `${files} source files analysed, ${records} records, ${bytes} bytes per emission; ` +
          `syslog-ng wrote ${lines.length} of ${expectedLines} lines (UDP paced: 16 datagrams / 16 KiB per ms)`,
      );
      const compute = median(computeTimes);
      const detail = `${records} records, ${(bytes / 1024).toFixed(0)} KiB; median of ${ROUNDS}`;
      const row = (name: string, value: number, budget?: number, extra = ''): BenchRow => ({
        name,
        value,
        unit: 'ms',
        reference: compute,
        referenceName: 'compute',
        ...(budget !== undefined ? { budget } : {}),
        better: 'lower',
        detail: `${detail}${extra}`,
      });
      return [
        {
          name: 'compute the closure (follow loop, warm)',
          value: compute,
          unit: 'ms',
          better: 'lower',
          detail: `${files} files; median of 3`,
        },
        row('build + encode records', median(rows.plan), 5),
        row('emit beyond compute, UDP: CPU (build + send)', median(rows.udpCpu), 5),
        row(
          'emit beyond compute, UDP: wall, paced (async)',
          median(rows.udpWall),
          undefined,
          '; not blocking',
        ),
        row('emit beyond compute, TCP: CPU (build + send)', median(rows.tcpCpu), 5),
        row('emit beyond compute, TCP: wall (async)', median(rows.tcpWall), undefined, '; not blocking'),
      ];
    } finally {
      await stopSyslogNg(host);
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
