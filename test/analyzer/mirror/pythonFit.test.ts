/**
 * The newest mirror version that suits the baseline's Python (issue 16 item 4): conda `depends`
 * specs and PyPI `requires-python` judged against a Python version, then a real HTTP mirror on
 * 127.0.0.1 (a conda channel whose newest builds need a newer Python, a noarch package, a PEP 691
 * project) through Mirror.lookup and the verdict's install advice.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCommand, mirrorOutcome } from '../../../analyzer/check/mirrorVerdict';
import { Mirror } from '../../../analyzer/mirror/mirror';
import {
  condaBuildPythonSpec,
  condaSpecAdmits,
  fitForPython,
  requiresPythonAdmits,
} from '../../../analyzer/mirror/pythonFit';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

describe('python constraints', () => {
  it('reads conda depends the way conda means them', () => {
    expect(
      condaBuildPythonSpec(['numpy >=1.22', 'python >=3.11,<3.12.0a0', 'python_abi 3.11.* *_cp311']),
    ).toBe('>=3.11,<3.12.0a0,3.11.*');
    expect(condaBuildPythonSpec(['python'])).toBe('');
    const cases: [string, string, boolean][] = [
      ['>=3.11,<3.12.0a0,3.11.*', '3.11.4', true],
      ['>=3.11,<3.12.0a0,3.11.*', '3.12.1', false],
      ['>=3.12,<3.13.0a0', '3.11', false],
      ['3.11.*', '3.11', true],
      ['3.11', '3.11.4', true],
      ['3.1.*', '3.11.4', false],
      ['>=3.8', '3.11.4', true],
      ['>=3.13', '3.11.4', false],
      ['3.10.*|3.11.*', '3.11.4', true],
      ['!=3.11.*', '3.11.4', false],
      ['', '3.11.4', true],
    ];
    for (const [spec, python, ok] of cases)
      expect([spec, python, condaSpecAdmits(spec, python)]).toEqual([spec, python, ok]);
  });

  it('reads requires-python as PEP 440', () => {
    expect(requiresPythonAdmits('>=3.8', '3.11.4')).toBe(true);
    expect(requiresPythonAdmits('>=3.12', '3.11.4')).toBe(false);
    expect(requiresPythonAdmits('>=3.8, !=3.11.*', '3.11.4')).toBe(false);
    expect(requiresPythonAdmits('', '3.11.4')).toBe(true);
    expect(requiresPythonAdmits('not a specifier', '3.11.4')).toBe(true);
  });

  it('picks the newest suiting version and says what the newest needs', () => {
    const constraints = new Map([
      ['1.0', ['>=3.8']],
      ['2.0', ['>=3.12', '>=3.13']],
    ]);
    expect(fitForPython(['1.0', '2.0'], constraints, '3.11.4', condaSpecAdmits)).toEqual({
      python: '3.11.4',
      newest: '1.0',
      newestNeeds: 'python >=3.12 | >=3.13',
    });
    expect(fitForPython(['1.0', '2.0'], constraints, '3.13.0', condaSpecAdmits)).toEqual({
      python: '3.13.0',
      newest: '2.0',
    });
    expect(fitForPython(['0.1'], new Map([['0.1', ['>=4']]]), '3.11', condaSpecAdmits).newest).toBeNull();
    // no constraint known: any version suits
    expect(fitForPython(['1.0', '2.0'], new Map(), '3.11', condaSpecAdmits).newest).toBe('2.0');
  });
});

function entry(name: string, version: string, build: string, depends: string[], noarch?: string) {
  return { name, version, build, build_number: 0, depends, ...(noarch ? { noarch } : {}) };
}

describe('on a real HTTP mirror', () => {
  let root: string;
  let server: MirrorServer;
  let cacheDir: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pyrats-pyfit-'));
    cacheDir = path.join(root, 'cache');
    const write = (rel: string, body: unknown): void => {
      mkdirSync(path.dirname(path.join(root, 'tree', rel)), { recursive: true });
      writeFileSync(path.join(root, 'tree', rel), JSON.stringify(body));
    };
    write('conda/fit/linux-64/repodata.json', {
      info: { subdir: 'linux-64' },
      packages: {
        'fitdemo-1.0-py311_0.tar.bz2': entry('fitdemo', '1.0', 'py311_0', [
          'python >=3.11,<3.12.0a0',
          'python_abi 3.11.* *_cp311',
        ]),
        'fitdemo-1.0-py312_0.tar.bz2': entry('fitdemo', '1.0', 'py312_0', [
          'python >=3.12,<3.13.0a0',
          'python_abi 3.12.* *_cp312',
        ]),
      },
      'packages.conda': {
        'fitdemo-2.0-py312_0.conda': entry('fitdemo', '2.0', 'py312_0', [
          'python >=3.12,<3.13.0a0',
          'python_abi 3.12.* *_cp312',
        ]),
        'libfit-9.0-h1_0.conda': entry('libfit', '9.0', 'h1_0', ['libgcc >=12']),
      },
    });
    write('conda/fit/noarch/repodata.json', {
      info: { subdir: 'noarch' },
      packages: {
        'fitnoarch-0.5-pyhd_0.tar.bz2': entry('fitnoarch', '0.5', 'pyhd_0', ['python >=3.8'], 'python'),
        'fitnoarch-0.9-pyhd_0.tar.bz2': entry('fitnoarch', '0.9', 'pyhd_0', ['python >=3.13'], 'python'),
      },
    });
    const file = (filename: string, requiresPython: string | null, yanked = false) => ({
      filename,
      url: `../../packages/${filename}`,
      hashes: {},
      ...(requiresPython ? { 'requires-python': requiresPython } : {}),
      yanked,
    });
    write('simple/fitwheel/index.json', {
      meta: { 'api-version': '1.1' },
      name: 'fitwheel',
      versions: ['1.0', '1.5', '2.0'],
      files: [
        file('fitwheel-1.0-py3-none-any.whl', '>=3.8'),
        file('fitwheel-1.5-py3-none-any.whl', null),
        file('fitwheel-1.5.tar.gz', '>=3.14'),
        file('fitwheel-2.0-py3-none-any.whl', '>=3.12'),
      ],
    });
    server = await startMirrorServer(path.join(root, 'tree'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function open(): Promise<Mirror> {
    return Mirror.open(
      [
        { kind: 'conda', url: `${server.url}/ok/conda/fit`, from: 'test' },
        { kind: 'pypi', url: `${server.url}/ok/simple`, from: 'test' },
      ],
      { cacheDir, subdirs: ['linux-64', 'noarch'] },
    );
  }

  it('conda: the newest version with a build for the baseline Python, from repodata and from the derived cache', async () => {
    for (const run of ['fresh', 'derived cache']) {
      const m = await open();
      expect(m.problems).toEqual([]);
      const [demo] = await m.lookup([{ pypi: 'fitdemo', conda: 'fitdemo' }], 'fitdemo', '3.11.4');
      expect([run, demo.versions, demo.forPython]).toEqual([
        run,
        ['1.0', '2.0'],
        { python: '3.11.4', newest: '1.0', newestNeeds: 'python >=3.12,<3.13.0a0,3.12.*' },
      ]);
      expect(installCommand(demo)).toBe(`conda install -c ${server.url}/ok/conda/fit fitdemo=1.0`);
      const [newer] = await m.lookup([{ pypi: 'fitdemo', conda: 'fitdemo' }], 'fitdemo', '3.12.2');
      expect(newer.forPython).toEqual({ python: '3.12.2', newest: '2.0' });
      const [noarch] = await m.lookup([{ pypi: 'fitnoarch', conda: 'fitnoarch' }], 'fitnoarch', '3.11');
      expect(noarch.forPython?.newest).toBe('0.5');
    }
  });

  it('PyPI: requires-python per file; a version with one suiting file suits', async () => {
    const m = await open();
    const hits = await m.lookup([{ pypi: 'fitwheel', conda: 'fitwheel' }], 'fitwheel', '3.11.4');
    const wheel = hits.find((h) => h.kind === 'pypi')!;
    expect(wheel.forPython).toEqual({ python: '3.11.4', newest: '1.5', newestNeeds: 'python >=3.12' });
    expect(installCommand(wheel)).toBe(`pip install --index-url ${server.url}/ok/simple fitwheel==1.5`);
  });

  it('no Python known: the newest version, as before; no version suits: the advice says so', async () => {
    const m = await open();
    const [demo] = await m.lookup([{ pypi: 'fitdemo', conda: 'fitdemo' }], 'fitdemo');
    expect(demo.forPython).toBeUndefined();
    expect(installCommand(demo)).toMatch(/fitdemo=2\.0$/);
    const [old] = await m.lookup([{ pypi: 'fitnoarch', conda: 'fitnoarch' }], 'fitnoarch', '2.7.18');
    const outcome = mirrorOutcome({
      module: 'fitnoarch',
      hits: [{ ...old, provides: true, why: 'test' }],
      candidates: [{ pypi: 'fitnoarch', conda: 'fitnoarch' }],
      baselineName: 'baseline old',
      guardNote: '',
      guardedByTry: false,
      haveMirror: true,
      mirrorFailed: false,
      nearest: [],
    });
    expect(outcome.action).toBe(
      `Install it from the mirror: conda install -c ${server.url}/ok/conda/fit fitnoarch=0.9 (but no version suits Python 2.7.18: it needs python >=3.13)`,
    );
    expect(outcome.explanation).toContain('no version suits Python 2.7.18 (0.9 needs python >=3.13)');
  });
});
