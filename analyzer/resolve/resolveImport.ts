/**
 * resolveImport: where an ImportSite leads, for a file, in a target Environment, under one of two
 * profiles, with a status (stdlib / builtin / local / thirdParty / unresolved) and the distribution.
 *
 * * `compat` — PyRats/snakefood semantics with the data-losing bugs fixed (SPEC section 8); the search
 *   path is the script roots + the interpreter's sys.path. `import a.b.c` → the leaf; `from m import n`
 *   → submodule `n` when found, else `m`; the fake builtin path → status builtin.
 * * `python` — what the interpreter itself does: builtin → frozen → sys.path (script directory first),
 *   regular and PEP 420 namespace packages, strict relative imports, no local-first.
 *
 * It does not read or parse source files and does not follow dependencies (graph/follow.ts does).
 */
import path from 'node:path';
import { distributionsByModule, type Distribution, type Environment } from '../env/environment';
import type { ImportSite } from '../extract/importSite';
import { findRoots, relfile } from './roots';
import { FsCache } from './fsCache';
import { ModuleFinder, type ModuleSpec } from './moduleFinder';
import type { Resolution, ResolutionProfile, ResolutionStatus } from './resolution';

function isInside(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Classifies resolved files by location; one per finder (distribution lookups are cached). */
class Classifier {
  private readonly byModule: Map<string, Distribution>;
  private readonly siteDirs: string[];
  private readonly stdlibDirs: string[];

  constructor(env: Environment, fs: FsCache) {
    this.byModule = distributionsByModule(env);
    const dirs = new Set<string>();
    for (const d of env.sitePackages) dirs.add(fs.realpath(d));
    for (const e of env.sysPath) if (/[/\\](site|dist)-packages$/.test(e)) dirs.add(fs.realpath(e));
    for (const d of env.distributions) if (d.location) dirs.add(fs.realpath(d.location));
    this.siteDirs = [...dirs].sort((a, b) => b.length - a.length);
    this.stdlibDirs = [...new Set([env.stdlibDir, fs.realpath(env.stdlibDir)].filter(Boolean))];
  }

  /** Status and distribution of a resolved real path. */
  classify(file: string): { status: ResolutionStatus; distribution?: Distribution } {
    for (const site of this.siteDirs) {
      if (isInside(site, file) && file !== site) {
        const top = file.slice(site.length + 1).split('/')[0];
        const name = top.split('.')[0];
        const distribution = this.byModule.get(name);
        return distribution ? { status: 'thirdParty', distribution } : { status: 'thirdParty' };
      }
    }
    if (this.stdlibDirs.some((d) => isInside(d, file))) return { status: 'stdlib' };
    return { status: 'local' };
  }

  distributionOf(module: string): Distribution | undefined {
    return this.byModule.get(module.split('.')[0]);
  }
}

const classifiers = new WeakMap<ModuleFinder, Classifier>();
function classifierOf(finder: ModuleFinder): Classifier {
  let c = classifiers.get(finder);
  if (!c) {
    c = new Classifier(finder.env, finder.fs);
    classifiers.set(finder, c);
  }
  return c;
}

function withFile(
  finder: ModuleFinder,
  site: ImportSite,
  file: string,
  status?: ResolutionStatus,
): Resolution {
  const c = classifierOf(finder).classify(file);
  const node = path.basename(file) === '__init__.py' ? path.dirname(file) : file;
  const [root, rel] = relfile(finder.fs, node);
  const r: Resolution = { site, status: status ?? c.status, file, root, rel };
  if (c.distribution) r.distribution = { name: c.distribution.name, version: c.distribution.version };
  return r;
}

/** Compat profile (SPEC sections 2 and 8). `fromFile` must be a real path. */
export function resolveCompat(site: ImportSite, fromFile: string, finder: ModuleFinder): Resolution {
  const module = site.module;
  const found = finder.findDottedModule(
    module,
    site.kind === 'from' ? site.name : null,
    path.dirname(fromFile),
    site.level,
  );
  if (found === null) return { site, status: 'unresolved' };
  if (
    module !== null &&
    (finder.builtin.has(module) || module === 'os.path') &&
    found === finder.fakeBuiltinPath(module)
  ) {
    return { site, status: finder.frozen.has(module) ? 'stdlib' : 'builtin' };
  }
  return withFile(finder, site, found);
}

const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

/**
 * The package a file belongs to, as `__package__` would say when it is imported by name: its directory
 * relative to the nearest search-path entry strictly above it (every step an identifier); else the
 * chain of regular packages (`__init__`) above it, searched from the directory holding the top one;
 * a file directly in a search-path directory (a script) is in no package.
 */
function packageOf(
  finder: ModuleFinder,
  fromFile: string,
): { parts: string[]; entries?: string[] } | undefined {
  const fs = finder.fs;
  const dir = path.dirname(fromFile);
  // the longest entry strictly above the file's directory whose steps down are all identifiers
  let best: string[] | undefined;
  let onPath = false;
  for (const e of finder.searchPath) {
    const real = fs.realpath(e);
    if (real === dir) onPath = true;
    if (dir === real || !isInside(real, dir)) continue;
    const parts = dir.slice(real.length + 1).split('/');
    if (parts.every((p) => IDENTIFIER.test(p)) && (best === undefined || parts.length < best.length))
      best = parts;
  }
  if (best !== undefined) return { parts: best };
  const isPkg = (d: string) =>
    fs.isFile(path.join(d, '__init__.py')) || fs.isFile(path.join(d, '__init__.pyc'));
  if (!isPkg(dir)) return onPath ? { parts: [] } : undefined;
  let top = dir;
  while (isPkg(path.dirname(top)) && path.dirname(top) !== top) top = path.dirname(top);
  const base = path.dirname(top);
  return { parts: dir.slice(base.length + 1).split('/'), entries: [base] };
}

function specResolution(
  finder: ModuleFinder,
  site: ImportSite,
  spec: ModuleSpec,
  module: string,
): Resolution {
  if (spec.kind === 'builtin') return { site, status: 'builtin' };
  if (spec.kind === 'frozen') {
    if (!spec.file) return { site, status: 'stdlib' };
    return withFile(finder, site, spec.file, 'stdlib');
  }
  if (spec.kind === 'namespace') {
    const dir = finder.fs.realpath(spec.paths![0]);
    const r = withFile(finder, site, dir);
    if (!r.distribution) {
      const d = classifierOf(finder).distributionOf(module);
      if (d && r.status === 'thirdParty') r.distribution = { name: d.name, version: d.version };
    }
    return r;
  }
  return withFile(finder, site, spec.file!);
}

/** Python profile (modern importlib semantics). */
export function resolvePython(site: ImportSite, fromFile: string, finder: ModuleFinder): Resolution {
  let module = site.module;
  let entries: string[] | undefined;
  if (site.level > 0) {
    // strict relative import: importlib.util.resolve_name against the file's package
    const pkg = packageOf(finder, fromFile);
    if (pkg === undefined || pkg.parts.length === 0) {
      return {
        site,
        status: 'unresolved',
        reason: 'relative import in a file that is not part of a package',
      };
    }
    if (site.level > pkg.parts.length) {
      return { site, status: 'unresolved', reason: 'relative import beyond the top-level package' };
    }
    const base = pkg.parts.slice(0, pkg.parts.length - (site.level - 1)).join('.');
    module = module === null ? base : `${base}.${module}`;
    entries = pkg.entries;
  }
  if (module === null) return { site, status: 'unresolved', reason: 'no module named' };
  const fullname = module;
  const spec = finder.findSpec(fullname, undefined, '', entries);
  if (spec === null) return { site, status: 'unresolved', reason: `no module named '${fullname}'` };
  if (site.kind === 'from' && site.name !== null && spec.paths) {
    const sub = finder.findSpec(site.name, spec, fullname, entries);
    if (sub !== null) return specResolution(finder, site, sub, `${fullname}.${site.name}`);
  }
  return specResolution(finder, site, spec, fullname);
}

// ------------------------------------------------------------------------ default finders

const defaultFs = new FsCache({ maxAgeMs: 2000 });
const defaultFinders = new WeakMap<Environment, Map<string, ModuleFinder>>();

/**
 * The search-path entries a profile adds for its scripts: compat, their roots before sys.path;
 * python, each script's directory before sys.path — but for a module inside a package, the directory
 * above its top-level package first (how it is imported) and its own directory only after sys.path
 * (as if run directly, where it cannot hide the standard library: a package's own `collections.py`
 * or `types.py` must not stand in for the standard library's in `import collections.abc`).
 */
export function searchPathsFor(
  profile: ResolutionProfile,
  scripts: string[],
  fs: FsCache = defaultFs,
): { leading: string[]; trailing: string[] } {
  if (profile === 'compat') return { leading: findRoots(fs, scripts).roots, trailing: [] };
  const leading: string[] = [];
  const trailing: string[] = [];
  for (const s of scripts) {
    const dir = path.dirname(fs.realpath(s));
    let top = dir;
    while (fs.isFile(path.join(top, '__init__.py')) && path.dirname(top) !== top) top = path.dirname(top);
    if (!leading.includes(top)) leading.push(top);
    if (dir !== top && !trailing.includes(dir)) trailing.push(dir);
  }
  return { leading, trailing: trailing.filter((d) => !leading.includes(d)) };
}

/** A finder for a profile and a set of scripts (compat: their roots; python: their directories first). */
export function createModuleFinder(
  env: Environment,
  profile: ResolutionProfile,
  scripts: string[],
  opts: { fs?: FsCache; extraPaths?: string[] } = {},
): ModuleFinder {
  const fs = opts.fs ?? new FsCache();
  const { leading, trailing } = searchPathsFor(profile, scripts, fs);
  return new ModuleFinder(env, {
    fs,
    leadingPaths: [...leading, ...(opts.extraPaths ?? [])],
    trailingPaths: trailing,
  });
}

/**
 * Resolves one import site found in `fromFile`. Without a finder, one is made (and reused for the same
 * environment and search path) from `fromFile` as the script, with a listing cache that expires after 2 s.
 */
export function resolveImport(
  site: ImportSite,
  fromFile: string,
  env: Environment,
  profile: ResolutionProfile,
  finder?: ModuleFinder,
): Resolution {
  const file = (finder?.fs ?? defaultFs).realpath(fromFile);
  let f = finder;
  if (!f) {
    const { leading, trailing } = searchPathsFor(profile, [file]);
    const key = `${profile}\0${leading.join('\0')}\0\0${trailing.join('\0')}`;
    let perEnv = defaultFinders.get(env);
    if (!perEnv) {
      perEnv = new Map();
      defaultFinders.set(env, perEnv);
    }
    f = perEnv.get(key);
    if (!f) {
      f = new ModuleFinder(env, { fs: defaultFs, leadingPaths: leading, trailingPaths: trailing });
      perEnv.set(key, f);
    }
  }
  return profile === 'compat' ? resolveCompat(site, file, f) : resolvePython(site, file, f);
}
