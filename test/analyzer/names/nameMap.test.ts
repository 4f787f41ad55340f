/** Import name ↔ distribution: environment metadata first, then the cited table, then normalisation. */
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { knownImports, condaByPypi } from '../../../analyzer/names/knownNames';
import {
  condaNameFor,
  NameMap,
  normalizeName,
  pypiNameForConda,
  pypiNameForSpack,
} from '../../../analyzer/names/nameMap';

const env = {
  distributions: [
    {
      name: 'PyYAML',
      version: '6.0',
      location: '/usr/lib/python3/dist-packages',
      modules: ['_yaml', 'yaml'],
    },
    {
      name: 'matplotlib',
      version: '3.6.3',
      location: '/usr/lib/python3/dist-packages',
      modules: ['matplotlib', 'mpl_toolkits', 'pylab'],
    },
    {
      name: 'attrs',
      version: '22.2.0',
      location: '/usr/lib/python3/dist-packages',
      modules: ['attr', 'attrs'],
    },
    { name: 'my-odd-dist', version: '1.0', location: '/opt/site', modules: ['yaml'] },
  ],
} as unknown as Environment;

describe('NameMap', () => {
  const withEnv = new NameMap(env);
  const bare = new NameMap();
  it('uses the environment metadata first (every distribution that provides the name)', () => {
    expect(withEnv.candidates('yaml').map((c) => [c.pypi, c.source])).toEqual([
      ['PyYAML', 'environment'],
      ['my-odd-dist', 'environment'],
      ['yaml', 'normalised'],
    ]);
  });
  it('falls back to the table, with its citation', () => {
    const [c] = bare.candidates('sklearn.linear_model');
    expect(c).toMatchObject({
      pypi: 'scikit-learn',
      normalized: 'scikit-learn',
      source: 'table',
      cite: 'https://pypi.org/project/scikit-learn/',
    });
    expect(bare.candidates('PIL.Image')[0].pypi).toBe('Pillow');
    expect(bare.candidates('bs4')[0].pypi).toBe('beautifulsoup4');
    expect(
      bare
        .candidates('cv2')
        .map((c) => c.pypi)
        .slice(0, 2),
    ).toEqual(['opencv-python', 'opencv-python-headless']);
    expect(bare.candidates('cv2')[0].conda).toBe('opencv');
  });
  it('dotted namespace entries beat the environment and single names', () => {
    expect(withEnv.candidates('mpl_toolkits.basemap')[0].pypi).toBe('basemap');
    expect(withEnv.candidates('mpl_toolkits.mplot3d')[0].pypi).toBe('matplotlib');
    expect(bare.candidates('google.protobuf.message')[0].pypi).toBe('protobuf');
    expect(bare.candidates('ruamel.yaml')[0].pypi).toBe('ruamel.yaml');
  });
  it('normalises unknown names (PEP 503) and keeps them last', () => {
    const c = bare.candidates('Some_Package.sub');
    expect(c).toEqual([
      { pypi: 'Some_Package', normalized: 'some-package', conda: 'some-package', source: 'normalised' },
    ]);
    expect(withEnv.candidates('attr').map((x) => x.pypi)).toEqual(['attrs', 'attr']);
  });
  it('models conda and Spack names', () => {
    expect(condaNameFor('torch')).toBe('pytorch');
    expect(condaNameFor('tables')).toBe('pytables');
    expect(condaNameFor('numpy')).toBe('numpy');
    expect(pypiNameForConda('pytorch')).toBe('torch');
    expect(pypiNameForConda('py-opencv')).toBe('opencv-python');
    expect(pypiNameForConda('python-eccodes')).toBe('eccodes');
    expect(pypiNameForConda('ruamel.yaml')).toBe('ruamel-yaml');
    expect(pypiNameForSpack('py-scikit-learn')).toBe('scikit-learn');
    expect(pypiNameForSpack('hdf5')).toBeNull();
    expect(normalizeName('Foo.Bar__baz')).toBe('foo-bar-baz');
  });
});

describe('the maintained table', () => {
  it('has a few hundred entries, each with a citation, no duplicates', () => {
    expect(knownImports.length).toBeGreaterThanOrEqual(200);
    const seen = new Set<string>();
    for (const k of knownImports) {
      expect(k.cite, k.module).toMatch(/^https:\/\//);
      expect(k.pypi.length, k.module).toBeGreaterThan(0);
      expect(seen.has(k.module), `duplicate ${k.module}`).toBe(false);
      seen.add(k.module);
    }
  });
  it('lists only mismatches (or conda differences, or dotted namespace portions)', () => {
    for (const k of knownImports) {
      const differs =
        normalizeName(k.module) !== normalizeName(k.pypi[0]) ||
        k.pypi.length > 1 ||
        k.module.includes('.') ||
        (k.conda !== undefined && normalizeName(k.conda) !== normalizeName(k.pypi[0]));
      expect(differs, k.module).toBe(true);
    }
    expect(condaByPypi.get('torch')?.conda).toBe('pytorch');
  });
});
