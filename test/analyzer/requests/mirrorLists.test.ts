import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as yamlLoad } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  bandersnatchAllowlist,
  condaMirrorInclude,
  condaMirrorWhitelist,
  fromRequests,
  mergePackages,
  parseBaseList,
  renderMirrorPage,
  wgetPatterns,
} from '../../../analyzer/requests/mirrorLists';

const fixtures = path.resolve(__dirname, '../../fixtures/usage/mirror');

/** The `[section] key =` indented continuation values of an INI file, as bandersnatch reads them. */
function iniList(text: string, section: string, key: string): string[] {
  const lines = text.split('\n');
  let inSection = false;
  let inKey = false;
  const out: string[] = [];
  for (const line of lines) {
    if (/^\[.*\]$/.test(line)) {
      inSection = line === `[${section}]`;
      inKey = false;
    } else if (inSection && new RegExp(`^${key}\\s*=`).test(line)) inKey = true;
    else if (inKey && /^\s+\S/.test(line)) out.push(line.trim());
    else inKey = false;
  }
  return out;
}

describe('mirror package lists', () => {
  const base = parseBaseList('# base\nnumpy\npypi:black\nconda:r-base\ntorch\n', 'base.txt');
  const merged = mergePackages(base, fromRequests(['PyYAML', 'numpy', 'scikit-learn']));

  it('merges the base list and approved requests per ecosystem', () => {
    expect(merged.pypi).toEqual(['black', 'numpy', 'PyYAML', 'scikit-learn', 'torch']);
    expect(merged.conda).toContain('pytorch');
    expect(merged.conda).toContain('r-base');
    expect(merged.conda).not.toContain('black');
    expect(() => parseBaseList('ok\nnot ok\n', 'base.txt')).toThrow(/base.txt:2:/);
    // every bad line at once, with the name to write instead of a requirement specifier
    const file = path.resolve(__dirname, '../../fixtures/mirror/lists/base-with-specifiers.list');
    expect(() => parseBaseList(readFileSync(file, 'utf8'), 'base.list')).toThrow(
      [
        '3 bad lines in the base list, nothing written:',
        "base.list:3: 'black>=25.1.0' is not a package name (NAME, pypi:NAME or conda:NAME): versions, extras and markers are not taken (all versions are mirrored), write black",
        "base.list:4: 'pypi:requests[socks]' is not a package name (NAME, pypi:NAME or conda:NAME): versions, extras and markers are not taken (all versions are mirrored), write pypi:requests",
        `base.list:6: 'netCDF4 ; python_version>"3.8"' is not a package name (NAME, pypi:NAME or conda:NAME): versions, extras and markers are not taken (all versions are mirrored), write netCDF4`,
      ].join('\n'),
    );
  });

  it('bandersnatch: the [allowlist] packages = section reads like the real CI config', () => {
    const text = bandersnatchAllowlist(merged.pypi, 'now');
    const real = readFileSync(path.join(fixtures, 'bandersnatch-ci-allowlist.conf'), 'utf8');
    expect(iniList(real, 'allowlist', 'packages')).toEqual(['ACMPlus', 'black>=25.1.0', 'pyaib']); // the reader works
    expect(iniList(text, 'allowlist', 'packages')).toEqual(merged.pypi);
    expect(iniList(text, 'plugins', 'enabled')).toEqual(['allowlist_project']);
  });

  it('conda-mirror: include YAML with the keys of the incubator sample; vericast whitelist', () => {
    const inc = yamlLoad(
      condaMirrorInclude(
        merged.conda,
        { source: 'conda-forge', destination: './m', subdirs: ['linux-64', 'noarch'] },
        'now',
      ),
    ) as Record<string, unknown>;
    const real = yamlLoad(
      readFileSync(path.join(fixtures, 'conda-mirror-incubator-include.yml'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(inc).sort()).toEqual(Object.keys(real).sort());
    expect(inc.include).toEqual(merged.conda);
    const wl = yamlLoad(condaMirrorWhitelist(merged.conda, 'now')) as Record<string, unknown>;
    const vericast = yamlLoad(
      readFileSync(path.join(fixtures, 'conda-mirror-vericast-example-conf.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(wl).sort()).toEqual(Object.keys(vericast).sort());
    expect(wl.blacklist).toEqual([{ name: '*' }]);
    expect(wl.whitelist).toEqual(merged.conda.map((name) => ({ name })));
  });

  it('wget: one name-* line per package', () => {
    expect(wgetPatterns(['numpy', 'PyYAML'])).toBe('numpy-*\nPyYAML-*\n');
  });

  it('mirror page: installers, what they do, opt-out, pip.conf and .condarc; escapes names', () => {
    const html = renderMirrorPage({
      title: 'NOAA <mirror>',
      pypiUrl: 'https://mirror.example.org/pypi/simple',
      condaUrl: 'https://mirror.example.org/conda/conda-forge',
      installers: [
        { name: 'Miniforge3-24.1.0-Linux-x86_64.sh', href: 'i/a', size: 1, modified: new Date('2026-01-01') },
        {
          name: 'Miniforge3-24.3.0-Linux-x86_64.sh',
          href: 'i/b',
          size: 90e6,
          modified: new Date('2026-06-01'),
        },
      ],
      logHost: 'loghost:515',
      pypi: ['numpy'],
      conda: ['<script>'],
      generated: 'now',
    });
    expect(html).toContain('Miniforge3-24.3.0-Linux-x86_64.sh');
    expect(html).not.toContain('Miniforge3-24.1.0'); // only the latest of a family
    expect(html).toContain('PYRATS_DISABLE=1');
    expect(html).toContain('~/.pip/pip.conf');
    expect(html).toContain('index-url = https://mirror.example.org/pypi/simple');
    expect(html).toContain('~/.condarc');
    expect(html).toContain('sitecustomize.py');
    expect(html).toContain('NOAA &lt;mirror&gt;');
    expect(html).not.toContain('<script>');
  });

  it('mirror page: the latest installer is the highest version, whatever the file dates', () => {
    const installer = (name: string, modified: string) => ({
      name,
      href: `installers/${name}`,
      size: 1,
      modified: new Date(modified),
    });
    const html = renderMirrorPage({
      title: 'mirror',
      pypiUrl: 'https://mirror.example.org/pypi/simple',
      condaUrl: 'https://mirror.example.org/conda/conda-forge',
      installers: [
        // 24.3.0 restored from a backup after 24.11.0 was downloaded: its file is the newer one
        installer('Miniforge3-24.11.0-0-Linux-x86_64.sh', '2026-03-01'),
        installer('Miniforge3-24.3.0-0-Linux-x86_64.sh', '2026-05-01'),
        installer('Anaconda3-2024.06-1-Linux-x86_64.sh', '2026-05-01'),
        installer('Anaconda3-2024.10-1-Linux-x86_64.sh', '2026-05-01'),
      ],
      logHost: 'loghost:515',
      pypi: [],
      conda: [],
      generated: 'now',
    });
    expect(html).toContain('Miniforge3-24.11.0-0-Linux-x86_64.sh');
    expect(html).not.toContain('Miniforge3-24.3.0');
    expect(html).toContain('Anaconda3-2024.10-1-Linux-x86_64.sh');
    expect(html).not.toContain('Anaconda3-2024.06');
  });
});
