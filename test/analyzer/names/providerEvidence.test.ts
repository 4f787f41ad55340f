/**
 * judgeProvider's evidence ladder with conda-forge's real mapping (shared data, shipped in dist/data):
 * the mapping naming the import's own distribution is evidence; a bare same-name Python package is
 * only "probably"; a package shipping no Python distribution, a namespace parent and PyPI decoys are not.
 */
import { describe, expect, it } from 'vitest';
import { condaForgeShips } from '../../../analyzer/names/condaForgeMapping';
import { judgeProvider } from '../../../analyzer/names/providerEvidence';

const conda = (name: string, pythonPackage = true) => ({ kind: 'conda' as const, name, pythonPackage });
const pypi = (name: string) => ({ kind: 'pypi' as const, name });

describe('judgeProvider', () => {
  it('conda-forge mapping shipping the distribution named as the import: provides', () => {
    expect(condaForgeShips('xarray')).toContain('xarray');
    expect(judgeProvider('xarray', conda('xarray'), [])).toEqual({
      provides: true,
      why: "conda-forge mapping: ships xarray, the import's own name",
    });
    // conda's dashes and PEP 503 normalisation: import dask_jobqueue, conda package dask-jobqueue
    expect(judgeProvider('dask_jobqueue.slurm', conda('dask-jobqueue'), []).provides).toBe(true);
  });

  it('a same-named Python package the mapping does not know: probably, saying why', () => {
    const name = 'pyrats-test-not-on-conda-forge';
    expect(condaForgeShips(name)).toBeUndefined();
    expect(judgeProvider('pyrats_test_not_on_conda_forge', conda(name), [])).toEqual({
      provides: 'probably',
      why: 'same name, a Python package (depends on python); no metadata or table entry says it provides `pyrats_test_not_on_conda_forge`',
    });
    expect(judgeProvider('pyrats_test_not_on_conda_forge', conda(name, false), []).provides).toBe(false);
  });

  it('a package shipping no Python distribution, or a namespace parent, is never the provider', () => {
    expect(condaForgeShips('yaml')).toBeNull();
    expect(judgeProvider('yaml', conda('yaml'), []).provides).toBe(false);
    // google is a namespace parent: a package named after it does not provide google.cloud.storage
    expect(judgeProvider('google.cloud.storage', conda('google'), []).provides).not.toBe(true);
  });

  it('PyPI: a same name is probably; a known decoy is not', () => {
    expect(judgeProvider('xarray', pypi('xarray'), []).provides).toBe('probably');
    expect(judgeProvider('sklearn', pypi('sklearn'), [])).toMatchObject({ provides: false });
  });
});
