/**
 * A real syslog-ng log host for tests: one foreground `syslog-ng` per test (or suite) with its own
 * config, listening for UDP and TCP on one free loopback port and writing `${YEAR}${MONTH}${DAY}` day
 * files (the layout of PyRats' syslog-ng.conf) into a temporary directory. Stopped by its pid.
 *
 *   const host = await startSyslogNg();
 *   ... send to host.udpUrl / host.tcpUrl ...
 *   const lines = await host.waitForLines((ls) => ls.length >= 3);
 *   await host.stop();
 *
 * `syslogNgMissing()` says why the tests must skip when the Debian package is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SYSLOG_NG = process.env.SYSLOG_NG ?? '/usr/sbin/syslog-ng';

/** Null when syslog-ng can run here, else the reason to give when skipping. */
export function syslogNgMissing(): string | null {
  if (!existsSync(SYSLOG_NG)) {
    return `syslog-ng is not installed (${SYSLOG_NG} missing; apt-get install syslog-ng-core)`;
  }
  const r = spawnSync(SYSLOG_NG, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return `syslog-ng --version failed: ${r.stderr || r.error?.message}`;
  return null;
}

export interface SyslogNgHost {
  port: number;
  udpUrl: string;
  tcpUrl: string;
  /** Directory holding the day files. */
  logDir: string;
  /** Every complete line written so far, day files in name order (a run may cross midnight). */
  lines(): string[];
  /** Polls `lines()` until `done(lines)` holds; rejects with the lines seen after `timeoutMs`. */
  waitForLines(done: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  /** SIGTERM to the pid in the pidfile; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** Temporarily take the host down (stop) and bring it back on the same port. */
  restart(): Promise<void>;
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function poll<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

function config(port: number, logDir: string, options: SyslogNgOptions): string {
  const extraOptions = options.extraOptions ?? '';
  const rcvbuf = options.udpReceiveBuffer === undefined ? 4 * 1024 * 1024 : options.udpReceiveBuffer;
  const tcpDriver = options.tcpSource ?? 'network';
  const maxConnections = options.maxConnections ? ` max-connections(${options.maxConnections})` : '';
  return [
    '@version: 3.35',
    `options { keep-hostname(yes); create-dirs(yes); stats-freq(0); use-dns(no); dns-cache(no);${extraOptions} };`,
    'source s_pyrats {',
    `  network(ip("127.0.0.1") port(${port}) transport("udp")${rcvbuf ? ` so-rcvbuf(${rcvbuf})` : ''});`,
    `  ${tcpDriver}(ip("127.0.0.1") port(${port}) transport("tcp")${maxConnections});`,
    '};',
    `destination d_pyrats { file("${logDir}/\${YEAR}\${MONTH}\${DAY}" perm(0644)); };`,
    'log { source(s_pyrats); destination(d_pyrats); };',
    '',
  ].join('\n');
}

export interface SyslogNgOptions {
  /** Extra text inside `options { … }`, e.g. ` log-msg-size(131072);`. */
  extraOptions?: string;
  /**
   * UDP receive buffer (`so-rcvbuf`), default 4 MiB as a log host tuned for UDP has it: with tests
   * running in parallel on a loaded machine syslog-ng may not be scheduled for a while, and a default
   * 208 KiB buffer would then drop datagrams. `null`: the system default.
   */
  udpReceiveBuffer?: number | null;
  /** The TCP source driver: `network` (newline framing, the default) or `syslog` (RFC 6587 octet counting). */
  tcpSource?: 'network' | 'syslog';
  /** The TCP source's `max-connections()` (syslog-ng's default is 10). */
  maxConnections?: number;
}

/** Starts syslog-ng on a free loopback port (retrying on a port race) and waits until it listens. */
export async function startSyslogNg(options: SyslogNgOptions = {}): Promise<SyslogNgHost> {
  const missing = syslogNgMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-syslogng-'));
  const logDir = path.join(dir, 'logs');
  const conf = path.join(dir, 'syslog-ng.conf');
  const pidfile = path.join(dir, 'syslog-ng.pid');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  async function launch(port: number): Promise<boolean> {
    writeFileSync(conf, config(port, logDir, options));
    const args = [
      '-F',
      '-f',
      conf,
      `--persist-file=${path.join(dir, 'syslog-ng.persist')}`,
      `--pidfile=${pidfile}`,
      `--control=${path.join(dir, 'syslog-ng.ctl')}`,
    ];
    const proc = spawn(SYSLOG_NG, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let gone = false;
    exited = new Promise((resolve) => {
      proc.once('exit', () => {
        gone = true;
        resolve();
      });
      proc.once('error', (err) => {
        output += `${err.message}\n`;
        gone = true;
        resolve();
      });
    });
    proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const listening = await poll(
      async () => (gone ? 'gone' : (await tcpAccepts(port)) ? 'up' : 'waiting'),
      (s) => s !== 'waiting',
      15_000,
    );
    return listening === 'up';
  }

  let port = 0;
  for (let attempt = 0; attempt < 5 && !port; attempt++) {
    const candidate = await freeTcpPort();
    if (!(await udpPortFree(candidate))) continue;
    if (await launch(candidate)) port = candidate;
    else await stopChild();
  }
  if (!port) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`syslog-ng did not start listening:\n${output}`);
  }

  async function stopChild(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    let pid = proc.pid;
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim()) || pid;
    } catch {
      // no pidfile yet: the child's own pid is the daemon (foreground mode)
    }
    try {
      if (pid) process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }

  const host: SyslogNgHost = {
    port,
    udpUrl: `udp://127.0.0.1:${port}`,
    tcpUrl: `tcp://127.0.0.1:${port}`,
    logDir,
    lines() {
      if (!existsSync(logDir)) return [];
      const out: string[] = [];
      for (const f of readdirSync(logDir).sort()) {
        // Only complete lines: syslog-ng may be half-way through writing the last one.
        const text = readFileSync(path.join(logDir, f), 'utf8');
        const complete = text.slice(0, text.lastIndexOf('\n') + 1);
        for (const l of complete.split('\n')) if (l) out.push(l);
      }
      return out;
    },
    async waitForLines(done, timeoutMs = 15_000) {
      const seen = await poll(() => host.lines(), done, timeoutMs);
      if (!done(seen)) {
        throw new Error(
          `syslog-ng did not write the expected lines within ${timeoutMs} ms; ${seen.length} line(s) seen:\n` +
            seen.map((l) => l.slice(0, 300)).join('\n'),
        );
      }
      return seen;
    },
    async stop() {
      await stopChild();
    },
    async restart() {
      await stopChild();
      if (!(await launch(port))) throw new Error(`syslog-ng did not come back on port ${port}:\n${output}`);
    },
  };
  return host;
}

/** Removes the host's temporary directory (after `stop()`). */
export function removeSyslogNgDir(host: SyslogNgHost): void {
  rmSync(path.dirname(host.logDir), { recursive: true, force: true });
}

/** Stops the host (when there is one) and removes its temporary directory: the usual teardown. */
export async function stopSyslogNg(host: SyslogNgHost | undefined): Promise<void> {
  if (!host) return;
  await host.stop();
  removeSyslogNgDir(host);
}
