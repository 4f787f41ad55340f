/**
 * resolveImport with both profiles on test/fixtures/resolve/project. The python profile is checked
 * against the real interpreter (importlib.util.find_spec with the same sys.path) as the oracle;
 * the compat profile against PyRats' rules (local-first, sibling lookup, fake builtin paths).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import type { ImportSite } from '../../../analyzer/extract/importSite';
import { FsCache } from '../../../analyzer/resolve/fsCache';
import { ModuleFinder } from '../../../analyzer/resolve/moduleFinder';
import { createModuleFinder, resolveImport } from '../../../analyzer/resolve/resolveImport';

const fixture = path.resolve(__dirname, '../../fixtures/resolve/project');
let env: Environment;
let extractor: ImportExtractor;
let tmp: string;
let proj: string;

beforeAll(async () => {
  env = await introspectInterpreter('python3', { cacheDir: false });
  extractor = await ImportExtractor.create();
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-resolve-')));
  proj = path.join(tmp, 'project');
  cpSync(fixture, proj, { recursive: true, verbatimSymlinks: true });
});
afterAll(() => {
  extractor?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function sitesOf(file: string): Promise<ImportSite[]> {
  const r = await extractor.extractFile(file);
  expect(r.syntaxOk).toBe(true);
  return r.sites;
}

/** The module name importlib would look up for a site, relative to the file's package. */
function queryOf(site: ImportSite): { name: string; level: number; from: string | null } {
  return { name: site.module ?? '', level: site.level, from: site.kind === 'from' ? site.name : null };
}

/** Asks the real interpreter: origin (or first search location) of each query, or null. */
function oracle(
  queries: { name: string; level: number; from: string | null }[],
  pkg: string,
  searchPath: string[],
) {
  const script = String.raw`
import sys, json, importlib.util
q, pkg, extra = json.loads(sys.stdin.read())
sys.path[:0] = extra
out = []
def spec_of(name):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
def where(s):
    if s is None:
        return None
    if s.origin in (None, 'built-in', 'frozen') or s.origin is None:
        if s.submodule_search_locations:
            return list(s.submodule_search_locations)[0]
        return s.origin
    return s.origin
for name, level, frm in q:
    try:
        full = importlib.util.resolve_name('.' * level + name, pkg) if level else name
    except (ImportError, ValueError):
        out.append(None); continue
    if not full:
        out.append(None); continue
    s = spec_of(full)
    if s is not None and frm:
        sub = spec_of(full + '.' + frm) if s.submodule_search_locations is not None else None
        if sub is not None:
            s = sub
    out.append(where(s))
print(json.dumps(out))
`;
  const input = JSON.stringify([queries.map((q) => [q.name, q.level, q.from]), pkg, searchPath]);
  return JSON.parse(execFileSync('python3', ['-c', script], { input, encoding: 'utf8' })) as (
    string | null
  )[];
}

function ourWhere(site: ImportSite, file: string, finder: ModuleFinder): string | null {
  const r = resolveImport(site, file, env, 'python', finder);
  if (r.status === 'unresolved') return null;
  if (r.status === 'builtin') return 'built-in';
  if (r.file === undefined) return 'frozen';
  return r.file;
}

describe('python profile agrees with importlib.util.find_spec', () => {
  it('absolute imports from the script: builtin, frozen, stdlib, namespace portions, packages, .so over .py', async () => {
    const app = path.join(proj, 'app');
    const main = path.join(app, 'main.py');
    const searchPath = [app, path.join(proj, 'ns_a'), path.join(proj, 'ns_b')];
    const finder = new ModuleFinder(env, { fs: new FsCache(), leadingPaths: searchPath });
    const sites = await sitesOf(main);
    const expected = oracle(sites.map(queryOf), '', searchPath).map((w) =>
      // frozen modules: the oracle says 'frozen'; we point at their stdlib source
      w === 'frozen' ? 'frozen' : w,
    );
    const ours = sites.map((s) => {
      const r = resolveImport(s, main, env, 'python', finder);
      if (r.status === 'unresolved') return null;
      if (r.status === 'builtin') return 'built-in';
      if (env.frozenModules.includes(s.module ?? '')) return 'frozen';
      return r.file ?? null;
    });
    expect(ours).toEqual(expected);
    // and the statuses say what they are
    const status = Object.fromEntries(
      sites.map((s) => [`${s.module}:${s.name}`, resolveImport(s, main, env, 'python', finder).status]),
    );
    expect(status['os:null']).toBe('stdlib');
    expect(status['sys:null']).toBe('builtin');
    expect(status['importlib.util:null']).toBe('stdlib');
    expect(status['json:null']).toBe('stdlib');
    expect(status['nsp.alpha.mod:null']).toBe('local');
    expect(status['fastmod:null']).toBe('local');
    expect(status['missing_module:null']).toBe('unresolved');
    expect(
      resolveImport(
        sites.find((s) => s.module === 'fastmod')!,
        main,
        env,
        'python',
        finder,
      ).file,
    ).toBe(path.join(app, 'fastmod.so'));
    // PyRats' pairs know no namespace packages: the root is the namespace directory
    const beta = resolveImport(
      sites.find((s) => s.module === 'nsp.beta')!,
      main,
      env,
      'python',
      finder,
    );
    expect([beta.root, beta.rel]).toEqual([path.join(proj, 'ns_b/nsp'), 'beta']);
  });

  it('relative imports inside packages, strict about the top-level package', async () => {
    const app = path.join(proj, 'app');
    const searchPath = [app, path.join(proj, 'ns_a'), path.join(proj, 'ns_b')];
    const finder = new ModuleFinder(env, { fs: new FsCache(), leadingPaths: searchPath });
    for (const [rel, pkg] of [
      ['app/pkg/mod.py', 'pkg'],
      ['app/pkg/sub/leaf.py', 'pkg.sub'],
      ['ns_a/nsp/alpha/mod.py', 'nsp.alpha'],
      ['ns_a/nsp/alpha/__init__.py', 'nsp.alpha'],
      ['ns_b/nsp/beta/__init__.py', 'nsp.beta'],
    ]) {
      const file = path.join(proj, rel);
      const sites = await sitesOf(file);
      expect(sites.length).toBeGreaterThan(0);
      const expected = oracle(sites.map(queryOf), pkg, searchPath);
      expect(
        sites.map((s) => ourWhere(s, file, finder)),
        rel,
      ).toEqual(expected);
    }
  });

  it('no local-first for absolute imports inside a package; beyond the top package is unresolved with a reason', async () => {
    const mod = path.join(proj, 'app/pkg/mod.py');
    const finder = createModuleFinder(env, 'python', [path.join(proj, 'app/main.py')]);
    const sites = await sitesOf(mod);
    const plain = sites.find((s) => s.kind === 'import' && s.module === 'helper')!;
    expect(resolveImport(plain, mod, env, 'python', finder).status).toBe('unresolved');
    const beyond = sites.find((s) => s.level === 2)!;
    const r = resolveImport(beyond, mod, env, 'python', finder);
    expect(r.status).toBe('unresolved');
    expect(r.reason).toMatch(/beyond the top-level package/);
  });

  it('a module of a package opened as the script still resolves its relative imports', async () => {
    const mod = path.join(proj, 'app/pkg/mod.py');
    const finder = createModuleFinder(env, 'python', [mod]);
    const sites = await sitesOf(mod);
    const dot = resolveImport(
      sites.find((s) => s.module === null && s.name === 'helper')!,
      mod,
      env,
      'python',
      finder,
    );
    expect(dot.file).toBe(path.join(proj, 'app/pkg/helper.py'));
    const sub = resolveImport(
      sites.find((s) => s.module === 'sub.leaf')!,
      mod,
      env,
      'python',
      finder,
    );
    expect(sub.file).toBe(path.join(proj, 'app/pkg/sub/leaf.py'));
    // the default finder (no finder given) does the same
    expect(
      resolveImport(
        sites.find((s) => s.module === 'helper' && s.name === 'thing')!,
        mod,
        env,
        'python',
      ).file,
    ).toBe(path.join(proj, 'app/pkg/helper.py'));
  });

  it('frozen os wins over a local os.py (python); compat finds the local one first', async () => {
    const user = path.join(proj, 'app/shadow/user.py');
    const [site] = await sitesOf(user);
    const py = resolveImport(site, user, env, 'python', createModuleFinder(env, 'python', [user]));
    expect(py.status).toBe('stdlib');
    expect(py.file).toBe(realpathSync(path.join(env.stdlibDir, 'os.py')));
    const compat = resolveImport(site, user, env, 'compat', createModuleFinder(env, 'compat', [user]));
    expect(compat.status).toBe('local');
    expect(compat.file).toBe(path.join(proj, 'app/shadow/os.py'));
  });
});

describe('compat profile', () => {
  it('resolves like snakefood: local-first, from-import of a submodule or the module, builtins', async () => {
    const mod = path.join(proj, 'app/pkg/mod.py');
    const finder = createModuleFinder(env, 'compat', [path.join(proj, 'app/main.py')]);
    const sites = await sitesOf(mod);
    const by = (pred: (s: ImportSite) => boolean) =>
      resolveImport(sites.find(pred)!, mod, env, 'compat', finder);
    // `import helper` inside pkg finds pkg/helper.py (local-first)
    expect(by((s) => s.kind === 'import' && s.module === 'helper').file).toBe(
      path.join(proj, 'app/pkg/helper.py'),
    );
    // `from . import helper` (fixed in compat): the submodule
    const dot = by((s) => s.module === null && s.name === 'helper');
    expect([dot.root, dot.rel]).toEqual([path.join(proj, 'app'), 'pkg/helper.py']);
    // `from .. import outside` climbs out of the package: nothing
    expect(by((s) => s.module === null && s.level === 2).status).toBe('unresolved');
    // `from .helper import thing`: a symbol of a plain module → the module
    expect(by((s) => s.module === 'helper' && s.name === 'thing').file).toBe(
      path.join(proj, 'app/pkg/helper.py'),
    );
    const main = path.join(proj, 'app/main.py');
    const mainSites = await sitesOf(main);
    const sys = resolveImport(
      mainSites.find((s) => s.module === 'sys')!,
      main,
      env,
      'compat',
      finder,
    );
    expect(sys.status).toBe('builtin');
    // frozen `os` is not found by imp.find_module: PyRats drops it
    expect(
      resolveImport(
        mainSites.find((s) => s.module === 'os')!,
        main,
        env,
        'compat',
        finder,
      ).status,
    ).toBe('unresolved');
    // `from pkg import CONSTANT`: the package (its __init__.py), node = the package directory
    const sym = resolveImport(
      mainSites.find((s) => s.name === 'CONSTANT')!,
      main,
      env,
      'compat',
      finder,
    );
    expect(sym.file).toBe(path.join(proj, 'app/pkg/__init__.py'));
    expect(sym.rel).toBe('pkg');
  });
});

describe.skipIf(!existsSync('/usr/lib/python3/dist-packages/numpy'))(
  'distributions (Debian /usr/bin/python3 with python3-numpy)',
  () => {
    it('a third-party import says which distribution and version provide it', async () => {
      const deb = await introspectInterpreter('/usr/bin/python3', { cacheDir: false });
      const script = path.join(proj, 'app/main.py');
      const site: ImportSite = {
        module: 'numpy.linalg',
        name: null,
        asname: null,
        level: 0,
        kind: 'import',
        guarded: null,
        inFunction: false,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 12 } },
        statementRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 19 } },
      };
      for (const profile of ['python', 'compat'] as const) {
        const r = resolveImport(site, script, deb, profile);
        expect(r.status).toBe('thirdParty');
        expect(r.distribution?.name).toBe('numpy');
        expect(r.distribution?.version).toBe(deb.distributions.find((d) => d.name === 'numpy')!.version);
        expect(r.root).toBe('/usr/lib/python3/dist-packages');
        expect(r.rel).toBe('numpy/linalg');
      }
    });
  },
);
