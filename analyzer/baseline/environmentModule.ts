/**
 * Environment modules (Lmod, and Environment Modules 4/5) as a baseline: in one non-interactive
 * login shell (`bash -l`, which initialises the module system from /etc/profile.d; the usual init
 * scripts are sourced if it did not) it runs `module use DIR` for extra module paths, `module help
 * NAME` (both module systems write it to stderr, so it is captured with 2>&1), `module load NAME`,
 * then records the environment and the `python3` the module put on PATH. The caller introspects
 * that interpreter with the recorded environment. An explicit init script (`init`, e.g. an
 * Environment Modules `init/bash` on a machine whose login shell sets up Lmod) is sourced after the
 * login profile and replaces whatever `module` that defined.
 *
 * A missing `module` command, an unreadable init script or one that defines no `module`, an
 * unknown module or one that fails to load, a timeout and an oversized output are each a specific
 * Error. It does not parse requirement lines itself (see
 * otherFiles.ts `parseHelpRequirements`) and never runs anything but bash and the module command.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopProcessGroup } from '../processGroup';
import { timerDelay } from '../timerDelay';

export interface ModuleRunOptions {
  /** Extra module paths (`module use DIR`), in order. */
  use?: string[];
  /** Kill the shell after this long; default 60 s. */
  timeoutMs?: number;
  /** Largest output accepted; default 8 MB. */
  maxOutputBytes?: number;
  /** Environment of the shell; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Interpreter names to look for on the module's PATH, in order; default python3, python. */
  pythonNames?: string[];
  /** Run bash as a login shell (reads /etc/profile and profile.d); default true. */
  login?: boolean;
  /** Init scripts sourced when the shell has no `module` function; default the usual Lmod and Environment Modules paths. */
  initScripts?: string[];
  /**
   * A bash init script of the module system to use (e.g. `$MODULESHOME/init/bash` of Environment
   * Modules), sourced after the login profile in place of any `module` it defined.
   */
  init?: string;
}

export interface ModuleRun {
  name: string;
  /** `module help NAME` text without the module system's banner lines. */
  helpText: string;
  /** What `module load` printed (often empty). */
  loadOutput: string;
  /** The interpreter found on PATH after loading, or null. */
  python: string | null;
  /** True when that interpreter lies in a PATH entry the module added. */
  pythonFromModule: boolean;
  /** PATH entries the module added. */
  pathAdded: string[];
  /** The full environment after `module load`. */
  env: NodeJS.ProcessEnv;
}

const MARK = '@@PYRATS-MODULE@@';

/** Where Lmod and Environment Modules usually keep their bash init scripts. */
export const DEFAULT_MODULE_INITS = [
  '$LMOD_PKG/init/bash',
  '$MODULESHOME/init/bash',
  '/usr/share/lmod/lmod/init/bash',
  '/etc/profile.d/lmod.sh',
  '/etc/profile.d/modules.sh',
  '/usr/share/Modules/init/bash',
  '/usr/share/modules/init/bash',
  '/opt/lmod/lmod/init/bash',
];

/** Defines `module` (explicit init script, login profile, usual init scripts) and runs `module use`. */
const setUp = String.raw`
name="$1"; shift
if [ -n "$PYRATS_INIT_SCRIPT" ]; then
  if [ ! -r "$PYRATS_INIT_SCRIPT" ] || [ -d "$PYRATS_INIT_SCRIPT" ]; then echo "${MARK}init-unreadable"; exit 96; fi
  unset -f module ml 2>/dev/null
  . "$PYRATS_INIT_SCRIPT" 2>&1
  if ! type module >/dev/null 2>&1; then echo "${MARK}init-no-module"; exit 96; fi
fi
if ! type module >/dev/null 2>&1; then
  while IFS= read -r f; do
    if [ -n "$f" ] && [ -r "$f" ]; then . "$f" >/dev/null 2>&1; type module >/dev/null 2>&1 && break; fi
  done < <(printf '%s\n' "$PYRATS_MODULE_INITS" | tr ':' '\n')
fi
if ! type module >/dev/null 2>&1; then echo "${MARK}no-module"; exit 97; fi
echo "${MARK}path-before $PATH"
for d in "$@"; do module use "$d" 2>&1; done
`;

const script =
  setUp +
  String.raw`
echo "${MARK}help-begin"
module help "$name" 2>&1
echo "${MARK}help-end $?"
module load "$name" 2>&1
rc=$?
echo "${MARK}load-end $rc"
[ "$rc" = 0 ] || exit 98
env -0 > "$PYRATS_ENV_OUT"
for p in $PYRATS_PYTHONS; do
  if command -v "$p" >/dev/null 2>&1; then echo "${MARK}python $(command -v "$p")"; break; fi
done
echo "${MARK}done"
`;

const availScript =
  setUp +
  String.raw`
echo "${MARK}avail-begin"
if [ -n "$name" ]; then module -t avail "$name" 2>&1; else module -t avail 2>&1; fi
echo "${MARK}avail-end $?"
`;

function runShell(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  maxBytes: number,
): Promise<{ out: string; code: number | null; timedOut: boolean; tooBig: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let tooBig = false;
    const kill = (): void => stopProcessGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timerDelay(timeoutMs));
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > maxBytes) {
        tooBig = true;
        kill();
        return;
      }
      chunks.push(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start bash to run the module command: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(chunks).toString('utf8'), code, timedOut, tooBig });
    });
  });
}

function between(out: string, begin: string, end: string): string {
  const a = out.indexOf(begin);
  if (a < 0) return '';
  const from = out.indexOf('\n', a) + 1;
  const b = out.indexOf(end, from);
  return out.slice(from, b < 0 ? undefined : b);
}

/**
 * The module system's own error lines, else the tail. Lmod: from "Lmod has detected the following
 * error". Environment Modules 4/5: every `ERROR:` / `Module ERROR:` line (not the Tcl trace after
 * it), then what the modulefile itself printed before the `Loading NAME` line, in parentheses.
 */
export function errorSummary(output: string): string {
  const lines = output.split('\n').map((l) => l.trim());
  const lmod = lines.findIndex((l) => /Lmod has detected the following error/.test(l));
  const errors = lines.filter((l) => /^(Module )?ERROR:/.test(l));
  if (lmod < 0 && errors.length) {
    const loading = lines.findIndex((l) => /^Loading \S+$/.test(l));
    const said = loading > 0 ? lines.slice(0, loading).filter(Boolean).join(' ') : '';
    return (errors.join('; ') + (said ? ` (the module printed: ${said})` : '')).replace(/\s+/g, ' ');
  }
  const start = lmod >= 0 ? lmod : Math.max(0, lines.length - 6);
  return lines.slice(start).filter(Boolean).slice(0, 3).join(' ').replace(/\s+/g, ' ');
}

/** Drops Lmod / Environment Modules banner lines around the module's own help text. */
export function stripHelpBanner(text: string): string {
  return text
    .split('\n')
    .filter(
      (l) =>
        !/^-{3,}.*(Module Specific Help for|Module Specific Help).*-{3,}\s*$/.test(l) &&
        !/^Module Specific Help for .*:\s*$/.test(l) &&
        !/^-{10,}\s*$/.test(l),
    )
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
}

function moduleInits(opts: ModuleRunOptions): string {
  return (opts.initScripts ?? DEFAULT_MODULE_INITS)
    .map((f) =>
      f.replace(
        /^\$(LMOD_PKG|MODULESHOME)/,
        (_, v: string) => (opts.env ?? process.env)[v] ?? `/nonexistent-${v}`,
      ),
    )
    .join(':');
}

/** Loads `name` in a login shell and reports its help text, environment and python. */
export async function runEnvironmentModule(name: string, opts: ModuleRunOptions = {}): Promise<ModuleRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-module-'));
  const envFile = path.join(tmp, 'env');
  try {
    const env: NodeJS.ProcessEnv = {
      ...(opts.env ?? process.env),
      PYRATS_ENV_OUT: envFile,
      PYRATS_INIT_SCRIPT: opts.init ?? '',
      PYRATS_PYTHONS: (opts.pythonNames ?? ['python3', 'python']).join(' '),
      PYRATS_MODULE_INITS: moduleInits(opts),
    };
    const r = await runShell(
      [...(opts.login === false ? [] : ['-l']), '-c', script, 'pyrats-module', name, ...(opts.use ?? [])],
      env,
      timeoutMs,
      opts.maxOutputBytes ?? 8 * 1024 * 1024,
    );
    const tail = (s: string): string => s.replaceAll(MARK, '').trim().split('\n').slice(-6).join(' | ');
    if (r.timedOut)
      throw new Error(`module ${name}: the module command did not finish within ${timeoutMs} ms (killed)`);
    if (r.tooBig)
      throw new Error(
        `module ${name}: the module command printed more than ${opts.maxOutputBytes ?? 8 * 1024 * 1024} bytes`,
      );
    if (r.out.includes(`${MARK}init-unreadable`))
      throw new Error(`module ${name}: cannot read the module init script ${opts.init}`);
    if (r.out.includes(`${MARK}init-no-module`)) {
      throw new Error(
        `module ${name}: sourcing ${opts.init} did not define a 'module' command: ${tail(r.out.slice(0, r.out.indexOf(`${MARK}init-no-module`))) || 'no output'}`,
      );
    }
    if (r.out.includes(`${MARK}no-module`)) {
      throw new Error(
        `module ${name}: no 'module' command: neither a login shell nor the usual init scripts (Lmod, Environment Modules) define it`,
      );
    }
    if (!r.out.includes(`${MARK}load-end`))
      throw new Error(`module ${name}: the shell stopped early (exit status ${r.code}): ${tail(r.out)}`);
    const loadMatch = new RegExp(`${MARK}load-end (\\d+)`).exec(r.out);
    const loadOutput = between(r.out, `${MARK}help-end`, `${MARK}load-end`).trim();
    if (loadMatch && loadMatch[1] !== '0') {
      throw new Error(
        `module ${name} failed to load (exit status ${loadMatch[1]}): ${errorSummary(loadOutput) || 'no message'}`,
      );
    }
    const helpText = stripHelpBanner(between(r.out, `${MARK}help-begin`, `${MARK}help-end`));
    const before = (/@@PYRATS-MODULE@@path-before (.*)/.exec(r.out)?.[1] ?? '').split(':');
    let loadedEnv: NodeJS.ProcessEnv = {};
    try {
      for (const kv of readFileSync(envFile, 'utf8').split('\0')) {
        const eq = kv.indexOf('=');
        if (eq > 0) loadedEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    } catch {
      loadedEnv = {};
    }
    delete loadedEnv.PYRATS_ENV_OUT;
    delete loadedEnv.PYRATS_PYTHONS;
    delete loadedEnv.PYRATS_MODULE_INITS;
    delete loadedEnv.PYRATS_INIT_SCRIPT;
    const pathAdded = (loadedEnv.PATH ?? '').split(':').filter((p) => p && !before.includes(p));
    const python = /@@PYRATS-MODULE@@python (.*)/.exec(r.out)?.[1]?.trim() || null;
    return {
      name,
      helpText,
      loadOutput,
      python,
      pythonFromModule: python !== null && pathAdded.includes(path.dirname(python)),
      pathAdded,
      env: loadedEnv,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** True when a module spec names several modules: it holds a `*`, `?` or `[...]` wildcard. */
export function isModuleGlob(name: string): boolean {
  return /[*?[]/.test(name);
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Module names in `module -t avail` output (directory headers and markers like `(default)` dropped). */
export function parseAvailTerse(output: string): string[] {
  const names = new Set<string>();
  for (const raw of output.split('\n')) {
    const line = raw
      .trim()
      .replace(/\s*\((default|D|L|[a-zA-Z,]+)\)$/, '')
      .replace(/\s*<[^>]*>$/, '');
    if (!line || line.endsWith(':') || line.endsWith('/') || /\s/.test(line)) continue;
    names.add(line);
  }
  return [...names];
}

/**
 * Every module `module -t avail` lists whose full name matches `glob` (`PythonEnv-noaa/*`), in the
 * module system's order. Same shell, init and module paths as runEnvironmentModule; an error for a
 * module system that cannot be started or a timeout.
 */
export async function listAvailableModules(glob: string, opts: ModuleRunOptions = {}): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const first = glob.search(/[*?[]/);
  const prefix = (first < 0 ? glob : glob.slice(0, first)).replace(/\/[^/]*$/, '');
  const env: NodeJS.ProcessEnv = {
    ...(opts.env ?? process.env),
    PYRATS_INIT_SCRIPT: opts.init ?? '',
    PYRATS_MODULE_INITS: moduleInits(opts),
  };
  const r = await runShell(
    [
      ...(opts.login === false ? [] : ['-l']),
      '-c',
      availScript,
      'pyrats-module',
      prefix,
      ...(opts.use ?? []),
    ],
    env,
    timeoutMs,
    opts.maxOutputBytes ?? 8 * 1024 * 1024,
  );
  if (r.timedOut) throw new Error(`module avail ${glob}: did not finish within ${timeoutMs} ms (killed)`);
  if (r.tooBig) throw new Error(`module avail ${glob}: printed too much`);
  if (r.out.includes(`${MARK}no-module`) || r.out.includes(`${MARK}init-`))
    throw new Error(`module avail ${glob}: no 'module' command (see the init script and login profile)`);
  if (!r.out.includes(`${MARK}avail-end`))
    throw new Error(`module avail ${glob}: the shell stopped early (exit status ${r.code})`);
  const match = globRegExp(glob);
  return parseAvailTerse(between(r.out, `${MARK}avail-begin`, `${MARK}avail-end`)).filter((n) =>
    match.test(n),
  );
}
