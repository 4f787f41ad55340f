/**
 * The baseline matrix of *PyRats: Which Module Runs This Script?* as Markdown: one row per
 * third-party import, one column per baseline (✓ version, ✗, conflict), whether each baseline
 * satisfies the script, and the recommendation. Input is `pyrats check --format json` with several
 * baselines (its `baselines[]`, `modules`, `recommendation`). Pure (no `vscode`).
 */

export interface MatrixJsonCell {
  module: string;
  kind: string;
  version: string | null;
  optional: boolean;
  explanation: string;
}

export interface MatrixJsonColumn {
  spec: string;
  name: string;
  pythonVersion: string | null;
  satisfied: boolean;
  imports: MatrixJsonCell[];
  error?: string;
}

export interface MatrixJson {
  modules: string[];
  baselines: MatrixJsonColumn[];
  recommendation: { spec: string; name: string; command: string }[];
  problems?: { spec: string; message: string }[];
}

/** Validates the CLI's JSON shape; a message when it is not a matrix. */
export function parseMatrixJson(text: string): MatrixJson | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'pyrats check did not print JSON';
  }
  const m = value as Partial<MatrixJson>;
  if (!m || !Array.isArray(m.baselines) || !Array.isArray(m.modules) || !Array.isArray(m.recommendation)) {
    return 'pyrats check printed no baseline matrix';
  }
  return m as MatrixJson;
}

/** Markdown table cells must not break the table. */
const md = (s: string) => s.replace(/[\\|`*_[\]<]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');

function cellText(c: MatrixJsonCell | undefined): string {
  if (!c) return '–';
  const opt = c.optional ? ' (optional)' : '';
  if (c.kind === 'baseline' || c.kind === 'undeclared') return `✓ ${c.version ?? ''}`.trim() + opt;
  if (c.kind === 'conflict') return `conflict ${c.version ?? ''}`.trim();
  return `✗${c.kind === 'mirror' ? ' (mirror)' : ''}${opt}`;
}

export function matrixMarkdown(script: string, m: MatrixJson): string {
  const cols = m.baselines;
  const lines = [`# Which module runs ${md(script)}?`, ''];
  if (cols.length === 0) lines.push('No baseline could be listed.');
  else {
    lines.push(`| import | ${cols.map((c) => md(c.name)).join(' | ')} |`);
    lines.push(`|---|${cols.map(() => '---').join('|')}|`);
    lines.push(`| *Python* | ${cols.map((c) => md(c.pythonVersion ?? '?')).join(' | ')} |`);
    for (const module of m.modules) {
      const row = cols.map((c) => md(cellText(c.imports.find((i) => i.module === module))));
      lines.push(`| \`${module.replace(/`/g, "'")}\` | ${row.join(' | ')} |`);
    }
    lines.push(
      `| **satisfied** | ${cols.map((c) => (c.error ? `✗ ${md(c.error)}` : c.satisfied ? '**yes**' : 'no')).join(' | ')} |`,
    );
  }
  const conflicts = cols.flatMap((c) =>
    c.imports.filter((i) => i.kind === 'conflict').map((i) => `- ${md(c.name)}: ${md(i.explanation)}`),
  );
  if (conflicts.length) lines.push('', '## Conflicts', '', ...conflicts);
  for (const p of m.problems ?? []) lines.push('', `> ${md(p.spec)}: ${md(p.message)}`);
  lines.push('', '## Recommendation', '');
  if (m.recommendation.length === 0) lines.push('No baseline provides everything this script imports.');
  else lines.push(...m.recommendation.map((r) => `- \`${r.command.replace(/`/g, "'")}\``));
  return `${lines.join('\n')}\n`;
}

/** The glob over every version of the configured module (`module:PythonEnv-noaa/3.11` → `…/*`). */
export function defaultMatrixSpec(baseline: string): string {
  const m = /^module:([^/\s]+)\/\S+$/.exec(baseline.trim());
  return m ? `module:${m[1]}/*` : baseline.trim();
}
