/**
 * The Verdict model: for one import site, where it stands against the centre's baseline and mirror.
 * Pure data (JSON-serialisable), produced by Checker (checker.ts), consumed by `pyrats check`, the
 * language server (diagnostics, hover, quick fixes) and the graph (node colours).
 */
import type { ImportSite } from '../extract/importSite';
import type { MirrorHit } from '../mirror/mirrorHit';
import type { Resolution } from '../resolve/resolution';

export type { MirrorHit, PythonFit } from '../mirror/mirrorHit';

/**
 * `stdlib` / `builtin`: part of the interpreter; `local`: the script's own tree or PYTHONPATH;
 * `baseline`: provided by the baseline (distribution + version); `mirror`: not in the baseline but
 * available from a conda channel or PyPI index of the mirror; `missing`: nowhere;
 * `conflict`: the baseline has it, but not in a version the script's declaration accepts;
 * `undeclared`: the baseline has it, but the script's declaration (which exists) does not list it.
 */
export type VerdictKind =
  'stdlib' | 'builtin' | 'local' | 'baseline' | 'mirror' | 'missing' | 'conflict' | 'undeclared';

/** Every kind, in the order reports group them (most urgent first). */
export const VERDICT_ORDER: VerdictKind[] = [
  'missing',
  'conflict',
  'mirror',
  'undeclared',
  'baseline',
  'local',
  'stdlib',
  'builtin',
];

/** Stable diagnostic codes, one per kind (used by the LSP and SARIF rule ids). */
export const VERDICT_CODES: Record<VerdictKind, string> = {
  missing: 'pyrats.missing',
  mirror: 'pyrats.mirror-only',
  baseline: 'pyrats.baseline',
  local: 'pyrats.local',
  stdlib: 'pyrats.stdlib',
  builtin: 'pyrats.builtin',
  conflict: 'pyrats.conflict',
  undeclared: 'pyrats.undeclared',
};

/** Code of a declared requirement that no checked import uses (deptry DEP002). */
export const UNUSED_CODE = 'pyrats.unused';

/** A declared requirement, where it is written (the related location of conflict/undeclared/unused). */
export interface RequirementRef {
  /** Distribution name as written, or `python` for requires-python. */
  name: string;
  /** The specifier set (`>=1.24`), '' for any version. */
  specifier: string;
  /** The requirement as written. */
  text: string;
  /** The declaring file (the script itself for PEP 723). */
  file: string;
  /** 1-based line in `file`. */
  line: number;
  /** `pep723`, `requirements`, `conda-environment` or `pyproject`. */
  source: string;
}

/**
 * A finding about a declaration rather than one import: `conflict` for requires-python against the
 * baseline's Python, `unused` for a declared distribution that no checked import needs.
 */
export interface DeclarationFinding {
  kind: 'conflict' | 'unused';
  code: string;
  requirement: RequirementRef;
  message: string;
}

export interface BaselineHit {
  /** Distribution name as the baseline lists it. */
  name: string;
  version: string | null;
  /** A range when the baseline gives no exact version. */
  specifier?: string;
  /** Where the baseline lists it (file:line, module help, interpreter location). */
  origin: string;
}

export interface Verdict {
  site: ImportSite;
  /** The file the import is in. */
  file: string;
  /** The dotted module that was checked (`a.b` for `import a.b`; `m.n` for `from m import n` when n is a module). */
  module: string;
  /** Its top-level name (`a`). */
  topLevel: string;
  resolution: Resolution;
  kind: VerdictKind;
  /** `try`: guarded by try/except ImportError (a missing module is expected to be handled); `if`: conditional. */
  guarded: 'try' | 'if' | null;
  /** The distribution providing it in the baseline interpreter (when it has one). */
  distribution?: { name: string; version: string };
  baseline?: BaselineHit;
  /** Distribution names considered for this import, most likely first (PyPI spelling). */
  candidates: {
    pypi: string;
    conda: string;
    source: 'environment' | 'table' | 'normalised';
    cite?: string;
  }[];
  mirror: MirrorHit[];
  /** What to do, one sentence. */
  action: string;
  /** Why this verdict, one or two sentences. */
  explanation: string;
  /** Stable code (see VERDICT_CODES). */
  code: string;
  /** The declared requirement covering this import (for `conflict`, the one not satisfied). */
  requirement?: RequirementRef;
  /** Set on a `mirror` / `missing` import that a declaration exists for but does not list. */
  undeclared?: true;
  /**
   * In a notebook that installs the distribution itself (`%pip install NAME`): that command, its
   * zero-based cell and 1-based line in the cell. Such an import never fails the check.
   */
  installedBy?: { name: string; text: string; cell: number; line: number };
}

/** Something that went wrong while checking (a mirror that failed, a file that could not be read). */
export interface CheckProblem {
  /** `mirror`, `baseline`, `file`, `python`. */
  area: 'mirror' | 'baseline' | 'file' | 'python';
  /** The URL, spec or path concerned. */
  source: string;
  message: string;
}
