/**
 * Relative paths in a folder's settings are resolved against the folder, not against the server's
 * working directory (wherever the editor started it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettingPaths } from '../../../server/lsp/folderAnalyzer';
import { DEFAULT_SETTINGS } from '../../../server/lsp/settings';

const root = mkdtempSync(path.join(os.tmpdir(), 'pyrats-settings-paths-'));
writeFileSync(path.join(root, 'requirements.txt'), 'numpy==1.24.2\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const resolved = (s: Partial<typeof DEFAULT_SETTINGS>) =>
  resolveSettingPaths(root, { ...DEFAULT_SETTINGS, ...s });

describe('resolveSettingPaths', () => {
  it('resolves file:, python:, a bare baseline file, a python path and cacheDir against the folder', () => {
    expect(resolved({ baseline: 'file:requirements.txt' }).baseline).toBe(`file:${root}/requirements.txt`);
    expect(resolved({ baseline: 'file:env/lock.json?format=spack-lock' }).baseline).toBe(
      `file:${root}/env/lock.json?format=spack-lock`,
    );
    expect(resolved({ baseline: 'python:.venv/bin/python' }).baseline).toBe(
      `python:${root}/.venv/bin/python`,
    );
    expect(resolved({ baseline: 'requirements.txt' }).baseline).toBe(`${root}/requirements.txt`);
    expect(resolved({ python: './.venv/bin/python3' }).python).toBe(`${root}/.venv/bin/python3`);
    expect(resolved({ cacheDir: '.cache/pyrats' }).cacheDir).toBe(`${root}/.cache/pyrats`);
  });

  it('leaves absolute paths, module specs, bare interpreter names and empty values alone', () => {
    const same = {
      baseline: 'module:PythonEnv-noaa/3.11?use=modulefiles',
      python: 'python3',
      cacheDir: '',
      mirrors: ['file:relative/channel'],
    };
    expect(resolved(same)).toEqual({ ...DEFAULT_SETTINGS, ...same });
    expect(resolved({ baseline: 'file:/srv/req.txt' }).baseline).toBe('file:/srv/req.txt');
    // a bare name that is no file of the folder stays as written (loadBaseline says what is wrong)
    expect(resolved({ baseline: 'no-such-file.txt' }).baseline).toBe('no-such-file.txt');
  });
});
