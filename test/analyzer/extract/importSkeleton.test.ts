/**
 * The import skeleton keeps lines and columns, keeps import lines and the headers enclosing them
 * (with all handlers of a kept try), and gives the same sites as the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { importSkeleton } from '../../../analyzer/extract/importSkeleton';

let extractor: ImportExtractor;
beforeAll(async () => {
  extractor = await ImportExtractor.create();
});
afterAll(() => extractor.dispose());

const SOURCE = `"""Module docstring
spanning lines."""
import os  # why

CONSTANT = {
    'a': 1,
}

@decorator(x)
class Thing(Base):
    """Doc."""

    def method(self, a=(1,
                       2)):
        try:
            import numpy as np
        except (ImportError, OSError):
            np = None
        else:
            pass
        value = "import-free"
        return value

def unrelated():
    for i in range(3):
        print(i)

if TYPE_CHECKING:
    x = 1
elif other:
    from typing import List
else:
    y = 2
`;

const SKELETON = `

import os  # why






class Thing(Base):


    def method(self, a=(1,
                       2)):
        try:
            import numpy as np
        except (ImportError, OSError):
            pass
        else:
            pass
        value = "import-free"






if TYPE_CHECKING:
    pass
elif other:
    from typing import List


`;

describe('importSkeleton', () => {
  it('keeps import lines and their enclosing headers, line for line', () => {
    expect(importSkeleton(SOURCE)).toBe(SKELETON);
  });

  it('gives the same sites and ranges as the whole file', () => {
    const whole = extractor.extractText(SOURCE);
    const skeleton = extractor.extractText(importSkeleton(SOURCE)!);
    expect(skeleton.syntaxOk).toBe(true);
    expect(skeleton.sites).toEqual(whole.sites);
    expect(whole.sites.map((s) => `${s.module} ${s.guarded} ${s.inFunction}`)).toEqual([
      'os null false',
      'numpy try true',
      'typing if false',
    ]);
  });

  it('keeps a decorator that mentions import together with what it decorates', () => {
    const src = '@register(importer)\ndef f():\n    return 1\n';
    const sk = importSkeleton(src)!;
    expect(sk).toBe('@register(importer)\ndef f():\n    pass\n');
    expect(extractor.extractText(sk).syntaxOk).toBe(true);
  });

  it('handles strings with quotes, escapes and brackets, and backslash continuations', () => {
    const src = `s = "it's (" + '"' + """a ''' b""" + 'c\\\\'\nt = 1 + \\\n    2\nfrom m import (a,\n  b)\n`;
    const sk = importSkeleton(src)!;
    expect(sk.split('\n')).toHaveLength(src.split('\n').length);
    expect(extractor.extractText(sk).sites).toEqual(extractor.extractText(src).sites);
  });

  it('also keeps the lines holding the words given (names bound to an import function)', () => {
    const src = 'im = __import__\nx = 1\ndef f():\n    y = 2\n    return im(\n        "m")\n';
    expect(importSkeleton(src)).toBe('im = __import__\n\n\n\n\n\n');
    const sk = importSkeleton(src, ['import', 'im'])!;
    expect(sk).toBe('im = __import__\n\ndef f():\n\n    return im(\n        "m")\n');
    expect(extractor.extractText(sk).sites).toEqual(extractor.extractText(src).sites);
    expect(extractor.extractText(sk).sites.map((s) => `${s.kind} ${s.module}`)).toEqual(['dynamic m']);
  });

  it('gives up on an unterminated string', () => {
    expect(importSkeleton('x = "abc\nimport os\n')).toBeUndefined();
    expect(importSkeleton('x = """abc\nimport os\n')).toBeUndefined();
  });
});
