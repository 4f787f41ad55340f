/**
 * Setup file of every test file (vitest.config.ts `setupFiles`): points TMPDIR at a directory of
 * this test file's own inside the run's temp directory (globalSetup.ts), so that os.tmpdir() and
 * every process a test starts create their files there. After the file's last test and its own
 * cleanup hooks, the directory must be empty: otherwise the file fails with the leftover entries
 * named, and they are removed. Without PYRATS_TEST_TMPDIR (vitest started without our globalSetup)
 * it does nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';

const runTmp = process.env.PYRATS_TEST_TMPDIR;
if (runTmp) {
  // short names: unix socket paths made below here (syslog-ng, code-server, nvim) must stay < 108 bytes
  const testFile = expect.getState().testPath ?? 'test';
  const stem = path
    .basename(testFile)
    .replace(/\.test\.ts$/, '')
    .slice(0, 20);
  mkdirSync(runTmp, { recursive: true });
  const fileTmp = mkdtempSync(path.join(runTmp, `${stem}-`));
  process.env.TMPDIR = fileTmp;

  afterAll(() => {
    const left = readdirSync(fileTmp);
    rmSync(fileTmp, { recursive: true, force: true });
    if (left.length)
      throw new Error(
        `${path.basename(testFile)} left ${left.length} entries in its temp directory (now removed): ${left.join(', ')}`,
      );
  });
}
