/**
 * `pyrats check --format json`: the report for tools. Stable shape (`formatVersion` 1): baseline,
 * python, mirrors, summary counts, files with their verdicts (1-based line/column added, the
 * resolution without its repeated site) and problems. In a notebook each verdict also has `cell`
 * (0-based among all cells) and `cellId` (nbformat ≥ 4.5), `line` is within the cell, and the file
 * has `notebook` (nbformat, language, cells, installs, runs, notes).
 */
import type { Verdict } from '../verdict';
import { countVerdicts, unguardedMissing, type CheckReport } from './checkReport';

function verdictJson(v: Verdict): Record<string, unknown> {
  const { site, resolution, ...rest } = v;
  const { site: _omit, ...res } = resolution;
  void _omit;
  return {
    ...(site.cell !== undefined ? { cell: site.cell } : {}),
    ...(site.cellId !== undefined ? { cellId: site.cellId } : {}),
    line: site.range.start.line + 1,
    column: site.range.start.character + 1,
    ...rest,
    site,
    resolution: res,
  };
}

export function toJson(report: CheckReport): Record<string, unknown> {
  return {
    formatVersion: 1,
    baseline: report.baseline,
    python: report.python,
    mirrors: report.mirrors,
    summary: {
      ...countVerdicts(report),
      unused: (report.findings ?? []).filter((f) => f.kind === 'unused').length,
      missingModules: unguardedMissing(report),
    },
    files: report.files.map((f) => ({
      file: f.file,
      ...(f.notebook ? { notebook: f.notebook } : {}),
      problems: f.problems,
      verdicts: f.verdicts.map(verdictJson),
    })),
    findings: report.findings ?? [],
    problems: report.problems,
  };
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJson(report), null, 2)}\n`;
}
