/**
 * The shell command that installs a mirror-only package into the selected interpreter's environment:
 * `conda install` from the providing channel when the environment is a conda environment (and a
 * conda channel provides it), else `python -m pip install --index-url INDEX` from the providing PyPI
 * index. Pure (no `vscode`), so the choice is tested without an editor.
 */
import type { MirrorInstallCandidate } from '../server/protocol';

/** The environment packages go into. */
export interface TargetEnvironment {
  /** The interpreter (a path, or a command on PATH such as `python3`). */
  python: string;
  /** The environment's prefix when it is a conda environment (it holds `conda-meta/`), else null. */
  condaPrefix: string | null;
}

export interface InstallPlan {
  /** The command line to run in a terminal (POSIX shell quoting). */
  commandLine: string;
  /** The candidate it installs. */
  candidate: MirrorInstallCandidate;
  tool: 'pip' | 'conda';
}

/** Single-quoted for a POSIX shell unless it is plainly safe. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A PyPI index URL as pip takes it; file: URLs and paths stay as they are. */
function indexUrl(source: string): string {
  return source.replace(/\/*$/, '/');
}

/**
 * How to install one of `candidates` (all providing the same import), or an explanation when none
 * suits the environment (e.g. only a conda channel has it and the interpreter is not in a conda env).
 */
export function planInstall(
  candidates: MirrorInstallCandidate[],
  env: TargetEnvironment,
): InstallPlan | { problem: string } {
  const conda = candidates.find((c) => c.kind === 'conda');
  const pypi = candidates.find((c) => c.kind === 'pypi');
  if (env.condaPrefix && conda) {
    const parts = ['conda', 'install', '--prefix', env.condaPrefix, '--override-channels'];
    parts.push('--channel', conda.source, conda.name);
    return { commandLine: parts.map(shellQuote).join(' '), candidate: conda, tool: 'conda' };
  }
  if (pypi) {
    const parts = [env.python, '-m', 'pip', 'install', '--index-url', indexUrl(pypi.source), pypi.name];
    return { commandLine: parts.map(shellQuote).join(' '), candidate: pypi, tool: 'pip' };
  }
  if (conda) {
    return {
      problem:
        `only the conda channel ${conda.label} has ${conda.name}, and ${env.python} is not in a conda ` +
        `environment: create or activate one, or ask for ${conda.name} in the baseline`,
    };
  }
  return { problem: 'no mirror source provides it' };
}
