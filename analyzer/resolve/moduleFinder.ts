/**
 * The module finder shared by both resolution profiles: the search path of a run (leading entries +
 * the target interpreter's sys.path), the interpreter's builtin/frozen names and extension suffixes,
 * a directory-listing cache (FsCache) and per-run lookup caches.
 *
 * Two families of lookups:
 * * compat (SPEC section 2): `impFindModule`, `findDotted`, `findDottedModule` reproduce
 *   `pkgutil.ImpImporter` + `imp.find_module` + snakefood's `find_dotted_module`, quirks included
 *   (local-first, relative imports falling back to sys.path, sibling lookup after a plain module,
 *   no namespace packages, `.so` before `.py`, fake paths for builtins);
 * * python (modern importlib): `findSpec` with builtin → frozen → path finder order, regular
 *   packages, PEP 420 namespace packages and submodule search in `__path__`.
 *
 * It does not read Python sources and does not classify results (resolveImport.ts does).
 */
import path from 'node:path';
import { pythonMajorMinor, type Environment } from '../env/environment';
import { FsCache } from './fsCache';

export interface ModuleFinderOptions {
  /** Entries searched before the interpreter's sys.path: compat = the script roots; python = the script's directory. */
  leadingPaths?: string[];
  /** Entries searched after the interpreter's sys.path (python: the directory of a package module taken as the script). */
  trailingPaths?: string[];
  /** Listing cache to share; default a new one. */
  fs?: FsCache;
}

/** A python-profile module spec. */
export interface ModuleSpec {
  kind: 'builtin' | 'frozen' | 'module' | 'package' | 'namespace';
  /** Module file (package: its `__init__` file); frozen: its stdlib source when present. */
  file?: string;
  /** Package search locations (`__path__`): regular = [dir], namespace = every portion. */
  paths?: string[];
}

let finderCount = 0;

export class ModuleFinder {
  readonly env: Environment;
  readonly fs: FsCache;
  readonly searchPath: string[];
  readonly builtin: ReadonlySet<string>;
  readonly frozen: ReadonlySet<string>;
  /** Extension suffixes, then `.py`, then `.pyc`: `imp.get_suffixes()` order. */
  readonly suffixes: string[];
  /** Distinguishes this finder's memoised global look-ups from other finders sharing the FsCache. */
  private readonly memoTable = `findDotted:${++finderCount}`;

  constructor(env: Environment, opts: ModuleFinderOptions = {}) {
    this.env = env;
    this.fs = opts.fs ?? new FsCache();
    this.searchPath = [...(opts.leadingPaths ?? []), ...env.sysPath, ...(opts.trailingPaths ?? [])];
    this.builtin = new Set(env.builtinModules);
    this.frozen = new Set(env.frozenModules);
    this.suffixes = [...env.extensionSuffixes, '.py', '.pyc'];
  }

  // ---------------------------------------------------------------- compat (imp / snakefood)

  /**
   * `imp.find_module(name, entries)` + the loader's file: a package (`<e>/<name>/__init__.py|.pyc`)
   * gives its `__init__` file (extension suffixes first), else `<name>` + each suffix.
   */
  impFindModule(name: string, entries: readonly string[]): string | null {
    const fs = this.fs;
    for (const entry of entries) {
      if (fs.has(entry, name)) {
        const pkg = path.join(entry, name);
        if (fs.isFile(path.join(pkg, '__init__.py')) || fs.isFile(path.join(pkg, '__init__.pyc'))) {
          return this.impFindModule('__init__', [fs.realpath(pkg)]);
        }
      }
      for (const suffix of this.suffixes) {
        if (!fs.has(entry, name + suffix)) continue;
        const f = path.join(entry, name + suffix);
        if (fs.isFile(f)) return f;
      }
    }
    return null;
  }

  /** One step of `find_dotted`: in `dir` only (its real path), or on the search path when dir is null. */
  private findStep(part: string, dir: string | null): string | null {
    if (dir !== null) return this.impFindModule(part, [this.fs.realpath(dir)]);
    if (this.builtin.has(part) || this.frozen.has(part)) return null;
    return this.impFindModule(part, this.searchPath);
  }

  /** snakefood `find_dotted`: each next part is searched beside the previous part's file. */
  findDotted(parts: readonly string[], dir: string | null): string | null {
    let file: string | null = null;
    let d = dir;
    for (const part of parts) {
      file = this.findStep(part, d);
      if (file === null) return null;
      d = path.dirname(file);
    }
    return file;
  }

  /** The fake path PyRats gives builtin modules: `<prefix>/lib/python<X.Y>/<module>`. */
  fakeBuiltinPath(module: string): string {
    return path.join(this.env.prefix, 'lib', `python${pythonMajorMinor(this.env)}`, module);
  }

  /**
   * snakefood `find_dotted_module` as PyRats runs it (SPEC section 2), plus the compat fix for
   * `from . import x` (module null). Returns the real path of the result, or null.
   */
  findDottedModule(
    module: string | null,
    name: string | null,
    dirOfFile: string,
    level: number,
  ): string | null {
    if (module === null) return this.findPackageRelative(name, dirOfFile, level);
    if (this.builtin.has(module) || module === 'os.path') return this.fakeBuiltinPath(module);
    let parentdir = dirOfFile;
    for (let i = 1; i < level; i++) parentdir = path.dirname(parentdir);
    const parts = module.split('.');
    let found = this.findDotted(parts, parentdir);
    // global result (failure included) cached per dotted name, as PyRats' module_cache does; it lives
    // as long as the listings it was computed from
    found ??= this.fs.memo(this.memoTable, module, () => this.findDotted(parts, null));
    if (found === null) return null;
    if (name !== null) {
      const sub = this.findDotted([name], path.dirname(found));
      if (sub !== null) found = sub;
    }
    return this.fs.realpath(found);
  }

  /**
   * Compat fix for `from . import x` / `from .. import *`: like `from pkg import x` where pkg is the
   * package `level - 1` directories above the file's; nothing when that climbs out of the package.
   */
  private findPackageRelative(name: string | null, dirOfFile: string, level: number): string | null {
    let d = dirOfFile;
    for (let i = 0; ; i++) {
      if (!this.isImpPackage(d)) return null;
      if (i >= level - 1) break;
      d = path.dirname(d);
    }
    const init = this.impFindModule('__init__', [this.fs.realpath(d)]);
    if (init === null) return null;
    if (name !== null) {
      const sub = this.findDotted([name], d);
      if (sub !== null) return this.fs.realpath(sub);
    }
    return this.fs.realpath(init);
  }

  private isImpPackage(d: string): boolean {
    return this.fs.isFile(path.join(d, '__init__.py')) || this.fs.isFile(path.join(d, '__init__.pyc'));
  }

  // ---------------------------------------------------------------- python profile (importlib)

  /** The `__init__` file of a regular package directory, or null. */
  private initFile(dir: string): string | null {
    for (const suffix of this.suffixes) {
      const f = path.join(dir, `__init__${suffix}`);
      if (this.fs.isFile(f)) return f;
    }
    return null;
  }

  /** importlib's PathFinder/FileFinder over `entries`: package > module file > namespace portions. */
  pathFind(name: string, entries: readonly string[]): ModuleSpec | null {
    const portions: string[] = [];
    for (const entry of entries) {
      const d = path.join(entry, name);
      if (this.fs.isDir(d)) {
        const init = this.initFile(d);
        if (init !== null) return { kind: 'package', file: this.fs.realpath(init), paths: [d] };
        portions.push(d);
      }
      for (const suffix of this.suffixes) {
        const f = path.join(entry, name + suffix);
        if (this.fs.isFile(f)) return { kind: 'module', file: this.fs.realpath(f) };
      }
    }
    return portions.length ? { kind: 'namespace', paths: portions } : null;
  }

  /** The stdlib source of a frozen module, when present (for go-to-definition and relfile). */
  private frozenSource(fullname: string): string | undefined {
    const base = path.join(this.env.stdlibDir, ...fullname.split('.'));
    for (const f of [path.join(base, '__init__.py'), `${base}.py`])
      if (this.fs.isFile(f)) return this.fs.realpath(f);
    return undefined;
  }

  /**
   * `importlib.util.find_spec` for an absolute dotted name (parents resolved first), or null.
   * `within`/`prefix`: continue below an already found package; `entries`: search path for the first part.
   */
  findSpec(
    fullname: string,
    within?: ModuleSpec,
    prefix = '',
    entries?: readonly string[],
  ): ModuleSpec | null {
    const parts = fullname.split('.');
    let spec: ModuleSpec | null = within ?? null;
    let name = prefix;
    for (const part of parts) {
      name = name ? `${name}.${part}` : part;
      if (this.builtin.has(name)) spec = { kind: 'builtin' };
      else if (this.frozen.has(name)) {
        const src = this.frozenSource(name);
        spec = { kind: 'frozen', ...(src ? { file: src } : {}) };
        if (src && path.basename(src) === '__init__.py') spec.paths = [path.dirname(src)];
      } else if (spec === null) spec = this.pathFind(part, entries ?? this.searchPath);
      else if (spec.paths) spec = this.pathFind(part, spec.paths);
      else return null; // a plain module has no submodules
      if (spec === null) return null;
    }
    return spec;
  }
}
