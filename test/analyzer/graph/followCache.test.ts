/**
 * The follow cache on a real file system with a real interpreter's environment: a saved result is
 * used only while every directory entry, file content, link and real path it rests on is unchanged,
 * and then equals a fresh follow; every kind of change that could alter the closure makes it stale,
 * while noise (a new unrelated file in a searched directory or beside a package root candidate, a
 * file in the folder above) does not.
 * Entries that are corrupt, half-replaced, from a run that met an I/O problem or that read files
 * changed just before it are not used or not saved; the number of entries is bounded.
 */
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deferredWritesDone } from '../../../analyzer/deferredWrites';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { followDependencies, type FollowResult } from '../../../analyzer/graph/follow';
import { followWithCache, type FollowCacheOptions } from '../../../analyzer/graph/followCache';
import { toSfood } from '../../../analyzer/graph/formats';
import { tempDirForTest } from '../../support/tempDir';

let env: Environment;
beforeAll(async () => {
  env = await introspectInterpreter('python3');
});

/** Writes files (path → text; a text starting with '->' makes a symbolic link to the rest). */
function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (text.startsWith('->')) symlinkSync(text.slice(2), p);
    else writeFileSync(p, text);
  }
}

/** Sets every file and directory below `root` (and `root`) a minute into the past: no longer racy. */
function age(root: string): void {
  const past = new Date(Date.now() - 60_000);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) utimesSync(p, past, past);
    }
    utimesSync(d, past, past);
  };
  walk(root);
}

interface Fixture {
  root: string;
  tree: string;
  proj: string;
  site: string;
  cache: FollowCacheOptions;
  env: Environment;
  main: string;
}

/** A project (main.py, helper.py, pkg/) and a site directory put first on the interpreter's sys.path. */
function fixture(files: Record<string, string> = {}): Fixture {
  const root = realpathSync(tempDirForTest('pyrats-follow-cache-'));
  const tree = path.join(root, 'tree');
  const proj = path.join(tree, 'proj');
  const site = path.join(tree, 'site');
  writeTree(tree, {
    'proj/main.py': 'import helper\nimport pkg.sub\nimport sitemod\n',
    'proj/helper.py': 'import json\nimport os\n',
    'proj/pkg/__init__.py': '',
    'proj/pkg/sub.py': 'from . import other\n',
    'proj/pkg/other.py': 'import helper\n',
    'site/unrelated.py': '',
    ...files,
  });
  age(tree);
  return {
    root,
    tree,
    proj,
    site,
    cache: { dir: path.join(root, 'cache') },
    env: { ...env, sysPath: [site, ...env.sysPath] },
    main: path.join(proj, 'main.py'),
  };
}

async function run(f: Fixture, scripts = [f.main]): Promise<{ result: FollowResult; fromCache: boolean }> {
  const r = await followWithCache(scripts, f.env, {}, f.cache);
  await deferredWritesDone();
  return r;
}

function entries(f: Fixture): string[] {
  try {
    return readdirSync(path.join(f.cache.dir, 'follow')).sort();
  } catch {
    return [];
  }
}

/** The closure as snakefood lines: what changes when the result does. */
const lines = (r: FollowResult) => toSfood(r);

describe('follow cache: a saved result is used while its grounds hold', () => {
  it('the second run gets the saved result, equal to a fresh follow; entries are private files', async () => {
    const f = fixture();
    const first = await run(f);
    expect(first.fromCache).toBe(false);
    const names = entries(f);
    expect(names).toHaveLength(2);
    expect(names[0].replace(/\.json$/, '.names')).toBe(names[1]);
    for (const n of names) expect(statSync(path.join(f.cache.dir, 'follow', n)).mode & 0o777).toBe(0o600);
    const second = await run(f);
    expect(second.fromCache).toBe(true);
    expect(second.result).toEqual(first.result);
    expect(second.result).toEqual(await followDependencies([f.main], f.env));
    expect(lines(second.result)).toContain(`(('${f.proj}', 'main.py'), ('${f.proj}', 'helper.py'))`);
  });

  it('noise does not make it stale: a new unrelated file in a searched directory, a file above the project', async () => {
    const f = fixture();
    await run(f);
    const before = statSync(f.site).mtimeMs;
    writeFileSync(path.join(f.site, 'README.txt'), 'not a module\n');
    writeFileSync(path.join(f.tree, 'notes.txt'), 'x\n');
    expect(statSync(f.site).mtimeMs).not.toBe(before); // the directory did change: listed again
    const again = await run(f);
    expect(again.fromCache).toBe(true);
    expect(again.result).toEqual(await followDependencies([f.main], f.env));
  });
});

describe('follow cache: every change that can alter the closure makes the entry stale', () => {
  it('a new module in a sys.path directory that resolves an import', async () => {
    const f = fixture();
    const first = await run(f);
    expect(first.result.unresolved.map((u) => u.module)).toContain('sitemod');
    writeFileSync(path.join(f.site, 'sitemod.py'), 'import helper\n');
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(second.result.unresolved.map((u) => u.module)).not.toContain('sitemod');
    expect(lines(second.result)).toContain(`(('${f.proj}', 'main.py'), ('${f.site}', 'sitemod.py'))`);
    expect(second.result).toEqual(await followDependencies([f.main], f.env));
  });

  it('a local module that shadows a standard-library one', async () => {
    const f = fixture();
    await run(f);
    writeFileSync(path.join(f.proj, 'json.py'), '');
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(lines(second.result)).toContain(`(('${f.proj}', 'helper.py'), ('${f.proj}', 'json.py'))`);
  });

  it('an edited module (one more import)', async () => {
    const f = fixture({ 'proj/extra.py': '' });
    await run(f);
    writeFileSync(path.join(f.proj, 'helper.py'), 'import json\nimport os\nimport extra\n');
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(lines(second.result)).toContain(`(('${f.proj}', 'helper.py'), ('${f.proj}', 'extra.py'))`);
  });

  it('a symbolic link pointed elsewhere', async () => {
    const f = fixture({
      'proj/main.py': 'import linked\n',
      'proj/a.py': 'import amod\n',
      'proj/b.py': 'import bmod\n',
      'proj/amod.py': '',
      'proj/bmod.py': '',
      'proj/linked.py': '->a.py',
    });
    const first = await run(f);
    expect(lines(first.result).join('\n')).toContain('amod.py');
    rmSync(path.join(f.proj, 'linked.py'));
    symlinkSync('b.py', path.join(f.proj, 'linked.py'));
    age(f.tree); // even with every directory's mtime put back, the link's target tells
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(lines(second.result).join('\n')).toContain('bmod.py');
    expect(second.result).toEqual(await followDependencies([f.main], f.env));
  });

  it('a new file in a directory given as the script (every Python file below it is a seed)', async () => {
    const f = fixture({ 'proj/tools/a.py': 'import os\n' });
    const tools = path.join(f.proj, 'tools');
    const first = await run(f, [tools]);
    expect(first.result.sources.map((s) => s.from[1])).toEqual(['a.py']);
    writeFileSync(path.join(tools, 'b.py'), 'import helper\n');
    const second = await run(f, [tools]);
    expect(second.fromCache).toBe(false);
    expect(second.result.sources.map((s) => s.from[1]).sort()).toEqual(['a.py', 'b.py']);
  });

  it('a script given through a symbolic link to a folder, pointed at another copy of the project', async () => {
    const f = fixture({ 'copy/main.py': 'import helper\nimport pkg.sub\nimport sitemod\n' });
    const link = path.join(f.tree, 'current');
    symlinkSync('proj', link);
    age(f.tree);
    const first = await run(f, [path.join(link, 'main.py')]);
    expect(first.result.sources[0].file).toBe(f.main);
    rmSync(link);
    symlinkSync('copy', link);
    // same names, same kinds, the same files' contents: only the real path tells
    const past = new Date(Date.now() - 60_000);
    utimesSync(f.tree, past, past);
    const second = await run(f, [path.join(link, 'main.py')]);
    expect(second.fromCache).toBe(false);
    expect(second.result.sources[0].file).toBe(path.join(f.tree, 'copy', 'main.py'));
  });

  it('a new package beside a folder decides its package root; a new output file there does not', async () => {
    const f = fixture({ 'other/my.pkg/__init__.py': '', 'other/my.pkg/mod.py': 'import os\n' });
    const other = path.join(f.tree, 'other');
    const script = path.join(other, 'my.pkg', 'mod.py');
    const first = await run(f, [script]);
    // 'my.pkg' cannot be imported (a dot), so 'other' is no package root: the pair starts below it
    expect(first.result.sources[0].from).toEqual([path.join(other, 'my.pkg'), 'mod.py']);
    writeFileSync(path.join(other, 'plot.png'), '');
    expect((await run(f, [script])).fromCache).toBe(true);
    writeTree(other, { 'newpkg/__init__.py': '' });
    const second = await run(f, [script]);
    expect(second.fromCache).toBe(false);
    expect(second.result.sources[0].from).toEqual([other, 'my.pkg/mod.py']);
  });

  it('a package that became a plain directory (its __init__.py removed)', async () => {
    const f = fixture();
    await run(f);
    rmSync(path.join(f.proj, 'pkg', '__init__.py'));
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(second.result).toEqual(await followDependencies([f.main], f.env));
  });

  it('a directory that can no longer be listed, and again can', async () => {
    const f = fixture();
    const first = await run(f);
    chmodSync(f.site, 0o000);
    try {
      const second = await run(f);
      // root lists any directory: then the entry still holds, and must equal a fresh follow either way
      expect(second.result).toEqual(await followDependencies([f.main], f.env));
      if (process.getuid?.() !== 0) expect(second.fromCache).toBe(false);
    } finally {
      chmodSync(f.site, 0o755);
    }
    expect((await run(f)).result).toEqual(first.result);
  });
});

describe('follow cache: bad entries and runs that must not be saved', () => {
  it('a truncated entry counts as absent and is written again', async () => {
    const f = fixture();
    const first = await run(f);
    const entry = path.join(f.cache.dir, 'follow', entries(f)[0]);
    writeFileSync(entry, readFileSync(entry, 'utf8').slice(0, 1000));
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(second.result).toEqual(first.result);
    expect((await run(f)).fromCache).toBe(true);
  });

  it('an entry whose numbers point outside its string table (damaged, or not written by this code) is not used', async () => {
    const f = fixture();
    const first = await run(f);
    const entryFile = path.join(f.cache.dir, 'follow', entries(f)[0]);
    const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as { packed: { s: string[]; edges: number[] } };
    entry.packed.edges[4] = entry.packed.s.length + 7; // an edge's file
    writeFileSync(entryFile, JSON.stringify(entry));
    const second = await run(f);
    expect(second.fromCache).toBe(false);
    expect(second.result).toEqual(first.result);
  });

  it("another run's names file (a half-replaced entry) is not trusted when a directory must be listed again", async () => {
    const f = fixture();
    await run(f);
    const namesFile = path.join(f.cache.dir, 'follow', entries(f)[1]);
    const names = JSON.parse(readFileSync(namesFile, 'utf8')) as { run: string; asked: string[] };
    writeFileSync(namesFile, JSON.stringify({ ...names, run: 'another run' }));
    writeFileSync(path.join(f.site, 'README.txt'), '');
    expect((await run(f)).fromCache).toBe(false);
  });

  it('a run that met an I/O problem is not saved', async () => {
    const f = fixture({
      'proj/nb.ipynb': JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          { cell_type: 'code', metadata: {}, outputs: [], source: ['%run missing.py\n', 'import helper\n'] },
        ],
      }),
    });
    const r = await run(f, [path.join(f.proj, 'nb.ipynb')]);
    expect(r.result.problems.map((p) => p.kind)).toEqual(['io']);
    expect(entries(f)).toEqual([]);
  });

  it('a run that read a file modified just before it is not saved; the next one is', async () => {
    const f = fixture();
    writeFileSync(path.join(f.proj, 'helper.py'), 'import os\n');
    await run(f);
    expect(entries(f)).toEqual([]);
    age(f.tree);
    await run(f);
    expect(entries(f)).toHaveLength(2);
  });

  it('keeps at most maxEntries entries, each with its names file', async () => {
    const f = fixture({ 'proj/a.py': 'import helper\n', 'proj/b.py': '', 'proj/c.py': '' });
    f.cache.maxEntries = 2;
    for (const s of ['main.py', 'a.py', 'b.py', 'c.py']) await run(f, [path.join(f.proj, s)]);
    const left = entries(f);
    expect(left.filter((n) => n.endsWith('.json'))).toHaveLength(2);
    expect(left.filter((n) => n.endsWith('.names'))).toHaveLength(2);
  });
});
