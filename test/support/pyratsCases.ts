/**
 * The PyRats parity cases (test/fixtures/pyrats-cases): listing, copying a case to a temporary
 * directory (symlinks preserved, real path), and its expected records with the `$FIX`/`$PREFIX`
 * placeholders substituted and re-sorted as ../shared/pyrats/README.md explains.
 */
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { comparePairs, type RelPair } from '../../analyzer/resolve/roots';
import { joinTokens, edgeToken, type PyRatsRecord } from '../../analyzer/pyrats/recordMessage';

export const CASES_DIR = path.resolve(__dirname, '../fixtures/pyrats-cases');

/** Cases whose expectations hold only for the pyenv CPython 3.11.7 build (they reach into the stdlib). */
export const STDLIB_CASES = new Set(['11_stdlib', '22_follow_chain']);

export interface ParityCase {
  name: string;
  /** The script as typed, relative to the case directory. */
  script: string;
  description: string;
}

export function listCases(): ParityCase[] {
  return readdirSync(CASES_DIR)
    .filter((n) => statSync(path.join(CASES_DIR, n)).isDirectory())
    .sort()
    .map((name) => {
      const [first, second] = readFileSync(path.join(CASES_DIR, name, 'CASE.txt'), 'utf8').split('\n');
      return { name, script: first.replace(/^script:\s*/, '').trim(), description: (second ?? '').trim() };
    });
}

/** Copies a case into a fresh temporary directory; returns its real path and a cleanup function. */
export function copyCase(name: string): { dir: string; cleanup: () => void } {
  const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-case-')));
  const dir = path.join(tmp, name);
  cpSync(path.join(CASES_DIR, name), dir, { recursive: true, verbatimSymlinks: true });
  const makeWritable = (d: string) => {
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) makeWritable(path.join(d, e.name));
  };
  makeWritable(dir);
  return { dir, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** expected.json with placeholders substituted, records and targets re-sorted, messages rebuilt. */
export function expectedRecords(name: string, fix: string, prefix: string): PyRatsRecord[] {
  const raw = JSON.parse(readFileSync(path.join(CASES_DIR, name, 'expected.json'), 'utf8')) as {
    from: RelPair;
    deps: RelPair[];
  }[];
  const sub = (s: string) => s.replaceAll('$FIX', fix).replaceAll('$PREFIX', prefix);
  const pair = (p: RelPair): RelPair => [sub(p[0]), sub(p[1])];
  return raw
    .map((r) => {
      const from = pair(r.from);
      const deps = r.deps.map(pair).sort(comparePairs);
      return { from, deps, message: joinTokens(deps.map((d) => edgeToken(from, d))) };
    })
    .sort((a, b) => comparePairs(a.from, b.from));
}
