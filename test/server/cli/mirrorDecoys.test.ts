/**
 * Same-named decoys on the mirror (issue 15): conda-forge `yaml` (libyaml, no python dependency)
 * beside `pyyaml`, `attr` beside `attrs`, `eccodes` beside `python-eccodes`, PyPI `sklearn` (the
 * placeholder) beside `scikit-learn`, `serial` beside `pyserial`, `jwt` beside `pyjwt`, and
 * `mpl_toolkits.basemap` beside `matplotlib`. `pyrats mirror NAME --format json` and `pyrats check`
 * must name the right package where both are there, and never the decoy where only it is.
 * Real HTTP mirror from 127.0.0.1 (test/fixtures/mirror-decoys), /usr/bin/python3 for the stdlib.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../server/cli/commands/check';
import { mirrorCommand } from '../../../server/cli/commands/mirror';
import { captureCli } from '../../support/cliCapture';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

const skip = existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3';
let server: MirrorServer;
let dir: string;
beforeAll(async () => {
  server = await startMirrorServer(path.resolve(__dirname, '../../fixtures/mirror-decoys'));
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-decoys-'));
  writeFileSync(path.join(dir, 'requirements.txt'), 'requests==2.31.0\n');
  writeFileSync(
    path.join(dir, 'script.py'),
    [
      'import yaml',
      'import sklearn',
      'import serial',
      'import jwt',
      'import attr',
      'import eccodes',
      'import mpl_toolkits.basemap',
      'import dask_jobqueue',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mirrorArgs = (tree: string): string[] => [
  '--mirror',
  `conda:${server.url}/ok/${tree}/conda/conda-forge`,
  '--mirror',
  `pypi:${server.url}/ok/${tree}/simple`,
  '--subdir',
  'linux-64',
  '--subdir',
  'noarch',
  '--cache-dir',
  path.join(dir, `cache-${tree}`),
];

interface Hit {
  kind: string;
  name: string;
  provides: boolean | 'probably';
  why: string;
}

async function lookup(tree: string, name: string): Promise<{ code: number; hits: Hit[] }> {
  const r = await captureCli((io) => mirrorCommand.run([name, ...mirrorArgs(tree), '--format', 'json'], io));
  const json = JSON.parse(r.out) as { lookups: { hits: Hit[] }[] };
  return { code: r.code, hits: json.lookups[0].hits };
}

const summary = (hits: Hit[]): string[] => hits.map((h) => `${h.kind} ${h.name} ${String(h.provides)}`);

interface JsonVerdict {
  module: string;
  kind: string;
  action: string;
  explanation: string;
  mirror: Hit[];
}

async function check(tree: string, script = 'script.py'): Promise<Map<string, JsonVerdict>> {
  const r = await captureCli((io) =>
    checkCommand.run(
      [
        path.join(dir, script),
        '--baseline',
        `file:${path.join(dir, 'requirements.txt')}`,
        '--python',
        '/usr/bin/python3',
        ...mirrorArgs(tree),
        '--format',
        'json',
      ],
      io,
    ),
  );
  const json = JSON.parse(r.out) as { files: { verdicts: JsonVerdict[] }[] };
  return new Map(json.files[0].verdicts.map((v) => [v.module, v]));
}

describe.skipIf(skip !== null)(`decoys on the mirror${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('pyrats mirror NAME --format json: the right package provides it, the decoy does not', async () => {
    const yaml = await lookup('both', 'yaml');
    expect(yaml.code).toBe(0);
    expect(summary(yaml.hits)).toEqual(['conda pyyaml true', 'pypi pyyaml true', 'conda yaml false']);
    expect(yaml.hits[2].why).toMatch(
      /^conda-forge mapping: ships no Python distribution; `yaml` comes from PyYAML/,
    );
    const sklearn = await lookup('both', 'sklearn');
    expect(summary(sklearn.hits)).toEqual(['pypi scikit-learn true']);
    expect(sklearn.hits[0].why).toMatch(/^curated table: https:\/\/pypi\.org\/project\/scikit-learn\//);
    const eccodes = await lookup('both', 'eccodes');
    expect(summary(eccodes.hits)).toEqual(['conda python-eccodes true', 'conda eccodes false']);
  });

  it('pyrats mirror NAME on a mirror with only the decoy: nothing provides it, exit 1', async () => {
    const yaml = await lookup('decoy-only', 'yaml');
    expect(yaml.code).toBe(1);
    expect(summary(yaml.hits)).toEqual(['conda yaml false']);
    const sklearn = await lookup('decoy-only', 'sklearn');
    expect(sklearn.code).toBe(1);
    expect(summary(sklearn.hits)).toEqual(['pypi sklearn false']);
    expect(sklearn.hits[0].why).toBe(
      'PyPI `sklearn` is a deprecated placeholder that refuses to install; scikit-learn is meant',
    );
    const basemap = await lookup('decoy-only', 'mpl_toolkits.basemap');
    expect(basemap.code).toBe(1);
    expect(basemap.hits).toEqual([]); // matplotlib is on the mirror, but it is not basemap
  });

  it('pyrats check names the right package in each action when both are on the mirror', async () => {
    const v = await check('both');
    const actions = Object.fromEntries([...v].map(([m, x]) => [m, `${x.kind}: ${x.action}`]));
    const conda = `${server.url}/ok/both/conda/conda-forge`;
    const pypi = `${server.url}/ok/both/simple`;
    expect(actions).toEqual({
      yaml: `mirror: Install it from the mirror: conda install -c ${conda} pyyaml=6.0.1`,
      sklearn: `mirror: Install it from the mirror: pip install --index-url ${pypi} scikit-learn==1.4.0`,
      serial: `mirror: Install it from the mirror: pip install --index-url ${pypi} pyserial==3.5`,
      jwt: `mirror: Install it from the mirror: pip install --index-url ${pypi} pyjwt==2.8.0`,
      attr: `mirror: Install it from the mirror: conda install -c ${conda} attrs=23.2.0`,
      eccodes: `mirror: Install it from the mirror: conda install -c ${conda} python-eccodes=1.6.1`,
      'mpl_toolkits.basemap': `mirror: Install it from the mirror: conda install -c ${conda} basemap=1.4.0`,
      // conda-forge's mapping: dask-jobqueue ships the distribution named as the import
      dask_jobqueue: `mirror: Install it from the mirror: conda install -c ${conda} dask-jobqueue=0.8.5`,
    });
    expect(summary(v.get('yaml')!.mirror)).toEqual([
      'conda pyyaml true',
      'pypi pyyaml true',
      'conda yaml false',
    ]);
    expect(v.get('yaml')!.explanation).toContain('Not providers: conda-forge `yaml` (conda-forge mapping');
  });

  it('pyrats check on a mirror with only the decoys: each is missing, the decoy shown as not the provider', async () => {
    const v = await check('decoy-only');
    const kinds = Object.fromEntries([...v].map(([m, x]) => [m, x.kind]));
    expect(kinds).toEqual({
      yaml: 'missing',
      sklearn: 'missing',
      serial: 'missing',
      jwt: 'missing',
      attr: 'missing',
      eccodes: 'missing',
      'mpl_toolkits.basemap': 'missing',
      dask_jobqueue: 'mirror',
    });
    expect(v.get('yaml')!.action).toBe('Request PyYAML (conda: pyyaml) from the centre.');
    expect(v.get('sklearn')!.action).toBe('Request scikit-learn (conda: scikit-learn) from the centre.');
    expect(v.get('mpl_toolkits.basemap')!.action).toBe('Request basemap (conda: basemap) from the centre.');
    for (const m of ['yaml', 'sklearn', 'serial', 'jwt', 'attr', 'eccodes'])
      expect(v.get(m)!.mirror.map((h) => h.provides)).toEqual([false]);
    expect(v.get('attr')!.explanation).toContain('Not providers: conda-forge `attr`');
  });

  it('pyrats check on an import nothing provides: missing, with the names closest to it on the conda channel and the PyPI index to try', async () => {
    writeFileSync(
      path.join(dir, 'typos.py'),
      'import matplotlb\nimport dask_jobqueu\nimport metpi\nimport zzzzqx\n',
    );
    const v = await check('both', 'typos.py');
    expect(Object.fromEntries([...v].map(([m, x]) => [m, x.kind]))).toEqual({
      matplotlb: 'missing',
      dask_jobqueu: 'missing',
      metpi: 'missing',
      zzzzqx: 'missing',
    });
    expect(v.get('matplotlb')!.explanation).toContain('Names on the mirror to try: matplotlib.');
    expect(v.get('dask_jobqueu')!.explanation).toContain('Names on the mirror to try: dask-jobqueue.');
    // only the PyPI index's root list has it (read now, spelled as it lists it)
    expect(v.get('metpi')!.explanation).toContain('Names on the mirror to try: MetPy.');
    // nothing near it on the mirror: no list, "missing" stands alone
    expect(v.get('zzzzqx')!.explanation).not.toContain('to try');
  });
});
