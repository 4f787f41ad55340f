/**
 * The Baseline model: what the centre's baseline Python provides, read from one source (an
 * environment module, a requirements / pip freeze file, pip list JSON, a conda environment or list,
 * a Spack lockfile, or a live interpreter). Every listed distribution is kept with its name as
 * written, its PEP 503-normalised PyPI-side name and its version, plus the problems met while
 * reading. Pure data plus a lookup; the readers live in the sibling modules, `loadBaseline.ts`
 * picks one from a spec string.
 */
import type { Environment } from '../env/environment';
import { normalizeName } from './pep508';

export type BaselineKind =
  | 'module'
  | 'requirements'
  | 'pip-list'
  | 'conda-environment'
  | 'conda-list'
  | 'conda-explicit'
  | 'spack-lock'
  | 'spack-yaml'
  | 'python';

export interface BaselineEntry {
  /** The name as listed (`Pillow`, `pytorch`, `py-numpy`). */
  name: string;
  /** PEP 503-normalised PyPI distribution name (conda / Spack names translated, e.g. `py-numpy` → `numpy`). */
  normalized: string;
  /** Exact version when the source pins or reports one, else null. */
  version: string | null;
  /** A version range when the source gives only that (`requests>=2.28,<3`), else ''. */
  specifier: string;
  /** Which naming scheme `name` follows. */
  ecosystem: 'pypi' | 'conda' | 'spack';
  /** Where it was listed: `file:line` or a description. */
  origin: string;
  /** Direct URL / path for URL, VCS and editable requirements. */
  url?: string;
  editable?: boolean;
}

/** A PyPI-named entry with an exact (or no) version: what pip, conda's pypi rows and freeze lines list. */
export function pypiEntry(
  name: string,
  version: string | null,
  origin: string,
  extra: Pick<BaselineEntry, 'url' | 'editable'> = {},
): BaselineEntry {
  return {
    name,
    normalized: normalizeName(name),
    version,
    specifier: '',
    ecosystem: 'pypi',
    origin,
    ...extra,
  };
}

export interface BaselineProblem {
  /** File or command the problem is about. */
  source: string;
  line?: number;
  message: string;
  /** The whole file could not be read as its format (not valid YAML, no package list at all). */
  unreadable?: true;
}

export interface Baseline {
  /** The spec string it was loaded from (`module:PythonEnv-noaa/3.11`, `file:req.txt`, ...). */
  spec: string;
  /** A short human name (module name, file name, interpreter path). */
  name: string;
  kind: BaselineKind;
  entries: BaselineEntry[];
  /** Python version of the baseline when known (`3.11.2`). */
  pythonVersion: string | null;
  /** The introspected interpreter, for `module:` and `python:` baselines. */
  environment?: Environment;
  /** Package indexes named in the source (`--index-url`, `--extra-index-url`, conda `channels:`). */
  indexUrls: string[];
  channels: string[];
  /** Files read (the main one and any `-r` includes). */
  files: string[];
  problems: BaselineProblem[];
}

/** Names that are not importable distributions but show up in every environment listing. */
const notPython = new Set(['python', 'pip', 'setuptools', 'wheel']);

/** Finds entries by normalised name; one object per baseline, built once. */
export class BaselineLookup {
  private readonly byName = new Map<string, BaselineEntry>();

  constructor(readonly baseline: Baseline) {
    for (const e of baseline.entries) {
      const prev = this.byName.get(e.normalized);
      // Prefer an entry with an exact version over one with only a range.
      if (!prev || (!prev.version && e.version)) this.byName.set(e.normalized, e);
    }
  }

  /** The entry for a PyPI-side distribution name (any spelling), or undefined. */
  get(distribution: string): BaselineEntry | undefined {
    return this.byName.get(normalizeName(distribution));
  }

  get size(): number {
    return this.byName.size;
  }

  /** Normalised names of the listed Python distributions (python/pip/setuptools/wheel left out). */
  names(): string[] {
    return [...this.byName.keys()].filter((n) => !notPython.has(n));
  }
}
