/**
 * The Checker: one long-lived object (the baseline, its interpreter, the name map and the mirror
 * indexes are loaded once) that turns each import of a script into a Verdict:
 *   builtin / stdlib / local   from resolving it (python profile) with the baseline's interpreter when
 *                              it has one (module:, python:), else with `python` (default python3);
 *   baseline                   the distribution is in the baseline (name, version);
 *   mirror                     not in the baseline, but a conda channel or PyPI index of the mirror has it;
 *   missing                    nowhere; the action says what to request.
 * Nothing here throws for a bad baseline, interpreter or mirror: each becomes a CheckProblem and the
 * check carries on with what is left (`fatal` says when the baseline itself could not be loaded).
 * It does not format reports (see report/) nor parse command lines.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../env/environment';
import { defaultCacheDir } from '../cacheRoot';
import { introspectInterpreter } from '../env/introspect';
import { ExtractCache } from '../extract/extractCache';
import { ImportExtractor, type SourceProblem } from '../extract/extractImports';
import type { ImportSite } from '../extract/importSite';
import type { NotebookFacts } from '../notebook/readNotebook';
import { FsCache } from '../resolve/fsCache';
import type { ModuleFinder } from '../resolve/moduleFinder';
import type { Resolution } from '../resolve/resolution';
import { createModuleFinder, resolveImport } from '../resolve/resolveImport';
import { BaselineLookup, type Baseline, type BaselineEntry } from '../baseline/baseline';
import { loadBaseline, markersFor } from '../baseline/loadBaseline';
import { Mirror } from '../mirror/mirror';
import { configuredMirrors, parseMirrorSpec, type MirrorSource } from '../mirror/mirrorConfig';
import { NameMap, type DistributionCandidate } from '../names/nameMap';
import { readDeclarations, type Declarations } from '../declarations/declarations';
import { applyDeclarations } from './declared';
import { mirrorOutcome } from './mirrorVerdict';
import {
  VERDICT_CODES,
  type CheckProblem,
  type DeclarationFinding,
  type MirrorHit,
  type Verdict,
  type VerdictKind,
} from './verdict';
import { markInstalledByNotebook } from './notebookInstalls';

export interface CheckerOptions {
  /** Baseline spec (`module:NAME`, `file:PATH`, `python:PATH`); default: the `python` interpreter itself. */
  baseline?: string;
  /** Mirror specs (`conda:URL`, `pypi:URL`, bare URLs/paths); undefined: from .condarc / pip.conf; []: none. */
  mirrors?: string[];
  /** Interpreter used for stdlib/local when the baseline has none; default `python3` on PATH. */
  python?: string;
  /** Cache root; default `$XDG_CACHE_HOME/pyrats`; false disables every disk cache. */
  cacheDir?: string | false;
  /** Use only cached mirror data. */
  offline?: boolean;
  /** False: never run interpreters or module commands named by settings (untrusted workspace). */
  trusted?: boolean;
  /** Extra module paths for `module:` baselines. */
  moduleUse?: string[];
  /** Init script that defines `module` (Environment Modules / Lmod), sourced after the login profile. */
  moduleInit?: string;
  moduleTimeoutMs?: number;
  /** Per-request mirror timeout; default 15 s. */
  mirrorTimeoutMs?: number;
  /** Mirror data younger than this is not re-checked; default 10 min. */
  mirrorTtlMs?: number;
  /** conda subdirs; default platform + noarch. */
  subdirs?: string[];
  /** Run the module command again instead of reusing its cached result (kept 1 hour). */
  refresh?: boolean;
  /** Environment for child processes and config lookup; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface FileCheck {
  file: string;
  verdicts: Verdict[];
  /** Why the file was analysed only in part, or not at all. */
  problems: SourceProblem[];
  /** What the file declares (PEP 723 block, or the nearest project files); no files: nothing. */
  declarations?: Declarations;
  /** requires-python against the baseline's Python. */
  findings?: DeclarationFinding[];
  /** For a Jupyter notebook: what it installs, runs and what was skipped. */
  notebook?: NotebookFacts;
}

type MakeVerdict = (
  kind: VerdictKind,
  explanation: string,
  action: string,
  extra?: Partial<Verdict>,
) => Verdict;

/** One import site being judged, with what is known of it so far. */
interface SiteQuestion {
  site: ImportSite;
  module: string;
  topLevel: string;
  resolution: Resolution;
  /** ` (path)` of the resolved file, or ''. */
  where: string;
  candidates: DistributionCandidate[];
  make: MakeVerdict;
}

/** Verdicts the resolution alone decides: relative imports, builtins, the standard library, own code. */
function resolvedVerdict(
  site: ImportSite,
  module: string,
  topLevel: string,
  resolution: Resolution,
  where: string,
  make: MakeVerdict,
): Verdict | undefined {
  if (site.level > 0 || (!module && site.kind !== 'dynamic')) {
    return make(
      'local',
      resolution.status === 'unresolved'
        ? `Relative import that does not resolve: ${resolution.reason ?? 'no such module'}.`
        : `Relative import within the script's own package${where}.`,
      resolution.status === 'unresolved' ? 'Check that the module exists next to the script.' : '',
    );
  }
  if (resolution.status === 'builtin')
    return make('builtin', `'${topLevel}' is compiled into the interpreter.`, '');
  if (resolution.status === 'stdlib')
    return make('stdlib', `'${module}' is part of the standard library${where}.`, '');
  if (resolution.status === 'local')
    return make('local', `'${module}' is the script's own code or on PYTHONPATH${where}.`, '');

  return undefined;
}

function dottedModule(site: ImportSite): string {
  if (site.kind === 'from' && site.module && site.name) return site.module;
  return site.module ?? site.name ?? '';
}

export class Checker {
  readonly problems: CheckProblem[] = [];
  /** True when the baseline named in the options could not be loaded. */
  fatal = false;
  private extractor: ImportExtractor | null = null;
  private extractorPromise: Promise<ImportExtractor> | null = null;
  /** Extraction results by path, size and mtime (shared with `pyrats deps`): warm runs need no parser. */
  private extractCache: ExtractCache | null = null;
  private unflushed = 0;

  /** Writes new extraction results to the cache (also done by dispose). */
  flushCache(): void {
    this.unflushed = 0;
    this.extractCache?.flush();
  }
  private fs = new FsCache();
  private finders = new Map<string, ModuleFinder>();
  /** Mirror answers by candidate set, with when they were asked (kept for the mirror TTL, at least a minute). */
  private readonly mirrorMemo = new Map<string, { at: number; hits: Promise<MirrorHit[]> }>();
  private readonly names: NameMap;
  private readonly lookup: BaselineLookup | null;

  private constructor(
    readonly baseline: Baseline | null,
    /** Interpreter used to resolve imports (the baseline's own when it has one). */
    readonly environment: Environment | null,
    /** The mirror indexes (replaced by refreshMirror). */
    public mirror: Mirror | null,
    readonly options: CheckerOptions,
    problems: CheckProblem[],
    fatal: boolean,
  ) {
    this.problems.push(...problems);
    this.fatal = fatal;
    this.names = new NameMap(environment ?? undefined);
    this.lookup = baseline ? new BaselineLookup(baseline) : null;
    if (mirror)
      for (const p of mirror.problems)
        this.problems.push({ area: 'mirror', source: p.source, message: p.message });
  }

  /** Loads the baseline, the interpreter and the mirror indexes. Never throws. */
  static async create(opts: CheckerOptions = {}): Promise<Checker> {
    const problems: CheckProblem[] = [];
    const env = opts.env ?? process.env;
    const trusted = opts.trusted ?? true;
    const cacheDir = opts.cacheDir === undefined ? defaultCacheDir(env) : opts.cacheDir;
    const introspect = { cacheDir: cacheDir === false ? (false as const) : cacheDir, env };
    let baseline: Baseline | null = null;
    let fatal = false;
    let spec = opts.baseline;
    if (!spec) spec = `python:${opts.python ?? 'python3'}`;
    if (!trusted && !spec.startsWith('file:')) {
      problems.push({
        area: 'baseline',
        source: spec,
        message: 'not run: the workspace is not trusted (only file: baselines are read)',
      });
      fatal = true;
    } else {
      try {
        baseline = await loadBaseline(spec, {
          moduleUse: opts.moduleUse,
          moduleInit: opts.moduleInit,
          moduleTimeoutMs: opts.moduleTimeoutMs,
          refresh: opts.refresh,
          introspect,
          env,
        });
        for (const p of baseline.problems) {
          problems.push({
            area: 'baseline',
            source: p.line ? `${p.source}:${p.line}` : p.source,
            message: p.message,
          });
        }
      } catch (err) {
        problems.push({ area: 'baseline', source: spec, message: (err as Error).message });
        fatal = true;
      }
    }
    let environment: Environment | null = baseline?.environment ?? null;
    if (!environment && trusted) {
      const python = opts.python ?? 'python3';
      try {
        environment = await introspectInterpreter(python, introspect);
      } catch (err) {
        problems.push({
          area: 'python',
          source: python,
          message: `${(err as Error).message}; standard-library and local imports cannot be told apart`,
        });
      }
    }
    // Re-read requirement markers against the interpreter we now know, when the file had none.
    if (baseline && baseline.kind === 'requirements' && !baseline.pythonVersion && environment) {
      try {
        baseline = await loadBaseline(spec, { introspect, env, markers: markersFor(environment.version) });
      } catch {
        // keep the first reading
      }
    }
    if (baseline && !baseline.environment && baseline.pythonVersion && environment) {
      const mm = (v: string): string => v.split('.').slice(0, 2).join('.');
      if (
        /^\d+\.\d+/.test(baseline.pythonVersion) &&
        mm(baseline.pythonVersion) !== mm(environment.version)
      ) {
        problems.push({
          area: 'python',
          source: environment.executable,
          message: `the baseline is Python ${baseline.pythonVersion} but standard-library decisions use Python ${environment.version} (pass --python with a matching interpreter)`,
        });
      }
    }
    let sources: MirrorSource[] = [];
    try {
      sources =
        opts.mirrors === undefined ? configuredMirrors(env) : opts.mirrors.map((m) => parseMirrorSpec(m));
    } catch (err) {
      problems.push({ area: 'mirror', source: String(opts.mirrors), message: (err as Error).message });
    }
    const mirror = sources.length
      ? await Mirror.open(sources, {
          cacheDir,
          offline: opts.offline,
          timeoutMs: opts.mirrorTimeoutMs,
          ttlMs: opts.mirrorTtlMs,
          subdirs: opts.subdirs,
        })
      : null;
    const checker = new Checker(baseline, environment, mirror, opts, problems, fatal);
    if (cacheDir !== false) checker.extractCache = new ExtractCache(cacheDir);
    return checker;
  }

  /**
   * Re-asks every mirror source now (cached answers are revalidated) and forgets remembered lookups;
   * the baseline and interpreter are kept. Returns the mirror's problems.
   */
  async refreshMirror(): Promise<CheckProblem[]> {
    this.mirrorMemo.clear();
    if (!this.mirror) return [];
    const sources = this.mirror.sources;
    const opts = this.options;
    const cacheDir = opts.cacheDir === undefined ? defaultCacheDir(opts.env ?? process.env) : opts.cacheDir;
    this.mirror = await Mirror.open(sources, {
      cacheDir,
      offline: opts.offline,
      timeoutMs: opts.mirrorTimeoutMs,
      ttlMs: 0,
      subdirs: opts.subdirs,
    });
    const fresh = this.mirror.problems.map((p) => ({
      area: 'mirror' as const,
      source: p.source,
      message: p.message,
    }));
    const kept = this.problems.filter((p) => p.area !== 'mirror');
    this.problems.length = 0;
    this.problems.push(...kept, ...fresh);
    return fresh;
  }

  get baselineName(): string | null {
    return this.baseline?.name ?? null;
  }

  /** Forgets cached directory listings (files were created or deleted). */
  invalidateFileSystem(): void {
    this.fs = new FsCache();
    this.finders.clear();
  }

  /** Frees the parser. */
  dispose(): void {
    this.flushCache();
    this.extractor?.dispose();
    this.extractor = null;
    this.extractorPromise?.then(
      (e) => e.dispose(),
      () => undefined,
    );
    this.extractorPromise = null;
  }

  private async getExtractor(): Promise<ImportExtractor> {
    if (!this.extractor) {
      const pending = this.extractorPromise ?? ImportExtractor.create();
      this.extractorPromise = null;
      this.extractor = await pending;
    }
    return this.extractor;
  }

  /** Checks a file on disk; the file's read/parse problems are in the result. */
  async checkFileDetailed(file: string): Promise<FileCheck> {
    const abs = path.resolve(file);
    let st: { size: number; mtimeMs: number } | null = null;
    try {
      st = statSync(abs);
    } catch {
      st = null; // extractFile reports the I/O problem
    }
    let ex = st ? this.extractCache?.get(abs, st.size, st.mtimeMs) : undefined;
    if (!ex) {
      ex = await (await this.getExtractor()).extractFile(abs);
      if (st && this.extractCache) {
        this.extractCache.set(abs, st.size, st.mtimeMs, ex);
        if (++this.unflushed >= 50) this.flushCache();
      }
    }
    const verdicts = await this.checkSites(ex.sites, abs);
    const installs = ex.notebook?.installs ?? [];
    const marked = installs.length ? verdicts.map((v) => markInstalledByNotebook(v, installs)) : verdicts;
    const declared = this.declare(marked, abs);
    return {
      file: abs,
      problems: ex.problems,
      ...declared,
      ...(ex.notebook ? { notebook: ex.notebook } : {}),
    };
  }

  /**
   * Applies what `file` declares (its PEP 723 block, read from `text` when given, else the nearest
   * requirements*.txt / environment.yml / pyproject.toml) to its verdicts: `conflict`, `undeclared`
   * and the requires-python finding. Problems reading the declarations become CheckProblems.
   */
  declare(
    verdicts: Verdict[],
    file: string,
    text?: string,
  ): { verdicts: Verdict[]; declarations: Declarations; findings: DeclarationFinding[] } {
    const declarations = readDeclarations(file, text);
    for (const p of declarations.problems) {
      const source = p.line ? `${p.file}:${p.line}` : p.file;
      if (!this.problems.some((x) => x.source === source && x.message === p.message))
        this.problems.push({ area: 'file', source, message: p.message });
    }
    const applied = applyDeclarations(verdicts, declarations, this.pythonVersion);
    return { ...applied, declarations };
  }

  /** The baseline's Python version (else the resolving interpreter's). */
  get pythonVersion(): string | null {
    return this.baseline?.pythonVersion ?? this.environment?.version ?? null;
  }

  async checkFile(file: string): Promise<Verdict[]> {
    return (await this.checkFileDetailed(file)).verdicts;
  }

  /** Checks unsaved text as if it were the file at `file`. */
  async checkText(text: string, file: string): Promise<Verdict[]> {
    const ex = (await this.getExtractor()).extractText(text);
    const abs = path.resolve(file);
    return this.declare(await this.checkSites(ex.sites, abs), abs, text).verdicts;
  }

  /** Checks import sites already extracted from `file`. */
  async checkSites(sites: ImportSite[], file: string): Promise<Verdict[]> {
    return Promise.all(sites.map((s) => this.checkSite(s, file)));
  }

  private finderFor(file: string): ModuleFinder | null {
    if (!this.environment) return null;
    const key = path.dirname(file);
    let f = this.finders.get(key);
    if (!f) {
      f = createModuleFinder(this.environment, 'python', [file], { fs: this.fs });
      this.finders.set(key, f);
    }
    return f;
  }

  private resolve(site: ImportSite, file: string): Resolution {
    const finder = this.finderFor(file);
    if (!finder || !this.environment)
      return { site, status: 'unresolved', reason: 'no interpreter to resolve with' };
    try {
      return resolveImport(site, file, this.environment, 'python', finder);
    } catch (err) {
      return { site, status: 'unresolved', reason: (err as Error).message };
    }
  }

  private mirrorLookup(module: string, candidates: DistributionCandidate[]): Promise<MirrorHit[]> {
    if (!this.mirror) return Promise.resolve([]);
    const key = `${module} ${candidates.map((c) => `${c.normalized}/${c.conda}/${c.source}`).join(' ')}`;
    const memo = this.mirrorMemo.get(key);
    if (memo && Date.now() - memo.at < Math.max(this.options.mirrorTtlMs ?? 10 * 60 * 1000, 60_000))
      return memo.hits;
    const p = this.mirror.lookup(candidates, module, this.baseline?.pythonVersion).then((hits) => {
      for (const mp of this.mirror!.problems) {
        if (!this.problems.some((x) => x.source === mp.source && x.message === mp.message)) {
          this.problems.push({ area: 'mirror', source: mp.source, message: mp.message });
        }
      }
      return hits;
    });
    this.mirrorMemo.set(key, { at: Date.now(), hits: p });
    return p;
  }

  private baselineEntry(candidates: DistributionCandidate[]): BaselineEntry | undefined {
    for (const c of candidates) {
      const e = this.lookup?.get(c.normalized);
      if (e) return e;
    }
    return undefined;
  }

  private async checkSite(site: ImportSite, file: string): Promise<Verdict> {
    const module = dottedModule(site);
    const topLevel = module.split('.')[0];
    const resolution = this.resolve(site, file);
    const base = {
      site,
      file,
      module,
      topLevel,
      resolution,
      guarded: site.guarded,
      candidates: [] as Verdict['candidates'],
      mirror: [] as MirrorHit[],
    };
    const make: MakeVerdict = (kind, explanation, action, extra = {}) => ({
      ...base,
      kind,
      explanation,
      action,
      code: VERDICT_CODES[kind],
      ...extra,
    });
    const where = resolution.file ? ` (${resolution.file})` : '';
    const resolved = resolvedVerdict(site, module, topLevel, resolution, where, make);
    if (resolved) return resolved;
    const candidates = this.names.candidates(module);
    base.candidates = candidates.map((c) => ({
      pypi: c.pypi,
      conda: c.conda,
      source: c.source,
      ...(c.cite ? { cite: c.cite } : {}),
    }));
    const q: SiteQuestion = { site, module, topLevel, resolution, where, candidates, make };
    return this.baselineVerdict(q) ?? (await this.mirrorVerdict(q));
  }

  /** "baseline NAME" for explanations, or "the baseline". */
  private get baselinePhrase(): string {
    return this.baseline ? `baseline ${this.baseline.name}` : 'the baseline';
  }

  /** `module load NAME` when the baseline is an environment module, else ''. */
  private get loadHint(): string {
    return this.baseline?.kind === 'module' && this.baseline.spec.startsWith('module:')
      ? `module load ${this.baseline.name}`
      : '';
  }

  /** In the baseline: installed there (its environment resolved it), or listed by it; else undefined. */
  private baselineVerdict(q: SiteQuestion): Verdict | undefined {
    const { module, topLevel, resolution, where, candidates, make } = q;
    const baselineHasEnv = Boolean(this.baseline?.environment);
    const bname = this.baselinePhrase;
    const loadHint = this.loadHint;
    if (resolution.status === 'thirdParty' && baselineHasEnv) {
      const dist = resolution.distribution;
      const entry = dist ? this.lookup?.get(dist.name) : this.baselineEntry(candidates);
      return make(
        'baseline',
        `'${module}' is provided by ${dist ? `${dist.name} ${dist.version}` : 'an installed package'} in ${bname}${where}.`,
        loadHint ? `Available after \`${loadHint}\`.` : '',
        {
          ...(dist ? { distribution: dist } : {}),
          baseline: {
            name: dist?.name ?? entry?.name ?? topLevel,
            version: dist?.version ?? entry?.version ?? null,
            ...(entry?.specifier ? { specifier: entry.specifier } : {}),
            origin: entry?.origin ?? resolution.file ?? bname,
          },
        },
      );
    }

    const entry = this.baselineEntry(candidates);
    if (entry) {
      const listedOnly = baselineHasEnv;
      return make(
        'baseline',
        listedOnly
          ? `${bname} lists ${entry.name}${entry.version ? ` ${entry.version}` : ''} (${entry.origin}), but its interpreter cannot import '${module}'.`
          : `'${module}' comes from ${entry.name}${entry.version ? ` ${entry.version}` : entry.specifier ? ` ${entry.specifier}` : ''}, listed in ${bname} (${entry.origin}).`,
        listedOnly
          ? `Ask the centre why ${entry.name} is listed but not importable.`
          : loadHint
            ? `Available after \`${loadHint}\`.`
            : '',
        {
          baseline: {
            name: entry.name,
            version: entry.version,
            ...(entry.specifier ? { specifier: entry.specifier } : {}),
            origin: entry.origin,
          },
        },
      );
    }

    return undefined;
  }

  /** Not in the baseline: what the mirror has (or that nothing has it, with names to try). */
  private async mirrorVerdict(q: SiteQuestion): Promise<Verdict> {
    const { site, module, candidates, make } = q;
    const bname = this.baselinePhrase;
    const hits = await this.mirrorLookup(module, candidates);
    const guardNote =
      site.guarded === 'try'
        ? ' The import is guarded by try/except ImportError, so the script may run without it.'
        : '';
    const providing = hits.some((h) => h.provides !== false);
    const outcome = mirrorOutcome({
      module,
      hits,
      candidates,
      baselineName: bname,
      guardNote,
      guardedByTry: site.guarded === 'try',
      haveMirror: Boolean(this.mirror),
      mirrorFailed: Boolean(this.mirror?.problems.length),
      nearest:
        providing || !this.mirror
          ? []
          : await this.mirror.nearestNames(
              module,
              hits.map((h) => h.name),
            ),
    });
    return make(outcome.kind, outcome.explanation, outcome.action, { mirror: hits });
  }
}
