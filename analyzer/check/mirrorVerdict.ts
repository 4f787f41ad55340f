/**
 * The mirror part of a verdict, for an import that the baseline does not provide: given the judged
 * mirror hits (each with `provides` and `why`, see ../names/providerEvidence.ts), whether the import
 * is `mirror` (some hit provides it, or probably does) or `missing`, the explanation and the action.
 * The action installs only a providing entry, never a same-named decoy; "probably" lists the
 * candidates instead of picking one silently; "missing" names the decoys and what to try.
 * Pure: no I/O.
 */
import { formatAge } from '../mirror/httpCache';
import type { MirrorHit, VerdictKind } from './verdict';

export interface MirrorOutcome {
  kind: Extract<VerdictKind, 'mirror' | 'missing'>;
  explanation: string;
  action: string;
}

export interface MirrorOutcomeInput {
  module: string;
  hits: MirrorHit[];
  /** Candidate distributions, most likely first: PyPI and conda spelling. */
  candidates: { pypi: string; conda: string }[];
  /** `baseline NAME` or `the baseline`. */
  baselineName: string;
  /** Sentence appended when the import is guarded by try/except. */
  guardNote: string;
  guardedByTry: boolean;
  /** Whether a mirror is configured at all, and whether some source failed. */
  haveMirror: boolean;
  mirrorFailed: boolean;
  /** Names on the mirror close to the import (for "what to try"). */
  nearest: string[];
}

/** `conda channel conda-forge` / `PyPI index host`. */
function place(h: MirrorHit): string {
  return `${h.kind === 'conda' ? 'conda channel' : 'PyPI index'} ${h.label}`;
}

/** What the baseline's Python may install, when the newest version does not suit it. */
function pythonNote(h: MirrorHit): string {
  const fit = h.forPython;
  if (!fit || fit.newest === h.versions[h.versions.length - 1]) return '';
  const needs = fit.newestNeeds ? ` (${h.versions[h.versions.length - 1]} needs ${fit.newestNeeds})` : '';
  return fit.newest
    ? `; for Python ${fit.python} the newest is ${fit.newest}${needs}`
    : `; no version suits Python ${fit.python}${needs}`;
}

/** One hit in words: where, which versions, and whether it provides the import. */
export function describeHit(h: MirrorHit): string {
  const versions = h.versions.length ? ` (${h.versions.slice(-3).join(', ')}${pythonNote(h)})` : '';
  const verdict =
    h.provides === false
      ? 'does NOT provide it'
      : h.provides === 'probably'
        ? 'probably provides it'
        : 'provides it';
  return `${place(h)}: ${h.name}${versions} ${verdict}${h.why ? ` — ${h.why}` : ''}`;
}

/** The version to install: the newest that suits the baseline's Python, else the newest (or null). */
export function suitedVersion(h: Pick<MirrorHit, 'versions' | 'forPython'>): string | null {
  return h.forPython?.newest ?? h.versions[h.versions.length - 1] ?? null;
}

/** The install command for one hit: its newest version that suits the baseline's Python. */
export function installCommand(h: MirrorHit): string {
  const v = suitedVersion(h) ?? '';
  return h.kind === 'conda'
    ? `conda install -c ${h.source} ${h.name}${v ? `=${v}` : ''}`
    : `pip install --index-url ${h.source} ${h.name}${v ? `==${v}` : ''}`;
}

/** A warning for an action whose package has no version for the baseline's Python. */
function unsuited(h: MirrorHit): string {
  const fit = h.forPython;
  return fit && fit.newest === null
    ? ` (but no version suits Python ${fit.python}${fit.newestNeeds ? `: it needs ${fit.newestNeeds}` : ''})`
    : '';
}

/** Decides mirror vs missing from judged hits. */
export function mirrorOutcome(input: MirrorOutcomeInput): MirrorOutcome {
  const { module, hits, baselineName: bname, guardNote } = input;
  const providers = hits.filter((h) => h.provides !== false);
  const decoys = hits.filter((h) => h.provides === false);
  const decoyNote = decoys.length
    ? ` Not providers: ${decoys.map((d) => `${d.label} \`${d.name}\` (${d.why ?? 'no evidence'})`).join('; ')}.`
    : '';
  if (providers.length) {
    const h = providers[0];
    const stale = h.cachedAgeMs !== undefined ? ` (from the cache, ${formatAge(h.cachedAgeMs)} old)` : '';
    const sure = providers.filter((p) => p.provides === true);
    const where = providers.map(describeHit).join('; ');
    if (sure.length)
      return {
        kind: 'mirror',
        explanation: `'${module}' is not in ${bname}; the mirror has it: ${where}${stale}.${decoyNote}${guardNote}`,
        action: `Install it from the mirror: ${installCommand(sure[0])}${unsuited(sure[0])}`,
      };
    const names = [...new Set(providers.map((p) => `${p.label} ${p.name}`))].join(', ');
    return {
      kind: 'mirror',
      explanation: `'${module}' is not in ${bname}; the mirror probably has it (same name only, no metadata or table entry confirms it): ${where}${stale}.${decoyNote}${guardNote}`,
      action: `Probably: ${installCommand(h)} (candidates: ${names}; check that it provides '${module}')`,
    };
  }
  const first = input.candidates[0];
  const failed = input.mirrorFailed ? ' (some mirror sources failed; see the problems)' : '';
  const tryNames = input.nearest.length ? ` Names on the mirror to try: ${input.nearest.join(', ')}.` : '';
  return {
    kind: 'missing',
    explanation: `'${module}' is neither in ${bname} nor ${decoys.length ? 'provided by anything ' : ''}on the mirror${input.haveMirror ? '' : ' (no mirror configured)'}${failed}.${decoyNote}${tryNames}${guardNote}`,
    action: `Request ${first.pypi} (conda: ${first.conda}) from the centre${input.guardedByTry ? ', if the optional feature is needed' : ''}.`,
  };
}
