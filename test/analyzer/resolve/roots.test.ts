/**
 * Package roots and (root, relative-path) pairs: the examples of SPEC section 3 on real trees (a
 * temporary project, python3's standard library, Debian's dist-packages), the seed rules of section 4.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import {
  comparePython,
  findPackageRoot,
  findRoots,
  isPackageRoot,
  isPython,
  iterPyFiles,
  relfile,
} from '../../../analyzer/resolve/roots';
import { FsCache } from '../../../analyzer/resolve/fsCache';

let tmp: string;
let env: Environment;

function write(rel: string, text = ''): string {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-roots-')));
  env = await introspectInterpreter('python3', { cacheDir: false });
  write('plain/main.py', 'import os\n');
  write('plain/helper.py');
  write('a/app/pkg/__init__.py');
  write('a/app/pkg/main.py');
  write('a/app/pkg/sub/__init__.py');
  write('a/app/pkg/sub/deep.py');
  write('dotted/my.pkg/__init__.py');
  write('dotted/my.pkg/mod.py');
  write('venv/lib/site-packages/x.py');
  write('tools/run', '#!/usr/bin/env python3\nimport sys\n');
  write('tools/run2', '#!/bin/sh\necho python\n');
  write('tools/late', `${'#'.repeat(70)}\n#!/usr/bin/python\n`);
  write('tools/.git/hook.py');
  write('tools/build/gen.py');
  write('tools/sub/x.py');
  mkdirSync(path.join(tmp, 'tools/dir.py'));
  symlinkSync(path.join(tmp, 'a/app'), path.join(tmp, 'link'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('relfile (SPEC section 3 examples)', () => {
  it('a script not in a package, without package siblings: (dir, basename)', () => {
    const fs = new FsCache();
    expect(isPackageRoot(fs, path.join(tmp, 'plain'))).toBe(false);
    expect(relfile(fs, path.join(tmp, 'plain/main.py'))).toEqual([path.join(tmp, 'plain'), 'main.py']);
  });

  it('a script in a package: the first ancestor without __init__.py, relative path with several components', () => {
    const fs = new FsCache();
    expect(relfile(fs, path.join(tmp, 'a/app/pkg/main.py'))).toEqual([
      path.join(tmp, 'a/app'),
      'pkg/main.py',
    ]);
    expect(relfile(fs, path.join(tmp, 'a/app/pkg/sub/deep.py'))).toEqual([
      path.join(tmp, 'a/app'),
      'pkg/sub/deep.py',
    ]);
    expect(relfile(fs, path.join(tmp, 'a/app/pkg/sub'))).toEqual([path.join(tmp, 'a/app'), 'pkg/sub']);
    expect(findPackageRoot(fs, path.join(tmp, 'a/app/pkg'))).toBe(path.join(tmp, 'a/app'));
  });

  it('a package whose directory name has a dot: (package_dir, basename)', () => {
    const fs = new FsCache();
    expect(relfile(fs, path.join(tmp, 'dotted/my.pkg/mod.py'))).toEqual([
      path.join(tmp, 'dotted/my.pkg'),
      'mod.py',
    ]);
  });

  it('a directory with a site-packages subdirectory is a root', () => {
    const fs = new FsCache();
    expect(isPackageRoot(fs, path.join(tmp, 'venv/lib'))).toBe(true);
  });

  it("python3's standard library: ('<stdlib>', 'xml/dom/minidom.py') and lib-dynload extensions", () => {
    const fs = new FsCache();
    const stdlib = realpathSync(env.stdlibDir);
    expect(relfile(fs, path.join(stdlib, 'xml/dom/minidom.py'))).toEqual([stdlib, 'xml/dom/minidom.py']);
    const dynload = path.join(stdlib, 'lib-dynload');
    const csv = `_csv${env.extensionSuffixes[0]}`;
    if (existsSync(path.join(dynload, csv))) {
      expect(relfile(fs, path.join(dynload, csv))).toEqual([dynload, csv]);
    }
  });

  it.skipIf(!existsSync('/usr/lib/python3/dist-packages/numpy'))(
    "Debian: ('/usr/lib/python3/dist-packages', 'numpy')",
    () => {
      const fs = new FsCache();
      expect(relfile(fs, '/usr/lib/python3/dist-packages/numpy')).toEqual([
        '/usr/lib/python3/dist-packages',
        'numpy',
      ]);
    },
  );
});

describe('findRoots', () => {
  it('a file: its package root, else its directory; a directory: roots below it, or none (reported)', () => {
    const fs = new FsCache();
    expect(findRoots(fs, [path.join(tmp, 'a/app/pkg/main.py')]).roots).toEqual([path.join(tmp, 'a/app')]);
    expect(findRoots(fs, [path.join(tmp, 'plain/main.py')]).roots).toEqual([path.join(tmp, 'plain')]);
    expect(findRoots(fs, [path.join(tmp, 'a')]).roots).toEqual([path.join(tmp, 'a/app')]);
    const none = findRoots(fs, [path.join(tmp, 'tools')]);
    expect(none.roots).toEqual([]);
    expect(none.rootless).toEqual([path.join(tmp, 'tools')]);
  });

  it('resolves symbolic links first', () => {
    const fs = new FsCache();
    expect(findRoots(fs, [path.join(tmp, 'link/pkg/main.py')]).roots).toEqual([path.join(tmp, 'a/app')]);
  });
});

describe('seeds', () => {
  it('isPython: .py names, or a python shebang within the first 64 characters', () => {
    const fs = new FsCache();
    expect(isPython(fs, path.join(tmp, 'tools/run'))).toBe(true);
    expect(isPython(fs, path.join(tmp, 'tools/run2'))).toBe(false);
    expect(isPython(fs, path.join(tmp, 'tools/late'))).toBe(false);
    expect(isPython(fs, path.join(tmp, 'a/app/pkg'))).toBe(false);
    expect(isPython(fs, path.join(tmp, 'tools/dir.py'))).toBe(true);
  });

  it('iterPyFiles walks a directory, skipping .git and build, keeping shebang scripts', () => {
    const fs = new FsCache();
    const files = iterPyFiles(fs, [path.join(tmp, 'tools')])
      .map((f) => path.relative(tmp, f))
      .sort();
    expect(files).toEqual(['tools/run', 'tools/sub/x.py']);
  });
});

describe('comparePython', () => {
  it('orders by code point like Python, not by UTF-16 unit', () => {
    const words = ['b', 'a', 'Z', '\uffee', '\u{1f40d}', 'é', ''];
    expect([...words].sort(comparePython)).toEqual(['', 'Z', 'a', 'b', 'é', '\uffee', '\u{1f40d}']);
  });
});
