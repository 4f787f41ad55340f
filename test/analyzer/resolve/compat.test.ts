/**
 * Compat-profile rules of SPEC section 2 that the parity cases do not show: relative imports falling
 * back to sys.path (fixture 25), the sibling look-up after a plain module, `import a.b.missing` vs
 * `from a.b import missing`, `__init__.pyc`-only packages, extension modules inside packages,
 * symlinked modules resolved to their real path (fixture 28), builtins and `os.path`.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import type { ImportSite } from '../../../analyzer/extract/importSite';
import { FsCache } from '../../../analyzer/resolve/fsCache';
import { ModuleFinder } from '../../../analyzer/resolve/moduleFinder';
import { resolveImport } from '../../../analyzer/resolve/resolveImport';

let env: Environment;
let tmp: string;
let finder: ModuleFinder;
let main: string;

function write(rel: string, text = 'X = 1\n'): string {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function site(module: string | null, name: string | null, level = 0): ImportSite {
  const r = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  return {
    module,
    name,
    asname: null,
    level,
    kind: name === null ? 'import' : 'from',
    guarded: null,
    inFunction: false,
    range: r,
    statementRange: r,
  };
}

beforeAll(async () => {
  env = await introspectInterpreter('python3');
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-compat-')));
  main = write('proj/main.py', '');
  write('proj/plain.py');
  write('proj/sibling.py');
  write('proj/a/__init__.py');
  write('proj/a/b/__init__.py');
  write('proj/a/b/c.py');
  write('proj/a/fast.py');
  write(`proj/a/fast${env.extensionSuffixes[0]}`, '');
  write('proj/compiled/__init__.pyc', '');
  write('proj/compiled/mod.py');
  write('elsewhere/real_mod.py');
  symlinkSync(path.join(tmp, 'elsewhere/real_mod.py'), path.join(tmp, 'proj/linked.py'));
  write('proj/pkg/__init__.py');
  write('proj/pkg/inner.py');
  finder = new ModuleFinder(env, { fs: new FsCache(), leadingPaths: [path.join(tmp, 'proj')] });
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const resolveFrom = (s: ImportSite, file = main) => resolveImport(s, file, env, 'compat', finder);

describe('compat resolution quirks', () => {
  it('a relative import that is not found locally falls back to sys.path (fixture 25)', () => {
    const inner = path.join(tmp, 'proj/pkg/inner.py');
    const r = resolveFrom(site('xml.dom', 'minidom', 1), inner);
    expect(r.file).toBe(realpathSync(path.join(env.stdlibDir, 'xml/dom/minidom.py')));
    expect(r.status).toBe('stdlib');
  });

  it('after a plain module, the name is looked up beside it (a sibling), else the module is kept', () => {
    expect(resolveFrom(site('plain', 'sibling')).file).toBe(path.join(tmp, 'proj/sibling.py'));
    expect(resolveFrom(site('plain', 'nothing_here')).file).toBe(path.join(tmp, 'proj/plain.py'));
  });

  it('`import a.b.missing` gives nothing while `from a.b import missing` keeps a/b', () => {
    expect(resolveFrom(site('a.b.missing', null)).status).toBe('unresolved');
    const r = resolveFrom(site('a.b', 'missing'));
    expect(r.file).toBe(path.join(tmp, 'proj/a/b/__init__.py'));
    expect([r.root, r.rel]).toEqual([path.join(tmp, 'proj'), 'a/b']);
    expect(resolveFrom(site('a.b.c', null)).rel).toBe('a/b/c.py');
  });

  it('an extension module beats the .py of the same name, inside packages too', () => {
    expect(resolveFrom(site('a.fast', null)).file).toBe(
      path.join(tmp, `proj/a/fast${env.extensionSuffixes[0]}`),
    );
  });

  it('a package with only __init__.pyc is a package; its __init__ file is the .pyc', () => {
    expect(resolveFrom(site('compiled', null)).file).toBe(path.join(tmp, 'proj/compiled/__init__.pyc'));
    expect(resolveFrom(site('compiled.mod', null)).file).toBe(path.join(tmp, 'proj/compiled/mod.py'));
  });

  it('a symlinked module resolves to its real path (fixture 28)', () => {
    const r = resolveFrom(site('linked', null));
    expect(r.file).toBe(path.join(tmp, 'elsewhere/real_mod.py'));
    expect([r.root, r.rel]).toEqual([path.join(tmp, 'elsewhere'), 'real_mod.py']);
  });

  it('builtins and os.path get the fake path PyRats gives them (status builtin/stdlib, no file)', () => {
    const sys = resolveFrom(site('sys', null));
    expect(sys.status).toBe('builtin');
    expect(sys.file).toBeUndefined();
    expect(finder.findDottedModule('sys', null, path.dirname(main), 0)).toBe(
      path.join(env.prefix, 'lib', `python${env.version.split('.').slice(0, 2).join('.')}`, 'sys'),
    );
    expect(resolveFrom(site('os.path', null)).status).toBe('stdlib');
    // frozen top-level names are not found by imp.find_module at all
    expect(resolveFrom(site('codecs', null)).status).toBe('unresolved');
  });
});
