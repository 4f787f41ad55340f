/**
 * The Markdown of *Which Module Runs This Script?* from the JSON `pyrats check` prints for several
 * baselines, and the default glob over the configured module's versions.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultMatrixSpec,
  matrixMarkdown,
  parseMatrixJson,
  type MatrixJson,
} from '../../client/moduleMatrix';

const matrix: MatrixJson = {
  modules: ['numpy', 'xarray'],
  baselines: [
    {
      spec: 'module:PyEnv/2021.1',
      name: 'PyEnv/2021.1',
      pythonVersion: '3.11.2',
      satisfied: false,
      imports: [
        {
          module: 'numpy',
          kind: 'conflict',
          version: '1.21.6',
          optional: false,
          explanation: 'numpy 1.21.6 in the baseline; a|b.py needs >=1.24 (line 4)',
        },
        { module: 'xarray', kind: 'missing', version: null, optional: false, explanation: '' },
      ],
    },
    {
      spec: 'module:PyEnv/2023.2',
      name: 'PyEnv/2023.2',
      pythonVersion: '3.11.2',
      satisfied: true,
      imports: [
        { module: 'numpy', kind: 'baseline', version: '1.26.4', optional: false, explanation: '' },
        { module: 'xarray', kind: 'baseline', version: '2023.1.0', optional: false, explanation: '' },
      ],
    },
  ],
  recommendation: [
    { spec: 'module:PyEnv/2023.2', name: 'PyEnv/2023.2', command: 'module load PyEnv/2023.2' },
  ],
};

describe('Which Module Runs This Script? (Markdown)', () => {
  it('one row per import, one column per baseline, the conflict spelled out and the recommendation', () => {
    const md = matrixMarkdown('a.py', matrix);
    expect(md).toContain('| import | PyEnv/2021.1 | PyEnv/2023.2 |');
    expect(md).toContain('| `numpy` | conflict 1.21.6 | ✓ 1.26.4 |');
    expect(md).toContain('| `xarray` | ✗ | ✓ 2023.1.0 |');
    expect(md).toContain('| **satisfied** | no | **yes** |');
    // a | in a file name does not break the table
    expect(md).toContain('- PyEnv/2021.1: numpy 1.21.6 in the baseline; a\\|b.py needs >=1.24 (line 4)');
    expect(md).toMatch(/## Recommendation\n\n- `module load PyEnv\/2023.2`\n$/);
  });

  it('says so when no baseline satisfies the script; refuses output that is not a matrix', () => {
    const none = { ...matrix, recommendation: [] };
    expect(matrixMarkdown('a.py', none)).toContain('No baseline provides everything this script imports.');
    expect(parseMatrixJson('not json')).toBe('pyrats check did not print JSON');
    expect(parseMatrixJson('{"files":[]}')).toBe('pyrats check printed no baseline matrix');
    expect(parseMatrixJson(JSON.stringify(matrix))).toEqual(matrix);
  });

  it('proposes every version of the configured module', () => {
    expect(defaultMatrixSpec('module:PythonEnv-noaa/3.11')).toBe('module:PythonEnv-noaa/*');
    expect(defaultMatrixSpec('file:req.txt')).toBe('file:req.txt');
    expect(defaultMatrixSpec('')).toBe('');
  });
});
