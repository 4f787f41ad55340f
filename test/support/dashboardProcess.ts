/**
 * `pyrats dashboard` as a child process of the built CLI: started on a free port, resolved with its
 * URL once it prints it; `stop` ends it with SIGTERM and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './bundledCli';

export interface DashboardProcess {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export function startDashboard(db: string): Promise<DashboardProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, 'dashboard', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${out}`)), 30_000);
    const stop = async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((res) => proc.once('exit', res));
      proc.kill('SIGTERM');
      await exited;
    };
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, stop });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
    proc.on('exit', (code) => reject(new Error(`dashboard exited ${code}: ${out}`)));
  });
}
