/**
 * PyRats parity: every case in test/fixtures/pyrats-cases gives exactly its expected records (same
 * pairs, same message text, same order), through the API and through `pyrats deps --format records`.
 * Each case is copied to a temporary directory and run from there with the `python3` on PATH.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { followDependencies } from '../../../analyzer/graph/follow';
import { toRecordMessages, toRecords } from '../../../analyzer/graph/formats';
import { copyCase, expectedRecords, listCases, STDLIB_CASES } from '../../support/pyratsCases';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

let env: Environment;
let pyenvBuild = false;

beforeAll(async () => {
  env = await introspectInterpreter('python3', { cacheDir: false });
  pyenvBuild = env.version === '3.11.7' && !env.builtinModules.includes('math');
});

const cases = listCases();
const copies = new Map<string, { dir: string; cleanup: () => void }>();
// the CLI's caches go to a temporary directory, not the user's ~/.cache
const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'pyrats-parity-cache-'));
afterAll(() => {
  for (const c of copies.values()) c.cleanup();
  rmSync(cacheHome, { recursive: true, force: true });
});

function copied(name: string): string {
  let c = copies.get(name);
  if (!c) {
    c = copyCase(name);
    copies.set(name, c);
  }
  return c.dir;
}

describe('PyRats parity cases (API)', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async (ctx) => {
      if (STDLIB_CASES.has(c.name) && !pyenvBuild) {
        ctx.skip(`needs the pyenv CPython 3.11.7 build as python3 (found ${env.executable} ${env.version})`);
      }
      const dir = copied(c.name);
      const result = await followDependencies([path.join(dir, c.script)], env);
      const ours = toRecords(result).records;
      const expected = expectedRecords(c.name, dir, env.prefix);
      expect(ours).toEqual(expected);
      expect(toRecordMessages(result)).toEqual(expected.map((r) => r.message));
    });
  }
});

describe.skipIf(!existsSync(cli))('PyRats parity cases (pyrats deps --format records)', () => {
  for (const c of cases) {
    it(`${c.name}`, (ctx) => {
      if (STDLIB_CASES.has(c.name) && !pyenvBuild) {
        ctx.skip(`needs the pyenv CPython 3.11.7 build as python3 (found ${env.executable} ${env.version})`);
      }
      const dir = copied(c.name);
      const out = execFileSync(process.execPath, [cli, 'deps', c.script, '--format', 'records'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, XDG_CACHE_HOME: cacheHome },
      });
      const lines = out === '' ? [] : out.replace(/\n$/, '').split('\n');
      expect(lines).toEqual(expectedRecords(c.name, dir, env.prefix).map((r) => r.message));
    });
  }
});
