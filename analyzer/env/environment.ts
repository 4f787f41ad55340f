/**
 * The Environment model: what a target Python interpreter looks like to the import system, as
 * collected by `introspectInterpreter` (introspect.ts) or loaded from a saved JSON snapshot.
 *
 * Pure data plus (de)serialisation with validation. It does not run interpreters or resolve imports.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { cleanDistributionName } from './distributionName';
import { ioProblem } from '../ioErrors';

/** Largest snapshot read (a real one is well under 1 MB). */
const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

export interface Distribution {
  /** Distribution name as its metadata spells it (e.g. `matplotlib`, `PyYAML`). */
  name: string;
  version: string;
  /** The sys.path directory holding it (e.g. `/usr/lib/python3/dist-packages`). */
  location: string;
  /** Top-level importable names it provides (top_level.txt, else derived from RECORD). */
  modules: string[];
}

export interface Environment {
  /** `sys.executable` of the interpreter (a real binary path, not a wrapper). */
  executable: string;
  /** `major.minor.micro`, e.g. `3.11.7`. */
  version: string;
  /** `sys.prefix` (real path). */
  prefix: string;
  /** Directory of the pure-Python standard library (`sys._stdlib_dir` / sysconfig `stdlib`). */
  stdlibDir: string;
  /** `sys.path` as a script sees it at start-up, without the script's own directory. */
  sysPath: string[];
  /** `sys.builtin_module_names`. */
  builtinModules: string[];
  /** Dotted names the interpreter imports from frozen code (`_imp.is_frozen`). */
  frozenModules: string[];
  /** `importlib.machinery.EXTENSION_SUFFIXES`, in lookup order. */
  extensionSuffixes: string[];
  /** Installed distributions, first one on sys.path wins for a given name. */
  distributions: Distribution[];
  /** `sys.stdlib_module_names` (3.10+), else empty: top-level names of the standard library. */
  stdlibModules: string[];
  /** The site-packages / dist-packages directories (`site.getsitepackages()` + user site). */
  sitePackages: string[];
  /** `sys.implementation.cache_tag`, e.g. `cpython-311`. */
  cacheTag: string;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * Checks that `data` is an Environment, and returns it typed. Throws an Error naming the first bad
 * field (`where` says where the data came from, for the message).
 */
export function validateEnvironment(data: unknown, where: string): Environment {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${where}: not an environment object`);
  }
  const o = data as Record<string, unknown>;
  for (const key of ['executable', 'version', 'prefix', 'stdlibDir', 'cacheTag']) {
    if (typeof o[key] !== 'string') throw new Error(`${where}: field '${key}' must be a string`);
  }
  for (const key of [
    'sysPath',
    'builtinModules',
    'frozenModules',
    'extensionSuffixes',
    'stdlibModules',
    'sitePackages',
  ]) {
    if (!isStringArray(o[key])) throw new Error(`${where}: field '${key}' must be a list of strings`);
  }
  if (!Array.isArray(o.distributions)) throw new Error(`${where}: field 'distributions' must be a list`);
  o.distributions.forEach((d: unknown, i: number) => {
    const r = d as Record<string, unknown>;
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof r.name !== 'string' ||
      typeof r.version !== 'string' ||
      typeof r.location !== 'string' ||
      !isStringArray(r.modules)
    ) {
      throw new Error(`${where}: distributions[${i}] must have name, version, location and modules`);
    }
    // Debian's variant builds rename their metadata (h5py._debian_h5py_serial): keep the real name
    r.name = cleanDistributionName(r.name);
  });
  return o as unknown as Environment;
}

/** Writes the environment as indented JSON. */
export function saveEnvironment(env: Environment, file: string): void {
  try {
    writeFileSync(file, `${JSON.stringify(env, null, 1)}\n`);
  } catch (err) {
    throw new Error(`cannot write environment snapshot ${file}: ${(err as Error).message}`);
  }
}

/** Reads and validates a snapshot written by `saveEnvironment` (or by hand). */
export function loadEnvironment(file: string): Environment {
  let text: string;
  try {
    // a FIFO or a device (/dev/zero) would block or never end: only regular files are read
    const st = statSync(file);
    if (!st.isFile()) throw new Error(st.isDirectory() ? 'is a directory' : 'not a regular file');
    if (st.size > MAX_SNAPSHOT_BYTES) throw new Error(`larger than ${MAX_SNAPSHOT_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read environment snapshot ${file}: ${ioProblem(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`environment snapshot ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return validateEnvironment(data, `environment snapshot ${file}`);
}

/** `major.minor` of the environment's version, e.g. `3.11`. */
export function pythonMajorMinor(env: Environment): string {
  return env.version.split('.').slice(0, 2).join('.');
}

/** Map from top-level module name to the distribution providing it (first on sys.path wins). */
export function distributionsByModule(env: Environment): Map<string, Distribution> {
  const map = new Map<string, Distribution>();
  for (const d of env.distributions) {
    for (const m of d.modules) if (!map.has(m)) map.set(m, d);
  }
  return map;
}
