/**
 * FsCache: os.path.isfile/isdir semantics through symbolic links, one directory read per directory,
 * no reads below directories the parent does not list, invalidation and expiry (the language server
 * relies on them), and non-strict realpath.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsCache } from '../../../analyzer/resolve/fsCache';

let tmp: string;
beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-fscache-')));
  mkdirSync(path.join(tmp, 'd/sub'), { recursive: true });
  writeFileSync(path.join(tmp, 'd/f.py'), '');
  symlinkSync(path.join(tmp, 'd/f.py'), path.join(tmp, 'd/link.py'));
  symlinkSync(path.join(tmp, 'd/sub'), path.join(tmp, 'd/linkdir'));
  symlinkSync(path.join(tmp, 'd/gone'), path.join(tmp, 'd/dangling.py'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('FsCache', () => {
  it('answers like os.path.isfile/isdir, following symbolic links', () => {
    const fs = new FsCache();
    const d = path.join(tmp, 'd');
    expect(fs.isFile(path.join(d, 'f.py'))).toBe(true);
    expect(fs.isFile(path.join(d, 'link.py'))).toBe(true);
    expect(fs.isDir(path.join(d, 'linkdir'))).toBe(true);
    expect(fs.isFile(path.join(d, 'dangling.py'))).toBe(false);
    expect(fs.exists(path.join(d, 'dangling.py'))).toBe(false);
    expect(fs.isDir(path.join(d, 'f.py'))).toBe(false);
    expect(fs.subdirectories(d).sort()).toEqual(['linkdir', 'sub']);
    expect(fs.isDir('/')).toBe(true);
  });

  it('reads each directory once, and never below a name its parent does not list', () => {
    const fs = new FsCache();
    const d = path.join(tmp, 'd');
    for (let i = 0; i < 5; i++) fs.isFile(path.join(d, 'f.py'));
    expect(fs.reads).toBe(1);
    expect(fs.isFile(path.join(d, 'nope', '__init__.py'))).toBe(false);
    expect(fs.isFile(path.join(d, 'f.py', '__init__.py'))).toBe(false);
    expect(fs.reads).toBe(1);
  });

  it('sees new files after invalidate (and new subdirectories of an invalidated directory)', () => {
    const fs = new FsCache();
    const d = path.join(tmp, 'd');
    expect(fs.isFile(path.join(d, 'new', 'x.py'))).toBe(false);
    mkdirSync(path.join(d, 'new'));
    writeFileSync(path.join(d, 'new', 'x.py'), '');
    expect(fs.isFile(path.join(d, 'new', 'x.py'))).toBe(false); // cached
    fs.invalidate(d);
    expect(fs.isFile(path.join(d, 'new', 'x.py'))).toBe(true);
    rmSync(path.join(d, 'new'), { recursive: true });
  });

  it('re-reads listings older than maxAgeMs', async () => {
    const fs = new FsCache({ maxAgeMs: 0 });
    const f = path.join(tmp, 'd', 'late.py');
    expect(fs.isFile(f)).toBe(false);
    writeFileSync(f, '');
    // maxAgeMs 0: any later call is stale; poll until the clock has moved on
    const deadline = Date.now() + 2000;
    while (!fs.isFile(f) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(fs.isFile(f)).toBe(true);
    rmSync(f);
  });

  it('memo answers are dropped with the listings', () => {
    const fs = new FsCache();
    let n = 0;
    expect(fs.memo('t', 'k', () => ++n)).toBe(1);
    expect(fs.memo('t', 'k', () => ++n)).toBe(1);
    fs.clear();
    expect(fs.memo('t', 'k', () => ++n)).toBe(2);
  });

  it('realpath resolves links and keeps a missing tail as written', () => {
    const fs = new FsCache();
    expect(fs.realpath(path.join(tmp, 'd/link.py'))).toBe(path.join(tmp, 'd/f.py'));
    expect(fs.realpath(path.join(tmp, 'd/linkdir/missing/x.py'))).toBe(path.join(tmp, 'd/sub/missing/x.py'));
    expect(fs.realpath(path.join(tmp, 'd/./sub/../f.py'))).toBe(path.join(tmp, 'd/f.py'));
  });
});
