/**
 * Modules of a package named like standard-library modules (test/fixtures/resolve/shadowing:
 * mylib/collections.py, mylib/types.py, as in matplotlib). Checked file by file (`pyrats check mylib/`,
 * the editor), each module is the "script", but its own directory must not hide the standard library:
 * `import collections.abc` in mylib/core.py is the standard library's, as when Python imports the
 * package. It used to resolve to mylib/collections.py (so `collections.abc` was "missing everywhere"
 * and `from collections import OrderedDict` was "provided by" the package's distribution).
 * The real interpreter is the oracle: it imports the package from the fixture folder.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { createModuleFinder, resolveImport } from '../../../analyzer/resolve/resolveImport';

const root = path.resolve(__dirname, '../../fixtures/resolve/shadowing');
const core = path.join(root, 'mylib/core.py');
let env: Environment;
let extractor: ImportExtractor;

beforeAll(async () => {
  env = await introspectInterpreter('python3', { cacheDir: false });
  extractor = await ImportExtractor.create();
});
afterAll(() => extractor?.dispose());

/** Where the interpreter finds each module when mylib.core is imported from the fixture folder. */
function oracle(modules: string[]): Record<string, string> {
  const out = execFileSync(
    'python3',
    [
      '-c',
      'import sys, json, importlib, os; sys.dont_write_bytecode = True; import mylib.core; ' +
        'print(json.dumps({m: os.path.realpath(importlib.import_module(m).__file__) for m in sys.argv[1:]}))',
      ...modules,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONSAFEPATH: '' } },
  );
  return JSON.parse(out) as Record<string, string>;
}

describe('a package module named like a standard-library module', () => {
  it('does not stand in for the standard library in its sibling modules (with and without a finder)', async () => {
    const r = await extractor.extractFile(core);
    const sites = r.sites.filter(
      (s) => s.module === 'collections.abc' || s.module === 'collections' || s.module === 'types',
    );
    expect(sites.map((s) => s.module)).toEqual(['collections.abc', 'collections', 'types']);
    const truth = oracle(['collections.abc', 'collections', 'types']);
    expect(truth.collections).not.toContain('mylib');
    const finder = createModuleFinder(env, 'python', [core]);
    for (const site of sites) {
      for (const resolution of [
        resolveImport(site, core, env, 'python', finder),
        resolveImport(site, core, env, 'python'),
      ]) {
        expect(resolution.status, site.module!).toBe('stdlib');
        expect(resolution.file, site.module!).toBe(truth[site.module!]);
      }
    }
  });

  it('a package module taken as the script still finds what only its own directory has, after sys.path', async () => {
    const r = await extractor.extractText('import core\n');
    const site = r.sites[0];
    const finder = createModuleFinder(env, 'python', [path.join(root, 'mylib/types.py')]);
    const res = resolveImport(site, path.join(root, 'mylib/types.py'), env, 'python', finder);
    expect(res.status).toBe('local');
    expect(res.file).toBe(core);
  });
});
