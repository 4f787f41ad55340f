/**
 * Versions inline (`textDocument/inlayHint`): after each third-party import, what the centre has for
 * it — `numpy 1.24.2 · baseline`, `mirror: conda-forge 2.1`, `missing`. Standard-library and local
 * imports get none. The hover (convert.ts) lists every source; a hint is the one-glance summary.
 */
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import { suitedVersion } from '../../analyzer/check/mirrorVerdict';
import type { ImportVerdictInfo, MirrorHitInfo } from '../protocol';

/** The mirror sources that provide (or probably provide) the import, best first as the analyzer ordered them. */
export function providingHits(v: ImportVerdictInfo): MirrorHitInfo[] {
  return v.mirror.filter((m) => m.provides !== false && m.versions.length > 0);
}

function inBaseline(v: ImportVerdictInfo): string {
  const name = v.distribution ?? v.topLevel;
  return v.baselineVersion ? `${name} ${v.baselineVersion} · baseline` : `${name} · baseline`;
}

/** The hint's text for one verdict; null for imports the centre need not provide. */
export function inlayLabel(v: ImportVerdictInfo): string | null {
  switch (v.kind) {
    case 'baseline':
      return inBaseline(v);
    case 'undeclared':
      return `${inBaseline(v)} · undeclared`;
    case 'conflict':
      return `${inBaseline(v)} · conflict`;
    case 'mirror': {
      const hit = providingHits(v)[0];
      if (!hit) return 'mirror';
      const probably = hit.provides === 'probably' ? ' (probably)' : '';
      return `mirror: ${hit.label} ${suitedVersion(hit) ?? ''}${probably}`;
    }
    case 'missing':
      return 'missing';
    case 'stdlib':
    case 'builtin':
    case 'local':
      return null;
  }
}

const before = (a: Range['start'], b: Range['start']) =>
  a.line < b.line || (a.line === b.line && a.character < b.character);

/** Hints for the verdicts whose imported name lies in `range`, each after the imported name. */
export function inlayHintsFor(verdicts: ImportVerdictInfo[], range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  const seen = new Set<string>();
  for (const v of verdicts) {
    if (before(v.range.end, range.start) || before(range.end, v.range.start)) continue;
    const label = inlayLabel(v);
    if (!label) continue;
    // `import numpy, numpy.linalg` or a name imported twice on one line: one hint per position
    const key = `${v.range.end.line}:${v.range.end.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hints.push({
      position: v.range.end,
      label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: v.explanation,
    });
  }
  return hints;
}
