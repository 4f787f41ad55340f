/**
 * The install-from-mirror command line for each kind of environment, run through a real POSIX shell
 * (`sh -c 'printf ...'`) so the quoting is proven, not assumed.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planInstall, shellQuote } from '../../client/installCommand';
import type { MirrorInstallCandidate } from '../../server/protocol';

const conda: MirrorInstallCandidate = {
  module: 'xarray',
  name: 'xarray',
  kind: 'conda',
  source: 'https://mirror.example/conda/conda-forge',
  label: 'conda-forge',
  version: '2024.1.1',
};
const pypi: MirrorInstallCandidate = {
  module: 'yaml',
  name: 'pyyaml',
  kind: 'pypi',
  source: 'file:///srv/mirror/simple',
  label: 'simple',
  version: '6.0.1',
};

/** The words a shell makes of a command line. */
const words = (line: string): string[] =>
  execFileSync('sh', ['-c', `for w in ${line}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);

describe('install from the mirror: the command line', () => {
  it('uses conda with the providing channel in a conda environment', () => {
    const plan = planInstall([pypi, conda], {
      python: '/opt/envs/x y/bin/python',
      condaPrefix: '/opt/envs/x y',
    });
    if (!('commandLine' in plan)) throw new Error(plan.problem);
    expect(plan.tool).toBe('conda');
    expect(plan.candidate).toBe(conda);
    expect(words(plan.commandLine)).toEqual([
      'conda',
      'install',
      '--prefix',
      '/opt/envs/x y',
      '--override-channels',
      '--channel',
      'https://mirror.example/conda/conda-forge',
      'xarray',
    ]);
  });

  it('uses pip with the PyPI index otherwise; a conda-only package is explained, not guessed', () => {
    const plan = planInstall([conda, pypi], { python: '/home/u/venv/bin/python', condaPrefix: null });
    expect('commandLine' in plan && plan.commandLine).toBe(
      '/home/u/venv/bin/python -m pip install --index-url file:///srv/mirror/simple/ pyyaml',
    );
    const none = planInstall([conda], { python: 'python3', condaPrefix: null });
    expect('problem' in none && none.problem).toMatch(/only the conda channel conda-forge has xarray/);
  });

  it('quotes for a POSIX shell: spaces, quotes and $ stay literal', () => {
    for (const s of ["it's", 'a b', '$(echo injected)', '`x`', 'plain/path-1.2']) {
      expect(words(shellQuote(s))).toEqual([s]);
    }
  });
});
