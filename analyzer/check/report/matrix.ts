/**
 * The baseline matrix (`pyrats check --baseline A --baseline B`, or a module glob): the same scripts
 * checked against several baselines, as rows of third-party imports × one column per baseline
 * (✓ version, ✗, conflict), whether each baseline satisfies the scripts, and the recommendation —
 * the satisfying baselines, newest first ("module load PythonEnv-noaa/3.11"). A baseline satisfies
 * the scripts when every unguarded third-party import is in it, none is in conflict with its
 * declaration, and requires-python accepts its Python. Text and JSON; pure formatting of CheckReports.
 */
import path from 'node:path';
import { compareVersions } from '../../baseline/pep440';
import type { DeclarationFinding, Verdict, VerdictKind } from '../verdict';
import type { CheckReport } from './checkReport';

/** One import in one baseline: what the baseline does for it. */
export interface MatrixCell {
  /** Top-level module. */
  module: string;
  kind: VerdictKind;
  /** The baseline's version of the providing distribution, when it has it. */
  version: string | null;
  /** True when every import of it is guarded by try/except ImportError. */
  optional: boolean;
  /** For `conflict`: "numpy 1.21.0 in the baseline; analyse.py needs >=1.24 (line 3)". */
  explanation: string;
  /** The declared requirement (file, line, specifier), when one covers it. */
  requirement?: Verdict['requirement'];
}

export interface MatrixColumn {
  spec: string;
  /** The module name, file name or interpreter it resolved to. */
  name: string;
  kind: string;
  pythonVersion: string | null;
  satisfied: boolean;
  imports: MatrixCell[];
  findings: DeclarationFinding[];
  /** Set when the baseline could not be loaded (then it has no imports and is not satisfied). */
  error?: string;
}

export interface Matrix {
  /** Third-party top-level modules, sorted. */
  modules: string[];
  baselines: MatrixColumn[];
  /** Satisfying baselines, newest first, with the command that selects each. */
  recommendation: { spec: string; name: string; command: string }[];
}

const THIRD_PARTY = new Set<VerdictKind>(['baseline', 'mirror', 'missing', 'conflict', 'undeclared']);
const RANK: Partial<Record<VerdictKind, number>> = {
  missing: 4,
  mirror: 3,
  conflict: 2,
  undeclared: 1,
  baseline: 0,
};
const IN_BASELINE = new Set<VerdictKind>(['baseline', 'undeclared']);

function cells(report: CheckReport): MatrixCell[] {
  const byModule = new Map<string, MatrixCell>();
  for (const v of report.files.flatMap((f) => f.verdicts)) {
    if (!THIRD_PARTY.has(v.kind)) continue;
    const version = v.distribution?.version ?? v.baseline?.version ?? null;
    const cell: MatrixCell = {
      module: v.topLevel,
      kind: v.kind,
      version,
      optional: v.guarded === 'try',
      explanation: v.explanation,
      ...(v.requirement ? { requirement: v.requirement } : {}),
    };
    const prev = byModule.get(v.topLevel);
    if (!prev) byModule.set(v.topLevel, cell);
    else {
      prev.optional &&= cell.optional;
      if ((RANK[cell.kind] ?? 0) > (RANK[prev.kind] ?? 0))
        byModule.set(v.topLevel, { ...cell, optional: prev.optional });
    }
  }
  return [...byModule.values()].sort((a, b) => a.module.localeCompare(b.module));
}

/** Newest first: by the version in the baseline's name (`PyEnv/2023.2`), then by its Python. */
function newestFirst(a: MatrixColumn, b: MatrixColumn): number {
  const tail = (c: MatrixColumn): string => c.name.split('/').pop() ?? c.name;
  return (
    compareVersions(tail(b), tail(a)) ||
    compareVersions(b.pythonVersion ?? '0', a.pythonVersion ?? '0') ||
    a.spec.localeCompare(b.spec)
  );
}

/** One column per baseline (in the given order); `null` reports stand for baselines that failed to load. */
export function buildMatrix(columns: { spec: string; report: CheckReport | null; error?: string }[]): Matrix {
  const baselines: MatrixColumn[] = columns.map(({ spec, report, error }) => {
    if (!report || !report.baseline)
      return {
        spec,
        name: spec.replace(/^[a-z]+:/, ''),
        kind: 'unknown',
        pythonVersion: null,
        satisfied: false,
        imports: [],
        findings: [],
        error: error ?? 'could not be loaded',
      };
    const imports = cells(report);
    const findings = report.findings ?? [];
    const satisfied =
      imports.every((c) => c.optional || IN_BASELINE.has(c.kind)) &&
      !findings.some((f) => f.kind === 'conflict');
    const b = report.baseline;
    return { spec, name: b.name, kind: b.kind, pythonVersion: b.pythonVersion, satisfied, imports, findings };
  });
  const modules = [...new Set(baselines.flatMap((c) => c.imports.map((i) => i.module)))].sort();
  const recommendation = baselines
    .filter((c) => c.satisfied)
    .sort(newestFirst)
    .map((c) => ({
      spec: c.spec,
      name: c.name,
      command:
        c.kind === 'module' && c.spec.startsWith('module:')
          ? `module load ${c.name}`
          : `--baseline ${c.spec}`,
    }));
  return { modules, baselines, recommendation };
}

function cellText(c: MatrixCell | undefined): string {
  if (!c) return '-';
  const opt = c.optional ? ' (optional)' : '';
  if (IN_BASELINE.has(c.kind)) return `✓ ${c.version ?? ''}`.trim() + opt;
  if (c.kind === 'conflict') return `conflict ${c.version ?? ''}`.trim();
  return `✗${c.kind === 'mirror' ? ' (mirror)' : ''}${opt}`;
}

/** The matrix as a table, the conflicts spelled out, and the recommendation. */
export function formatMatrixText(matrix: Matrix, cwd: string): string {
  const head = ['import', ...matrix.baselines.map((c) => c.name)];
  const rows = matrix.modules.map((m) => [
    m,
    ...matrix.baselines.map((c) => cellText(c.imports.find((i) => i.module === m))),
  ]);
  rows.push(['(python)', ...matrix.baselines.map((c) => c.pythonVersion ?? '?')]);
  rows.push(['satisfied', ...matrix.baselines.map((c) => (c.error ? 'error' : c.satisfied ? 'yes' : 'no'))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const rel = (f: string): string => {
    const r = path.relative(cwd, f);
    return r && !r.startsWith('..') ? r : f;
  };
  const notes: string[] = [];
  for (const c of matrix.baselines) {
    if (c.error) notes.push(`  ${c.name}: ${c.error}`);
    for (const i of c.imports.filter((x) => x.kind === 'conflict'))
      notes.push(`  ${c.name}: ${i.explanation}`);
    for (const f of c.findings.filter((x) => x.kind === 'conflict'))
      notes.push(`  ${c.name}: ${f.message} (${rel(f.requirement.file)}:${f.requirement.line})`);
  }
  if (notes.length) out.push('', 'Conflicts and errors:', ...notes);
  out.push('');
  if (matrix.recommendation.length) {
    out.push(`Recommendation: ${matrix.recommendation[0].command}`);
    if (matrix.recommendation.length > 1)
      out.push(
        `  also satisfied: ${matrix.recommendation
          .slice(1)
          .map((r) => r.name)
          .join(', ')}`,
      );
  } else out.push('Recommendation: none of these baselines satisfies the scripts.');
  return `${out.join('\n')}\n`;
}

/** `--format json` of a matrix: `baselines[]` with spec, resolved name, Python, verdicts, `satisfied`. */
export function formatMatrixJson(matrix: Matrix, files: string[], problems: unknown[]): string {
  return `${JSON.stringify({ formatVersion: 1, files, ...matrix, problems }, null, 2)}\n`;
}
