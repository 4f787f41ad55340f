/**
 * `pyrats check --format text`: a readable report grouped by verdict (missing first), one row per
 * import with its place, module, what provides it and what to do; then problems and a summary.
 */
import path from 'node:path';
import { VERDICT_ORDER, type MirrorHit, type Verdict, type VerdictKind } from '../verdict';
import { suitedVersion } from '../mirrorVerdict';
import type { CheckReport } from './checkReport';

const headings: Record<VerdictKind, string> = {
  missing: 'MISSING EVERYWHERE',
  mirror: 'ON THE MIRROR ONLY',
  baseline: 'IN THE BASELINE',
  local: 'LOCAL',
  stdlib: 'STANDARD LIBRARY',
  builtin: 'BUILT INTO THE INTERPRETER',
  conflict: 'VERSION CONFLICT WITH THE DECLARATION',
  undeclared: 'IN THE BASELINE, NOT DECLARED',
};

/** `conda conda-forge: pyyaml 6.0.1 — provides it (conda-forge mapping: ships PyYAML; ...)`. */
function hitInWords(m: MirrorHit): string {
  const latest = m.versions.length ? ` ${m.versions[m.versions.length - 1]}` : '';
  const words =
    m.provides === false
      ? 'does NOT provide it'
      : m.provides === 'probably'
        ? 'probably provides it'
        : 'provides it';
  return `${m.kind} ${m.label}: ${m.name}${latest} — ${words}${m.why ? ` (${m.why})` : ''}`;
}

function detail(v: Verdict): string {
  switch (v.kind) {
    case 'baseline':
      return v.baseline
        ? `${v.baseline.name} ${v.baseline.version ?? v.baseline.specifier ?? ''}`.trim()
        : '';
    case 'mirror':
      return v.mirror.map(hitInWords).join('; ');
    case 'missing':
      return [v.action, ...v.mirror.map(hitInWords)].join('; ');
    case 'conflict':
      return `${v.baseline?.name ?? ''} ${v.baseline?.version ?? ''}, declared ${v.requirement?.specifier ?? ''}`;
    case 'undeclared':
      return v.baseline ? `${v.baseline.name} ${v.baseline.version ?? ''}`.trim() : '';
    case 'local':
      return v.resolution.status === 'unresolved' ? 'does not resolve' : '';
    default:
      return '';
  }
}

/** One install command per mirror source, naming every package wanted from it (latest versions). */
function installCommands(rows: Verdict[]): string[] {
  const bySource = new Map<string, { kind: 'conda' | 'pypi'; specs: Set<string> }>();
  for (const v of rows) {
    const h = v.mirror.find((m) => m.provides !== false);
    if (!h) continue;
    const latest = suitedVersion(h);
    const spec = latest ? `${h.name}${h.kind === 'conda' ? '=' : '=='}${latest}` : h.name;
    const entry = bySource.get(h.source) ?? { kind: h.kind, specs: new Set<string>() };
    entry.specs.add(spec);
    bySource.set(h.source, entry);
  }
  return [...bySource].map(([source, { kind, specs }]) =>
    kind === 'conda'
      ? `conda install -c ${source} ${[...specs].join(' ')}`
      : `pip install --index-url ${source} ${[...specs].join(' ')}`,
  );
}

/** `12` in a script; `cell 4:line 2` in a notebook (cell and line counted from 1, as a person counts). */
function placeText(cell: number | undefined, line: number): string {
  return cell === undefined ? `${line + 1}` : `cell ${cell + 1}:line ${line + 1}`;
}

export interface TextOptions {
  /** Kinds whose rows are left out (the summary still counts them). */
  hide?: VerdictKind[];
}

export function formatText(report: CheckReport, options: TextOptions = {}): string {
  const out: string[] = [];
  const rel = (f: string): string => {
    const r = path.relative(report.cwd, f);
    return r && !r.startsWith('..') ? r : f;
  };
  if (report.baseline) {
    const b = report.baseline;
    out.push(
      `Baseline: ${b.spec} (${b.kind}${b.pythonVersion ? `, Python ${b.pythonVersion}` : ''}, ${b.distributions} distributions)`,
    );
  } else out.push('Baseline: none (could not be loaded)');
  if (report.python) out.push(`Python:   ${report.python.executable} ${report.python.version}`);
  if (report.mirrors.length)
    report.mirrors.forEach((m, i) => out.push(`${i ? '          ' : 'Mirror:   '}${m}`));
  else out.push('Mirror:   none configured');
  // `from m import a, b` gives a verdict per name; one row per statement and module is enough here,
  // and the summary counts the same rows.
  const seen = new Set<string>();
  const all = report.files
    .flatMap((f) => f.verdicts)
    .filter((v) => {
      const key = `${v.file}\0${v.site.cell ?? ''}\0${v.site.statementRange.start.line}\0${v.module}\0${v.kind}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const c: Record<VerdictKind, number> = {
    missing: 0,
    mirror: 0,
    baseline: 0,
    local: 0,
    stdlib: 0,
    builtin: 0,
    conflict: 0,
    undeclared: 0,
  };
  for (const v of all) c[v.kind]++;
  for (const kind of VERDICT_ORDER) {
    if (options.hide?.includes(kind)) continue;
    const rows = all.filter((v) => v.kind === kind);
    if (!rows.length) continue;
    out.push('', `${headings[kind]} (${rows.length})`);
    const cells = rows.map((v) => [
      `${rel(v.file)}:${placeText(v.site.cell, v.site.range.start.line)}`,
      v.module +
        (v.guarded === 'try' ? ' [optional]' : v.guarded === 'if' ? ' [conditional]' : '') +
        (v.installedBy ? ' [installed by the notebook]' : '') +
        (v.site.kind === 'dynamic' ? ' [dynamic]' : ''),
      detail(v),
    ]);
    const w0 = Math.min(Math.max(...cells.map((c) => c[0].length)), 50);
    const w1 = Math.min(Math.max(...cells.map((c) => c[1].length)), 40);
    for (const [a, b, c] of cells) out.push(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd());
    if (kind === 'mirror') out.push('  To install:', ...installCommands(rows).map((c) => `    ${c}`));
    if (kind === 'conflict' || kind === 'undeclared')
      for (const v of rows) out.push(`    ${rel(v.file)}:${v.site.range.start.line + 1}: ${v.explanation}`);
  }
  const findings = report.findings ?? [];
  if (findings.length) {
    out.push('', `DECLARATIONS (${findings.length})`);
    for (const f of findings)
      out.push(`  ${rel(f.requirement.file)}:${f.requirement.line}  ${f.kind.padEnd(8)}  ${f.message}`);
  }
  const fileProblems = report.files.flatMap((f) =>
    f.problems.map(
      (p) => `${rel(f.file)}${p.line !== undefined ? `:${placeText(p.cell, p.line)}` : ''}: ${p.message}`,
    ),
  );
  const notes = report.files.flatMap((f) => (f.notebook?.notes ?? []).map((n) => `${rel(f.file)}: ${n}`));
  if (notes.length) out.push('', 'NOTES', ...notes.map((n) => `  ${n}`));
  if (fileProblems.length || report.problems.length) {
    out.push('', 'PROBLEMS');
    for (const p of fileProblems) out.push(`  ${p}`);
    for (const p of report.problems) out.push(`  ${p.area} ${p.source}: ${p.message}`);
  }
  out.push(
    '',
    `${report.files.length} file(s), ${all.length} import(s): ${c.missing} missing, ${c.mirror} mirror only, ${c.baseline} in baseline, ${c.local} local, ${c.stdlib + c.builtin} standard library` +
      (c.conflict || c.undeclared || findings.length
        ? `; ${c.conflict} conflict, ${c.undeclared} undeclared, ${findings.filter((f) => f.kind === 'unused').length} unused`
        : ''),
  );
  return `${out.join('\n')}\n`;
}
