/**
 * What `pyrats pin` writes into a script's PEP 723 block: its third-party imports as distributions,
 * `>=` the version the chosen baseline has (imports the baseline lacks are listed without a version),
 * the entries of an existing block that no import accounts for kept as written (extras of a replaced
 * entry kept too), and `requires-python = ">=X.Y"` for the baseline's Python. Imports guarded by
 * try/except ImportError are optional and not pinned. Pure: verdicts in, strings out (pep723.ts writes).
 */
import { normalizeName } from '../baseline/pep508';
import type { Verdict } from './verdict';
import type { Declarations } from '../declarations/declarations';

export interface PinPlan {
  dependencies: string[];
  requiresPython: string | null;
}

const PINNED = new Set(['baseline', 'conflict', 'undeclared', 'mirror', 'missing']);

/** The block's new content for `verdicts` checked against a baseline with Python `pythonVersion`. */
export function planPin(verdicts: Verdict[], existing: Declarations, pythonVersion: string | null): PinPlan {
  const own = existing.requirements.filter((r) => r.kind === 'pep723');
  const byName = new Map<string, string>();
  for (const v of verdicts) {
    if (!PINNED.has(v.kind) || v.guarded === 'try' || v.site.level > 0) continue;
    const inBaseline = v.kind !== 'mirror' && v.kind !== 'missing';
    const name = inBaseline
      ? (v.distribution?.name ?? v.baseline?.name ?? v.candidates[0]?.pypi)
      : v.candidates[0]?.pypi;
    if (!name) continue;
    const key = normalizeName(name);
    if (byName.has(key)) continue;
    const version = inBaseline ? (v.distribution?.version ?? v.baseline?.version ?? null) : null;
    const extras = own.find((r) => r.normalized === key)?.extras ?? [];
    const written = extras.length ? `${name}[${extras.join(',')}]` : name;
    byName.set(key, version ? `${written}>=${version}` : written);
  }
  const kept = own.filter((r) => !byName.has(r.normalized)).map((r) => r.text);
  const mm = pythonVersion ? /^(\d+)\.(\d+)/.exec(pythonVersion) : null;
  return {
    dependencies: [...[...byName.values()].sort((a, b) => a.localeCompare(b)), ...kept],
    requiresPython: mm ? `>=${mm[1]}.${mm[2]}` : (existing.requiresPython?.specifier ?? null),
  };
}
