/**
 * Environment modules with a real Environment Modules 5 (Debian's `environment-modules`, unpacked
 * into .cache/ by test/support/environmentModules.ts because the package conflicts with Lmod): a Tcl
 * modulefile tree made by the test (`proc ModulesHelp` lists the requirements, `prepend-path PATH`
 * adds a bin dir whose python3 links to Debian's /usr/bin/python3), selected with `?init=` /
 * $PYRATS_MODULE_INIT on a machine whose login shell sets up Lmod; `module help` read, `module load`
 * introspected to Debian's exact distributions; an unknown module, `error` and `break` in a
 * modulefile, a slow one, a bad init script; and `pyrats check` (dist/cli.js) against such a module.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { runEnvironmentModule } from '../../../analyzer/baseline/environmentModule';
import { loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { normalizeName } from '../../../analyzer/baseline/pep508';
import {
  ensureEnvironmentModules,
  makeTclModuleTree,
  type EnvironmentModulesInstall,
  type TclModuleTree,
} from '../../support/environmentModules';
import { lmodMissingReason } from '../../support/lmod';

const ensured = existsSync('/usr/bin/python3')
  ? ensureEnvironmentModules()
  : ({ ok: false, reason: 'no /usr/bin/python3' } as const);
const skip = ensured.ok ? null : ensured.reason;
const cli = path.resolve(__dirname, '../../../dist/cli.js');
const SCIENCE = ['numpy', 'scipy', 'matplotlib', 'pandas', 'xarray'];

/** Debian python3's distributions as Python itself sees them (first on sys.path wins), name → version. */
function debianDistributions(): Map<string, string> {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      '-I',
      '-c',
      'import importlib.metadata as m, json\n' +
        'print(json.dumps([[d.metadata["Name"], d.version] for d in m.distributions()]))',
    ],
    { encoding: 'utf8' },
  );
  const seen = new Map<string, string>();
  for (const [name, version] of JSON.parse(out) as [string, string][]) {
    if (name && !seen.has(normalizeName(name))) seen.set(normalizeName(name), version);
  }
  return seen;
}

/** `dpkg-query` version without epoch, Debian revision and +dfsg: 1:1.24.2-1+deb12u1 → 1.24.2. */
function debianUpstreamVersion(pkg: string): string {
  const v = execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return v
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '')
    .replace(/\+(dfsg|ds).*$/, '');
}

describe.skipIf(skip !== null)(
  `environment modules with Environment Modules 5${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let em: EnvironmentModulesInstall;
    let tree: TclModuleTree;
    let cacheDir: string;
    beforeAll(() => {
      if (!ensured.ok) throw new Error(ensured.reason);
      em = ensured.install;
      cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-envmodules-cache-'));
      tree = makeTclModuleTree([
        {
          name: 'SciPyEnv',
          version: '3.11',
          help: [
            'SciPyEnv 3.11 - baseline Python (Debian /usr/bin/python3)',
            '',
            'Installed packages (pip freeze):',
            'numpy==0.0.1',
            'scipy',
            'not-installed-anywhere==0.1',
            'braces-{and}-$dollar [brackets] "quotes" are prose',
          ].join('\n'),
        },
        {
          name: 'Broken',
          version: '1.0',
          help: 'broken',
          extraTcl: 'error "this module is broken on purpose"',
        },
        {
          name: 'Halt',
          version: '1.0',
          help: 'halts',
          extraTcl: 'puts stderr "this site does not offer Halt any more"\nbreak',
        },
        { name: 'Slow', version: '1.0', help: 'slow', extraTcl: 'exec sleep 30' },
        { name: 'NoPython', version: '1.0', help: 'listing only\nh8-listed-only==0.3', python: null },
      ]);
    });
    afterAll(() => {
      tree?.cleanup();
      if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    });

    it('module help and module load run by Environment Modules, not the login shell’s Lmod', async () => {
      const run = await runEnvironmentModule('SciPyEnv/3.11', { use: [tree.modulePath], init: em.init });
      expect(run.helpText.split('\n')[0]).toBe('SciPyEnv 3.11 - baseline Python (Debian /usr/bin/python3)');
      expect(run.helpText).toContain('not-installed-anywhere==0.1');
      expect(run.helpText).toContain('braces-{and}-$dollar [brackets] "quotes" are prose');
      expect(run.helpText).not.toMatch(/Module Specific Help|^-{10,}/m);
      expect(run.python).toBe(path.join(tree.binDir({ name: 'SciPyEnv', version: '3.11' }), 'python3'));
      expect(run.pythonFromModule).toBe(true);
      expect(run.pathAdded).toEqual([tree.binDir({ name: 'SciPyEnv', version: '3.11' })]);
      // The state Environment Modules keeps (Lmod keeps other variables).
      expect(run.env.MODULES_CMD).toBe(em.modulecmd);
      expect(run.env.LOADEDMODULES).toBe('SciPyEnv/3.11');
      expect(run.env._LMFILES_).toBe(path.join(tree.modulePath, 'SciPyEnv', '3.11'));
    });

    it('module: baseline = exactly the distributions of Debian python3 + what the help lists', async () => {
      const spec = `module:SciPyEnv/3.11?use=${encodeURIComponent(tree.modulePath)}&init=${encodeURIComponent(em.init)}`;
      const b = await loadBaseline(spec, { introspect: { cacheDir }, moduleCacheTtlMs: 0 });
      expect(b.kind).toBe('module');
      expect(b.environment?.executable).toBe(
        path.join(tree.binDir({ name: 'SciPyEnv', version: '3.11' }), 'python3'),
      );
      const loaded = new Map(
        b.entries
          .filter((e) => e.origin.startsWith('module load SciPyEnv/3.11: '))
          .map((e) => [e.normalized, e.version]),
      );
      const debian = debianDistributions();
      expect(loaded).toEqual(debian);
      const lookup = new BaselineLookup(b);
      for (const name of SCIENCE) expect(lookup.get(name)?.version, name).toBe(debian.get(name));
      // ... which are the Debian packages' upstream versions (python3-xarray's egg-info says 999).
      for (const name of ['numpy', 'scipy', 'matplotlib', 'pandas'])
        expect(lookup.get(name)?.version, name).toBe(debianUpstreamVersion(`python3-${name}`));
      expect(lookup.get('not-installed-anywhere')).toMatchObject({ version: '0.1' });
      expect(lookup.get('not-installed-anywhere')?.origin).toMatch(/^module help SciPyEnv\/3\.11:\d+$/);
      const messages = b.problems.map((p) => p.message).join('\n');
      expect(messages).toMatch(
        new RegExp(
          `differ from the interpreter's: numpy 0\\.0\\.1 \\(installed ${debian.get('numpy')!.replace(/\./g, '\\.')}\\)`,
        ),
      );
      expect(messages).not.toMatch(/did not put a python/);
      expect(b.pythonVersion).toBe(
        execFileSync('/usr/bin/python3', ['-c', 'import platform; print(platform.python_version())'], {
          encoding: 'utf8',
        }).trim(),
      );
    });

    it('its saved `module help` output and the Tcl modulefile itself, as file: baselines, list the same', async () => {
      const saved = path.join(tree.root, 'scipyenv-help.txt');
      writeFileSync(
        saved,
        execFileSync(
          'bash',
          [
            '--noprofile',
            '--norc',
            '-c',
            `. "$1" && module use "$2" && module help SciPyEnv/3.11 2>&1`,
            'x',
            em.init,
            tree.modulePath,
          ],
          { encoding: 'utf8' },
        ),
      );
      const fromHelp = await loadBaseline(`file:${saved}`);
      const fromModulefile = await loadBaseline(`file:${path.join(tree.modulePath, 'SciPyEnv', '3.11')}`);
      const listed = (b: { entries: { normalized: string; version: string | null }[] }) =>
        b.entries.map((e) => `${e.normalized} ${e.version ?? ''}`);
      expect(fromHelp.kind).toBe('module');
      // (a bare word such as 'scipy' reads as prose, not as a requirement)
      expect(listed(fromHelp)).toEqual(['numpy 0.0.1', 'not-installed-anywhere 0.1']);
      expect(listed(fromModulefile)).toEqual(listed(fromHelp));
    });

    it('$PYRATS_MODULE_INIT selects the init script (and --module-use style paths)', async () => {
      const b = await loadBaseline('module:NoPython/1.0', {
        env: { ...process.env, PYRATS_MODULE_INIT: em.init, PYRATS_MODULE_USE: tree.modulePath },
        introspect: { cacheDir },
        moduleCacheTtlMs: 0,
      });
      expect(new BaselineLookup(b).get('h8-listed-only')).toMatchObject({ version: '0.3' });
      expect(b.problems.map((p) => p.message).join('\n')).toMatch(/did not put a python on PATH/);
    });

    it('works without a login shell too (only the init script sets up module)', async () => {
      const run = await runEnvironmentModule('SciPyEnv/3.11', {
        use: [tree.modulePath],
        init: em.init,
        login: false,
        env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
      });
      expect(run.pythonFromModule).toBe(true);
      expect(run.env.LOADEDMODULES).toBe('SciPyEnv/3.11');
    });

    it('found by the fallback init scripts when the shell has no module command', async () => {
      const run = await runEnvironmentModule('SciPyEnv/3.11', {
        use: [tree.modulePath],
        login: false,
        initScripts: [path.join(tree.root, 'absent-init'), em.init],
        env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir() },
      });
      expect(run.env.MODULES_CMD).toBe(em.modulecmd);
      expect(run.pythonFromModule).toBe(true);
    });

    it.skipIf(lmodMissingReason() !== null)(
      'the same Tcl modulefiles read by the login shell’s Lmod (no init) give the same help and python',
      async () => {
        const viaLmod = await runEnvironmentModule('SciPyEnv/3.11', { use: [tree.modulePath] });
        const viaTcl = await runEnvironmentModule('SciPyEnv/3.11', { use: [tree.modulePath], init: em.init });
        expect(viaLmod.env.LMOD_CMD).toBeDefined();
        expect(viaLmod.env.MODULES_CMD).toBeUndefined();
        expect(viaLmod.helpText.trim()).toBe(viaTcl.helpText.trim());
        expect(viaLmod.python).toBe(viaTcl.python);
      },
    );

    it('an unknown module is a clear error', async () => {
      await expect(
        runEnvironmentModule('NoSuchModule/9.9', { use: [tree.modulePath], init: em.init }),
      ).rejects.toThrow(
        /^module NoSuchModule\/9\.9 failed to load \(exit status 1\): ERROR: Unable to locate a modulefile for 'NoSuchModule\/9\.9'$/,
      );
    });

    it('a modulefile calling error is a clear error with its message, without the Tcl trace', async () => {
      const spec = `module:Broken/1.0?use=${tree.modulePath}&init=${em.init}`;
      await expect(loadBaseline(spec)).rejects.toThrow(
        /^module Broken\/1\.0 failed to load \(exit status 1\): Module ERROR: this module is broken on purpose$/,
      );
    });

    it('a modulefile calling break is a clear error with what it printed', async () => {
      await expect(
        runEnvironmentModule('Halt/1.0', { use: [tree.modulePath], init: em.init }),
      ).rejects.toThrow(
        /^module Halt\/1\.0 failed to load \(exit status 1\): ERROR: Module evaluation aborted \(the module printed: this site does not offer Halt any more\)$/,
      );
    });

    it('a slow modulefile is killed after the timeout', async () => {
      await expect(
        runEnvironmentModule('Slow/1.0', { use: [tree.modulePath], init: em.init, timeoutMs: 1500 }),
      ).rejects.toThrow(/did not finish within 1500 ms/);
    });

    it('an unreadable init script, or one that defines no module command, is a clear error', async () => {
      const missing = path.join(tree.root, 'no-such-init');
      await expect(
        loadBaseline(`module:SciPyEnv/3.11?use=${tree.modulePath}&init=${missing}`),
      ).rejects.toThrow(`module SciPyEnv/3.11: cannot read the module init script ${missing}`);
      const noop = path.join(tree.root, 'noop-init');
      writeFileSync(noop, 'echo "this init sets nothing up"\n');
      await expect(
        runEnvironmentModule('SciPyEnv/3.11', { use: [tree.modulePath], init: noop }),
      ).rejects.toThrow(
        `module SciPyEnv/3.11: sourcing ${noop} did not define a 'module' command: this init sets nothing up`,
      );
    });

    it('pyrats check (dist/cli.js) against the module baseline: verdicts from Debian python3', () => {
      expect(existsSync(cli), 'dist/cli.js (node build.mjs)').toBe(true);
      const work = mkdtempSync(path.join(tree.root, 'check-'));
      const script = path.join(work, 'analysis.py');
      writeFileSync(
        script,
        [
          'import json',
          ...SCIENCE.map((m) => `import ${m}`),
          'from mpl_toolkits.mplot3d import Axes3D',
          'import not_installed_anywhere',
          'import surely_absent_pkg_h8',
          '',
        ].join('\n'),
      );
      const r = spawnSync(
        process.execPath,
        [
          cli,
          'check',
          script,
          '--baseline',
          `module:SciPyEnv/3.11?use=${tree.modulePath}`,
          '--no-mirror',
          '--cache-dir',
          path.join(work, 'cache'),
          '--format',
          'json',
        ],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYRATS_MODULE_INIT: em.init } },
      );
      expect(r.stderr).not.toMatch(/Lmod|error/i);
      expect(r.status).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.baseline).toMatchObject({ kind: 'module', name: 'SciPyEnv/3.11' });
      const debian = debianDistributions();
      const verdicts = new Map<string, { kind: string; baseline?: { name: string; version: string } }>(
        j.files[0].verdicts.map((v: { module: string }) => [v.module, v]),
      );
      for (const m of SCIENCE) {
        expect(verdicts.get(m)?.kind, m).toBe('baseline');
        expect(verdicts.get(m)?.baseline?.version, m).toBe(debian.get(m));
      }
      expect(verdicts.get('mpl_toolkits.mplot3d')?.kind ?? verdicts.get('mpl_toolkits')?.kind).toBe(
        'baseline',
      );
      expect(verdicts.get('json')?.kind).toBe('stdlib');
      expect(verdicts.get('not_installed_anywhere')?.kind).toBe('baseline');
      expect(verdicts.get('surely_absent_pkg_h8')?.kind).toBe('missing');
      expect(j.summary).toMatchObject({ missingModules: ['surely_absent_pkg_h8'] });
    });
  },
);
