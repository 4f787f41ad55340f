/**
 * `pyrats doctor`'s checks of everything the configuration names: the baseline loads (and the python
 * a module puts on PATH runs), the interpreter runs, each mirror answers, the log host and the
 * request destinations accept a connection. Each check is bounded by the configured timeout and
 * ends in one row: ok or not, what was seen, and the fix. Contacts only what the configuration names;
 * changes nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadBaseline } from '../baseline/loadBaseline';
import { parseMirrorSpec } from '../mirror/mirrorConfig';
import { parseSyslogTarget } from '../pyrats/syslogTarget';
import { timerDelay } from '../timerDelay';
import { formatDuration } from './duration';
import type { ConfigValues } from './keys';

export interface DoctorRow {
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** An interpreter's start is no network request: it gets the module command's bound. */
const PYTHON_TIMEOUT_MS = 60_000;

/** The reason of a failed fetch (`fetch failed` alone says nothing): its cause when it has one. */
function reason(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: Error };
  if (e.name === 'TimeoutError') return `no answer within ${formatDuration(timeoutMs)}`;
  return e.cause?.message ?? e.message;
}

async function baselineRow(c: ConfigValues): Promise<DoctorRow> {
  const check = `baseline ${c.baseline}`;
  try {
    const b = await loadBaseline(c.baseline!, {
      moduleUse: c.module_use,
      moduleInit: c.module_init ?? undefined,
    });
    const python = b.environment ? `, its python ${b.environment.version} runs` : '';
    const problems = b.problems.map((p) => p.message).join('; ');
    return {
      check,
      ok: true,
      detail: `${b.entries.length} distributions${python}${problems ? ` (${problems})` : ''}`,
    };
  } catch (err) {
    const fix = c.baseline!.startsWith('module:')
      ? "check the module name with 'module avail', and module_use / module_init in the configuration"
      : 'check the path and format of the baseline (pyrats baseline SPEC explains it)';
    return { check, ok: false, detail: (err as Error).message, fix };
  }
}

function pythonRow(python: string, timeoutMs: number): Promise<DoctorRow> {
  const check = `python ${python}`;
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', 'import sys; print(sys.version.split()[0])'],
      { timeout: timerDelay(timeoutMs) },
      (err, out) =>
        resolve(
          err
            ? {
                check,
                ok: false,
                detail: err.message.split('\n')[0],
                fix: 'set python to an interpreter that runs (pyrats config)',
              }
            : { check, ok: true, detail: `Python ${out.trim()}` },
        ),
    );
  });
}

async function urlAnswers(url: string, timeoutMs: number): Promise<string> {
  if (url.startsWith('file:')) {
    if (!existsSync(fileURLToPath(url))) throw new Error('no such directory');
    return 'a local copy';
  }
  const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timerDelay(timeoutMs)) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return `HTTP ${res.status}`;
}

async function mirrorRow(spec: string, timeoutMs: number): Promise<DoctorRow> {
  const check = `mirror ${spec}`;
  try {
    const source = parseMirrorSpec(spec);
    const probe = source.kind === 'conda' ? `${source.url}/noarch/repodata.json` : `${source.url}/`;
    return { check, ok: true, detail: `${source.kind} answers: ${await urlAnswers(probe, timeoutMs)}` };
  } catch (err) {
    return {
      check,
      ok: false,
      detail: reason(err, timeoutMs),
      fix: 'check the URL and the network (pyrats check --offline uses the cache meanwhile)',
    };
  }
}

function tcpConnects(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection within ${formatDuration(timeoutMs)}`)),
      timerDelay(timeoutMs),
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function destinationRow(what: string, dest: string, timeoutMs: number): Promise<DoctorRow> {
  const check = `${what} ${dest}`;
  const fix = `check that the host and port are right and reachable from here (${what} in pyrats config)`;
  try {
    if (/^mailto:/i.test(dest))
      return { check, ok: true, detail: 'opened in your mail program; nothing to reach' };
    if (/^https?:\/\//i.test(dest)) {
      const res = await fetch(dest, { method: 'HEAD', signal: AbortSignal.timeout(timerDelay(timeoutMs)) });
      return { check, ok: true, detail: `the web server answers (HTTP ${res.status})` };
    }
    const target = parseSyslogTarget(dest);
    if (target.transport === 'udp') {
      return { check, ok: true, detail: 'UDP: sent without an answer, so it cannot be confirmed from here' };
    }
    await tcpConnects(target.host, target.port, timeoutMs);
    return { check, ok: true, detail: 'accepts TCP connections' };
  } catch (err) {
    return { check, ok: false, detail: reason(err, timeoutMs), fix };
  }
}

/** Every check the configuration calls for, in order. */
export async function runDoctor(c: ConfigValues): Promise<DoctorRow[]> {
  const timeoutMs = c.timeout ?? DEFAULT_TIMEOUT_MS;
  const rows: Promise<DoctorRow>[] = [];
  if (c.baseline) rows.push(baselineRow(c));
  else
    rows.push(
      Promise.resolve({
        check: 'baseline',
        ok: false,
        detail: 'none configured',
        fix: 'set baseline in the site or user file (pyrats config --edit site)',
      }),
    );
  rows.push(pythonRow(c.python ?? 'python3', PYTHON_TIMEOUT_MS));
  for (const m of c.mirrors ?? []) rows.push(mirrorRow(m, timeoutMs));
  if (c['emit.to']) rows.push(destinationRow('emit.to', c['emit.to'], timeoutMs));
  for (const d of c['requests.to']) rows.push(destinationRow('requests.to', d, timeoutMs));
  return Promise.all(rows);
}
