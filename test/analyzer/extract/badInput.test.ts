/**
 * A directory of broken, binary, Python 2, oddly encoded, over-large and deeply nested files:
 * every file is processed without a crash, each problem is reported once with a specific message,
 * and everything that can be analysed is.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { makeBadInputDir, type BadInputDir } from '../../support/badInputDir';

let bad: BadInputDir;
let extractor: ImportExtractor;
beforeAll(async () => {
  bad = makeBadInputDir();
  extractor = await ImportExtractor.create();
});
afterAll(() => {
  extractor.dispose();
  bad.remove();
});

describe('bad input directory', () => {
  it('yields the expected imports, flags and problems for every file', async () => {
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [name, exp] of Object.entries(bad.expected)) {
      const r = await extractor.extractFile(path.join(bad.dir, name));
      seen[name] = {
        modules: r.sites.map((s) => s.module),
        syntaxOk: r.syntaxOk,
        ...(exp.encoding ? { encoding: r.encoding } : {}),
        problems: r.problems.map((p) => p.kind),
      };
      want[name] = exp;
      for (const p of r.problems) expect(p.message.length, `${name}: ${p.message}`).toBeGreaterThan(8);
    }
    expect(seen).toEqual(want);
  });

  it('gives specific messages', async () => {
    const msg = async (name: string): Promise<string> =>
      (await extractor.extractFile(path.join(bad.dir, name))).problems.map((p) => p.message).join(' | ');
    expect(await msg('unknown_cookie.py')).toBe(
      "unknown encoding 'klingon-9' in the coding cookie on line 1",
    );
    expect(await msg('invalid_utf8.py')).toBe(
      'cannot decode as utf-8 (the default without a coding cookie): invalid data on line 2 (byte 0xe9)',
    );
    expect(await msg('logo.png')).toMatch(/^binary file: NUL byte at offset \d+$/);
    expect(await msg('huge.py')).toMatch(/^too large: 6\.0 MiB \(limit 5\.0 MiB\)$/);
    expect(await msg('nested_parens.py')).toMatch(/too many nested parentheses at line 2/);
    expect(await msg('nested_ifs.py')).toMatch(/too many levels of indentation at line 102/);
    expect(await msg('python2.py')).toBe('Python 2 syntax at line 4: print statement');
    expect(await msg('broken.py')).toMatch(/^syntax error at line 3/);
    expect(await msg('directory.py')).toBe('not a regular file');
    expect(await msg('no-such-file.py')).toBe('no such file or directory');
  });

  it('reports problem lines zero-based, like ranges', async () => {
    const r = await extractor.extractFile(path.join(bad.dir, 'python2.py'));
    expect(r.problems[0].line).toBe(3);
  });
});
