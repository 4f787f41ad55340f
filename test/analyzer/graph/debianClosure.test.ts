/**
 * The compat follow loop on real closures — a stdlib-heavy script with the python3 on PATH, and a
 * script importing matplotlib.pyplot, xarray and scipy with Debian's /usr/bin/python3 — compared
 * edge for edge with an independent follow written in Python for this test (Python's own `ast`,
 * the lookup rules of SPEC section 2 with the section 8 fix for `from . import x`, the
 * python*-directory rule, packages not followed through `__init__.py`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { followDependencies } from '../../../analyzer/graph/follow';
import { toRecords } from '../../../analyzer/graph/formats';
import { PYRATS_MESSAGE_LIMIT } from '../../../analyzer/pyrats/recordMessage';

const PYTHON = '/usr/bin/python3';
const NEEDED = ['matplotlib/pyplot.py', 'xarray/__init__.py', 'scipy/__init__.py'].map((f) =>
  path.join('/usr/lib/python3/dist-packages', f),
);
const missing = !existsSync(PYTHON) ? [PYTHON] : NEEDED.filter((f) => !existsSync(f));

const ORACLE = String.raw`
import ast, json, os, sys, importlib.machinery as m
script = os.path.realpath(sys.argv[1])
path = [os.path.dirname(script)] + sys.path[1:]
suffixes = m.EXTENSION_SUFFIXES + ['.py', '.pyc']
skip = set(sys.builtin_module_names) | {'os.path'}
def find(name, dirs):
    for d in dirs:
        pkg = os.path.join(d, name)
        if os.path.isfile(os.path.join(pkg, '__init__.py')) or os.path.isfile(os.path.join(pkg, '__init__.pyc')):
            return find('__init__', [os.path.realpath(pkg)])
        for s in suffixes:
            f = os.path.join(d, name + s)
            if os.path.isfile(f):
                return f
    return None
def dotted(parts, d):
    f = None
    for p in parts:
        f = find(p, [os.path.realpath(d)] if d else path)
        if f is None:
            return None
        d = os.path.dirname(f)
    return f
def is_pkg(d):
    return os.path.isfile(os.path.join(d, '__init__.py')) or os.path.isfile(os.path.join(d, '__init__.pyc'))
def resolve(mod, name, d, level):
    if mod is None:
        for _ in range(level - 1):
            if not is_pkg(d):
                return None
            d = os.path.dirname(d)
        if not is_pkg(d):
            return None
        f = (dotted([name], d) if name else None) or find('__init__', [os.path.realpath(d)])
        return f and os.path.realpath(f)
    if mod in skip:
        return None
    for _ in range(max(level - 1, 0)):
        d = os.path.dirname(d)
    parts = mod.split('.')
    f = dotted(parts, d) or dotted(parts, None)
    if f and name:
        f = dotted([name], os.path.dirname(f)) or f
    return f and os.path.realpath(f)
def node(f):
    return os.path.dirname(f) if os.path.basename(f) == '__init__.py' else f
done, todo, edges = set(), [script], set()
while todo:
    nxt = set()
    for fn in todo:
        if fn in done:
            continue
        done.add(fn)
        src = node(fn)
        if not src.endswith('.py'):
            continue
        try:
            tree = ast.parse(open(fn, 'rb').read())
        except (SyntaxError, ValueError):
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                deps = [(a.name, None, 0) for a in n.names]
            elif isinstance(n, ast.ImportFrom) and n.module != '__future__':
                deps = [(n.module, None if a.name == '*' else a.name, n.level) for a in n.names]
            else:
                continue
            for mod, name, level in deps:
                f = resolve(mod, name, os.path.dirname(fn), level)
                if not f:
                    continue
                x = node(f)
                if os.path.basename(os.path.dirname(x)).startswith('python'):
                    continue
                edges.add((src, x))
                nxt.add(f)
    todo = sorted(nxt - done)
print(json.dumps(sorted(edges)))
`;

let tmp: string | undefined;
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Our compat follow and the oracle's, as sorted `source -> dependency` lines (real paths). */
async function compare(python: string, name: string, source: string) {
  tmp ??= realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-closure-')));
  const script = path.join(tmp, name);
  writeFileSync(script, source);
  const env = await introspectInterpreter(python);
  const result = await followDependencies([script], env);
  const ours = result.edges
    .map((e) => {
      const src = result.sources.find((s) => s.from[0] === e.from[0] && s.from[1] === e.from[1])!;
      const to = path.basename(e.file) === '__init__.py' ? path.dirname(e.file) : e.file;
      return `${src.file} -> ${to}`;
    })
    .sort();
  const oracle = JSON.parse(
    execFileSync(python, ['-c', ORACLE, script], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as [string, string][];
  return { result, ours, expected: oracle.map(([a, b]) => `${a} -> ${b}`).sort() };
}

describe('compat follow of the standard library of python3 (on PATH)', () => {
  it('gives the same edges as an independent Python ast follow', async () => {
    const { ours, expected } = await compare(
      'python3',
      'stdlib.py',
      'import asyncio, unittest, email.mime.text, http.server, xml.etree.ElementTree\n' +
        'import concurrent.futures, multiprocessing.pool, logging.handlers, json.decoder\n' +
        'import ctypes.util, urllib.request, sqlite3.dbapi2, tomllib._parser, zoneinfo._common\n',
    );
    expect(ours.length).toBeGreaterThan(200);
    expect(ours).toEqual(expected);
  });
});

describe.skipIf(missing.length > 0)(
  'compat follow on Debian python3 (matplotlib.pyplot, xarray, scipy)',
  () => {
    it('gives the same edges as an independent Python ast follow, and records within the limit', async () => {
      const { result, ours, expected } = await compare(
        PYTHON,
        'analyse.py',
        'import matplotlib.pyplot as plt\nimport xarray as xr\nimport scipy\n',
      );
      expect(ours.length).toBeGreaterThan(500);
      expect(ours).toEqual(expected);
      const { records, dropped } = toRecords(result);
      expect(dropped).toEqual([]);
      expect(records.length).toBeGreaterThan(100);
      for (const r of records) expect(r.message.length).toBeLessThan(PYRATS_MESSAGE_LIMIT);
      expect(
        records.some(
          (r) => r.from[0] === '/usr/lib/python3/dist-packages' && r.from[1] === 'matplotlib/pyplot.py',
        ),
      ).toBe(true);
    });
  },
);
