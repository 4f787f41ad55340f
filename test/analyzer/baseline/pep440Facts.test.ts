/**
 * analyzer/baseline/pep440.ts against the reference implementation: test/fixtures/pep440/facts.json
 * holds what the `packaging` library decides (validity, order, specifier membership with
 * pre-releases allowed, as for an installed version) for a set of PEP 440 inputs; make_facts.py next
 * to it regenerates it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, isPep440, satisfies } from '../../../analyzer/baseline/pep440';

const facts = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../fixtures/pep440/facts.json'), 'utf8'),
) as { valid: Record<string, boolean>; ascending: string[][]; contains: [string, string, boolean][] };

describe('PEP 440 against packaging', () => {
  it('tells valid versions from invalid ones', () => {
    const wrong = Object.entries(facts.valid).filter(([v, ok]) => isPep440(v) !== ok);
    expect(wrong).toEqual([]);
  });

  it('orders versions (equal spellings compare equal)', () => {
    const wrong: string[] = [];
    facts.ascending.forEach((group, i) => {
      for (const a of group) {
        for (const b of group) if (compareVersions(a, b) !== 0) wrong.push(`${a} == ${b}`);
        const next = facts.ascending[i + 1];
        if (next && compareVersions(a, next[0]) >= 0) wrong.push(`${a} < ${next[0]}`);
      }
    });
    expect(wrong).toEqual([]);
  });

  it('decides specifier membership', () => {
    const wrong = facts.contains
      .filter(([spec, v, inside]) => satisfies(v, spec) !== inside)
      .map(([spec, v, inside]) => `${v} in '${spec}': ${inside}`);
    expect(wrong).toEqual([]);
  });
});
