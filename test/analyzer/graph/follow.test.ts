/**
 * The follow loop on bad and odd inputs (test/fixtures/graph/badinputs: Python 2, unknown coding
 * cookie, binary, import cycle, symlinked module, latin-1, BOM, one line without newline, syntax
 * error), on generated trees (a 6 MB module, a script whose record exceeds PyRats' 65220-character
 * limit), the DependencyGraph conversion, and the python profile's closure.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { nodeId } from '../../../analyzer/graph/dependencyGraph';
import { followDependencies } from '../../../analyzer/graph/follow';
import { toDependencyGraph, toRecords, toSfood } from '../../../analyzer/graph/formats';
import type { RelPair } from '../../../analyzer/resolve/roots';
import { PYRATS_MESSAGE_LIMIT } from '../../../analyzer/pyrats/recordMessage';

let env: Environment;
let tmp: string;
beforeAll(async () => {
  env = await introspectInterpreter('python3');
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-follow-')));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function copyFixture(name: string, as = name): string {
  const dir = path.join(tmp, as);
  cpSync(path.resolve(__dirname, '../../fixtures/graph', name), dir, {
    recursive: true,
    verbatimSymlinks: true,
  });
  return dir;
}

describe('follow loop on bad inputs', () => {
  it('reports each broken file once, records it as a dependency, and analyses everything else', async () => {
    const fix = copyFixture('badinputs');
    const result = await followDependencies([path.join(fix, 'main.py')], env);
    const F = (rel: string): RelPair => [fix, rel];
    const records = toRecords(result).records.map((r) => [r.from, r.deps]);
    expect(records).toEqual([
      [F('bommod.py'), [F('good3.py')]],
      [F('cyc_a.py'), [F('cyc_b.py')]],
      [F('cyc_b.py'), [F('cyc_a.py'), F('good.py')]],
      [F('latin1mod.py'), [F('good2.py')]],
      [
        F('main.py'),
        [
          F('badcookie.py'),
          F('binmod.py'),
          F('bommod.py'),
          F('brokenmod.py'),
          F('cyc_a.py'),
          F('good.py'),
          F('latin1mod.py'),
          F('oneliner.py'),
          F('py2mod.py'),
          [path.join(fix, 'real'), 'target.py'],
        ],
      ],
      [F('oneliner.py'), [F('good4.py')]],
      [[path.join(fix, 'real'), 'target.py'], [F('good5.py')]],
    ]);
    const problems = result.problems.map((p) => [path.basename(p.file), p.kind]).sort();
    expect(problems).toEqual([
      ['badcookie.py', 'decode'],
      ['binmod.py', 'binary'],
      ['brokenmod.py', 'syntax'],
      ['py2mod.py', 'python2'],
    ]);
    for (const p of result.problems) expect(p.message.length).toBeGreaterThan(0);
  });

  it('a 6 MB module is recorded, reported as too large, and not followed', async () => {
    const dir = path.join(tmp, 'huge');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'main.py'), 'import big\nimport small\n');
    writeFileSync(path.join(dir, 'big.py'), `import small\n${'x = 1\n'.repeat(1_000_000)}`);
    writeFileSync(path.join(dir, 'small.py'), 'import os\n');
    const result = await followDependencies([path.join(dir, 'main.py')], env);
    expect(toRecords(result).records.map((r) => r.deps.map((d) => d[1]))).toEqual([['big.py', 'small.py']]);
    expect(result.problems.map((p) => [path.basename(p.file), p.kind])).toEqual([['big.py', 'too-large']]);
  });

  it('a record longer than 65220 characters is split into complete-tuple records (PyRats dropped it)', async () => {
    const dir = path.join(tmp, 'wide');
    mkdirSync(dir);
    const names = Array.from(
      { length: 900 },
      (_, i) => `module_with_a_rather_long_descriptive_name_${String(i).padStart(4, '0')}`,
    );
    writeFileSync(path.join(dir, 'main.py'), names.map((n) => `import ${n}\n`).join(''));
    for (const n of names) writeFileSync(path.join(dir, `${n}.py`), 'A = 1\n');
    const result = await followDependencies([path.join(dir, 'main.py')], env);
    const { records, dropped } = toRecords(result);
    expect(dropped).toEqual([]);
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) {
      expect(r.message.length).toBeLessThan(PYRATS_MESSAGE_LIMIT);
      expect(r.from).toEqual([dir, 'main.py']);
    }
    expect(records.flatMap((r) => r.deps.map((d) => d[1]))).toEqual(names.map((n) => `${n}.py`).sort());
  });

  it('a directory script with a rootless tree is reported, and a missing script too', async () => {
    const dir = path.join(tmp, 'rootless');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, '__main__.py'), 'import helper\n');
    writeFileSync(path.join(dir, 'helper.py'), 'X = 1\n');
    const result = await followDependencies([dir, path.join(tmp, 'missing.py')], env);
    expect(result.problems.map((p) => p.kind).sort()).toEqual(['missing', 'no-roots']);
    expect(toRecords(result).records.map((r) => r.message)).toEqual([
      `((('${dir}', '__main__.py'), ('${dir}', 'helper.py')))`,
    ]);
  });
});

describe('outputs of a follow result', () => {
  it('toDependencyGraph: one node per pair, source flag for files read, an edge per dependency', async () => {
    const fix = copyFixture('badinputs', 'badinputs-graph');
    const result = await followDependencies([path.join(fix, 'main.py')], env);
    const g = toDependencyGraph(result);
    const ids = new Set(g.nodes.map((n) => n.id));
    expect(ids.size).toBe(g.nodes.length);
    for (const e of g.edges) {
      expect(ids.has(e.from)).toBe(true);
      expect(ids.has(e.to)).toBe(true);
    }
    const main = g.nodes.find((n) => n.id === nodeId(fix, 'main.py'))!;
    expect(main.source).toBe(true);
    expect(main.file).toBe(path.join(fix, 'main.py'));
    const py2 = g.nodes.find((n) => n.id === nodeId(fix, 'py2mod.py'))!;
    expect(py2.source).toBe(false);
    expect(py2.verdict).toBe('local');
    expect(g.edges.length).toBe(result.edges.length);
    // sfood has the same edges plus one (None, None) line per source
    expect(toSfood(result).length).toBe(result.edges.length + result.sources.length);
  });
});

describe('python profile closure', () => {
  it('follows packages through __init__.py and stops at the standard library', async () => {
    const dir = path.join(tmp, 'pyprofile');
    mkdirSync(path.join(dir, 'pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'main.py'), 'import pkg\nimport json\n');
    writeFileSync(path.join(dir, 'pkg/__init__.py'), 'from . import inner\n');
    writeFileSync(path.join(dir, 'pkg/inner.py'), 'import sys\n');
    const compat = await followDependencies([path.join(dir, 'main.py')], env);
    const python = await followDependencies([path.join(dir, 'main.py')], env, { profile: 'python' });
    const targets = (r: typeof compat) => r.edges.map((e) => `${e.from[1]} -> ${e.to[1]}`).sort();
    expect(targets(compat)).toEqual(['main.py -> pkg']);
    expect(targets(python)).toEqual(['main.py -> json', 'main.py -> pkg', 'pkg -> pkg/inner.py']);
    const json = python.edges.find((e) => e.to[1] === 'json')!;
    expect(json.status).toBe('stdlib');
    expect(python.sources.find((s) => s.from[1] === 'json')).toBeUndefined();
  });
});

describe('limits', () => {
  it('a directory script with a symbolic-link loop is walked once (links are not descended, as os.walk)', async () => {
    const dir = path.join(tmp, 'loop');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, '__main__.py'), 'import helper\n');
    writeFileSync(path.join(dir, 'helper.py'), 'X = 1\n');
    writeFileSync(path.join(dir, 'sub', 'x.py'), 'import os\n');
    symlinkSync(dir, path.join(dir, 'sub', 'back'));
    const result = await followDependencies([dir], env);
    expect(result.sources.map((s) => path.relative(dir, s.file)).sort()).toEqual([
      '__main__.py',
      'helper.py',
      'sub/x.py',
    ]);
  });

  it('stops after maxFiles files and says so', async () => {
    const dir = path.join(tmp, 'chain');
    mkdirSync(dir);
    for (let i = 0; i < 30; i++) writeFileSync(path.join(dir, `m${i}.py`), `import m${i + 1}\n`);
    writeFileSync(path.join(dir, 'm30.py'), 'X = 1\n');
    const result = await followDependencies([path.join(dir, 'm0.py')], env, { maxFiles: 10 });
    expect(result.filesRead).toBe(10);
    expect(result.problems.map((p) => p.kind)).toEqual(['limit']);
    expect(result.problems[0].message).toContain('more than 10 files');
  });
});

describe('compatEntries', () => {
  it('de-duplicates by (module, name) ignoring the level, but keeps `from . import x` and `from .. import x` apart', async () => {
    const dir = path.join(tmp, 'dedup');
    mkdirSync(path.join(dir, 'top/pkg/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'top/pkg/__init__.py'), '');
    writeFileSync(path.join(dir, 'top/pkg/x.py'), 'X = 1\n');
    writeFileSync(path.join(dir, 'top/pkg/sub/__init__.py'), '');
    writeFileSync(path.join(dir, 'top/pkg/sub/x.py'), 'X = 2\n');
    writeFileSync(
      path.join(dir, 'top/pkg/sub/main.py'),
      'from . import x\nfrom .. import x\nfrom .x import X\nfrom x import X\n',
    );
    const result = await followDependencies([path.join(dir, 'top/pkg/sub/main.py')], env, { follow: false });
    expect(toRecords(result).records.map((r) => r.deps.map((d) => d[1]))).toEqual([
      ['pkg/sub/x.py', 'pkg/x.py'],
    ]);
  });
});
