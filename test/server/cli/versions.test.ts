/**
 * Issue 16 end to end with real Lmod and real interpreters: two modules PyEnv/2021.1 (numpy 1.21.6,
 * no xarray) and PyEnv/2023.2 (numpy 1.26.4, xarray 2023.6.0), each a venv of Debian's python3 with
 * stand-in distributions installed by pip (test/support/venvModules.ts). A script whose PEP 723 block
 * asks for numpy>=1.24 and xarray is checked against `module:PyEnv/*` (JSON and text), pinned with
 * `pyrats pin` against the old module and then against the new one, and checked again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../server/cli/commands/check';
import { pinCommand } from '../../../server/cli/commands/pin';
import { captureCli } from '../../support/cliCapture';
import { lmodMissingReason, type ModuleTree } from '../../support/lmod';
import { makeVenvModules } from '../../support/venvModules';

const skip = lmodMissingReason() ?? (existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3');

const BODY = [
  '"""Analyse a run."""',
  'import os',
  'import numpy',
  'import xarray as xr',
  'try:',
  '    import optional_thing',
  'except ImportError:',
  '    optional_thing = None',
  '',
  'print(numpy.__version__, xr.__version__, os.sep)\r',
  '',
].join('\n');

const SCRIPT = [
  '#!/usr/bin/env python3',
  '# /// script',
  '# dependencies = [',
  '#   "numpy>=1.24",',
  '#   "xarray",',
  '# ]',
  '# ///',
  BODY,
].join('\n');

describe.skipIf(skip)('several baselines and pinning (Lmod, venv modules)', () => {
  let tree: ModuleTree;
  let dir: string;
  let script: string;
  let common: string[];
  let pinArgs: string[];
  beforeAll(() => {
    tree = makeVenvModules([
      { name: 'PyEnv', version: '2021.1', distributions: { numpy: '1.21.6' } },
      { name: 'PyEnv', version: '2023.2', distributions: { numpy: '1.26.4', xarray: '2023.6.0' } },
    ]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-versions-'));
    mkdirSync(path.join(dir, '.git'));
    script = path.join(dir, 'analyse.py');
    writeFileSync(script, SCRIPT);
    pinArgs = ['--module-use', tree.modulePath, '--cache-dir', path.join(dir, 'cache')];
    common = [...pinArgs, '--no-mirror'];
  }, 120_000);
  afterAll(() => {
    tree?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('JSON matrix: the new module is satisfied; the old one has numpy in conflict and xarray missing', async () => {
    const r = await captureCli((io) =>
      checkCommand.run([script, '--baseline', 'module:PyEnv/*', '--format', 'json', ...common], io),
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.baselines.map((b: { spec: string }) => b.spec)).toEqual([
      'module:PyEnv/2021.1',
      'module:PyEnv/2023.2',
    ]);
    const [old, fresh] = j.baselines;
    expect(old).toMatchObject({ name: 'PyEnv/2021.1', kind: 'module', satisfied: false });
    expect(fresh).toMatchObject({ name: 'PyEnv/2023.2', kind: 'module', satisfied: true });
    expect(old.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cell = (b: { imports: any[] }, m: string) => b.imports.find((i) => i.module === m);
    expect(cell(old, 'numpy')).toMatchObject({ kind: 'conflict', version: '1.21.6' });
    expect(cell(old, 'numpy').explanation).toBe(
      'numpy 1.21.6 in the baseline; analyse.py needs >=1.24 (line 4).',
    );
    expect(cell(old, 'numpy').requirement).toMatchObject({ file: script, line: 4, specifier: '>=1.24' });
    expect(cell(old, 'xarray')).toMatchObject({ kind: 'missing', version: null });
    expect(cell(fresh, 'numpy')).toMatchObject({ kind: 'baseline', version: '1.26.4' });
    expect(cell(fresh, 'xarray')).toMatchObject({ kind: 'baseline', version: '2023.6.0' });
    // the guarded import is optional and does not decide `satisfied`
    expect(cell(fresh, 'optional_thing')).toMatchObject({ kind: 'missing', optional: true });
    expect(j.recommendation).toEqual([
      { spec: 'module:PyEnv/2023.2', name: 'PyEnv/2023.2', command: 'module load PyEnv/2023.2' },
    ]);
  }, 120_000);

  it('text matrix recommends loading the new module', async () => {
    const r = await captureCli((io) =>
      checkCommand.run([script, '--baseline', 'module:PyEnv/*', ...common], io),
    );
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^import\s+PyEnv\/2021\.1\s+PyEnv\/2023\.2$/);
    expect(lines.find((l) => l.startsWith('numpy '))).toMatch(/^numpy\s+conflict 1\.21\.6\s+✓ 1\.26\.4$/);
    expect(lines.find((l) => l.startsWith('xarray '))).toMatch(/^xarray\s+✗\s+✓ 2023\.6\.0$/);
    expect(lines.find((l) => l.startsWith('satisfied '))).toMatch(/^satisfied\s+no\s+yes$/);
    expect(r.out).toContain('PyEnv/2021.1: numpy 1.21.6 in the baseline; analyse.py needs >=1.24 (line 4).');
    expect(r.out).toContain('Recommendation: module load PyEnv/2023.2\n');
  }, 120_000);

  it('a glob that matches no module is a clear error, and the other baselines still run', async () => {
    const r = await captureCli((io) =>
      checkCommand.run(
        [
          script,
          '--baseline',
          'module:Nothing/*',
          '--baseline',
          'module:PyEnv/2023.2',
          '--format',
          'json',
          ...common,
        ],
        io,
      ),
    );
    expect(r.err).toContain("baseline module:Nothing/*: no module matches Nothing/* in 'module avail'");
    const j = JSON.parse(r.out);
    expect(j.baselines).toHaveLength(1);
    expect(j.baselines[0].satisfied).toBe(true);
    expect(r.code).toBe(0);
  }, 120_000);

  it('pyrats pin writes the PEP 723 block; then check finds no conflict; other bytes unchanged', async () => {
    const pinOld = await captureCli((io) =>
      pinCommand.run([script, '--baseline', 'module:PyEnv/2021.1', ...pinArgs], io),
    );
    expect(pinOld.err).toBe('');
    expect(pinOld.code).toBe(0);
    let text = readFileSync(script, 'utf8');
    const pyMinor = /requires-python = ">=(3\.\d+)"/.exec(text)?.[1];
    expect(pyMinor).toMatch(/^3\.\d+$/);
    expect(text).toBe(
      [
        '#!/usr/bin/env python3',
        '# /// script',
        `# requires-python = ">=${pyMinor}"`,
        '# dependencies = [',
        '#     "numpy>=1.21.6",',
        '#     "xarray",',
        '# ]',
        '# ///',
        BODY,
      ].join('\n'),
    );
    const checkOld = await captureCli((io) =>
      checkCommand.run([script, '--baseline', 'module:PyEnv/2021.1', '--format', 'json', ...common], io),
    );
    const old = JSON.parse(checkOld.out);
    expect(old.summary.conflict).toBe(0);
    expect(old.findings).toEqual([]);

    const pinNew = await captureCli((io) =>
      pinCommand.run([script, '--baseline', 'module:PyEnv/2023.2', ...pinArgs], io),
    );
    expect(pinNew.code).toBe(0);
    text = readFileSync(script, 'utf8');
    expect(text).toContain('#     "numpy>=1.26.4",\n#     "xarray>=2023.6.0",\n');
    expect(text.endsWith(`# ///\n${BODY}`)).toBe(true);
    const again = await captureCli((io) =>
      checkCommand.run([script, '--baseline', 'module:PyEnv/*', '--format', 'json', ...common], io),
    );
    const j = JSON.parse(again.out);
    expect(j.baselines.map((b: { satisfied: boolean }) => b.satisfied)).toEqual([false, true]);
    expect(j.baselines[0].imports.find((i: { module: string }) => i.module === 'numpy').kind).toBe(
      'conflict',
    );
    expect(j.baselines[1].imports.filter((i: { kind: string }) => i.kind === 'conflict')).toEqual([]);
    // pinning again changes nothing
    const same = await captureCli((io) =>
      pinCommand.run([script, '--baseline', 'module:PyEnv/2023.2', ...pinArgs], io),
    );
    expect(same.out).toContain('already pinned');
    expect(readFileSync(script, 'utf8')).toBe(text);
  }, 240_000);

  it('pin refuses a script with a broken block and leaves it as it was', async () => {
    const broken = path.join(dir, 'broken.py');
    const bad = '# /// script\n# dependencies = [\n# ///\nimport numpy\n';
    writeFileSync(broken, bad);
    const r = await captureCli((io) =>
      pinCommand.run([broken, '--baseline', 'module:PyEnv/2023.2', ...pinArgs], io),
    );
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/broken\.py: the '# \/\/\/ script' block \(line 1\) is not valid TOML/);
    expect(readFileSync(broken, 'utf8')).toBe(bad);
  }, 120_000);
});
