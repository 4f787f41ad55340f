/**
 * Interpreter introspection: runs a small Python snippet with the *target* interpreter and turns its
 * JSON answer into an Environment (environment.ts). Results are cached on disk under
 * `$XDG_CACHE_HOME/pyrats/env/` (default `~/.cache/pyrats/env/`) per environment: keyed by the
 * interpreter's path as given (a venv's python is a symlink to its base Python's binary, so the resolved
 * path alone would give two venvs one entry), the venv's pyvenv.cfg and the binary's size and mtime
 * (plus, for wrapper scripts such as pyenv shims, what selects the real interpreter), and used only
 * while sys.prefix matches and no sys.path or site-packages directory has changed (a distribution
 * installed or removed).
 *
 * Every failure (missing executable, not executable, non-zero exit, timeout, oversized or garbage
 * output, Python 2) becomes an Error whose message names the interpreter and the problem.
 * It does not resolve imports and does not decide which interpreter a workspace should use.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultCacheDir } from '../cacheRoot';
import { replacePrivateFile } from '../privateFiles';
import { stopProcessGroup } from '../processGroup';
import { timerDelay } from '../timerDelay';
import { validateEnvironment, type Environment } from './environment';

/** The snippet: prints one JSON object on stdout. Kept compatible with Python 3.6+. */
export const INTROSPECTION_SNIPPET = String.raw`
import sys, json, os
if sys.version_info[0] < 3:
    sys.stdout.write('{"error": "Python 2 is not supported"}')
    sys.exit(0)
import importlib.machinery as machinery

try:
    import _imp
except ImportError:
    _imp = None
path = list(sys.path)
if path and not getattr(sys.flags, 'safe_path', False):
    path = path[1:]
def frozen_names():
    names = []
    cands = []
    if _imp is not None and hasattr(_imp, '_frozen_module_names'):
        cands = list(_imp._frozen_module_names())
    else:
        cands = list(getattr(sys, 'stdlib_module_names', ())) + ['os.path', 'importlib.util', 'importlib.machinery', '__hello__']
    for n in cands:
        try:
            if _imp is not None and _imp.is_frozen(n):
                names.append(n)
        except Exception:
            pass
    return sorted(set(names))
def stdlib_dir():
    d = getattr(sys, '_stdlib_dir', None)
    if not d:
        import sysconfig
        d = sysconfig.get_paths().get('stdlib') or ''
    return os.path.realpath(d) if d else ''
def site_dirs():
    out = []
    try:
        import site
        out.extend(site.getsitepackages())
        if site.ENABLE_USER_SITE:
            out.append(site.getusersitepackages())
    except Exception:
        pass
    return out
def top_level_names(info_dir):
    p = os.path.join(info_dir, 'top_level.txt')
    if os.path.isfile(p):
        with open(p, encoding='utf-8', errors='replace') as f:
            names = set(l.strip().replace('/', '.').split('.')[0] for l in f if l.strip())
        return sorted(n for n in names if n)
    p = os.path.join(info_dir, 'RECORD')
    if not os.path.isfile(p):
        return []
    import csv
    names = set()
    with open(p, encoding='utf-8', errors='replace', newline='') as f:
        for row in csv.reader(f):
            if not row:
                continue
            parts = row[0].replace('\\', '/').split('/')
            first = parts[0]
            if first in ('..', '__pycache__', '') or first.endswith(('.dist-info', '.egg-info', '.data')):
                continue
            if len(parts) == 1:
                if first.endswith('.py'):
                    names.add(first[:-3])
                elif first.endswith(('.so', '.pyd')):
                    names.add(first.split('.')[0])
            else:
                names.add(first)
    return sorted(n for n in names if n.isidentifier())
def read_metadata(meta):
    name = version = None
    with open(meta, encoding='utf-8', errors='replace') as f:
        for line in f:
            if not line.strip():
                break
            if name is None and line.startswith('Name:'):
                name = line[5:].strip()
            elif version is None and line.startswith('Version:'):
                version = line[8:].strip()
            if name and version:
                break
    return name, version
def distributions():
    # what importlib.metadata.distributions() finds (*.dist-info / *.egg-info on sys.path, first one
    # of a name wins), read directly: importing importlib.metadata costs more than the whole scan
    out = []
    seen = set()
    for entry in path:
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for n in names:
            if not n.endswith(('.dist-info', '.egg-info')):
                continue
            d = os.path.join(entry, n)
            try:
                if os.path.isdir(d):
                    meta = next((os.path.join(d, m) for m in ('METADATA', 'PKG-INFO') if os.path.isfile(os.path.join(d, m))), None)
                else:
                    meta = d
                if meta is None:
                    continue
                name, version = read_metadata(meta)
                if not name:
                    continue
                key = name.lower().replace('_', '-').replace('.', '-')
                if key in seen:
                    continue
                seen.add(key)
                modules = top_level_names(d) if os.path.isdir(d) else []
                out.append({'name': name, 'version': version or '', 'location': entry, 'modules': modules})
            except (OSError, ValueError):
                continue
    return out
v = sys.version_info
json.dump({
    'executable': sys.executable,
    'version': '%d.%d.%d' % (v[0], v[1], v[2]),
    'prefix': os.path.realpath(sys.prefix),
    'stdlibDir': stdlib_dir(),
    'sysPath': path,
    'builtinModules': sorted(sys.builtin_module_names),
    'frozenModules': frozen_names(),
    'extensionSuffixes': list(machinery.EXTENSION_SUFFIXES),
    'distributions': distributions(),
    'stdlibModules': sorted(getattr(sys, 'stdlib_module_names', ())),
    'sitePackages': site_dirs(),
    'cacheTag': sys.implementation.cache_tag or '',
}, sys.stdout)
`;

export interface IntrospectOptions {
  /** Cache directory; default `$XDG_CACHE_HOME/pyrats` or `~/.cache/pyrats`. `false` disables the cache. */
  cacheDir?: string | false;
  /** Kill the interpreter after this long; default 20 s. */
  timeoutMs?: number;
  /** Largest accepted answer; default 32 MB. */
  maxOutputBytes?: number;
  /** Environment for the child process; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Finds `cmd` on PATH like a shell would (absolute or relative paths are returned as given). */
export function findExecutable(cmd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (cmd.includes('/')) return path.resolve(cmd);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) return p;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

function isScript(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    return readSync(fd, buf, 0, 2, 0) === 2 && buf.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

/** The `pyvenv.cfg` that makes `executable` a venv's interpreter (beside it or one level up), if any. */
function venvConfig(executable: string): { dir: string; text: string } | undefined {
  for (const dir of [path.dirname(executable), path.dirname(path.dirname(executable))]) {
    try {
      return { dir, text: readFileSync(path.join(dir, 'pyvenv.cfg'), 'utf8') };
    } catch {
      // not a venv at this level
    }
  }
  return undefined;
}

/**
 * The cache key of an environment: the interpreter's path as given (made absolute, never resolved:
 * every venv made from one base Python links the same binary), its venv's `pyvenv.cfg`, and the real
 * binary's path, size and mtime; for a wrapper script (pyenv shim, conda wrapper) also the working
 * directory and the variables/files that select the real interpreter. The entry itself is checked
 * against sys.prefix and the mtimes of the sys.path and site-packages directories (cachedEntryValid).
 */
function cacheKey(given: string, real: string, env: NodeJS.ProcessEnv): string {
  const st = statSync(real);
  const parts = [given, venvConfig(given)?.text ?? '', real, String(st.size), String(st.mtimeMs)];
  if (isScript(real)) {
    parts.push(
      process.cwd(),
      env.PYENV_VERSION ?? '',
      env.VIRTUAL_ENV ?? '',
      env.CONDA_PREFIX ?? '',
      env.PATH ?? '',
    );
    const versionFile = path.join(path.dirname(path.dirname(real)), 'version');
    try {
      parts.push(String(statSync(versionFile).mtimeMs));
    } catch {
      // no pyenv global version file
    }
  }
  // a changed snippet invalidates every entry
  parts.push(INTROSPECTION_SNIPPET);
  parts.push(
    env.PYTHONPATH ?? '',
    env.PYTHONHOME ?? '',
    env.PYTHONNOUSERSITE ?? '',
    env.PYTHONSAFEPATH ?? '',
  );
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** mtime of every sys.path and site directory (-1 when absent), to notice installs and removals. */
function pathStamps(env: Environment): Record<string, number> {
  const stamps: Record<string, number> = {};
  for (const p of [...env.sysPath, ...env.sitePackages]) {
    try {
      stamps[p] = statSync(p).mtimeMs;
    } catch {
      stamps[p] = -1;
    }
  }
  return stamps;
}

/** Keeps the last `max` bytes written to it (an interpreter's stderr, for the error message). */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size - this.chunks[0].length >= this.max) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs the snippet with `executable` in a process group of its own, so that a timeout or an
 * oversized answer kills everything it started: a wrapper script (pyenv shim, conda or module
 * wrapper) that hangs in a child of its own would otherwise leave that child running.
 */
function runSnippet(
  executable: string,
  opts: Required<Pick<IntrospectOptions, 'timeoutMs' | 'maxOutputBytes'>> & { env: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null, out?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(out ?? '');
    };
    // loaded here, not at module level: ~7 ms of every start that finds the environment in its cache
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(executable, ['-c', INTROSPECTION_SNIPPET], {
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const killGroup = (): void => {
      stopProcessGroup(child.pid);
      // a process that left the group (setsid) may still hold the pipes: stop reading them
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const out: Buffer[] = [];
    let outSize = 0;
    const err = new TailBuffer(64 * 1024);
    const timer = setTimeout(() => {
      killGroup();
      settle(new Error(`interpreter ${executable} did not answer within ${opts.timeoutMs} ms (killed)`));
    }, timerDelay(opts.timeoutMs));
    child.stdout.on('data', (b: Buffer) => {
      outSize += b.length;
      if (outSize > opts.maxOutputBytes) {
        killGroup();
        settle(
          new Error(
            `interpreter ${executable} printed more than ${opts.maxOutputBytes} bytes while being introspected`,
          ),
        );
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') settle(new Error(`interpreter ${executable} not found`));
      else if (e.code === 'EACCES') settle(new Error(`interpreter ${executable} is not executable`));
      else settle(new Error(`interpreter ${executable} could not be started: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return settle(null, Buffer.concat(out).toString('utf8'));
      if (signal) return settle(new Error(`interpreter ${executable} was killed by ${signal}`));
      // the first line says what failed (a wrapper's 'pyenv: python2: command not found'), the last
      // ones why (a traceback's exception)
      const lines = err
        .text()
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const tail = (lines.length > 3 ? [lines[0], '…', ...lines.slice(-2)] : lines).join(' | ');
      settle(
        new Error(`interpreter ${executable} failed (exit status ${String(code)})${tail ? `: ${tail}` : ''}`),
      );
    });
  });
}

function parseAnswer(executable: string, stdout: string): Environment {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    const head = stdout.slice(0, 80).replace(/\s+/g, ' ');
    throw new Error(`interpreter ${executable} did not answer with introspection JSON (got '${head}')`);
  }
  if (data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string') {
    throw new Error(`interpreter ${executable}: ${(data as { error: string }).error}`);
  }
  return validateEnvironment(data, `introspection answer of ${executable}`);
}

/**
 * The cached environment of interpreter `given`, or undefined when there is none or it is stale: the
 * real interpreter behind a wrapper must still be there, a venv's sys.prefix must be the venv, and no
 * sys.path or site-packages directory may have changed (installing or removing a distribution changes
 * its directory's mtime).
 */
function readCacheEntry(cacheFile: string, given: string): Environment | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as { environment: unknown; stamps: unknown };
    const cached = validateEnvironment(entry.environment, cacheFile);
    statSync(cached.executable);
    const venv = venvConfig(given);
    if (venv && cached.prefix !== realpathSync(venv.dir)) return undefined;
    if (JSON.stringify(entry.stamps) === JSON.stringify(pathStamps(cached))) return cached;
  } catch {
    // no usable cache entry: introspect
  }
  return undefined;
}

/** The interpreter behind `executable`, its cache file and its valid cache entry (throws when it is absent). */
function lookUpInterpreter(
  executable: string,
  opts: IntrospectOptions,
): { found: string; cacheFile?: string; cached?: Environment } {
  const childEnv = opts.env ?? process.env;
  const found = findExecutable(executable, childEnv);
  if (!found) throw new Error(`interpreter ${executable} not found on PATH`);
  let real: string;
  try {
    real = realpathSync(found);
  } catch {
    throw new Error(`interpreter ${executable} not found (${found} does not exist)`);
  }
  const st = statSync(real);
  if (!st.isFile()) throw new Error(`interpreter ${executable} is not a file (${real})`);
  const cacheRoot = opts.cacheDir === false ? undefined : (opts.cacheDir ?? defaultCacheDir(childEnv));
  if (!cacheRoot) return { found };
  const cacheFile = path.join(cacheRoot, 'env', `${cacheKey(found, real, childEnv)}.json`);
  return { found, cacheFile, cached: readCacheEntry(cacheFile, found) };
}

/**
 * The environment of `executable`: the cached one at once (no promise) when the cache holds a valid
 * entry, else a promise of introspecting it. Never throws: a missing interpreter is a rejection. A
 * caller that can use an environment known at once (the closure cache) looks it up only once.
 */
export function interpreterEnvironment(
  executable: string,
  opts: IntrospectOptions = {},
): Environment | Promise<Environment> {
  let found: ReturnType<typeof lookUpInterpreter>;
  try {
    found = lookUpInterpreter(executable, opts);
  } catch (err) {
    return Promise.reject(err);
  }
  return found.cached ?? runAndCache(executable, found.found, found.cacheFile, opts);
}

/**
 * Introspects the interpreter `executable` (a command found on PATH, or a path). Uses the on-disk
 * cache when the interpreter is unchanged; otherwise runs it (bounded by timeout and output size).
 */
export async function introspectInterpreter(
  executable: string,
  opts: IntrospectOptions = {},
): Promise<Environment> {
  return interpreterEnvironment(executable, opts);
}

/** Runs the interpreter found for `executable` and caches its answer in `cacheFile` (when given). */
async function runAndCache(
  executable: string,
  found: string,
  cacheFile: string | undefined,
  opts: IntrospectOptions,
): Promise<Environment> {
  const stdout = await runSnippet(found, {
    timeoutMs: opts.timeoutMs ?? 20_000,
    maxOutputBytes: opts.maxOutputBytes ?? 32 * 1024 * 1024,
    env: opts.env ?? process.env,
  });
  const environment = parseAnswer(executable, stdout);
  if (cacheFile) {
    try {
      // concurrent readers never see a half-written file, and a failed write leaves none
      replacePrivateFile(cacheFile, JSON.stringify({ environment, stamps: pathStamps(environment) }));
    } catch {
      // an unwritable cache only costs time
    }
  }
  return environment;
}
