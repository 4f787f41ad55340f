/**
 * A __pycache__ file written by the real python3 certifies its source (same size and mtime):
 * extractFile then parses only the import skeleton and gives the same sites. A changed source,
 * a hash-based pyc or no pyc at all means a whole-file parse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { clearPycacheListings, compiledByCPython } from '../../../analyzer/extract/pycacheCertificate';
import { statSync } from 'node:fs';

const SOURCE = `import os
try:
    import numpy as np
except ImportError:
    np = None

def f():
    from .sibling import thing
    return __import__('json')
`;

let dir: string;
let extractor: ImportExtractor;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-pycache-'));
  extractor = await ImportExtractor.create();
});
afterAll(() => {
  extractor.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function compile(file: string, mode = 'timestamp'): void {
  execFileSync('python3', [
    '-c',
    'import py_compile,sys; py_compile.compile(sys.argv[1], doraise=True, invalidation_mode=py_compile.PycInvalidationMode[sys.argv[2]])',
    file,
    mode.toUpperCase().replace(/-/g, '_'),
  ]);
  clearPycacheListings();
}

describe('__pycache__ certificate', () => {
  it('is trusted for an unchanged source and gives the same sites as a whole-file parse', async () => {
    const file = path.join(dir, 'certified.py');
    writeFileSync(file, SOURCE);
    compile(file);
    const st = statSync(file);
    expect(compiledByCPython(file, st.size, st.mtimeMs)).toBe(true);
    const r = await extractor.extractFile(file);
    expect(r.syntaxFrom).toBe('pycache');
    expect(r.syntaxOk).toBe(true);
    expect(r.sites).toEqual(extractor.extractText(SOURCE).sites);
    expect(r.sites.map((s) => s.module)).toEqual(['os', 'numpy', 'sibling', 'json']);
  });

  it('is not trusted once the source changed (mtime), nor when turned off', async () => {
    const file = path.join(dir, 'changed.py');
    writeFileSync(file, SOURCE);
    compile(file);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const st = statSync(file);
    expect(compiledByCPython(file, st.size, st.mtimeMs)).toBe(false);
    expect((await extractor.extractFile(file)).syntaxFrom).toBeUndefined();

    const other = path.join(dir, 'untrusted.py');
    writeFileSync(other, SOURCE);
    compile(other);
    const strict = await ImportExtractor.create({ trustPycache: false });
    try {
      expect((await strict.extractFile(other)).syntaxFrom).toBeUndefined();
    } finally {
      strict.dispose();
    }
  });

  it('ignores hash-based pycs and files without one', async () => {
    const hashed = path.join(dir, 'hashed.py');
    writeFileSync(hashed, SOURCE);
    compile(hashed, 'checked-hash');
    expect((await extractor.extractFile(hashed)).syntaxFrom).toBeUndefined();
    const plain = path.join(dir, 'plain.py');
    writeFileSync(plain, 'print "py2"\n');
    const r = await extractor.extractFile(plain);
    expect(r.syntaxFrom).toBeUndefined();
    expect(r.syntaxOk).toBe(false);
  });
});
