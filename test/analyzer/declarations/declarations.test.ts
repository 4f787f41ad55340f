/**
 * Declared requirements read from real files in a temp project: a PEP 723 block (which wins over
 * project files), requirements*.txt + environment.yml + pyproject.toml of the nearest folder, broken
 * inputs of each kind (exact problem counts, the readable rest kept), and writing the block back
 * with every other byte unchanged.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDeclarations } from '../../../analyzer/declarations/declarations';
import { findScriptBlock, readScriptMetadata, writeScriptBlock } from '../../../analyzer/declarations/pep723';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-decl-'));
  mkdirSync(path.join(dir, '.git')); // the search stops at the repository root
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (rel: string, text: string): string => {
  const f = path.join(dir, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
};

const SCRIPT = [
  '#!/usr/bin/env python3',
  '# /// script',
  '# requires-python = ">=3.10"',
  '# dependencies = [',
  '#   "numpy>=1.24",',
  '#   "xarray[io]",',
  '#   "tomli; python_version < \'3.11\'",',
  '# ]',
  '# [tool.uv]',
  '# exclude-newer = "2024-01-01T00:00:00Z"',
  '# ///',
  'import numpy',
  '',
].join('\n');

describe('readDeclarations', () => {
  it('reads a PEP 723 block with lines, and ignores project files next to it', () => {
    write('requirements.txt', 'pandas\n');
    const script = write('analyse.py', SCRIPT);
    const d = readDeclarations(script);
    expect(d.files).toEqual([script]);
    expect(d.problems).toEqual([]);
    expect(d.requiresPython).toEqual({ specifier: '>=3.10', file: script, line: 3 });
    expect(d.requirements.map((r) => [r.normalized, r.specifier, r.line, r.marker])).toEqual(
      [
        ['numpy', '>=1.24', 5],
        ['xarray', '', 6],
        ['tomli', '', 7],
      ].map(([n, s, l]) => [n, s, l, n === 'tomli' ? "python_version < '3.11'" : null]),
    );
    expect(d.requirements[1].extras).toEqual(['io']);
  });

  it('reads every project file of the nearest folder, with lines', () => {
    write('requirements.txt', '# top\nnumpy>=1.24  # comment\n-r other.txt\nnot a requirement!!\n');
    write('requirements-dev.txt', 'pytest\n');
    write(
      'environment.yml',
      'name: x\ndependencies:\n  - python=3.11\n  - scipy>=1.10\n  - pip:\n    - Requests==2.31\n',
    );
    write(
      'pyproject.toml',
      '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "p"\nrequires-python = ">=3.9"\ndependencies = [\n  "pandas>=2",\n]\n',
    );
    const script = write('src/pkg/run.py', 'import numpy\n');
    const d = readDeclarations(script);
    expect(d.files.map((f) => path.basename(f))).toEqual([
      'environment.yml',
      'pyproject.toml',
      'requirements-dev.txt',
      'requirements.txt',
    ]);
    expect(
      d.requirements.map((r) => `${path.basename(r.file)}:${r.line} ${r.normalized}${r.specifier}`),
    ).toEqual([
      'environment.yml:4 scipy>=1.10',
      'environment.yml:6 requests==2.31',
      'pyproject.toml:8 pandas>=2',
      'requirements-dev.txt:1 pytest',
      'requirements.txt:2 numpy>=1.24',
    ]);
    // environment.yml's python pin is read first; pyproject's requires-python does not replace it
    expect(d.requiresPython?.specifier).toBe('==3.11.*');
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatchObject({ line: 4 });
  });

  it('reports broken inputs and keeps what it could read', () => {
    write('pyproject.toml', '[project\nname = ');
    write('environment.yml', 'dependencies: [unclosed\n');
    write('requirements.txt', 'numpy>=1.2\nbad spec ===\n');
    const script = write('a.py', 'import numpy\n');
    const d = readDeclarations(script);
    expect(d.requirements.map((r) => r.normalized)).toEqual(['numpy']);
    expect(d.problems).toHaveLength(3);
    expect(d.problems.map((p) => path.basename(p.file)).sort()).toEqual([
      'environment.yml',
      'pyproject.toml',
      'requirements.txt',
    ]);
  });

  it('reports a bad PEP 723 block (TOML, types, two blocks, unclosed) as one problem each', () => {
    const cases = [
      '# /// script\n# dependencies = [\n# ///\n',
      '# /// script\n# dependencies = "numpy"\n# ///\n',
      '# /// script\n# ///\n# /// script\n# ///\n',
      '# /// script\n# dependencies = []\nimport os\n',
    ];
    for (const [i, text] of cases.entries()) {
      const d = readDeclarations(write(`bad${i}.py`, text));
      expect(d.problems, text).toHaveLength(1);
      expect(d.requirements).toEqual([]);
    }
  });

  it('finds nothing for a script without declarations up to the repository root', () => {
    const d = readDeclarations(write('deep/er/x.py', 'import os\n'));
    expect(d).toEqual({ files: [], requirements: [], requiresPython: null, problems: [] });
  });
});

describe('writeScriptBlock', () => {
  it('inserts a block after the shebang and keeps every other byte', () => {
    const text = '#!/usr/bin/env python3\r\n"""Doc."""\r\nimport numpy\r\n';
    const out = writeScriptBlock(text, ['numpy>=1.26.4'], '>=3.11');
    expect(out).toBe(
      '#!/usr/bin/env python3\r\n# /// script\r\n# requires-python = ">=3.11"\r\n# dependencies = [\r\n#     "numpy>=1.26.4",\r\n# ]\r\n# ///\r\n\r\n"""Doc."""\r\nimport numpy\r\n',
    );
    expect(readScriptMetadata(out)?.dependencies.map((d) => d.text)).toEqual(['numpy>=1.26.4']);
  });

  it('replaces only requires-python and dependencies of an existing block', () => {
    const out = writeScriptBlock(SCRIPT, ['numpy>=1.26', 'xarray>=2023.6'], '>=3.11');
    const meta = readScriptMetadata(out);
    expect(meta?.dependencies.map((d) => d.text)).toEqual(['numpy>=1.26', 'xarray>=2023.6']);
    expect(meta?.requiresPython?.specifier).toBe('>=3.11');
    expect(out).toContain('# [tool.uv]\n# exclude-newer = "2024-01-01T00:00:00Z"\n# ///\nimport numpy\n');
    const span = findScriptBlock(out)!;
    const after = out
      .split('\n')
      .slice(span.endLine + 1)
      .join('\n');
    expect(after).toBe(SCRIPT.split('\n').slice(11).join('\n'));
    expect(out.startsWith('#!/usr/bin/env python3\n# /// script\n')).toBe(true);
  });
});
