/**
 * `pyrats imports FILE...`: text and JSON output (file:line, module, names, kind, flags), directory
 * arguments, problems on stderr naming the file, exit 3 when a file cannot be read, usage errors.
 * Runs the command module in-process on the bad-input directory and small files of its own.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRACT_CACHE_VERSION } from '../../../analyzer/extract/extractCache';
import { UsageError } from '../../../server/cli/command';
import { importsCommand } from '../../../server/cli/commands/imports';
import { makeBadInputDir, type BadInputDir } from '../../support/badInputDir';
import { captureCli, type CliCapture } from '../../support/cliCapture';

const run = (args: string[]): Promise<CliCapture> => captureCli((io) => importsCommand.run(args, io));

const SCRIPT = `import os, sys as system
from collections import OrderedDict, defaultdict as dd
from .. import sibling
from .pkg.mod import *
try:
    import numpy as np
except ImportError:
    np = None

def load():
    if True:
        import json
    return __import__('csv')
`;

let dir: string;
let script: string;
let bad: BadInputDir;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-imports-cli-'));
  script = path.join(dir, 'script.py');
  writeFileSync(script, SCRIPT);
  bad = makeBadInputDir();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  bad.remove();
});

describe('pyrats imports', () => {
  it('prints one line per statement and module with file:line, kind, module, names and flags', async () => {
    const { code, out, err } = await run([script]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.split('\n').filter(Boolean)).toEqual([
      `${script}:1  import   os`,
      `${script}:1  import   sys  as system`,
      `${script}:2  from     collections  OrderedDict, defaultdict as dd`,
      `${script}:3  from     ..  sibling`,
      `${script}:4  star     .pkg.mod  *`,
      `${script}:6  import   numpy  as np  guarded:try`,
      `${script}:12  import   json  guarded:if in-function`,
      `${script}:13  dynamic  csv  in-function`,
    ]);
  });

  it('prints JSON with one object per file and every site', async () => {
    const { code, out } = await run(['--format', 'json', script]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      file: string;
      encoding: string;
      syntaxOk: boolean;
      problems: unknown[];
      imports: { line: number; module: string | null; name: string | null; kind: string }[];
    }[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ file: script, encoding: 'utf-8', syntaxOk: true, problems: [] });
    expect(json[0].imports.map((i) => [i.line, i.kind, i.module, i.name])).toEqual([
      [1, 'import', 'os', null],
      [1, 'import', 'sys', null],
      [2, 'from', 'collections', 'OrderedDict'],
      [2, 'from', 'collections', 'defaultdict'],
      [3, 'from', null, 'sibling'],
      [4, 'star', 'pkg.mod', null],
      [6, 'import', 'numpy', null],
      [12, 'import', 'json', null],
      [13, 'dynamic', 'csv', null],
    ]);
    expect(json[0].imports[0]).toMatchObject({
      range: { start: { line: 0, character: 7 }, end: { line: 0, character: 9 } },
      guarded: null,
      inFunction: false,
    });
  });

  it('goes through a directory, reports each problem once on stderr and exits 3 for unreadable files', async () => {
    const missing = path.join(bad.dir, 'missing.py');
    const { code, out, err } = await run([bad.dir, missing]);
    expect(code).toBe(3);
    const errLines = err.split('\n').filter(Boolean);
    const name = (f: string): string => path.join(bad.dir, f);
    expect(errLines).toEqual([
      `${name('broken.py')}:3: syntax: ${errLines[0].split(': syntax: ')[1]}`,
      `${name('huge.py')}: too-large: too large: 6.0 MiB (limit 5.0 MiB)`,
      `${name('invalid_utf8.py')}:2: decode: cannot decode as utf-8 (the default without a coding cookie): invalid data on line 2 (byte 0xe9)`,
      `${name('nested_ifs.py')}:102: syntax: too many levels of indentation at line 102 (CPython allows 99)`,
      `${name('nested_parens.py')}:2: syntax: too many nested parentheses at line 2 (CPython allows 200)`,
      `${name('python2.py')}:4: python2: Python 2 syntax at line 4: print statement`,
      `${name('unknown_cookie.py')}:1: decode: unknown encoding 'klingon-9' in the coding cookie on line 1`,
      `${missing}: io: no such file or directory`,
    ]);
    // directory.py is a directory: walked (it is empty), not reported; the rest is analysed
    expect(out).toContain(`${name('good.py')}:6  import   numpy  as np  guarded:try`);
    expect(out).toContain(`${name('python2.py')}:1  import   urllib2`);
    expect(out).toContain(`${name('nested_ifs.py')}:1002  import   deep  guarded:if`);
  });

  it('reports a binary file named on the command line', async () => {
    const { code, out, err } = await run([path.join(bad.dir, 'logo.png'), script]);
    expect(code).toBe(3);
    expect(err).toMatch(/logo\.png: binary: binary file: NUL byte at offset \d+\n$/);
    expect(out).toContain(`${script}:1  import   os`);
  });

  it('exits 0 with warnings only for syntax problems', async () => {
    const { code, err } = await run([path.join(bad.dir, 'python2.py')]);
    expect(code).toBe(0);
    expect(err).toMatch(/python2\.py:4: python2: /);
  });

  it('rejects bad usage', async () => {
    await expect(run(['--format', 'xml', script])).rejects.toThrow(UsageError);
    await expect(run([])).rejects.toThrow(/no FILE given/);
    await expect(run(['--jobs', '0', script])).rejects.toThrow(/--jobs needs a positive integer/);
    await expect(run(['--jobs', '1000', script])).rejects.toThrow(
      /--jobs: at most 64 parser threads, not 1000/,
    );
    await expect(run(['--bogus', script])).rejects.toThrow(UsageError);
    expect(importsCommand.help).toMatch(/--format text\|json/);
  });

  it('keeps results under $XDG_CACHE_HOME/pyrats with --cache and gives the same output from it', async () => {
    const saved = process.env.XDG_CACHE_HOME;
    const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'pyrats-xdg-'));
    try {
      process.env.XDG_CACHE_HOME = cacheHome;
      const first = await run(['--cache', script]);
      const shards = readdirSync(path.join(cacheHome, 'pyrats', EXTRACT_CACHE_VERSION));
      expect(shards).toHaveLength(1);
      const second = await run(['--cache', script]);
      expect(second).toEqual(first);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
      rmSync(cacheHome, { recursive: true, force: true });
    }
  });

  it('applies --max-size', async () => {
    const { code, err } = await run(['--max-size', '10', script]);
    expect(code).toBe(3);
    expect(err).toMatch(/too-large: too large: \d+ bytes \(limit 10 bytes\)/);
  });
});
