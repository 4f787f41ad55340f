/** Every real simple-index and conda-channel sample parses, with the facts it shows. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRepodata, platformSubdir } from '../../../analyzer/mirror/condaChannel';
import {
  decodeHtml,
  parseSimpleHtml,
  parseSimpleJson,
  parseSimpleRoot,
  parseSimpleProject,
} from '../../../analyzer/mirror/pypiSimple';

const dir = path.resolve(__dirname, '../../fixtures/mirror/formats');
const read = (rel: string): string => readFileSync(path.join(dir, rel), 'utf8');

describe('PEP 691 JSON', () => {
  it('project page: versions and files with yanked reasons', () => {
    const p = parseSimpleJson(read('pep691-json/simple-netcdf4.v1.json'), 'netcdf4');
    expect(p.name).toBe('netcdf4');
    // 1.7.0's only file is yanked: left out although `versions` lists it
    expect(p.versions).toEqual(['1.6.1', '1.6.2', '1.7.1']);
    expect(p.files.length).toBeGreaterThan(4);
    expect(p.files.some((f) => f.yanked !== false)).toBe(true);
  });
  it('the root list is not a project page', () => {
    expect(() => parseSimpleJson(read('pep691-json/simple-root.v1.json'), 'x')).toThrow(/no 'files' list/);
  });
  it('malformed JSON is a clear error', () => {
    expect(() => parseSimpleJson('{"files": [', 'x')).toThrow(/not valid JSON/);
  });
});

describe('PEP 503 HTML', () => {
  it('Warehouse-rendered project page: the same versions as its JSON, the yanked-only one dropped', () => {
    const p = parseSimpleHtml(
      read('pep503-html/warehouse-rendered-simple-netcdf4.html'),
      'netcdf4',
      'https://pypi.org/simple/netcdf4/',
    );
    expect(p.files.map((f) => f.filename)).toContain('netCDF4-1.6.2.tar.gz');
    const yanked = p.files.find((f) => f.filename.startsWith('netCDF4-1.7.0'));
    expect(yanked?.yanked).toBe('build metadata broken, use 1.7.1');
    expect(p.versions).toEqual(['1.6.1', '1.6.2', '1.7.1']);
    expect(p.files[0].requiresPython).toBe('>=3.6');
  });
  it('pip test pages: entities in data-requires-python, #md5 fragments, relative hrefs', () => {
    const fake = parseSimpleHtml(
      read('pep503-html/pip-tests-datarequire-fakepackage-index.html'),
      'fakepackage',
      'https://m/simple/fakepackage/',
    );
    expect(fake.versions).toEqual(['1.0.0', '2.6.0', '2.7.0', '3.3.0', '9.9.9']);
    expect(fake.files[2].requiresPython).toBe('>=2.7,<3');
    expect(fake.files[0].url).toBe('https://m/fakepackage-1.0.0.tar.gz#md5=00000000000000000000000000000000');
    const yanked = parseSimpleHtml(
      read('pep503-html/pip-tests-yanked-simple-index.html'),
      'simple',
      'https://m/a/b/c/',
    );
    expect(yanked.versions).toEqual(['1.0', '2.0']);
    expect(yanked.files[2].yanked).toBe('test reason message');
    const dinner = parseSimpleHtml(
      read('pep503-html/pip-tests-packages3-dinner-index.html'),
      'dinner',
      'https://m/dinner/',
    );
    expect(dinner.files.length).toBeGreaterThan(0);
    for (const f of [
      'pip-tests-packages3-root-index.html',
      'pip-tests-simple-simple-index.html',
      'warehouse-rendered-simple-root.html',
    ]) {
      expect(() => parseSimpleHtml(read(`pep503-html/${f}`), 'x', 'https://m/')).not.toThrow();
    }
  });
  it('decodes entities and refuses non-HTML', () => {
    expect(decodeHtml('&gt;=3.6&amp;&#60;&#x3C;&unknown;')).toBe('>=3.6&<<&unknown;');
    expect(() => parseSimpleHtml('just text, not a page', 'x', 'https://m/')).toThrow(/not HTML/);
  });
  it('chooses the parser by content type, sniffing when there is none', () => {
    const json = read('pep691-json/simple-netcdf4.v1.json');
    expect(
      parseSimpleProject(json, 'application/vnd.pypi.simple.v1+json', 'netcdf4', 'https://m/').format,
    ).toBe('json');
    expect(parseSimpleProject(json, '', 'netcdf4', 'https://m/').format).toBe('json');
    expect(
      parseSimpleProject(
        read('pep503-html/warehouse-rendered-simple-netcdf4.html'),
        'text/html',
        'netcdf4',
        'https://m/',
      ).format,
    ).toBe('html');
  });
});

describe('the root list of an index (for names to try)', () => {
  it('reads every project name from PEP 691 JSON and PEP 503 HTML, the same for the same index', () => {
    const json = parseSimpleRoot(
      read('pep691-json/simple-root.v1.json'),
      'application/vnd.pypi.simple.v1+json',
    );
    const html = parseSimpleRoot(read('pep503-html/warehouse-rendered-simple-root.html'), 'text/html');
    expect(json).toEqual(html);
    expect(json).toContain('ruamel.yaml');
    expect(json).toContain('netCDF4');
    // pip's own root page, sniffed without a content type
    expect(
      parseSimpleRoot(read('pep503-html/pip-tests-packages3-root-index.html'), '').length,
    ).toBeGreaterThan(0);
  });

  it('refuses what is not a root page, naming the problem', () => {
    expect(() => parseSimpleRoot('{"files": []}', 'application/json')).toThrow(/no 'projects' list/);
    expect(() => parseSimpleRoot('{"projects": [', 'application/json')).toThrow(/not valid JSON/);
    expect(() => parseSimpleRoot('just text', '')).toThrow(/not HTML/);
  });
});

describe('conda repodata', () => {
  it('reads packages and packages.conda', () => {
    const r = parseRepodata(read('conda_format_repo-linux-64-repodata.json'));
    expect(r.subdir).toBe('linux-64');
    expect(r.index.zlib).toEqual(['1.2.11']);
    expect(r.index['libgcc-ng']).toEqual(['8.2.0']);
    expect(r.count).toBe(3);
  });
  it('reads current_repodata (only .conda) and old snapshots without packages.conda', () => {
    expect(
      Object.keys(parseRepodata(read('conda_format_repo-linux-64-current_repodata.json')).index).length,
    ).toBeGreaterThan(0);
    const noarch = parseRepodata(read('anaconda-main-noarch-repodata-excerpt.json'));
    expect(noarch.subdir).toBe('noarch');
    expect(noarch.index.affine).toContain('2.1.0');
    const r = parseRepodata(read('anaconda-r-linux-64-repodata-excerpt.json'));
    expect(Object.keys(r.index)).toContain('rpy2');
  });
  it('rejects what is not repodata, naming the problem', () => {
    expect(() => parseRepodata(read('conda_format_repo-channeldata.json'))).toThrow(
      /none with a name and a version/,
    );
    expect(() => parseRepodata('{"packages": {"a": ')).toThrow(/not valid JSON/);
    expect(() => parseRepodata('[1,2]')).toThrow(/not a JSON object/);
  });
  it('the scanning fast path and the full parse agree, whatever the key order, escapes or nesting', () => {
    const entry = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
      build: 'py_0',
      depends: ['python >=3.9', 'name'],
      name,
      version,
      ...extra,
    });
    const variants: [string, unknown][] = [
      [
        'sorted keys',
        {
          info: { subdir: 'noarch' },
          packages: { 'a-1-0.tar.bz2': entry('a', '1'), 'a-2-0.tar.bz2': entry('a', '2') },
          'packages.conda': { 'b-3-0.conda': entry('b', '3') },
        },
      ],
      [
        'version before name',
        {
          packages: {
            x: { version: '1', build: '0', name: 'a' },
            y: { version: '2', name: 'a' },
            z: { name: 'b', version: '3' },
          },
        },
      ],
      [
        'escaped strings',
        {
          packages: { x: entry('a', '1'), y: entry('a', '2', { summary: 'say \"hi\"' }), z: entry('b', '3') },
        },
      ],
      [
        'nested objects',
        {
          packages: {
            x: entry('a', '1', { extra: { name: 'not-a-package', version: '9' } }),
            y: entry('a', '2'),
            z: entry('b', '3'),
          },
        },
      ],
      [
        'a string value "name"',
        {
          packages: {
            x: { features: 'name', name: 'a', version: '1' },
            y: entry('a', '2'),
            z: entry('b', '3'),
          },
        },
      ],
    ];
    for (const [what, data] of variants) {
      for (const text of [JSON.stringify(data), JSON.stringify(data, null, 2)]) {
        const r = parseRepodata(text);
        expect(Object.fromEntries(Object.entries(r.index).map(([k, v]) => [k, [...v].sort()])), what).toEqual(
          { a: ['1', '2'], b: ['3'] },
        );
      }
    }
    // Truncated or garbled bodies fall to the full parse and its precise error.
    const good = JSON.stringify(variants[0][1]);
    expect(() => parseRepodata(good.slice(0, -40))).toThrow(/not valid JSON/);
    expect(() => parseRepodata(`<html>${good}</html>`)).toThrow(/not valid JSON/);
  });

  it('knows the platform subdir', () => {
    expect(platformSubdir('linux', 'x64')).toBe('linux-64');
    expect(platformSubdir('linux', 'arm64')).toBe('linux-aarch64');
    expect(platformSubdir('darwin', 'arm64')).toBe('osx-arm64');
    expect(platformSubdir('win32', 'x64')).toBe('win-64');
  });
});
