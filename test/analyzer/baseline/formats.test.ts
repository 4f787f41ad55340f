/**
 * Every real-format sample (copied from the shared formats collection into test/fixtures/baseline)
 * loads as a baseline through `file:` with its format detected, with the facts each sample shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { detectFileFormat, loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { readRequirementsFile } from '../../../analyzer/baseline/requirementsFile';
import { tempDirForTest } from '../../support/tempDir';

const formats = path.resolve(__dirname, '../../fixtures/baseline/formats');
const f = (rel: string): string => path.join(formats, rel);

async function load(rel: string) {
  const b = await loadBaseline(`file:${f(rel)}`);
  return { b, get: (name: string) => new BaselineLookup(b).get(name) };
}

describe('baseline file formats', () => {
  it('pip freeze of Debian python3: 137 pins, odd names and local versions kept', async () => {
    const { b, get } = await load('pip/pip-freeze-debian-usr-bin-python3.txt');
    expect(b.kind).toBe('requirements');
    expect(b.entries).toHaveLength(137);
    expect(b.problems).toEqual([]);
    expect(get('xarray')?.version).toBe('999');
    expect(get('dask')?.version).toBe('2022.12.1+dfsg');
    expect(get('h5py.-debian-h5py-serial')?.version).toBe('3.7.0');
    expect(get('pyyaml')?.name).toBe('PyYAML');
  });

  it('pip freeze of a venv: editable with no VCS named by its comment, VCS egg, direct URL', async () => {
    const { b, get } = await load('pip/pip-freeze-local-venv-editable-vcs-direct-url.txt');
    expect(b.entries.map((e) => e.normalized).sort()).toEqual(['jdoe-utils', 'met-tools', 'noaa-plotting']);
    expect(get('jdoe-utils')).toMatchObject({
      version: '0.3.1',
      editable: true,
      url: '/home/jdoe/work/localpkg',
    });
    expect(get('met-tools')?.url).toBe('file:///home/jdoe/work/urlpkg');
  });

  it('pip list --format=json (Debian and venv with editable_project_location)', async () => {
    const deb = await load('pip/pip-list-format-json-debian-usr-bin-python3.json');
    expect(deb.b.kind).toBe('pip-list');
    expect(deb.b.entries.length).toBe(140);
    expect(deb.get('numpy')?.version).toBe('1.24.2');
    const venv = await load('pip/pip-list-local-format-json-venv.json');
    expect(venv.get('noaa-plotting')).toMatchObject({ version: '1.2.0', editable: true });
  });

  it('pip-compile output with hashes, extras and "# via" comments', async () => {
    const { b, get } = await load('pip/requirements-pip-compile-hashes-extras-warehouse-excerpt.txt');
    expect(b.problems).toEqual([]);
    expect(b.entries.length).toBe(41);
    expect(get('alembic')?.version).toBe('1.18.5');
    expect(b.entries.every((e) => e.version)).toBe(true);
  });

  it('the constructed tricky requirements file: markers evaluated for Linux, includes reported', async () => {
    const { b, get } = await load('pip/requirements-tricky-constructed.txt');
    expect(b.indexUrls).toEqual([
      'https://pypi.example-hpc.org/simple',
      'https://download.pytorch.org/whl/cpu',
    ]);
    expect(get('pywin32')).toBeUndefined(); // sys_platform == "win32"
    expect(get('celery')?.version).toBe('5.6.3');
    expect(get('pillow')?.specifier).toBe('>=9.4,<11');
    expect(get('netcdf4')?.version).toBe('1.6.2'); // from the wheel file name
    expect(get('localpkg')?.version).toBe('0.1');
    expect(get('noaa-plotting')?.editable).toBe(true);
    expect(get('met-tools')?.editable).toBe(true);
    expect(get('private-pkg')?.url).toContain('${PYPI_TOKEN}');
    const messages = b.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(
      /requirements-base\.txt.*no such file|cannot read requirements file \(included from .*:9\): no such file/,
    );
    expect(messages).toMatch(/editable \/home\/jdoe\/src\/jdoe-utils: cannot tell its distribution name/);
  });

  it('conda environment.yml with a pip: section', async () => {
    const { b, get } = await load('conda/environment-docs-conda.yml');
    expect(b.kind).toBe('conda-environment');
    expect(b.channels).toEqual(['conda-forge']);
    expect(get('pillow')).toMatchObject({ version: '12.3.0', ecosystem: 'conda' });
    expect(get('requests')?.specifier).toBe('>=2.28.0,<3');
    expect(get('sphinxcontrib-plantuml')).toMatchObject({ version: '0.31', ecosystem: 'pypi' });
  });

  it('environment.yml whose pip: section has options, editables and -r', async () => {
    const { b, get } = await load('conda/environment-advanced-pip-template.yml');
    expect(b.indexUrls).toEqual(['https://pypi.doubanio.com/simple', 'https://pypi.python.org/simple']);
    expect(get('xmltodict')?.version).toBe('0.10.2');
    expect(get('argh')?.editable).toBe(true);
    expect(b.problems.map((p) => p.message).join('\n')).toMatch(
      /another-project-requirements\.txt|no such file/,
    );
  });

  it('conda list --explicit and --json', async () => {
    const ex = await load('conda/conda-explicit-tests.txt');
    expect(ex.b.kind).toBe('conda-explicit');
    expect(ex.get('ca-certificates')?.version).toBe('2025.2.25');
    expect(ex.b.channels).toEqual(['https://repo.anaconda.com/pkgs/main']);
    const js = await load('conda/conda-list-json-readthedocs-doc.json');
    expect(js.b.kind).toBe('conda-list');
    expect(js.b.pythonVersion).toBe('3.5.4');
    expect(js.get('asn1crypto')?.version).toBe('1.4.0');
  });

  it('Spack lockfiles v3 and v6, and spack.yaml', async () => {
    const v3 = await load('spack/v3-py-yt-ipython/spack.lock');
    expect(v3.b.kind).toBe('spack-lock');
    expect(v3.b.entries).toHaveLength(62);
    expect(v3.get('yt')).toMatchObject({ name: 'py-yt', version: '4.0.3', ecosystem: 'spack' });
    expect(v3.b.pythonVersion).toMatch(/^3\./);
    const v6 = await load('spack/v6-all-pythons/spack.lock');
    expect(v6.b.entries).toHaveLength(0);
    expect(v6.b.problems[0].message).toMatch(/8 pythons/);
    const yaml = await load('spack/v3-py-yt-ipython/spack.yaml');
    expect(yaml.b.kind).toBe('spack-yaml');
    expect(yaml.get('yt')?.version).toBe('4.0.3');
    const yaml6 = await load('spack/v6-all-pythons/spack.yaml');
    expect(yaml6.b.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
  });

  it('a Lua modulefile and saved `module help` output list the same requirements', async () => {
    const lua = await load('modules/PythonEnv-noaa/3.11.lua');
    const help = await load('lmod-output/module-help.txt');
    expect(lua.b.kind).toBe('module');
    expect(help.b.kind).toBe('module');
    expect(lua.b.entries).toHaveLength(137);
    expect(help.b.entries.map((e) => e.normalized)).toEqual(lua.b.entries.map((e) => e.normalized));
    expect(help.b.problems).toEqual([]);
    expect(lua.get('netcdf4')?.version).toBe('1.6.2');
  });

  it('detects formats from content', () => {
    expect(detectFileFormat('x.txt', '@EXPLICIT\nhttps://a/b/c-1-0.conda\n')).toBe('conda-explicit');
    expect(detectFileFormat('x', '[{"name": "a", "version": "1"}]')).toBe('pip-list');
    expect(detectFileFormat('x', '# packages in environment at /opt/conda:\n#\nnumpy 1.0 py 0\n')).toBe(
      'conda-list',
    );
    expect(detectFileFormat('x', 'Package Version\n------- -------\nnumpy   1.0\n')).toBe('pip-list');
    expect(detectFileFormat('x', '#%Module1.0\nproc ModulesHelp { } {\n puts stderr "numpy==1"\n}\n')).toBe(
      'modulefile',
    );
  });

  it('reads a Tcl modulefile ModulesHelp body, a conda list table and a pip list table', async () => {
    const dir = tempDirForTest('pyrats-fmt-');
    writeFileSync(
      path.join(dir, '3.11'),
      '#%Module1.0\nproc ModulesHelp { } {\n  puts stderr "Baseline"\n  puts stderr "numpy==1.24.2"\n  puts stderr {scipy==1.10.1}\n}\nprepend-path PATH /apps/py/bin\n',
    );
    writeFileSync(
      path.join(dir, 'conda.txt'),
      '# packages in environment at /opt/conda:\n#\n# Name    Version   Build  Channel\nnumpy     1.26.4    py311h64a7726_0  conda-forge\npytorch   2.1.0     cpu_0  conda-forge\nrich      13.7.0    pypi_0  pypi\n',
    );
    writeFileSync(
      path.join(dir, 'piplist.txt'),
      'Package    Version\n---------- -------\nnumpy      1.26.4\nPyYAML     6.0.1\n',
    );
    const tcl = new BaselineLookup(await loadBaseline(`file:${path.join(dir, '3.11')}`));
    expect(tcl.get('scipy')?.version).toBe('1.10.1');
    const conda = new BaselineLookup(await loadBaseline(`file:${path.join(dir, 'conda.txt')}`));
    expect(conda.get('torch')).toMatchObject({ name: 'pytorch', version: '2.1.0' });
    expect(conda.get('rich')?.ecosystem).toBe('pypi');
    const pip = new BaselineLookup(await loadBaseline(`file:${path.join(dir, 'piplist.txt')}`));
    expect(pip.get('pyyaml')?.version).toBe('6.0.1');
  });

  it('follows -r includes relative to the including file, expands ${VAR}, stops cycles', () => {
    const dir = tempDirForTest('pyrats-req-');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(
      path.join(dir, 'main.txt'),
      '-r sub/base.txt\n-c constraints.txt\nrequests==2.31.0\n${PKG}==1.0\n',
    );
    writeFileSync(path.join(dir, 'sub', 'base.txt'), 'numpy==1.26.4\n-r ../main.txt\n-r more.txt\n');
    writeFileSync(path.join(dir, 'sub', 'more.txt'), 'scipy>=1.10 \\\n  --hash=sha256:abc\n');
    writeFileSync(path.join(dir, 'constraints.txt'), 'urllib3<2\n');
    const r = readRequirementsFile(path.join(dir, 'main.txt'), { env: { PKG: 'xarray' } });
    expect(r.entries.map((e) => `${e.normalized} ${e.version ?? e.specifier}`)).toEqual([
      'numpy 1.26.4',
      'scipy >=1.10',
      'requests 2.31.0',
      'xarray 1.0',
    ]);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/include cycle/)]);
    expect(r.files).toHaveLength(3);
  });

  it('fails clearly for a missing file, an unknown spec and an unknown format', async () => {
    await expect(loadBaseline('file:/nonexistent/req.txt')).rejects.toThrow(/no such file/);
    await expect(loadBaseline('conda-env:foo')).rejects.toThrow(
      /expected module:NAME, file:PATH or python:PATH/,
    );
    await expect(
      loadBaseline(`file:${f('pip/pip-list-local-format-json-venv.json')}?format=wheelhouse`),
    ).rejects.toThrow(/unknown format 'wheelhouse'/);
    const dir = tempDirForTest('pyrats-bad-');
    writeFileSync(
      path.join(dir, 'spack.lock'),
      '{"_meta": {"file-type": "spack-lockfile"}, "concrete_specs": ',
    );
    await expect(loadBaseline(`file:${path.join(dir, 'spack.lock')}`)).rejects.toThrow(/not valid JSON/);
  });
});
