/**
 * Runs once before any test file: builds dist/ (the CLI, server, client, worker and webview
 * bundles that many tests execute). Building here, and never inside a test file, means no test
 * rebuilds a bundle while another test file is running it.
 *
 * It also gives the run a temp directory of its own: TMPDIR (and PYRATS_TEST_TMPDIR) point at a
 * fresh directory that every test process inherits; testTempDir.ts gives each test file its own
 * directory inside it and fails the file when the file leaves anything behind. At the end of the run
 * the directory must be empty (a process that wrote after its test file ended, for instance): the
 * teardown names what is left, removes it and fails the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  execFileSync(process.execPath, ['build.mjs'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
  const runTmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-test-run-'));
  process.env.TMPDIR = runTmp;
  process.env.PYRATS_TEST_TMPDIR = runTmp;
  return () => {
    const left = readdirSync(runTmp);
    rmSync(runTmp, { recursive: true, force: true });
    if (left.length)
      throw new Error(
        `the test run left ${left.length} entries in its temp directory ${runTmp} (now removed): ${left.join(', ')}`,
      );
  };
}
