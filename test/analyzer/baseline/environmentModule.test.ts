/**
 * Environment modules with the real Lmod: a modulefile tree made by the test (help lists the
 * requirements, PATH gets a bin dir whose python3 links to Debian's /usr/bin/python3), loaded in a
 * login shell and introspected; and every failure: unknown module, a module that errors, a slow one
 * (timeout), no `module` command.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { runEnvironmentModule } from '../../../analyzer/baseline/environmentModule';
import { loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { lmodMissingReason, makeModuleTree, type ModuleTree } from '../../support/lmod';

const skip = lmodMissingReason() ?? (existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-envcache-'));

describe.skipIf(skip !== null)(`environment modules with Lmod${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let tree: ModuleTree;
  let slow: ModuleTree;
  beforeAll(() => {
    tree = makeModuleTree([
      {
        name: 'SciPyEnv',
        version: '3.11',
        help: 'SciPyEnv 3.11 - baseline Python (Debian /usr/bin/python3)\n\nInstalled packages (pip freeze):\nnumpy==1.24.2\nscipy==1.10.1\nnot-installed-anywhere==0.1\n',
      },
      {
        name: 'Broken',
        version: '1.0',
        help: 'broken',
        extraLua: 'LmodError("this module is broken on purpose")',
      },
      { name: 'NoPython', version: '1.0', help: 'listing only\nrequests==2.28.1', python: null },
    ]);
    slow = makeModuleTree([
      { name: 'Slow', version: '1.0', help: 'slow', extraLua: 'os.execute("sleep 30")' },
    ]);
  });
  afterAll(() => {
    tree?.cleanup();
    slow?.cleanup();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runs module help and module load in a login shell and finds the python the module put on PATH', async () => {
    const run = await runEnvironmentModule('SciPyEnv/3.11', { use: [tree.modulePath] });
    expect(run.helpText).toMatch(/^SciPyEnv 3\.11 - baseline/);
    expect(run.helpText).not.toMatch(/Module Specific Help/);
    expect(run.python).toBe(
      path.join(tree.binDir({ name: 'SciPyEnv', version: '3.11', help: '' }), 'python3'),
    );
    expect(run.pythonFromModule).toBe(true);
    expect(run.env.PATH?.split(':')[0]).toBe(path.dirname(run.python!));
  });

  it('module: baseline = the interpreter the module provides + what its help lists', async () => {
    const b = await loadBaseline(`module:SciPyEnv/3.11?use=${encodeURIComponent(tree.modulePath)}`, {
      introspect: { cacheDir },
    });
    expect(b.kind).toBe('module');
    expect(b.environment?.executable).toMatch(/python3/);
    expect(b.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
    const lookup = new BaselineLookup(b);
    expect(lookup.get('numpy')?.origin).toMatch(/^module load SciPyEnv\/3\.11: /);
    expect(lookup.get('xarray')).toBeDefined(); // installed by python3-xarray, not in the help
    expect(lookup.get('not-installed-anywhere')?.origin).toMatch(/module help SciPyEnv\/3\.11/);
    expect(b.problems.filter((p) => /did not put a python/.test(p.message))).toEqual([]);
  });

  it('module paths also come from options (--module-use)', async () => {
    const b = await loadBaseline('module:NoPython/1.0', {
      moduleUse: [tree.modulePath],
      introspect: { cacheDir },
    });
    // No python in the module's bin dir: the one already on PATH is used, and that is said.
    expect(b.problems.map((p) => p.message).join('\n')).toMatch(/did not put a python on PATH/);
    expect(new BaselineLookup(b).get('requests')).toBeDefined();
  });

  it('reuses a module result for an hour unless refreshed', async () => {
    const own = makeModuleTree([{ name: 'Cached', version: '1.0', help: 'numpy==1.24.2' }]);
    onTestFinished(own.cleanup);
    const spec = `module:Cached/1.0?use=${own.modulePath}`;
    const first = await loadBaseline(spec, { introspect: { cacheDir } });
    rmSync(path.join(own.modulePath, 'Cached', '1.0.lua')); // only the cache can answer now
    const again = await loadBaseline(spec, { introspect: { cacheDir } });
    expect(again.entries.map((e) => e.normalized)).toEqual(first.entries.map((e) => e.normalized));
    await expect(loadBaseline(spec, { introspect: { cacheDir }, refresh: true })).rejects.toThrow(
      /failed to load/,
    );
    await expect(loadBaseline(spec, { introspect: { cacheDir }, moduleCacheTtlMs: 0 })).rejects.toThrow(
      /failed to load/,
    );
  });

  it('an unknown module is a clear error', async () => {
    await expect(runEnvironmentModule('NoSuchModule/9.9', { use: [tree.modulePath] })).rejects.toThrow(
      /module NoSuchModule\/9\.9 failed to load \(exit status \d+\): .*unknown/,
    );
  });

  it('a module that fails to load is a clear error with its message', async () => {
    await expect(loadBaseline(`module:Broken/1.0?use=${tree.modulePath}`)).rejects.toThrow(
      /module Broken\/1\.0 failed to load .*this module is broken on purpose/,
    );
  });

  it('a slow module command is killed after the timeout', async () => {
    const started = Date.now();
    await expect(
      runEnvironmentModule('Slow/1.0', { use: [slow.modulePath], timeoutMs: 1500 }),
    ).rejects.toThrow(/did not finish within 1500 ms/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('no module command (no login shell, no init script) is a clear error', async () => {
    await expect(
      runEnvironmentModule('SciPyEnv/3.11', {
        use: [tree.modulePath],
        login: false,
        initScripts: [],
        env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
      }),
    ).rejects.toThrow(/no 'module' command/);
  });

  it('without a login shell, the init scripts are sourced', async () => {
    const run = await runEnvironmentModule('SciPyEnv/3.11', {
      use: [tree.modulePath],
      login: false,
      env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
    });
    expect(run.pythonFromModule).toBe(true);
  });
});
