/**
 * `file:` baselines in encodings and shapes a user really hands over (fixtures in
 * test/fixtures/baseline/bad-files, see its README): a UTF-16 `pip freeze` from Windows
 * PowerShell, JSON with a UTF-8 BOM, a binary file given as the baseline or included with `-r`, JSON
 * cut short or of an unknown shape.
 * Each is read as what it is or refused with a clear reason; none silently becomes an empty baseline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { decodeDescriptionFile, readRequirementsFile } from '../../../analyzer/baseline/requirementsFile';

const fixtures = path.resolve(__dirname, '../../fixtures/baseline/bad-files');
const f = (name: string): string => path.join(fixtures, name);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-baseline-bad-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('file: baselines in other encodings', () => {
  it('a UTF-16LE pip freeze (PowerShell) gives its six pins, not zero', async () => {
    const b = await loadBaseline(`file:${f('pip-freeze-powershell-utf16le.txt')}`);
    expect(b.kind).toBe('requirements');
    expect(b.problems).toEqual([]);
    expect(b.entries.map((e) => `${e.name}==${e.version}`)).toEqual([
      'certifi==2024.2.2',
      'charset-normalizer==3.3.2',
      'idna==3.6',
      'numpy==1.26.4',
      'requests==2.31.0',
      'urllib3==2.2.1',
    ]);
  });

  it('the same pins in UTF-16BE with its BOM', async () => {
    const le = readFileSync(f('pip-freeze-powershell-utf16le.txt')).subarray(2);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    const file = path.join(tmp, 'freeze-utf16be.txt');
    writeFileSync(file, be);
    const b = await loadBaseline(`file:${file}`);
    expect(b.entries).toHaveLength(6);
    expect(new BaselineLookup(b).get('numpy')?.version).toBe('1.26.4');
  });

  it('pip list JSON with a UTF-8 BOM is detected and read as pip-list', async () => {
    const b = await loadBaseline(`file:${f('pip-list-json-utf8-bom.json')}`);
    expect(b.kind).toBe('pip-list');
    expect(new BaselineLookup(b).get('pyyaml')).toMatchObject({ name: 'PyYAML', version: '6.0.1' });
  });
});

describe('binary files', () => {
  it('a binary file given as the baseline is refused, naming the file and the first NUL byte', async () => {
    const pyc = f('compiled.pyc');
    const nul = readFileSync(pyc).indexOf(0);
    await expect(loadBaseline(`file:${pyc}`)).rejects.toThrow(
      `baseline file ${pyc}: a binary file (NUL byte at offset ${nul}), not a text file`,
    );
  });

  it('a binary file included with -r is one problem; the including file still counts', () => {
    const r = readRequirementsFile(f('includes-binary.txt'));
    expect(r.entries.map((e) => e.name)).toEqual(['scipy']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].source).toBe(f('compiled.pyc'));
    expect(r.problems[0].message).toMatch(
      /^cannot read requirements file \(included from .*includes-binary\.txt:2\): a binary file \(NUL byte at offset \d+\)/,
    );
  });

  it('a line that is not a requirement is quoted short and without control characters', () => {
    const file = path.join(tmp, 'garbage.txt');
    writeFileSync(file, `\u001b[31m@${'x'.repeat(300)}\n`);
    const r = readRequirementsFile(file);
    expect(r.problems).toHaveLength(1);
    const quoted = r.problems[0].message.split(': ').slice(1).join(': ');
    expect(quoted).toBe(`?[31m@${'x'.repeat(74)}…`); // 80 characters and an ellipsis
  });

  it('decodeDescriptionFile: UTF-8 with and without BOM; a NUL inside UTF-16 text is binary too', () => {
    expect(decodeDescriptionFile(Buffer.from('\ufeffa==1\n'))).toBe('a==1\n');
    expect(decodeDescriptionFile(Buffer.from('a==1\n'))).toBe('a==1\n');
    const utf16WithNul = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\u0000b', 'utf16le')]);
    expect(() => decodeDescriptionFile(utf16WithNul)).toThrow(
      /binary file \(NUL character at UTF-16 offset 1\)/,
    );
  });
});

describe('JSON that is no known baseline format', () => {
  it('JSON cut short is "not valid JSON", not a requirements file of 0 distributions', async () => {
    const file = f('pip-list-json-truncated.json');
    await expect(loadBaseline(`file:${file}`)).rejects.toThrow(`baseline file ${file}: not valid JSON (`);
  });

  it('an object of another shape (pip inspect) says which shapes are known', async () => {
    const file = f('pip-inspect.json');
    await expect(loadBaseline(`file:${file}`)).rejects.toThrow(
      `baseline file ${file}: JSON of an unknown shape (expected pip list --format=json, conda list --json`,
    );
  });

  it('a list of non-objects is a pip list with a problem per entry, not a TypeError', async () => {
    const file = path.join(tmp, 'numbers.json');
    writeFileSync(file, '[1, 2]');
    const b = await loadBaseline(`file:${file}`);
    expect(b.kind).toBe('pip-list');
    expect(b.problems.map((p) => p.message)).toEqual([
      'entry 0 has no name/version',
      'entry 1 has no name/version',
    ]);
  });
});

describe('files that cannot be read as their format at all', () => {
  it('an environment.yml indented with tabs is an error (was: 0 distributions, so every import "missing")', async () => {
    const file = f('environment-tabs.yml');
    await expect(loadBaseline(`file:${file}`)).rejects.toThrow(`baseline file ${file}: not valid YAML: `);
  });

  it('YAML or JSON without the package list its format needs is an error naming what is missing', async () => {
    const cases: [string, string, string][] = [
      ['env.yml', 'name: x\ndependencies: 5\n', "not a conda environment file: no 'dependencies:' list"],
      ['spack.yaml', 'spack:\n  specs: 7\n', "not a Spack environment: no 'spack: specs:' list"],
      [
        'spack.lock',
        '{"_meta": {"file-type": "spack-lockfile"}, "roots": []}',
        "not a Spack lockfile: no 'concrete_specs'",
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(tmp, name);
      writeFileSync(file, text);
      await expect(loadBaseline(`file:${file}`)).rejects.toThrow(`baseline file ${file}: ${message}`);
    }
  });
});
