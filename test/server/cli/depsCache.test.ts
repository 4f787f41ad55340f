/**
 * `pyrats deps` and `pyrats emit` with their caches, as real processes (dist/cli.js): a second run
 * prints exactly what the first printed, in every format, and emit sends the same records; --no-cache
 * writes nothing; a cache that cannot be written (a file-size limit: the kernel refuses the write
 * with EFBIG, as on a full disk) costs nothing but time and leaves no half-written file; runs at
 * the same moment leave one whole entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runBundledCli } from '../../support/bundledCli';
import { tempDirForTest } from '../../support/tempDir';

const FORMATS = ['records', 'sfood', 'json', 'dot', 'mermaid'];

/** A small project, its files a minute old (a run saves only what was not changed just before it). */
function project(): { root: string; proj: string; cacheHome: string } {
  const root = realpathSync(tempDirForTest('pyrats-deps-cache-'));
  const proj = path.join(root, 'proj');
  mkdirSync(path.join(proj, 'pkg'), { recursive: true });
  const files: Record<string, string> = {
    'main.py': 'import helper\nimport pkg.sub\nimport json\n',
    'helper.py': 'import os\nfrom pkg import sub\n',
    'pkg/__init__.py': '',
    'pkg/sub.py': 'from . import other\n',
    'pkg/other.py': 'import helper\n',
  };
  const past = new Date(Date.now() - 60_000);
  for (const [rel, text] of Object.entries(files)) {
    writeFileSync(path.join(proj, rel), text);
    utimesSync(path.join(proj, rel), past, past);
  }
  for (const d of [path.join(proj, 'pkg'), proj]) utimesSync(d, past, past);
  return { root, proj, cacheHome: path.join(root, 'cache') };
}

/** Every file below `dir` (relative), or [] when it does not exist. */
function filesBelow(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

const followEntries = (cacheHome: string) =>
  filesBelow(path.join(cacheHome, 'pyrats', 'follow')).filter((f) => f.endsWith('.json'));

/** Each closure entry with its modification time. */
const entryTimes = (cacheHome: string) =>
  followEntries(cacheHome).map((e) => [e, statSync(path.join(cacheHome, 'pyrats', 'follow', e)).mtimeMs]);

function deps(p: ReturnType<typeof project>, format: string, extra: string[] = []) {
  return runBundledCli(['deps', path.join(p.proj, 'main.py'), '--format', format, ...extra], {
    env: { XDG_CACHE_HOME: p.cacheHome },
  });
}

describe('pyrats deps / emit: the second run prints what the first printed', () => {
  it('every format, cold then warm (the entry is used, not written again), equals --no-cache', async () => {
    const p = project();
    for (const format of FORMATS) {
      const fresh = await deps(p, format, ['--no-cache']);
      expect(fresh.stderr).toBe('');
      const cold = await deps(p, format);
      const saved = entryTimes(p.cacheHome);
      expect(saved.length).toBeGreaterThan(0);
      const warm = await deps(p, format);
      expect(cold).toEqual(fresh);
      expect(warm).toEqual(fresh);
      expect(entryTimes(p.cacheHome)).toEqual(saved); // used, not written again
    }
    // sfood, json, dot and mermaid share one closure; records (notebooks read as scripts) another
    expect(followEntries(p.cacheHome)).toHaveLength(2);
  });

  it('emit sends the records deps prints, from the same entry', async () => {
    const p = project();
    const records = await deps(p, 'records');
    const entries = followEntries(p.cacheHome);
    expect(entries).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      const dry = await runBundledCli(['emit', path.join(p.proj, 'main.py'), '--dry-run'], {
        env: { XDG_CACHE_HOME: p.cacheHome },
      });
      expect(dry.code).toBe(0);
      const messages = dry.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(l.indexOf(';message=') + ';message='.length));
      expect(messages.join('\n') + '\n').toBe(records.stdout);
    }
    expect(followEntries(p.cacheHome)).toEqual(entries);
  });

  it('--no-cache writes no cache at all', async () => {
    const p = project();
    const r = await deps(p, 'records', ['--no-cache']);
    expect(r.code).toBe(0);
    expect(filesBelow(p.cacheHome)).toEqual([]);
  });
});

describe('pyrats deps: caches that cannot be written', () => {
  it('a file-size limit (EFBIG): the output is whole, no half-written cache file is left; later runs save and use it', async () => {
    const p = project();
    const fresh = await deps(p, 'json', ['--no-cache']);
    // bash: ignore SIGXFSZ so that a write beyond the limit fails with EFBIG instead of killing the process
    const limited = () =>
      spawnSync(
        'bash',
        [
          '-c',
          `trap '' XFSZ; ulimit -f 2; exec "$0" "$@"`,
          process.execPath,
          CLI,
          'deps',
          path.join(p.proj, 'main.py'),
          '--format',
          'json',
        ],
        { env: { ...process.env, XDG_CACHE_HOME: p.cacheHome }, encoding: 'utf8', maxBuffer: 1 << 26 },
      );
    const first = limited();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(fresh.stdout);
    const left = filesBelow(p.cacheHome);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // every file that is there is whole: the closure entry (larger than 2 KiB) was refused
    expect(followEntries(p.cacheHome)).toEqual([]);
    const unlimited = await deps(p, 'json');
    expect(unlimited.stdout).toBe(fresh.stdout);
    expect(followEntries(p.cacheHome)).toHaveLength(1);
    const again = limited();
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(fresh.stdout);
  });

  it('four runs at the same moment: the same output each, one whole entry afterwards', async () => {
    const p = project();
    const fresh = await deps(p, 'records', ['--no-cache']);
    const runs = await Promise.all([0, 1, 2, 3].map(() => deps(p, 'records')));
    for (const r of runs) expect(r).toEqual(fresh);
    expect(followEntries(p.cacheHome)).toHaveLength(1);
    expect(filesBelow(p.cacheHome).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const after = await deps(p, 'records');
    expect(after).toEqual(fresh);
  });
});
