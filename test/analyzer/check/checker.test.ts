/**
 * The Checker end to end with real parts: the baseline is an Lmod module made by the test (its help
 * lists requirements; it puts Debian's /usr/bin/python3 with python3-numpy, -scipy, -matplotlib,
 * -pandas, -xarray on PATH); the mirror is served over HTTP from 127.0.0.1 (two conda channels and a
 * PyPI simple index); then the same check with failing mirror sources, answered from the cache.
 */
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checker, type CheckerOptions } from '../../../analyzer/check/checker';
import type { Verdict } from '../../../analyzer/check/verdict';
import { lmodMissingReason, makeModuleTree, type ModuleTree } from '../../support/lmod';
import { tempDirForTest } from '../../support/tempDir';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

const fixtures = path.resolve(__dirname, '../../fixtures');
const project = path.join(fixtures, 'check/project');
const script = path.join(project, 'analyse.py');
const subdirs = ['linux-64', 'noarch'];
const debianPython = '/usr/bin/python3';
const missingDebian = existsSync(debianPython) ? null : 'no /usr/bin/python3';
const skipLmod = lmodMissingReason() ?? missingDebian;

let server: MirrorServer;
beforeAll(async () => {
  server = await startMirrorServer(path.join(fixtures, 'mirror/tree'));
});
afterAll(async () => {
  await server.close();
});

const mirrors = (prefix: string): string[] => [
  `conda:${server.url}/${prefix}/conda/main`,
  `conda:${server.url}/${prefix}/conda/conda-forge`,
  `pypi:${server.url}/${prefix}/simple`,
];

function byModule(verdicts: Verdict[]): Record<string, Verdict> {
  return Object.fromEntries(verdicts.map((v) => [v.module, v]));
}

describe.skipIf(skipLmod !== null)(
  `check against an Lmod baseline and an HTTP mirror${skipLmod ? ` (skipped: ${skipLmod})` : ''}`,
  () => {
    let tree: ModuleTree;
    let checker: Checker;
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-check-'));
    beforeAll(async () => {
      tree = makeModuleTree([
        {
          name: 'PythonEnv-test',
          version: '3.11',
          help: 'PythonEnv-test 3.11 - baseline Python (Debian /usr/bin/python3)\n\nInstalled packages (pip freeze):\nnumpy==1.24.2\nscipy==1.10.1\nmatplotlib==3.6.3\npandas==1.5.3\nxarray==2023.1.0\n',
          python: debianPython,
        },
      ]);
      checker = await Checker.create({
        baseline: 'module:PythonEnv-test/3.11',
        moduleUse: [tree.modulePath],
        mirrors: mirrors('ok'),
        cacheDir,
        subdirs,
      });
    });
    afterAll(() => {
      checker?.dispose();
      tree?.cleanup();
      rmSync(cacheDir, { recursive: true, force: true });
    });

    it('loads the module, its python and the mirror without problems', () => {
      expect(checker.fatal).toBe(false);
      expect(checker.baselineName).toBe('PythonEnv-test/3.11');
      expect(checker.environment?.executable).toMatch(/python3/);
      expect(checker.problems.filter((p) => p.area !== 'baseline')).toEqual([]);
    });

    it('gives one verdict per import: stdlib, builtin, local, baseline (with versions), mirror, missing', async () => {
      const verdicts = await checker.checkFile(script);
      const v = byModule(verdicts);
      const kinds = Object.fromEntries(verdicts.map((x) => [x.module, x.kind]));
      expect(kinds).toEqual({
        os: 'stdlib',
        sys: 'builtin',
        json: 'stdlib',
        importlib: 'stdlib',
        numpy: 'baseline',
        scipy: 'baseline',
        'matplotlib.pyplot': 'baseline',
        pandas: 'baseline',
        xarray: 'baseline',
        'mpl_toolkits.mplot3d': 'baseline',
        'cartopy.crs': 'mirror',
        'metpy.calc': 'mirror',
        cv2: 'mirror',
        torch: 'mirror',
        seaborn: 'mirror',
        'sklearn.linear_model': 'mirror',
        totally_absent_pkg: 'missing',
        another_absent_pkg: 'missing',
        helper: 'local',
        herbie: 'mirror',
      });
      const env = checker.environment!;
      const numpyDist = env.distributions.find((d) => d.name.toLowerCase() === 'numpy')!;
      expect(v.numpy.baseline).toMatchObject({ name: numpyDist.name, version: numpyDist.version });
      expect(v.numpy.distribution).toEqual({ name: numpyDist.name, version: numpyDist.version });
      expect(v['mpl_toolkits.mplot3d'].baseline?.name).toBe('matplotlib');
      expect(v.numpy.action).toBe('Available after `module load PythonEnv-test/3.11`.');
      expect(v['cartopy.crs'].mirror).toEqual([
        expect.objectContaining({
          kind: 'conda',
          label: 'main',
          name: 'cartopy',
          versions: ['0.21.1', '0.22.0'],
        }),
      ]);
      expect(v['cartopy.crs'].action).toBe(
        `Install it from the mirror: conda install -c ${server.url}/ok/conda/main cartopy=0.22.0`,
      );
      expect(v.torch.mirror.map((m) => [m.label, m.name])).toEqual([['conda-forge', 'pytorch']]);
      expect(v.cv2.mirror[0]).toMatchObject({ label: 'conda-forge', name: 'opencv' });
      expect(v.seaborn.mirror[0]).toMatchObject({
        kind: 'pypi',
        name: 'seaborn',
        versions: ['0.12.2', '0.13.0'],
      });
      expect(v['sklearn.linear_model'].mirror[0]).toMatchObject({
        kind: 'pypi',
        name: 'scikit-learn',
        versions: ['1.3.2', '1.4.0'],
      });
      expect(v['sklearn.linear_model'].action).toBe(
        `Install it from the mirror: pip install --index-url ${server.url}/ok/simple scikit-learn==1.4.0`,
      );
      expect(v.herbie.site.kind).toBe('dynamic');
      expect(v.herbie.mirror[0].name).toBe('herbie-data');
      expect(v.totally_absent_pkg).toMatchObject({ guarded: null, code: 'pyrats.missing' });
      expect(v.totally_absent_pkg.action).toBe(
        'Request totally_absent_pkg (conda: totally-absent-pkg) from the centre.',
      );
      expect(v.another_absent_pkg.guarded).toBe('try');
      expect(v.another_absent_pkg.explanation).toMatch(/guarded by try\/except ImportError/);
      expect(v.helper.resolution.file).toBe(path.join(project, 'helper.py'));
    });

    it('relative imports inside a package are local', async () => {
      const verdicts = await checker.checkFile(path.join(project, 'pkg/core.py'));
      expect(verdicts.map((v) => [v.site.level, v.kind])).toEqual([
        [1, 'local'],
        [1, 'local'],
        [0, 'baseline'],
      ]);
    });

    it('checks unsaved text as if it were the file', async () => {
      const verdicts = await checker.checkText('import helper\nimport seaborn\nimport nope_nope\n', script);
      expect(verdicts.map((v) => v.kind)).toEqual(['local', 'mirror', 'missing']);
    });
  },
);

describe.skipIf(missingDebian !== null)('check when mirror sources fail', () => {
  const baseline = `file:${path.join(fixtures, 'baseline/formats/pip/pip-freeze-debian-usr-bin-python3.txt')}`;
  /** A checker on the Debian pip-freeze baseline and the test mirror in `mode`, caching in `cacheDir`. */
  const debianChecker = (mode: string, cacheDir: string, more: Partial<CheckerOptions> = {}) =>
    Checker.create({ baseline, python: debianPython, mirrors: mirrors(mode), cacheDir, subdirs, ...more });

  it('answers from the baseline and the cache, and says what failed', async () => {
    const cacheDir = tempDirForTest('pyrats-check-');
    server.mode = 'ok';
    const warm = await debianChecker('switch', cacheDir);
    expect(byModule(await warm.checkFile(script))['cartopy.crs'].kind).toBe('mirror');
    warm.dispose();
    for (const mode of ['fail500', 'hang', 'malformed'] as const) {
      server.mode = mode;
      const c = await debianChecker('switch', cacheDir, { mirrorTtlMs: 0, mirrorTimeoutMs: 400 });
      const v = byModule(await c.checkFile(script));
      expect(v.numpy.kind).toBe('baseline');
      expect(v.numpy.baseline).toMatchObject({ name: 'numpy', version: '1.24.2' });
      expect(v['cartopy.crs'].kind).toBe('mirror');
      expect(v['cartopy.crs'].mirror[0].cachedAgeMs).toBeGreaterThanOrEqual(0);
      expect(v['cartopy.crs'].explanation).toMatch(/from the cache, \d+ s old/);
      expect(v.seaborn.kind).toBe('mirror');
      const problems = c.problems
        .filter((p) => p.area === 'mirror')
        .map((p) => p.message)
        .join('\n');
      expect(problems, mode).toMatch(
        mode === 'fail500'
          ? /HTTP 500/
          : mode === 'hang'
            ? /no complete answer within 400 ms/
            : /not valid JSON/,
      );
      c.dispose();
    }
  });

  it('refreshMirror asks the mirror again and replaces its problems', async () => {
    const cacheDir = tempDirForTest('pyrats-check-');
    server.mode = 'fail500';
    const c = await debianChecker('switch', cacheDir);
    expect((await c.checkText('import cartopy\n', script))[0].kind).toBe('missing');
    expect(c.problems.some((p) => /HTTP 500/.test(p.message))).toBe(true);
    server.mode = 'ok';
    expect(await c.refreshMirror()).toEqual([]);
    expect(c.problems.filter((p) => p.area === 'mirror')).toEqual([]);
    const [v] = await c.checkText('import cartopy\n', script);
    expect(v.kind).toBe('mirror');
    expect(v.mirror[0].cachedAgeMs).toBeUndefined();
    c.dispose();
  });

  it('reuses cached extraction results until the file changes', async () => {
    const cacheDir = tempDirForTest('pyrats-check-');
    const dir = tempDirForTest('pyrats-check-src-');
    const file = path.join(dir, 'job.py');
    writeFileSync(file, 'import numpy\n');
    const a = await Checker.create({ baseline, python: debianPython, mirrors: [], cacheDir });
    expect((await a.checkFile(file)).map((v) => v.module)).toEqual(['numpy']);
    a.dispose(); // writes the cache
    writeFileSync(file, 'import numpy\nimport yaml, json\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const b = await Checker.create({ baseline, python: debianPython, mirrors: [], cacheDir });
    expect((await b.checkFile(file)).map((v) => v.module)).toEqual(['numpy', 'yaml', 'json']);
    b.dispose();
  });

  it('with an unreachable mirror and no cache, mirror-only imports become missing and the failure is named', async () => {
    const cacheDir = tempDirForTest('pyrats-check-');
    const c = await debianChecker('fail500', cacheDir);
    const v = byModule(await c.checkFile(script));
    expect(v.numpy.kind).toBe('baseline');
    expect(v['cartopy.crs'].kind).toBe('missing');
    expect(v['cartopy.crs'].explanation).toMatch(/some mirror sources failed/);
    expect(c.problems.some((p) => /HTTP 500/.test(p.message))).toBe(true);
    c.dispose();
  });

  it('a baseline that cannot be loaded is fatal but reported, not thrown', async () => {
    const c = await Checker.create({
      baseline: 'file:/nonexistent/requirements.txt',
      mirrors: [],
      cacheDir: false,
    });
    expect(c.fatal).toBe(true);
    expect(c.problems[0]).toMatchObject({ area: 'baseline', message: expect.stringMatching(/no such file/) });
    c.dispose();
  });

  it('in an untrusted workspace, interpreters and modules are not run', async () => {
    const c = await Checker.create({
      baseline: 'module:Anything/1.0',
      mirrors: [],
      cacheDir: false,
      trusted: false,
    });
    expect(c.fatal).toBe(true);
    expect(c.environment).toBeNull();
    expect(c.problems[0].message).toMatch(/not trusted/);
    c.dispose();
  });
});
