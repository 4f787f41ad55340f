/**
 * IncrementalDocument: after any sequence of edits, the result equals a fresh extraction of the
 * same text (checked over a seeded random edit sequence), and LSP range edits land where expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { IncrementalDocument, offsetAt } from '../../../analyzer/extract/incrementalDocument';

let extractor: ImportExtractor;
beforeAll(async () => {
  extractor = await ImportExtractor.create({ maxBytes: 4000 });
});
afterAll(() => extractor.dispose());

const START = `import os
from collections import OrderedDict

try:
    import numpy as np
except ImportError:
    np = None

def f(x):
    if x:
        from .sib import thing
    return __import__('json')
`;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  'import sys\n',
  'from a.b import (c,\n  d as e)\n',
  '    ',
  '\n',
  ':',
  '(',
  ')',
  'é😀',
  'try:\n',
  'x = 1\n',
  'if y:\n    import z\n',
  "importlib.import_module('q')\n",
  '#',
];

describe('IncrementalDocument', () => {
  it('matches a fresh extraction after every edit of a random sequence', () => {
    const random = rng(42);
    const doc = new IncrementalDocument(extractor, START);
    try {
      for (let step = 0; step < 300; step++) {
        const text = doc.text;
        const a = Math.floor(random() * (text.length + 1));
        const b = Math.min(text.length, a + Math.floor(random() * 12));
        const insert = random() < 0.3 ? '' : SNIPPETS[Math.floor(random() * SNIPPETS.length)];
        doc.applyEdit({ startIndex: a, oldEndIndex: b, text: insert });
        expect(doc.text).toBe(text.slice(0, a) + insert + text.slice(b));
        const fresh = extractor.extractText(doc.text);
        expect(doc.result(), `step ${step}: ${JSON.stringify(doc.text)}`).toEqual(fresh);
      }
    } finally {
      doc.dispose();
    }
  });

  it('applies LSP range edits', () => {
    const doc = new IncrementalDocument(extractor, 'import os\nimport sys\n');
    try {
      doc.applyRangeEdit({ start: { line: 1, character: 7 }, end: { line: 1, character: 10 } }, 'json as j');
      expect(doc.text).toBe('import os\nimport json as j\n');
      expect(
        doc.result().sites.map((s) => [s.module, s.asname, s.range.start.line, s.range.start.character]),
      ).toEqual([
        ['os', null, 0, 7],
        ['json', 'j', 1, 7],
      ]);
      doc.setText('from . import x\n');
      expect(doc.result().sites.map((s) => [s.module, s.name, s.level])).toEqual([[null, 'x', 1]]);
    } finally {
      doc.dispose();
    }
  });

  it('says the text is too large instead of parsing it, and recovers when it shrinks', () => {
    const doc = new IncrementalDocument(extractor, 'import os\n');
    try {
      doc.applyEdit({ startIndex: 10, oldEndIndex: 10, text: '#'.repeat(5000) });
      expect(doc.result().problems.map((p) => p.kind)).toEqual(['too-large']);
      doc.applyEdit({ startIndex: 10, oldEndIndex: 5010, text: 'import re\n' });
      expect(doc.result().sites.map((s) => s.module)).toEqual(['os', 're']);
    } finally {
      doc.dispose();
    }
  });

  it('rejects edits outside the text', () => {
    const doc = new IncrementalDocument(extractor, 'x');
    try {
      expect(() => doc.applyEdit({ startIndex: 0, oldEndIndex: 5, text: '' })).toThrow(RangeError);
    } finally {
      doc.dispose();
    }
  });
});

describe('offsetAt', () => {
  it('maps LSP positions to UTF-16 offsets, clamping to the line', () => {
    const text = 'ab\né😀x\n';
    expect(offsetAt(text, { line: 1, character: 3 })).toBe(6);
    expect(offsetAt(text, { line: 1, character: 99 })).toBe(7);
    expect(offsetAt(text, { line: 9, character: 0 })).toBe(text.length);
  });
});
