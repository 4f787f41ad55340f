/**
 * conda-forge's mapping is searched as text (analyzer/names/condaForgeMapping.ts), never parsed whole
 * for a few lookups: every answer must equal what the parsed JSON says, both while names are looked
 * up one by one and after enough lookups have built the whole index.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const file = path.resolve(__dirname, '../../../analyzer/names/data/conda-forge-to-pypi.json');
const text = readFileSync(file, 'utf8');
const parsed = JSON.parse(text) as Record<string, string[] | null>;

type MappingModule = typeof import('../../../analyzer/names/condaForgeMapping');
async function fresh(): Promise<MappingModule> {
  vi.resetModules();
  return import('../../../analyzer/names/condaForgeMapping');
}

describe('the conda-forge mapping searched as text', () => {
  it('is in the layout the searches expect (one line, `, ` and `: `), as the refresh script writes it', async () => {
    const { canonical } = await fresh();
    expect(canonical(parsed)).toBe(text.trimEnd());
    // another layout is rewritten into it: names lower-cased and normalised
    expect(canonical({ 'PyYAML-x': ['Ruamel.YAML', 'a_b'], yaml: null })).toBe(
      '{"pyyaml-x": ["ruamel-yaml", "a-b"], "yaml": null}',
    );
  });

  it('answers what each conda package ships exactly as the parsed JSON (every 5th, the first and the last)', async () => {
    const { condaForgeShips } = await fresh();
    const entries = Object.entries(parsed);
    const sample = entries.filter((_, i) => i % 5 === 0 || i === entries.length - 1);
    for (const [conda, dists] of sample) expect(condaForgeShips(conda), conda).toEqual(dists);
    expect(condaForgeShips('PyYAML')).toEqual(parsed.pyyaml);
    const onlyAValue = Object.values(parsed)
      .flat()
      .find((d) => d && !(d in parsed));
    expect(onlyAValue).toBeTruthy();
    expect(condaForgeShips(onlyAValue!)).toBeUndefined();
    expect(condaForgeShips('no-such-package-anywhere')).toBeUndefined();
  });

  it('finds the package shipping a distribution the same way by search and by the whole index', async () => {
    const dists = [...new Set(Object.values(parsed).flat())].filter((d): d is string => !!d).sort();
    const sample = dists.filter((_, i) => i % 97 === 0).slice(0, 150); // under the index threshold
    const bySearch = await fresh();
    const searched = sample.map((d) => bySearch.condaForgePackageFor(d));
    const byIndex = await fresh();
    for (const d of dists.slice(-400)) byIndex.condaForgePackageFor(d); // builds the whole index
    expect(sample.map((d) => byIndex.condaForgePackageFor(d))).toEqual(searched);
    expect(searched.filter((c) => c !== null).length).toBe(sample.length);
    expect(bySearch.condaForgePackageFor('PyYAML')).toBe('pyyaml');
    expect(bySearch.condaForgePackageFor('matplotlib')).toBe('matplotlib');
    expect(bySearch.condaForgePackageFor('no-such-distribution-anywhere')).toBeNull();
  });
});
