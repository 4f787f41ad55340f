/**
 * The notebook reader's pieces on exact inputs: IPython syntax masked line by line (magics, shell,
 * help, assignments, continuation lines, triple-quoted strings left alone), cell magics, install and
 * `%run` collection; the JSON reader stepping over outputs (escaped quotes, `"outputs"` inside text,
 * nesting) without changing anything else; nbformat errors.
 */
import { describe, expect, it } from 'vitest';
import { maskIPythonCell } from '../../../analyzer/notebook/ipythonSyntax';
import { notebookFromJson } from '../../../analyzer/notebook/notebookCells';
import { parseNotebookJson, withoutOutputs } from '../../../analyzer/notebook/notebookJson';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('maskIPythonCell', () => {
  it('masks magics, shell, help and assigned commands; keeps every other line and the line count', () => {
    const src = [
      '%matplotlib inline',
      'import numpy as np',
      '  !ls -l',
      'files = !ls *.nc',
      'a, b = %who_ls',
      'np.mean?',
      '??np',
      'if True:',
      '    %time x = 1',
      'y = 1  # really?',
      'z = "a?"',
    ].join('\n');
    expect(maskIPythonCell(src).code!.split('\n')).toEqual([
      'pass',
      'import numpy as np',
      '  pass',
      'pass',
      'pass',
      'pass',
      'pass',
      'if True:',
      '    pass',
      'y = 1  # really?',
      'z = "a?"',
    ]);
  });

  it('leaves lines inside triple-quoted strings alone', () => {
    const src = 'doc = """\n%not a magic\n!nor shell\n"""\n%load_ext autoreload';
    expect(maskIPythonCell(src).code).toBe('doc = """\n%not a magic\n!nor shell\n"""\npass');
  });

  it('skips cell magics, except the bodies IPython runs as Python', () => {
    expect(maskIPythonCell('%%bash\nimport os')).toMatchObject({ code: null, skippedMagic: '%%bash' });
    expect(maskIPythonCell('%%writefile x.py\nimport os').skippedMagic).toBe('%%writefile');
    expect(maskIPythonCell('%%timeit -n 3\nimport os').code).toBe('\nimport os');
    expect(maskIPythonCell('%%capture out\nimport os').code).toBe('\nimport os');
  });

  it('collects installs (pip, python -m pip, conda; options and paths skipped) and %run targets', () => {
    const src = [
      '%pip install -q "scikit-learn>=1.4" pandas[excel]==2.1 -r reqs.txt ./local_pkg',
      '!{sys.executable} -m pip install --index-url https://x.invalid/simple \\',
      '    xarray  \\',
      '    netCDF4',
      '%conda install -c conda-forge cartopy=0.22',
      '!pip3 install git+https://github.com/x/y.git',
      '%run -i "helpers dir/prep.py"',
      'import os',
    ].join('\n');
    const m = maskIPythonCell(src);
    expect(m.installs.map((i) => [i.name, i.specifier, i.line, i.via])).toEqual([
      ['scikit-learn', '>=1.4', 0, 'pip'],
      ['pandas', '[excel]==2.1', 0, 'pip'],
      ['xarray', '', 1, 'pip'],
      ['netCDF4', '', 1, 'pip'],
      ['cartopy', '=0.22', 4, 'conda'],
    ]);
    expect(m.installs[2].text).toBe(
      '!{sys.executable} -m pip install --index-url https://x.invalid/simple xarray netCDF4',
    );
    expect(m.runs).toEqual([{ target: 'helpers dir/prep.py', line: 6 }]);
    expect(m.code!.split('\n')).toHaveLength(8);
    expect(m.code!.split('\n')[7]).toBe('import os');
  });
});

describe('notebook JSON without outputs', () => {
  it('replaces outputs and attachments values only, whatever they hold', () => {
    const nb =
      '{"cells": [{"cell_type": "code", "source": "print(\\"\\\\\\"outputs\\": 1\\")", "outputs" : [{"text": "]}\\"[{", "data": {"image/png": "AAAA"}}],' +
      ' "attachments": {"a.png": {"image/png": "QUJD"}}, "metadata": {"outputs": 3}}], "nbformat": 4}';
    const parsed = JSON.parse(new TextDecoder().decode(withoutOutputs(bytes(nb))));
    const full = JSON.parse(nb);
    expect(parsed.cells[0].source).toBe(full.cells[0].source);
    expect(parsed.cells[0].outputs).toEqual([]);
    expect(parsed.cells[0].attachments).toEqual({});
    expect(parsed.cells[0].metadata).toEqual({ outputs: [] });
    expect(parsed.nbformat).toBe(4);
  });

  it('says what is wrong with a file that is not a notebook', () => {
    expect(() => parseNotebookJson(bytes('{"cells": [1, 2'))).toThrow(
      /^not a Jupyter notebook: invalid JSON \(/,
    );
    expect(() => parseNotebookJson(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow('the file is not UTF-8 text');
    expect(() => notebookFromJson([])).toThrow('not a Jupyter notebook: no nbformat field');
    expect(() => notebookFromJson({ nbformat: 5, cells: [] })).toThrow(
      /unsupported notebook format: nbformat 5/,
    );
    expect(() => notebookFromJson({ nbformat: 4, cells: [{ source: 'x' }] })).toThrow(
      'cell 1 has no cell_type',
    );
  });

  it('reads kernel language, cell ids and counts; nbformat 3 cells across worksheets', () => {
    const v4 = notebookFromJson({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { language_info: { name: 'Python' } },
      cells: [
        { cell_type: 'markdown', id: 'm', source: ['a\n', 'b'] },
        { cell_type: 'code', id: 'c', execution_count: 3, source: 'import os' },
      ],
    });
    expect(v4).toEqual({
      nbformat: '4.5',
      language: 'python',
      cells: [
        { index: 0, type: 'markdown', id: 'm', source: 'a\nb', executionCount: null },
        { index: 1, type: 'code', id: 'c', source: 'import os', executionCount: 3 },
      ],
    });
    const v3 = notebookFromJson({
      nbformat: 3,
      worksheets: [
        { cells: [{ cell_type: 'heading', source: 'T' }] },
        { cells: [{ cell_type: 'code', language: 'python', input: ['import os'], prompt_number: 1 }] },
      ],
    });
    expect(v3.cells.map((c) => [c.index, c.type, c.source, c.language])).toEqual([
      [0, 'heading', 'T', undefined],
      [1, 'code', 'import os', 'python'],
    ]);
  });
});
