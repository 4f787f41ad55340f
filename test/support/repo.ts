/**
 * The repository root for tests, test helpers and the bench bundle: the nearest folder above this
 * module (or the bundle in dist/) whose package.json is ours.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

function findRepo(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'pyrats-lens') return dir;
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}

export const REPO = findRepo(__dirname);
