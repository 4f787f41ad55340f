/**
 * Which version of a mirror package suits the baseline's Python: conda builds say it in `depends`
 * (`python >=3.9`, `python_abi 3.11.* *_cp311`, `python >=3.11,<3.12.0a0`), PyPI files in
 * `requires-python` (PEP 503 `data-requires-python`, PEP 691 `requires-python`). A version suits when
 * one of its builds or files admits the Python version; a version with no constraint suits any.
 * Unreadable constraints admit (the advice then errs towards the newest version, as before).
 * Pure: no I/O.
 */
import { compareVersions, satisfies } from '../baseline/pep440';
import type { PythonFit } from './mirrorHit';

/** Python versions constraint per package version: the alternatives (builds, files); '' = any. */
export type PythonConstraints = Map<string, string[]>;

/** `3.11.4` within the series `3.11` (component-wise prefix; `*` and a trailing `.` dropped). */
function inSeries(python: string, series: string): boolean {
  const want = series
    .replace(/\.?\*$/, '')
    .split('.')
    .filter(Boolean);
  const have = python.split('.');
  return want.every((part, i) => have[i] === part);
}

function condaTermAdmits(term: string, python: string): boolean {
  const m = /^(>=|<=|==|!=|>|<|~=)?\s*(\S+)$/.exec(term.trim());
  if (!m) return true;
  const [, op, version] = m;
  if (!op || version.includes('*')) {
    // conda: `3.11.*`, `3.11*`, and a bare `3.11` in depends all mean the 3.11 series
    const same = inSeries(python, version);
    return op === '!=' ? !same : same;
  }
  if (op === '~=') return satisfies(python, `~=${version}`) ?? true;
  const c = compareVersions(python, version);
  switch (op) {
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '==':
      return c === 0 || inSeries(python, version);
    default:
      return c !== 0;
  }
}

/** Whether `python` meets a conda version spec: `|` alternatives of `,`-joined terms. */
export function condaSpecAdmits(spec: string, python: string): boolean {
  if (!spec.trim()) return true;
  return spec.split('|').some((alt) =>
    alt
      .split(',')
      .filter((t) => t.trim())
      .every((t) => condaTermAdmits(t, python)),
  );
}

/** Whether `python` meets a PEP 440 `requires-python` (unreadable: admits). */
export function requiresPythonAdmits(spec: string, python: string): boolean {
  if (!spec.trim()) return true;
  return satisfies(python, spec) ?? true;
}

/**
 * The python constraint of one conda build from its `depends`: the version specs of `python` and
 * `python_abi` joined with `,` (`>=3.11,<3.12.0a0,3.11.*`); '' when they name no version.
 */
export function condaBuildPythonSpec(depends: readonly string[]): string {
  const specs: string[] = [];
  for (const d of depends) {
    const m = /^python(?:_abi)?\s+(\S+)/.exec(d.trim());
    if (m) specs.push(m[1]);
  }
  return specs.join(',');
}

/**
 * The newest of `versions` (ascending) that suits `python` under `constraints` (a version without
 * an entry suits any Python), judged by `admits`.
 */
export function fitForPython(
  versions: readonly string[],
  constraints: PythonConstraints,
  python: string,
  admits: (spec: string, python: string) => boolean,
): PythonFit {
  const suits = (v: string): boolean => {
    const alts = constraints.get(v);
    return !alts || alts.length === 0 || alts.some((a) => admits(a, python));
  };
  const newest = [...versions].reverse().find(suits) ?? null;
  const last = versions[versions.length - 1];
  if (last === undefined || newest === last) return { python, newest };
  const needs = [...new Set(constraints.get(last) ?? [])].join(' | ');
  return { python, newest, ...(needs ? { newestNeeds: `python ${needs}` } : {}) };
}
