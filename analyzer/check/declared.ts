/**
 * Declared requirements against the baseline (issue 16): turns the availability verdicts of one file
 * into `conflict` (the baseline's version is outside the declared specifier set) and `undeclared`
 * (a declaration exists but does not list the distribution), adds the requires-python conflict, and
 * finds the declared distributions that no checked import uses (`unused`, over every file that
 * shares a declaration). Markers are evaluated for the baseline's Python; a requirement whose marker
 * is false does not apply. Pure: the declarations come from analyzer/declarations.
 */
import path from 'node:path';
import { satisfies } from '../baseline/pep440';
import { evaluateMarker, linuxMarkers, normalizeName } from '../baseline/pep508';
import { findDeclared, type Declarations, type DeclaredRequirement } from '../declarations/declarations';
import {
  UNUSED_CODE,
  VERDICT_CODES,
  type DeclarationFinding,
  type RequirementRef,
  type Verdict,
} from './verdict';

const THIRD_PARTY = new Set(['baseline', 'mirror', 'missing']);

export function requirementRef(r: DeclaredRequirement): RequirementRef {
  return { name: r.name, specifier: r.specifier, text: r.text, file: r.file, line: r.line, source: r.kind };
}

/** Distribution names an import may be declared as, most certain first. */
export function distributionNames(v: Verdict): string[] {
  return [
    ...(v.distribution ? [v.distribution.name] : []),
    ...(v.baseline ? [v.baseline.name] : []),
    ...v.candidates.map((c) => c.pypi),
  ];
}

function applies(r: DeclaredRequirement, pythonVersion: string | null): boolean {
  if (!r.marker) return true;
  try {
    return evaluateMarker(r.marker, linuxMarkers(pythonVersion ?? undefined));
  } catch {
    return true; // an unreadable marker keeps the requirement
  }
}

/** "analyse.py needs >=2.0 (line 3)" */
function needs(r: { file: string; line: number; specifier: string }): string {
  return `${path.basename(r.file)} needs ${r.specifier} (line ${r.line})`;
}

function withDeclaration(v: Verdict, d: Declarations, pythonVersion: string | null): Verdict {
  if (!THIRD_PARTY.has(v.kind) || v.site.level > 0) return v;
  const r = findDeclared(d, distributionNames(v));
  if (!r) {
    if (v.guarded === 'try') return v;
    const where = d.files.map((f) => path.basename(f)).join(', ');
    const note = `it is not declared in ${where}`;
    if (v.kind !== 'baseline')
      return { ...v, undeclared: true, explanation: `${v.explanation} Also, ${note}.` };
    return {
      ...v,
      kind: 'undeclared',
      code: VERDICT_CODES.undeclared,
      explanation: `${v.explanation} But ${note}.`,
      action: `Declare ${v.baseline?.name ?? v.candidates[0]?.pypi ?? v.topLevel} in ${where}.`,
    };
  }
  const ref = requirementRef(r);
  const version = v.distribution?.version ?? v.baseline?.version ?? null;
  if (v.kind !== 'baseline' || !version || !r.specifier || !applies(r, pythonVersion))
    return { ...v, requirement: ref };
  if (satisfies(version, r.specifier) !== false) return { ...v, requirement: ref };
  const name = v.baseline?.name ?? v.distribution?.name ?? r.name;
  return {
    ...v,
    kind: 'conflict',
    code: VERDICT_CODES.conflict,
    requirement: ref,
    explanation: `${name} ${version} in the baseline; ${needs(r)}.`,
    action: `Use a baseline with ${r.name}${r.specifier}, or relax the requirement at ${path.basename(r.file)}:${r.line}.`,
  };
}

/**
 * The verdicts of one file with the declarations applied, and the requires-python finding (when
 * the baseline's Python is outside it).
 */
export function applyDeclarations(
  verdicts: Verdict[],
  d: Declarations,
  pythonVersion: string | null,
): { verdicts: Verdict[]; findings: DeclarationFinding[] } {
  if (!d.files.length) return { verdicts, findings: [] };
  const out = verdicts.map((v) => withDeclaration(v, d, pythonVersion));
  const findings: DeclarationFinding[] = [];
  const rp = d.requiresPython;
  if (rp && pythonVersion && satisfies(pythonVersion, rp.specifier) === false) {
    findings.push({
      kind: 'conflict',
      code: VERDICT_CODES.conflict,
      requirement: {
        name: 'python',
        specifier: rp.specifier,
        text: `requires-python = "${rp.specifier}"`,
        file: rp.file,
        line: rp.line,
        source: path.basename(rp.file),
      },
      message: `Python ${pythonVersion} in the baseline; ${needs(rp)}.`,
    });
  }
  return { verdicts: out, findings };
}

/**
 * Declared distributions no import of the files sharing their declaration uses. `files` are the
 * checked files, each with its declarations and (declaration-applied) verdicts.
 */
export function unusedRequirements(
  files: { declarations?: Declarations; verdicts: Verdict[] }[],
  pythonVersion: string | null,
): DeclarationFinding[] {
  const groups = new Map<string, { d: Declarations; used: Set<string> }>();
  for (const f of files) {
    const d = f.declarations;
    if (!d || !d.files.length) continue;
    const key = d.files.join('\0');
    const g = groups.get(key) ?? { d, used: new Set<string>() };
    for (const v of f.verdicts) for (const n of distributionNames(v)) g.used.add(normalizeName(n));
    groups.set(key, g);
  }
  const out: DeclarationFinding[] = [];
  for (const { d, used } of groups.values()) {
    for (const r of d.requirements) {
      if (used.has(r.normalized) || !applies(r, pythonVersion)) continue;
      out.push({
        kind: 'unused',
        code: UNUSED_CODE,
        requirement: requirementRef(r),
        message: `${r.name} is declared (${path.basename(r.file)}:${r.line}) but no checked import uses it.`,
      });
    }
  }
  return out;
}
