/**
 * The hostile extraction cases of issue 15 (test/fixtures/extract/hostile): NFKC identifiers, string
 * literals as Python reads them, the keyword form, importlib.__import__, aliases of the import
 * functions, too-dynamic names, a backslash continuation over CRLF. Our imports — static and dynamic —
 * must equal what CPython's `ast` finds (test/support/astImports.py --dynamic), both from a plain
 * parse and through the __pycache__ fast path after `python3 -m compileall`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportExtractor, type ExtractResult } from '../../../analyzer/extract/extractImports';
import { clearPycacheListings } from '../../../analyzer/extract/pycacheCertificate';
import { asAstDynamic, asAstImports, runAstReference, type AstFileResult } from '../../support/astReference';

const fixtures = path.resolve(__dirname, '../../fixtures/extract/hostile');
const names = readdirSync(fixtures)
  .filter((n) => n.endsWith('.py'))
  .sort();

let dir: string;
let extractor: ImportExtractor;
let reference: Map<string, AstFileResult>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-hostile-'));
  for (const n of names) cpSync(path.join(fixtures, n), path.join(dir, n), { preserveTimestamps: true });
  extractor = await ImportExtractor.create();
  reference = await runAstReference(
    'python3',
    names.map((n) => path.join(dir, n)),
    { dynamic: true },
  );
});
afterAll(() => {
  extractor?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shape = (r: ExtractResult): unknown => ({
  imports: asAstImports(r.sites),
  dynamic: asAstDynamic(r.sites),
});

describe('hostile extraction cases equal Python ast', () => {
  it('has the cases of the issue, every one accepted by ast', () => {
    expect(names).toEqual([
      'aliases.py',
      'concatenation.py',
      'crlf_continuation.py',
      'dynamic_spellings.py',
      'escapes.py',
      'keywords.py',
      'nfd_accents.py',
      'nfkc_fullwidth.py',
      'nfkc_import_functions.py',
      'too_dynamic.py',
    ]);
    for (const n of names) expect(reference.get(path.join(dir, n))?.ok, n).toBe(true);
  });

  it('without __pycache__: exactly the imports ast finds', () => {
    clearPycacheListings();
    for (const n of names) {
      const ref = reference.get(path.join(dir, n))!;
      const ours = extractor.extractBytes(readFileSync(path.join(dir, n)));
      expect(ours.syntaxOk, n).toBe(true);
      expect(shape(ours), n).toEqual({ imports: ref.imports, dynamic: ref.dynamic });
    }
    const fullwidth = extractor.extractBytes(readFileSync(path.join(dir, 'nfkc_fullwidth.py')));
    expect(fullwidth.sites.map((s) => [s.module, s.name, s.asname])).toEqual([
      ['numpy', null, null],
      ['os', 'path', 'p'],
      ['x.y', null, 'z'],
    ]);
  });

  it('with a __pycache__ written by python3: the same imports, the fast path used where it is provably equal', () => {
    execFileSync('python3', ['-m', 'compileall', '-q', dir]);
    expect(existsSync(path.join(dir, '__pycache__'))).toBe(true);
    clearPycacheListings();
    const fromPycache: string[] = [];
    for (const n of names) {
      const ref = reference.get(path.join(dir, n))!;
      const ours = extractor.extractFileSync(path.join(dir, n));
      expect(shape(ours), n).toEqual({ imports: ref.imports, dynamic: ref.dynamic });
      if (ours.syntaxFrom === 'pycache') fromPycache.push(n);
    }
    // every file is vouched for by its pyc (a skeleton that also keeps the lines naming an alias of
    // an import function; a whole parse where such a name is spelled with compatibility characters)
    expect(fromPycache).toEqual(names);
  });
});
