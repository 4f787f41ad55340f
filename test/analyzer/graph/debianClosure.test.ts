/**
 * The compat follow loop on real closures — a stdlib-heavy script with the python3 on PATH, and a
 * script importing matplotlib.pyplot, xarray and scipy with Debian's /usr/bin/python3 — compared
 * edge for edge with an independent follow written in Python for this test (Python's own `ast`,
 * the lookup rules of SPEC section 2 with the section 8 fix for `from . import x`, the
 * python*-directory rule, packages not followed through `__init__.py`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { followDependencies } from '../../../analyzer/graph/follow';
import { toRecords } from '../../../analyzer/graph/formats';
import { PYRATS_MESSAGE_LIMIT } from '../../../analyzer/pyrats/recordMessage';

const PYTHON = '/usr/bin/python3';
const NEEDED = ['matplotlib/pyplot.py', 'xarray/__init__.py', 'scipy/__init__.py'].map((f) =>
  path.join('/usr/lib/python3/dist-packages', f),
);
const missing = !existsSync(PYTHON) ? [PYTHON] : NEEDED.filter((f) => !existsSync(f));

const ORACLE = path.resolve(__dirname, '../../support/compatFollowOracle.py');

let tmp: string | undefined;
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Our compat follow and the oracle's, as sorted `source -> dependency` lines (real paths). */
async function compare(python: string, name: string, source: string) {
  tmp ??= realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-closure-')));
  const script = path.join(tmp, name);
  writeFileSync(script, source);
  const env = await introspectInterpreter(python);
  const result = await followDependencies([script], env);
  const ours = result.edges
    .map((e) => {
      const src = result.sources.find((s) => s.from[0] === e.from[0] && s.from[1] === e.from[1])!;
      const to = path.basename(e.file) === '__init__.py' ? path.dirname(e.file) : e.file;
      return `${src.file} -> ${to}`;
    })
    .sort();
  const oracle = JSON.parse(
    execFileSync(python, [ORACLE, script], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as [string, string][];
  return { result, ours, expected: oracle.map(([a, b]) => `${a} -> ${b}`).sort() };
}

describe('compat follow of the standard library of python3 (on PATH)', () => {
  it('gives the same edges as an independent Python ast follow', async () => {
    const { ours, expected } = await compare(
      'python3',
      'stdlib.py',
      'import asyncio, unittest, email.mime.text, http.server, xml.etree.ElementTree\n' +
        'import concurrent.futures, multiprocessing.pool, logging.handlers, json.decoder\n' +
        'import ctypes.util, urllib.request, sqlite3.dbapi2, tomllib._parser, zoneinfo._common\n',
    );
    expect(ours.length).toBeGreaterThan(200);
    expect(ours).toEqual(expected);
  });
});

describe.skipIf(missing.length > 0)(
  'compat follow on Debian python3 (matplotlib.pyplot, xarray, scipy)',
  () => {
    it('gives the same edges as an independent Python ast follow, and records within the limit', async () => {
      const { result, ours, expected } = await compare(
        PYTHON,
        'analyse.py',
        'import matplotlib.pyplot as plt\nimport xarray as xr\nimport scipy\n',
      );
      // what the closure holds depends on what the machine has installed: the oracle says
      const script = path.join(tmp!, 'analyse.py');
      const dist = '/usr/lib/python3/dist-packages';
      for (const dep of ['matplotlib/pyplot.py', 'xarray', 'scipy'])
        expect(expected).toContain(`${script} -> ${path.join(dist, dep)}`);
      expect(ours).toEqual(expected);
      const { records, dropped } = toRecords(result);
      expect(dropped).toEqual([]);
      // one record per source with dependencies (more where a long one is split)
      const sources = new Set(expected.map((e) => e.slice(0, e.indexOf(' -> '))));
      expect(new Set(records.map((r) => path.join(...r.from))).size).toBe(sources.size);
      expect(records.length).toBeGreaterThanOrEqual(sources.size);
      for (const r of records) expect(r.message.length).toBeLessThan(PYRATS_MESSAGE_LIMIT);
      expect(
        records.some(
          (r) => r.from[0] === '/usr/lib/python3/dist-packages' && r.from[1] === 'matplotlib/pyplot.py',
        ),
      ).toBe(true);
    });
  },
);
