/**
 * Usage analytics at scale: synthetic log host files (test/support/syntheticLogs.ts; Zipf package
 * popularity) of PYRATS_BENCH_USAGE_LINES lines (default 10,000,000) in a temporary directory;
 * `pyrats ingest` as a whole process (the bundled CLI) with its peak RSS (VmHWM, polled), against
 * the reference of merely reading and line-splitting the same files in Node; then every dashboard
 * API query on the resulting store, each cold (first call) and warm.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDashboardServer } from '../../server/dashboard/dashboardServer';
import { writeSyntheticLogs } from '../support/syntheticLogs';
import type { BenchRow, BenchSuite } from './benchmark';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = process.env.PYRATS_CLI ?? path.join(__dirname, 'cli.js');
const DEFAULT_LINES = 10_000_000;

/** CPU seconds (user + system, all threads) a live process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the CLI; resolves with wall time and the peak RSS seen (MB). */
function timedCli(
  args: string[],
): Promise<{ ms: number; peakMb: number; cpuS: number; code: number; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let cpu = 0;
    let stdout = '';
    let stderr = '';
    const poll = setInterval(() => {
      peak = Math.max(peak, vmHwmKb(p.pid!));
      cpu = Math.max(cpu, cpuSeconds(p.pid!));
    }, 100);
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      clearInterval(poll);
      resolve({
        ms: performance.now() - t0,
        peakMb: peak / 1024,
        cpuS: cpu,
        code: code ?? -1,
        stderr,
        stdout,
      });
    });
  });
}

/** Reference: read every file and split it into lines, in this process. */
async function readAndSplit(files: string[]): Promise<number> {
  const t0 = performance.now();
  let lines = 0;
  for (const f of files) {
    let rest = '';
    for await (const chunk of createReadStream(f, { highWaterMark: 4 << 20, encoding: 'utf8' })) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      lines += parts.length;
    }
  }
  if (lines < 0) throw new Error('unreachable');
  return performance.now() - t0;
}

export const usageSuite: BenchSuite = {
  name: 'usage analytics (ingest, store, dashboard queries)',
  async run(log) {
    if (!existsSync(CLI)) throw new Error(`${path.relative(REPO, CLI)} missing: run npm run build`);
    const lines = Number(process.env.PYRATS_BENCH_USAGE_LINES ?? DEFAULT_LINES);
    const dir = mkdtempSync(path.join(process.env.PYRATS_BENCH_TMP ?? os.tmpdir(), 'pyrats-usage-bench-'));
    const rows: BenchRow[] = [];
    try {
      const logs = path.join(dir, 'logs');
      const g0 = performance.now();
      const truth = await writeSyntheticLogs(logs, {
        lines,
        users: 2000,
        scripts: 20_000,
        packages: 600,
        hosts: 8,
        days: 120,
        start: '2026-06-01',
        seed: 42,
      });
      const mb = truth.bytes / 1e6;
      log(
        `generated ${lines} lines, ${mb.toFixed(0)} MB in ${truth.files.length} day files (${((performance.now() - g0) / 1000).toFixed(1)} s)`,
      );
      const refMs = await readAndSplit(truth.files);
      const db = path.join(dir, 'usage.duckdb');
      const ing = await timedCli(['ingest', logs, '--db', db, '--quiet']);
      if (ing.code !== 0) throw new Error(`pyrats ingest failed (${ing.code}): ${ing.stderr.slice(0, 500)}`);
      const storeMb = statSync(db).size / 1e6;
      rows.push({
        name: 'ingest throughput (whole process)',
        value: mb / (ing.ms / 1000),
        unit: 'MB/s',
        reference: mb / (refMs / 1000),
        referenceName: 'read+split lines',
        budget: 50,
        better: 'higher',
        detail: `${lines} lines, ${mb.toFixed(0)} MB in ${(ing.ms / 1000).toFixed(1)} s; store ${storeMb.toFixed(0)} MB`,
      });
      rows.push({
        name: 'ingest per CPU second (user+sys, all threads)',
        value: mb / ing.cpuS,
        unit: 'MB/s',
        better: 'higher',
        detail: `${ing.cpuS.toFixed(1)} CPU s; wall time includes waiting for the CPU on a shared machine (load ${os.loadavg()[0].toFixed(1)})`,
      });
      rows.push({ name: 'ingest peak RSS', value: ing.peakMb, unit: 'MB', budget: 1024, better: 'lower' });
      const again = await timedCli(['ingest', logs, '--db', db, '--quiet']);
      rows.push({
        name: 're-ingest (nothing new)',
        value: again.ms / 1000,
        unit: 's',
        better: 'lower',
        detail: again.stdout.split('\n')[0],
      });

      const server = await startDashboardServer({ db, assetsDir: path.join(__dirname, 'media') });
      try {
        const top = 'numpy';
        // every call the page makes, unfiltered and for one month
        const month = 'since=2026-07-01&until=2026-07-31';
        const calls = [
          'meta',
          'totals',
          'packages',
          'monthly?top=8',
          'hosts',
          'scripts?top=500',
          'co-usage?top=500',
          'bundles?top=500',
          `package?name=${top}`,
          'graph',
          'requests',
          'bad-lines',
          `packages?${month}`,
          `scripts?top=500&${month}`,
          `co-usage?top=500&${month}`,
          `bundles?top=500&${month}`,
          `graph?${month}`,
        ];
        for (const c of calls) {
          const times: number[] = [];
          for (let i = 0; i < 3; i++) {
            const t0 = performance.now();
            const res = await fetch(server.url + 'api/' + c, {
              headers: { Authorization: `token ${server.token}` },
            });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`api/${c}: HTTP ${res.status}`);
            times.push(performance.now() - t0);
          }
          rows.push({
            name: `dashboard api/${c}`.slice(0, 48),
            value: Math.max(...times),
            unit: 'ms',
            budget: 1000,
            better: 'lower',
            detail: `cold ${times[0].toFixed(0)} ms, warm ${Math.min(...times.slice(1)).toFixed(0)} ms`,
          });
        }
      } finally {
        await server.close();
      }
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
