/**
 * Import name → distribution accuracy on the public test set in test/fixtures/names (built by
 * make_name_set.py from installed metadata, Debian's packages of the 2,500 most-downloaded PyPI
 * projects (their dist-info top_level.txt, else their file list), conda-forge's PyPI mapping and the
 * hazard names of issue 15). NameMap is asked without an environment — the installed metadata is what the set is made
 * of, so using it would prove nothing: the table, the mapping and normalisation must get it right.
 * Required: PyPI ≥ 99 %, conda-forge ≥ 98 %, every hazard right. The misses are printed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NameMap, normalizeName } from '../../../analyzer/names/nameMap';

interface Row {
  import: string;
  pypi: string;
  conda: string[];
  source: string;
  /** The project's place among PyPI's most-downloaded (hugovk/top-pypi-packages), when it is there. */
  pypiRank?: number;
}

const set = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../fixtures/names/name-mapping-set.json'), 'utf8'),
) as { rows: Row[] };

describe('name mapping accuracy on the public test set', () => {
  it('PyPI ≥ 99 %, conda-forge ≥ 98 %, every hazard name right', () => {
    const names = new NameMap();
    const pypiMisses: string[] = [];
    const condaMisses: string[] = [];
    const withConda = set.rows.filter((r) => r.conda.length);
    for (const r of set.rows) {
      const first = names.candidates(r.import)[0];
      if (first.normalized !== normalizeName(r.pypi))
        pypiMisses.push(`${r.import}: ${first.pypi} (want ${r.pypi}) [${r.source}]`);
      if (r.conda.length && !r.conda.includes(first.conda))
        condaMisses.push(`${r.import}: ${first.conda} (want ${r.conda.join(' or ')}) [${r.source}]`);
    }
    const pypi = 1 - pypiMisses.length / set.rows.length;
    const conda = 1 - condaMisses.length / withConda.length;
    console.log(
      `name mapping: PyPI ${(pypi * 100).toFixed(1)} % of ${set.rows.length}, conda-forge ${(conda * 100).toFixed(1)} % of ${withConda.length}` +
        (pypiMisses.length ? `\n  PyPI misses:\n    ${pypiMisses.join('\n    ')}` : '') +
        (condaMisses.length ? `\n  conda misses:\n    ${condaMisses.join('\n    ')}` : ''),
    );
    const top500 = new Set(
      set.rows.filter((r) => (r.pypiRank ?? Infinity) <= 500).map((r) => normalizeName(r.pypi)),
    );
    console.log(`  ${top500.size} of the 500 most-downloaded PyPI projects (those Debian packages)`);
    expect(set.rows.length).toBeGreaterThanOrEqual(1000);
    expect(top500.size).toBeGreaterThanOrEqual(330);
    expect([...pypiMisses, ...condaMisses].filter((m) => m.includes('[hazard'))).toEqual([]);
    expect(pypi).toBeGreaterThanOrEqual(0.99);
    expect(conda).toBeGreaterThanOrEqual(0.98);
  });
});
