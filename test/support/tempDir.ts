/**
 * Temp directories that tests create and always remove. `tempDirForTest` is for a test body or a
 * beforeEach: the directory goes when the current test finishes, whether it passed or failed.
 * Tests that share one directory across a file make it in beforeAll and remove it in afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh directory `os.tmpdir()/PREFIX…`, removed when the running test finishes. */
export function tempDirForTest(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
