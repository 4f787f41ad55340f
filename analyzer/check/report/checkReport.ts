/**
 * The CheckReport model: everything `pyrats check` found for a set of files, ready for one of the
 * output formats (text.ts, json.ts, sarif.ts). Pure data plus the summary counts.
 */
import type { SourceProblem } from '../../extract/extractImports';
import type { NotebookFacts } from '../../notebook/readNotebook';
import {
  VERDICT_ORDER,
  type CheckProblem,
  type DeclarationFinding,
  type Verdict,
  type VerdictKind,
} from '../verdict';

export interface CheckReport {
  baseline: {
    spec: string;
    name: string;
    kind: string;
    pythonVersion: string | null;
    distributions: number;
  } | null;
  /** The interpreter used for stdlib/local decisions. */
  python: { executable: string; version: string } | null;
  /** One line per mirror source and how it answered. */
  mirrors: string[];
  files: { file: string; verdicts: Verdict[]; problems: SourceProblem[]; notebook?: NotebookFacts }[];
  problems: CheckProblem[];
  /** Declaration findings: requires-python conflicts and declared-but-unused distributions. */
  findings?: DeclarationFinding[];
  /** Directory that file paths are shown relative to. */
  cwd: string;
}

export function countVerdicts(report: CheckReport): Record<VerdictKind, number> {
  const counts = Object.fromEntries(VERDICT_ORDER.map((k) => [k, 0])) as Record<VerdictKind, number>;
  for (const f of report.files) for (const v of f.verdicts) counts[v.kind]++;
  return counts;
}

/** Distinct top-level modules missing everywhere, excluding imports guarded by try/except ImportError. */
export function unguardedMissing(report: CheckReport): string[] {
  const out = new Set<string>();
  for (const f of report.files)
    for (const v of f.verdicts)
      if (v.kind === 'missing' && v.guarded !== 'try' && !v.installedBy) out.add(v.topLevel);
  return [...out].sort();
}
