/**
 * One baseline from one spec string:
 *   module:NAME[?use=DIR&use=DIR2&timeout=SECONDS&init=FILE]   environment module (Lmod /
 *                                                     Environment Modules; init: the module
 *                                                     system's bash init script to source)
 *   file:PATH[?format=FORMAT]                         a file; the format is detected from its content
 *   python:/path/to/python3                           a live interpreter
 * A module NAME may end in a glob (`module:PythonEnv-noaa/*`): expandBaselineSpecs turns it into one
 * spec per module `module avail` lists.
 * FORMAT is one of requirements, pip-list, conda-env, conda-list, conda-explicit, spack-lock,
 * spack-yaml, modulefile, module-help (saved `module help` output), environment (an Environment JSON snapshot). A bare existing path is taken as
 * `file:`. Fatal problems (unreadable file, unknown format, module or interpreter failure) throw an
 * Error naming the spec; per-line problems are collected in `Baseline.problems`.
 * Does not contact package indexes (see ../mirror).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validateEnvironment, type Environment } from '../env/environment';
import { introspectInterpreter, type IntrospectOptions } from '../env/introspect';
import {
  pypiEntry,
  type Baseline,
  type BaselineEntry,
  type BaselineKind,
  type BaselineProblem,
} from './baseline';
import {
  parseCondaExplicit,
  parseCondaListJson,
  parseCondaListText,
  parseEnvironmentYml,
} from './condaFiles';
import {
  isModuleGlob,
  listAvailableModules,
  runEnvironmentModule,
  stripHelpBanner,
  type ModuleRun,
} from './environmentModule';
import {
  modulefileHelpText,
  parseHelpRequirements,
  parsePipListJson,
  parsePipListText,
  parseSpackLock,
  parseSpackYaml,
} from './otherFiles';
import { linuxMarkers, type MarkerEnvironment } from './pep508';
import { decodeDescriptionFile, parseRequirementsText } from './requirementsFile';
import { replacePrivateFile } from '../privateFiles';
import { ioProblem } from '../ioErrors';

export interface LoadBaselineOptions {
  /** Extra module paths for `module:` specs (added after those in the spec). Also $PYRATS_MODULE_USE. */
  moduleUse?: string[];
  /**
   * Bash init script of the module system for `module:` specs (e.g. Environment Modules'
   * `init/bash` where the login shell sets up Lmod); `?init=` in the spec wins. Also $PYRATS_MODULE_INIT.
   */
  moduleInit?: string;
  /** Timeout for the module command; default 60 s. */
  moduleTimeoutMs?: number;
  /** Options for introspecting interpreters (cache dir, timeout). */
  introspect?: IntrospectOptions;
  /** Marker values for evaluating requirement markers when the baseline has no interpreter. */
  markers?: MarkerEnvironment;
  /** Environment for `${VAR}` expansion and child processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long a module's help/load result is reused (needs `introspect.cacheDir`); default 1 hour, 0 = never. */
  moduleCacheTtlMs?: number;
  /** Run the module command again even when a cached result is fresh. */
  refresh?: boolean;
}

export const FILE_FORMATS = [
  'requirements',
  'pip-list',
  'conda-env',
  'conda-list',
  'conda-explicit',
  'spack-lock',
  'spack-yaml',
  'modulefile',
  'module-help',
  'environment',
] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

interface ParsedSpec {
  scheme: 'module' | 'file' | 'python';
  target: string;
  params: URLSearchParams;
}

/** Splits `scheme:target?query`; throws for an unknown scheme. */
export function parseBaselineSpec(spec: string): ParsedSpec {
  const m = /^(module|file|python):(.*)$/s.exec(spec);
  if (!m) {
    let st;
    try {
      st = statSync(spec);
    } catch {
      throw new Error(
        `baseline '${spec}': expected module:NAME, file:PATH or python:PATH (and no file of that name exists)`,
      );
    }
    return {
      scheme: st.isFile() && (st.mode & 0o111) !== 0 && !/\.\w+$/.test(spec) ? 'python' : 'file',
      target: spec,
      params: new URLSearchParams(),
    };
  }
  const scheme = m[1] as ParsedSpec['scheme'];
  const q = m[2].indexOf('?');
  const target = q >= 0 ? m[2].slice(0, q) : m[2];
  if (!target) throw new Error(`baseline '${spec}': nothing after '${scheme}:'`);
  return { scheme, target, params: new URLSearchParams(q >= 0 ? m[2].slice(q + 1) : '') };
}

/** Guesses the format of a baseline file from its name and first bytes. */
export function detectFileFormat(file: string, text: string): FileFormat {
  const base = path.basename(file).toLowerCase();
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('[') || head.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (data !== undefined) {
      if (Array.isArray(data)) {
        const first = data[0] as Record<string, unknown> | undefined;
        if (
          typeof first === 'object' &&
          first !== null &&
          ('channel' in first || 'build_string' in first || 'dist_name' in first || 'base_url' in first)
        )
          return 'conda-list';
        return 'pip-list';
      }
      const o = data as Record<string, unknown>;
      if (
        'concrete_specs' in o ||
        (o._meta as Record<string, unknown> | undefined)?.['file-type'] === 'spack-lockfile'
      )
        return 'spack-lock';
      if ('executable' in o && 'distributions' in o) return 'environment';
    }
  }
  if (base === 'spack.lock') return 'spack-lock';
  if (/(^|\n)\s*@EXPLICIT\s*(\n|$)/.test(text)) return 'conda-explicit';
  if (/^#\s*packages in environment at/m.test(head)) return 'conda-list';
  if (/^Package\s+Version\s*(Editable project location)?\s*\n-+\s+-+/m.test(head)) return 'pip-list';
  if (/^-+ Module Specific Help for .* -+\s*$/m.test(head)) return 'module-help'; // Lmod
  if (/^-{10,}\s*\r?\nModule Specific Help for .*:\s*$/m.test(head)) return 'module-help'; // Environment Modules
  if (base.endsWith('.lua') || head.startsWith('#%Module') || /\bhelp\s*\(\s*\[=*\[/.test(text))
    return 'modulefile';
  if (/\.(ya?ml)$/.test(base)) {
    if (/^spack\s*:/m.test(text)) return 'spack-yaml';
    return 'conda-env';
  }
  return 'requirements';
}

function envEntries(env: Environment, origin: string): BaselineEntry[] {
  return env.distributions.map((d) => pypiEntry(d.name, d.version, `${origin}: ${d.location}`));
}

/** Adds help-listed entries; one problem lists those whose version differs from the interpreter's. */
function mergeListed(
  entries: BaselineEntry[],
  listed: BaselineEntry[],
  problems: BaselineProblem[],
  source: string,
): void {
  const byName = new Map(entries.map((e) => [e.normalized, e]));
  const differ: string[] = [];
  for (const l of listed) {
    const have = byName.get(l.normalized);
    if (have && l.version && have.version && l.version !== have.version) {
      differ.push(`${l.name} ${l.version} (installed ${have.version})`);
    }
    if (!have) {
      entries.push(l);
      byName.set(l.normalized, l);
    }
  }
  if (differ.length) {
    const shown = differ.slice(0, 8).join(', ');
    problems.push({
      source,
      message: `the help lists ${differ.length} version(s) that differ from the interpreter's: ${shown}${differ.length > 8 ? ', ...' : ''}`,
    });
  }
}

function readText(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new Error(`baseline file ${file}: ${ioProblem(err)}`);
  }
  if (!st.isFile()) throw new Error(`baseline file ${file}: not a regular file`);
  if (st.size > 64 * 1024 * 1024) throw new Error(`baseline file ${file}: larger than 64 MB`);
  try {
    return decodeDescriptionFile(readFileSync(file));
  } catch (err) {
    throw new Error(`baseline file ${file}: ${(err as Error).message}`);
  }
}

/** Why JSON text (or text that looks like JSON) is no baseline format. */
function unknownJson(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  return (
    'JSON of an unknown shape (expected pip list --format=json, conda list --json, a spack.lock ' +
    "or an environment snapshot from 'pyrats deps --save-env')"
  );
}

/** A `file:` baseline; a file that cannot be read as its format at all is an error, not an empty baseline. */
function fromFile(
  spec: string,
  file: string,
  format: FileFormat | null,
  opts: LoadBaselineOptions,
): Baseline {
  const baseline = readFileBaseline(spec, file, format, opts);
  const unreadable = baseline.problems.find((p) => p.unreadable);
  if (unreadable) throw new Error(`baseline file ${file}: ${unreadable.message}`);
  return baseline;
}

function readFileBaseline(
  spec: string,
  file: string,
  format: FileFormat | null,
  opts: LoadBaselineOptions,
): Baseline {
  const text = readText(file);
  const fmt = format ?? detectFileFormat(file, text);
  // no requirement starts with '{' or '[': JSON that is none of the known shapes is not a requirements file
  if (!format && fmt === 'requirements' && /^[[{]/.test(text.trimStart()))
    throw new Error(`baseline file ${file}: ${unknownJson(text)}`);
  const base: Omit<Baseline, 'kind' | 'entries'> = {
    spec,
    name: path.basename(file),
    pythonVersion: null,
    indexUrls: [],
    channels: [],
    files: [file],
    problems: [],
  };
  const json = (): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`baseline file ${file}: not valid JSON (${(err as Error).message})`);
    }
  };
  const kindOf: Record<FileFormat, BaselineKind> = {
    requirements: 'requirements',
    'pip-list': 'pip-list',
    'conda-env': 'conda-environment',
    'conda-list': 'conda-list',
    'conda-explicit': 'conda-explicit',
    'spack-lock': 'spack-lock',
    'spack-yaml': 'spack-yaml',
    modulefile: 'module',
    'module-help': 'module',
    environment: 'python',
  };
  const kind = kindOf[fmt];
  const reqOpts = { markers: opts.markers ?? linuxMarkers(), env: opts.env };
  switch (fmt) {
    case 'requirements': {
      const r = parseRequirementsText(text, file, path.dirname(file), reqOpts, undefined, 0, new Set([file]));
      return {
        ...base,
        kind,
        entries: r.entries,
        indexUrls: r.indexUrls,
        files: [file, ...r.files],
        problems: r.problems,
      };
    }
    case 'conda-env': {
      const r = parseEnvironmentYml(text, file, reqOpts);
      return {
        ...base,
        kind,
        entries: r.entries,
        indexUrls: r.indexUrls,
        channels: r.channels,
        files: [file, ...r.files.slice(1)],
        problems: r.problems,
        pythonVersion: r.pythonVersion,
      };
    }
    case 'conda-list': {
      const r = text.trimStart().startsWith('[')
        ? parseCondaListJson(json(), file)
        : parseCondaListText(text, file);
      return {
        ...base,
        kind,
        entries: r.entries,
        channels: r.channels,
        problems: r.problems,
        pythonVersion: r.pythonVersion,
      };
    }
    case 'conda-explicit': {
      const r = parseCondaExplicit(text, file);
      return {
        ...base,
        kind,
        entries: r.entries,
        channels: r.channels,
        problems: r.problems,
        pythonVersion: r.pythonVersion,
      };
    }
    case 'pip-list': {
      const r = text.trimStart().startsWith('[')
        ? parsePipListJson(json(), file)
        : parsePipListText(text, file);
      return { ...base, kind, entries: r.entries, problems: r.problems };
    }
    case 'spack-lock': {
      const r = parseSpackLock(json(), file);
      return { ...base, kind, entries: r.entries, problems: r.problems, pythonVersion: r.pythonVersion };
    }
    case 'spack-yaml': {
      const r = parseSpackYaml(text, file);
      return { ...base, kind, entries: r.entries, problems: r.problems, pythonVersion: r.pythonVersion };
    }
    case 'modulefile': {
      const help = modulefileHelpText(text);
      if (help === null) throw new Error(`modulefile ${file}: no help([[...]]) or ModulesHelp text`);
      const r = parseHelpRequirements(help, `${file} help`);
      return { ...base, kind, entries: r.entries, problems: r.problems, pythonVersion: r.pythonVersion };
    }
    case 'module-help': {
      const r = parseHelpRequirements(stripHelpBanner(text), file);
      return { ...base, kind, entries: r.entries, problems: r.problems, pythonVersion: r.pythonVersion };
    }
    case 'environment': {
      const env = validateEnvironment(json(), `environment snapshot ${file}`);
      return {
        ...base,
        kind,
        name: env.executable,
        entries: envEntries(env, file),
        environment: env,
        pythonVersion: env.version,
      };
    }
  }
}

/**
 * `module help` + `module load` results are kept for `moduleCacheTtlMs` (default 1 hour) under
 * `<cacheDir>/modules/`, keyed by the module name, the extra module paths and MODULEPATH; only the
 * variables the login shell and the module changed are stored (never the rest of the environment).
 */
async function cachedModuleRun(
  name: string,
  use: string[],
  a: { timeoutMs?: number; init?: string; env: NodeJS.ProcessEnv; opts: LoadBaselineOptions },
): Promise<ModuleRun> {
  const cacheDir = a.opts.introspect?.cacheDir;
  const ttl = a.opts.moduleCacheTtlMs ?? 60 * 60 * 1000;
  const file =
    cacheDir && ttl > 0
      ? path.join(
          cacheDir,
          'modules',
          `${createHash('sha256')
            .update([name, ...use, a.env.MODULEPATH ?? '', a.env.PATH ?? '', a.init ?? ''].join('\0'))
            .digest('hex')
            .slice(0, 32)}.json`,
        )
      : null;
  if (file && !a.opts.refresh) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { at: number; run: ModuleRun };
      if (Date.now() - cached.at < ttl && cached.run.name === name) {
        return { ...cached.run, env: { ...a.env, ...cached.run.env } };
      }
    } catch {
      // no usable cache entry
    }
  }
  const run = await runEnvironmentModule(name, { use, timeoutMs: a.timeoutMs, init: a.init, env: a.env });
  if (file) {
    const changed: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(run.env)) if (a.env[k] !== v) changed[k] = v;
    try {
      replacePrivateFile(file, JSON.stringify({ at: Date.now(), run: { ...run, env: changed } }));
    } catch {
      // a cache that cannot be written only costs time
    }
  }
  return run;
}

/** Module paths, timeout and init script of a `module:` spec (its query first, then the options). */
function moduleSettings(
  spec: string,
  parsed: ParsedSpec,
  opts: LoadBaselineOptions,
  env: NodeJS.ProcessEnv,
): { use: string[]; timeoutMs: number | undefined; init: string | undefined } {
  // the configuration may already have folded $PYRATS_MODULE_USE into moduleUse: each directory once
  const use = [
    ...new Set(
      [
        ...parsed.params.getAll('use'),
        ...(opts.moduleUse ?? []),
        ...(env.PYRATS_MODULE_USE ?? '').split(':').filter(Boolean),
      ].map((d) => path.resolve(d)),
    ),
  ];
  const timeoutParam = parsed.params.get('timeout');
  const timeoutMs = timeoutParam ? Number(timeoutParam) * 1000 : opts.moduleTimeoutMs;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new Error(`baseline '${spec}': timeout must be a positive number of seconds`);
  const initParam = parsed.params.get('init') ?? opts.moduleInit ?? env.PYRATS_MODULE_INIT;
  return { use, timeoutMs, init: initParam ? path.resolve(initParam) : undefined };
}

/**
 * Baseline specs with every `module:` glob replaced by one spec per matching module that
 * `module -t avail` lists (the glob's `?query` kept on each), in the order given; duplicates dropped.
 * A glob that matches nothing, or a module system that cannot list, is a problem and contributes no spec.
 */
export async function expandBaselineSpecs(
  specs: string[],
  opts: LoadBaselineOptions = {},
): Promise<{ specs: string[]; problems: { spec: string; message: string }[] }> {
  const env = opts.env ?? process.env;
  const out: string[] = [];
  const problems: { spec: string; message: string }[] = [];
  for (const spec of specs) {
    const parsed = /^module:/.test(spec) ? parseBaselineSpec(spec) : null;
    if (!parsed || !isModuleGlob(parsed.target)) {
      if (!out.includes(spec)) out.push(spec);
      continue;
    }
    const query = spec.includes('?') ? spec.slice(spec.indexOf('?')) : '';
    try {
      const { use, timeoutMs, init } = moduleSettings(spec, parsed, opts, env);
      const names = await listAvailableModules(parsed.target, { use, timeoutMs, init, env });
      if (!names.length)
        problems.push({ spec, message: `no module matches ${parsed.target} in 'module avail'` });
      for (const n of names) if (!out.includes(`module:${n}${query}`)) out.push(`module:${n}${query}`);
    } catch (err) {
      problems.push({ spec, message: (err as Error).message });
    }
  }
  return { specs: out, problems };
}

/** Loads the baseline named by `spec`. */
export async function loadBaseline(spec: string, opts: LoadBaselineOptions = {}): Promise<Baseline> {
  const parsed = parseBaselineSpec(spec);
  const env = opts.env ?? process.env;
  if (parsed.scheme === 'file') {
    const format = parsed.params.get('format');
    if (format && !(FILE_FORMATS as readonly string[]).includes(format)) {
      throw new Error(`baseline '${spec}': unknown format '${format}' (one of ${FILE_FORMATS.join(', ')})`);
    }
    return fromFile(spec, path.resolve(parsed.target), (format as FileFormat) ?? null, opts);
  }
  if (parsed.scheme === 'python') {
    const environment = await introspectInterpreter(parsed.target, {
      ...opts.introspect,
      env: opts.introspect?.env ?? env,
    });
    return {
      spec,
      name: parsed.target,
      kind: 'python',
      entries: envEntries(environment, parsed.target),
      pythonVersion: environment.version,
      environment,
      indexUrls: [],
      channels: [],
      files: [],
      problems: [],
    };
  }
  if (isModuleGlob(parsed.target))
    throw new Error(`baseline '${spec}': a module glob names several baselines (expand it first)`);
  const { use, timeoutMs, init } = moduleSettings(spec, parsed, opts, env);
  const run = await cachedModuleRun(parsed.target, use, { timeoutMs, init, env, opts });
  const problems: BaselineProblem[] = [];
  const source = `module ${parsed.target}`;
  const listed = parseHelpRequirements(run.helpText, `module help ${parsed.target}`);
  let environment: Environment | undefined;
  if (!run.python) {
    problems.push({
      source,
      message: 'no python3 or python on PATH after loading the module; using the help text only',
    });
  } else {
    if (!run.pythonFromModule) {
      problems.push({
        source,
        message: `the module did not put a python on PATH; using ${run.python} found on the existing PATH`,
      });
    }
    // The user's own ~/.local packages are not part of the centre's baseline.
    environment = await introspectInterpreter(run.python, {
      ...opts.introspect,
      env: { ...run.env, PYTHONNOUSERSITE: '1' },
    });
  }
  if (!environment && listed.entries.length === 0) {
    throw new Error(`module ${parsed.target}: its help lists no requirements and it puts no python on PATH`);
  }
  const entries = environment ? envEntries(environment, `module load ${parsed.target}`) : [];
  mergeListed(entries, listed.entries, problems, `module help ${parsed.target}`);
  return {
    spec,
    name: parsed.target,
    kind: 'module',
    entries,
    pythonVersion: environment?.version ?? listed.pythonVersion,
    environment,
    indexUrls: [],
    channels: [],
    files: [],
    problems: [...problems, ...listed.problems],
  };
}

/** Marker values for a baseline's target, from its interpreter or its recorded Python version. */
export function markersFor(pythonVersion: string | null): MarkerEnvironment {
  return linuxMarkers(pythonVersion ?? undefined);
}
