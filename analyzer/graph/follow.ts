/**
 * The follow loop (SPEC section 4, compat profile): from the given scripts, extract imports, resolve
 * them against the target Environment, record edges between (root, rel) nodes and follow the
 * resolved files round by round until nothing new appears. Keeps PyRats' result-shaping rules (the
 * `python*` parent-directory rule, packages reached through `__init__.py` not followed, the
 * `(None, None)` marker per source) and snakefood's `--internal` / `--external` filters.
 *
 * With the `python` profile the same loop uses modern resolution: packages are followed through
 * their `__init__.py`, the standard library is recorded but not followed, builtins have no node.
 *
 * Extraction is injected (`extractFiles`) or done by the extract stage's batch extractor (worker
 * threads; on-disk cache when `extraction.cache` is set). It does not format output (see formats.ts) or send anything.
 */
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../env/environment';
import { BatchExtractor, type BatchOptions } from '../extract/batchExtract';
import type { ExtractResult } from '../extract/extractImports';
import { ioProblem } from '../ioErrors';
import type { ImportSite } from '../extract/importSite';
import { FsCache } from '../resolve/fsCache';
import { ModuleFinder } from '../resolve/moduleFinder';
import { resolveCompat, resolvePython } from '../resolve/resolveImport';
import type { ResolutionProfile, ResolutionStatus } from '../resolve/resolution';
import { comparePython, findRoots, isPython, iterPyFiles, relfile, type RelPair } from '../resolve/roots';

/** Extracts a batch of files; must return a result for every file asked. */
export type ExtractFiles = (files: string[]) => Promise<Map<string, ExtractResult>>;

export interface FollowOptions {
  /** Follow resolved files (default true); false = only the scripts' own imports. */
  follow?: boolean;
  profile?: ResolutionProfile;
  /** snakefood `-i`: drop sources and targets outside the input roots. */
  internal?: boolean;
  /** snakefood `-e`: only targets outside the input roots; no `(None, None)` markers. */
  external?: boolean;
  extractFiles?: ExtractFiles;
  /** Stop after this many files (seeds and followed files; default 100,000), reporting a `limit` problem. */
  maxFiles?: number;
  /** Options of the default batch extractor (workers, on-disk cache, size cap) when `extractFiles` is not given. */
  extraction?: BatchOptions;
  fs?: FsCache;
}

export interface FollowProblem {
  file: string;
  kind: string;
  message: string;
  line?: number;
}

export interface FollowEdge {
  from: RelPair;
  to: RelPair;
  /** Real path of the target module (a package's `__init__` file for packages). */
  file: string;
  status: ResolutionStatus;
  distribution?: { name: string; version: string };
}

export interface FollowSource {
  from: RelPair;
  /** Real path of the source file (package directory when the file was an `__init__.py`). */
  file: string;
  /** Targets in discovery order, without duplicates; `null` is the `(None, None)` marker. */
  targets: (RelPair | null)[];
  /** True when the file's imports were read (false for non-Python nodes and failed files). */
  analysed: boolean;
}

export interface FollowResult {
  profile: ResolutionProfile;
  scripts: string[];
  /** Input roots (sorted): prepended to sys.path in the compat profile. */
  roots: string[];
  /** One per processed node, in processing order. */
  sources: FollowSource[];
  edges: FollowEdge[];
  /** Files that could not be read or parsed (each once), and rootless input directories. */
  problems: FollowProblem[];
  /** Imports that resolved to nothing (dropped silently by PyRats). */
  unresolved: { file: string; module: string; line: number }[];
  /** Number of files whose imports were extracted. */
  filesRead: number;
}

const key = (p: RelPair) => `${p[0]}\0${p[1]}`;

/** The default extraction: the extract stage's batch extractor (worker threads, optional on-disk cache). */
function defaultExtractFiles(options: BatchOptions): { extract: ExtractFiles; dispose: () => Promise<void> } {
  const batch = new BatchExtractor(options);
  return {
    extract: async (files) => {
      const results = await batch.extract(files);
      return new Map(files.map((f, i) => [f, results[i]]));
    },
    dispose: () => batch.dispose(),
  };
}

/** The imports PyRats collects from one file: static ones, de-duplicated by (module, name) as PyRats does. */
export function compatEntries(sites: ImportSite[]): ImportSite[] {
  const seen = new Set<string>();
  const out: ImportSite[] = [];
  for (const s of sites) {
    if (s.kind === 'dynamic') continue;
    if (s.module === '__future__' && s.level === 0 && s.kind !== 'import') continue;
    const name = s.kind === 'from' ? s.name : null;
    // PyRats' key (module, name) ignores the level; `from . import x` and `from .. import x` (module
    // None, dropped by PyRats, resolved by the compat fix) name different modules, so their level counts
    const module = s.module ?? `\u0001None${s.level}`;
    const k = `${module}\0${name ?? '\u0001None'}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

/**
 * The files a notebook `%run`s (paths relative to the notebook's directory), followed like imports;
 * a target that is not a readable Python file or notebook is a problem.
 */
function notebookRuns(
  fs: FsCache,
  notebook: string,
  result: ExtractResult,
): ({ file: string } | { problem: FollowProblem })[] {
  return (result.notebook?.runs ?? []).map((run) => {
    const file = fs.realpath(path.resolve(path.dirname(notebook), run.target));
    if (fs.isFile(file) && isPython(fs, file)) return { file };
    return {
      problem: {
        file: notebook,
        kind: 'io',
        message: `cell ${run.cell + 1}: %run ${run.target}: ${fs.exists(file) ? 'not a Python file or notebook' : 'no such file or directory'}`,
        line: run.line,
      },
    };
  });
}

/**
 * Why a path given as a script cannot be analysed — kind `missing` (absent, a symbolic-link loop, a
 * FIFO or device, not accessible) or `not-python` (a file without `.py` suffix or python shebang) —
 * or undefined when it can.
 */
export function unusableInput(fs: FsCache, given: string): FollowProblem | undefined {
  const real = fs.realpath(given);
  if (!fs.exists(real)) return { file: given, kind: 'missing', message: describeUnusablePath(real) };
  if (fs.isFile(real) && !isPython(fs, real))
    return {
      file: given,
      kind: 'not-python',
      message: 'not a Python file (no .py suffix, no python shebang)',
    };
  return undefined;
}

/**
 * What is at `p`, which is neither a file nor a directory one can list: 'no such file or directory',
 * 'too many levels of symbolic links', 'permission denied', 'not a regular file or directory (a
 * named pipe)', ...
 */
export function describeUnusablePath(p: string): string {
  let st: Stats;
  try {
    st = statSync(p);
  } catch (err) {
    return ioProblem(err, { path: p });
  }
  if (st.isFile() || st.isDirectory()) return `permission denied (cannot list ${path.dirname(p)})`;
  const what = st.isFIFO()
    ? 'a named pipe'
    : st.isSocket()
      ? 'a socket'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : 'a special file';
  return `not a regular file or directory (${what})`;
}

/** The extraction of a follow: one batch per round, the seeds started before the interpreter is known. */
interface Extraction {
  extract: (files: string[]) => Promise<Map<string, ExtractResult>>;
  release?: () => Promise<void>;
}

/** What the loop needs to place a file's imports in the closure. */
interface ClosureContext {
  fs: FsCache;
  finder: ModuleFinder;
  profile: ResolutionProfile;
  rootSet: ReadonlySet<string>;
  opts: FollowOptions;
  problems: FollowProblem[];
  unresolved: FollowResult['unresolved'];
}

/** What the follow loop has found so far: a source per (root, rel), the edges, the files done. */
class Closure {
  readonly sources = new Map<string, FollowSource>();
  readonly edges = new Map<string, FollowEdge>();
  readonly processed = new Set<string>();

  constructor(private readonly c: ClosureContext) {}

  /** Takes one file of a round into the closure; the files its imports lead to go into `next`. */
  visit(fn: string, result: ExtractResult | undefined, next: Set<string>): void {
    const { fs, opts, problems } = this.c;
    this.processed.add(fn);
    const node = path.basename(fn) === '__init__.py' ? path.dirname(fn) : fn;
    const from = relfile(fs, node);
    if (opts.internal && !this.c.rootSet.has(from[0])) return;
    const src: FollowSource = this.sources.get(key(from)) ?? {
      from,
      file: node,
      targets: [],
      analysed: false,
    };
    this.sources.set(key(from), src);
    const targetKeys = new Set(src.targets.map((t) => (t ? key(t) : '')));
    const addTarget = (t: RelPair | null) => {
      const k = t ? key(t) : '';
      if (!targetKeys.has(k)) {
        targetKeys.add(k);
        src.targets.push(t);
      }
    };
    if (!opts.external) addTarget(null);
    if (!result) return;
    for (const p of result.problems) {
      problems.push({
        file: fn,
        kind: p.kind,
        message: p.message,
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
    if (!result.syntaxOk) return;
    src.analysed = true;
    this.followImports(fn, from, result, addTarget, next);
    for (const run of notebookRuns(fs, fn, result)) {
      if ('problem' in run) {
        problems.push(run.problem);
        continue;
      }
      const to = relfile(fs, run.file);
      addTarget(to);
      this.addEdge({ from, to, file: run.file, status: 'local' });
      next.add(run.file);
    }
  }

  /** The file's resolved imports: targets and edges, and (unless the profile stops there) what to read next. */
  private followImports(
    fn: string,
    from: RelPair,
    result: ExtractResult,
    addTarget: (t: RelPair) => void,
    next: Set<string>,
  ): void {
    const { fs, opts, profile, rootSet } = this.c;
    for (const dep of resolveAll(result.sites, fn, this.c.finder, profile, this.c.unresolved)) {
      const x = path.basename(dep.file) === '__init__.py' ? path.dirname(dep.file) : dep.file;
      if (profile === 'compat' && path.basename(path.dirname(x)).startsWith('python')) continue;
      const to = relfile(fs, x);
      const into = rootSet.has(to[0]);
      if ((opts.internal && !into) || (opts.external && into)) continue;
      addTarget(to);
      const e: FollowEdge = { from, to, file: dep.file, status: dep.status };
      if (dep.distribution) e.distribution = dep.distribution;
      this.addEdge(e);
      if (profile === 'python' && (dep.status === 'stdlib' || !dep.file.endsWith('.py'))) continue;
      next.add(dep.file);
    }
  }

  /** The first edge between two nodes is kept. */
  private addEdge(e: FollowEdge): void {
    const ek = `${key(e.from)}\0${key(e.to)}`;
    if (!this.edges.has(ek)) this.edges.set(ek, e);
  }
}

/** The files of a round whose imports are read (compat: an `__init__.py` stands for its directory). */
function filesToExtract(
  fs: FsCache,
  profile: ResolutionProfile,
  round: string[],
  processed: ReadonlySet<string>,
): string[] {
  const todo = new Set<string>();
  for (const fn of round) {
    if (processed.has(fn)) continue;
    const node = profile === 'compat' && path.basename(fn) === '__init__.py' ? path.dirname(fn) : fn;
    if (isPython(fs, node)) todo.add(fn);
  }
  return [...todo];
}

/**
 * The package roots of the scripts, with a problem for each directory outside every root and each
 * unusable input, and the leading search paths (compat: the roots; python: each script's folder).
 */
function scriptRoots(fs: FsCache, scripts: string[], profile: ResolutionProfile, problems: FollowProblem[]) {
  const { roots, rootless } = findRoots(fs, scripts);
  for (const d of rootless) {
    problems.push({
      file: d,
      kind: 'no-roots',
      message: 'directory neither lies in nor contains a package root',
    });
  }
  for (const s of scripts) {
    const problem = unusableInput(fs, s);
    if (problem) problems.push(problem);
  }
  let leading = roots;
  if (profile === 'python') {
    leading = [];
    for (const s of scripts) {
      const real = fs.realpath(s);
      const dir = fs.isDir(real) ? real : path.dirname(real);
      if (!leading.includes(dir)) leading.push(dir);
    }
  }
  return { roots, leading };
}

/** Runs the follow loop for `scripts` (paths as typed, relative to the working directory). */
export async function followDependencies(
  scripts: string[],
  environment: Environment | Promise<Environment>,
  opts: FollowOptions = {},
): Promise<FollowResult> {
  const fs = opts.fs ?? new FsCache();
  const profile = opts.profile ?? 'compat';
  const problems: FollowProblem[] = [];
  const unresolved: FollowResult['unresolved'] = [];
  const maxFiles = opts.maxFiles ?? 100_000;
  const extraction: Extraction = opts.extractFiles
    ? { extract: opts.extractFiles }
    : (({ extract, dispose }) => ({ extract, release: dispose }))(defaultExtractFiles(opts.extraction ?? {}));
  // the seeds are parsed while the interpreter is being introspected
  const seeds = iterPyFiles(fs, scripts, maxFiles + 1);
  const seedTodo = filesToExtract(fs, profile, seeds.slice(0, maxFiles), new Set());
  const seedExtraction = seedTodo.length ? extraction.extract(seedTodo) : undefined;
  seedExtraction?.catch(() => undefined); // a failure surfaces where it is awaited
  let env: Environment;
  try {
    env = await environment;
  } catch (err) {
    await seedExtraction?.catch(() => undefined);
    await extraction.release?.();
    throw err;
  }
  const { roots, leading } = scriptRoots(fs, scripts, profile, problems);
  const closure = new Closure({
    fs,
    finder: new ModuleFinder(env, { fs, leadingPaths: leading }),
    profile,
    rootSet: new Set(roots),
    opts,
    problems,
    unresolved,
  });
  let filesRead = 0;
  try {
    let round = seeds;
    let first = true;
    while (round.length) {
      if (closure.processed.size + round.length > maxFiles) {
        round = round.slice(0, Math.max(0, maxFiles - closure.processed.size));
        problems.push({
          file: scripts.join(' '),
          kind: 'limit',
          message: `more than ${maxFiles} files: the rest is not analysed`,
        });
      }
      // extract every file of this round in one batch
      const todo = first ? seedTodo : filesToExtract(fs, profile, round, closure.processed);
      for (const f of todo) fs.noteContent(f); // the result rests on what these files say
      let extracted = new Map<string, ExtractResult>();
      if (todo.length) {
        extracted = await (first && seedExtraction ? seedExtraction : extraction.extract(todo));
        filesRead += todo.length;
      }
      first = false;
      const next = new Set<string>();
      for (const fn of round) if (!closure.processed.has(fn)) closure.visit(fn, extracted.get(fn), next);
      if (!(opts.follow ?? true) || problems.some((p) => p.kind === 'limit')) break;
      round = [...next].filter((f) => !closure.processed.has(f)).sort(comparePython);
    }
  } finally {
    await extraction.release?.();
  }
  return {
    profile,
    scripts,
    roots,
    sources: [...closure.sources.values()],
    edges: [...closure.edges.values()],
    problems,
    unresolved,
    filesRead,
  };
}

interface ResolvedDep {
  file: string;
  status: ResolutionStatus;
  distribution?: { name: string; version: string };
}

function resolveAll(
  sites: ImportSite[],
  fn: string,
  finder: ModuleFinder,
  profile: ResolutionProfile,
  unresolved: FollowResult['unresolved'],
): ResolvedDep[] {
  const out: ResolvedDep[] = [];
  if (profile === 'compat') {
    for (const s of compatEntries(sites)) {
      const r = resolveCompat(s, fn, finder);
      if (r.status === 'unresolved') {
        unresolved.push({ file: fn, module: describe(s), line: s.range.start.line + 1 });
        continue;
      }
      // builtins resolve to PyRats' fake path, which the python* rule always drops
      const file = r.file ?? finder.fakeBuiltinPath(s.module ?? '');
      const dep: ResolvedDep = { file, status: r.status };
      if (r.distribution) dep.distribution = r.distribution;
      out.push(dep);
    }
    return out;
  }
  for (const s of sites) {
    const r = resolvePython(s, fn, finder);
    if (r.status === 'unresolved') {
      unresolved.push({ file: fn, module: describe(s), line: s.range.start.line + 1 });
      continue;
    }
    if (!r.file) continue;
    const dep: ResolvedDep = { file: r.file, status: r.status };
    if (r.distribution) dep.distribution = r.distribution;
    out.push(dep);
  }
  return out;
}

function describe(s: ImportSite): string {
  const mod = '.'.repeat(s.level) + (s.module ?? '');
  return s.kind === 'from' && s.name ? `${mod}.${s.name}`.replace(/^(\.+)\./, '$1') : mod;
}
