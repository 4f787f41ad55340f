/**
 * The language server's incremental re-parse: after any sequence of LSP edits, the import sites from
 * the edited tree equal those of a fresh parse of the final text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import {
  analyseTree,
  createImportQueries,
  type ImportQueries,
} from '../../../analyzer/extract/extractImports';
import { createPythonParser } from '../../../analyzer/parse/pythonParser';
import { ParsedSource } from '../../../server/lsp/folderAnalyzer';

let parser: Parser;
let queries: ImportQueries;

beforeAll(async () => {
  parser = await createPythonParser();
  queries = createImportQueries(parser);
});
afterAll(() => {
  queries.main.delete();
  queries.dynamic.delete();
  parser.delete();
});

function fresh(text: string) {
  const tree = parser.parse(text)!;
  try {
    return analyseTree(tree, text, queries).sites;
  } finally {
    tree.delete();
  }
}

function applyAll(start: string, edits: TextDocumentContentChangeEvent[][]) {
  let doc = TextDocument.create('file:///t.py', 'python', 1, start);
  const parsed = new ParsedSource(parser, queries);
  const first = parsed.importSites(doc.getText());
  expect(first).toEqual(fresh(start));
  let version = 1;
  for (const changes of edits) {
    for (const change of changes) doc = parsed.applyChange(doc, change, ++version);
    expect(parsed.importSites(doc.getText())).toEqual(fresh(doc.getText()));
  }
  parsed.dispose();
  return doc.getText();
}

const START = `"""doc"""
import os
import json

import numpy as np
from scipy import stats
try:
    import cartopy.crs as ccrs
except ImportError:
    ccrs = None
x = "é€😀"; import missing_one
`;

describe('ParsedSource (incremental tree-sitter re-parse)', () => {
  it('insert, replace and delete a line', () => {
    const end = applyAll(START, [
      [
        {
          range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
          text: 'import yaml_nowhere_42\n',
        },
      ],
      [
        {
          range: { start: { line: 1, character: 7 }, end: { line: 1, character: 22 } },
          text: 'numpy.linalg',
        },
      ],
      [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }],
    ]);
    expect(end).toBe(START);
  });

  it('edits after non-BMP characters and several changes in one notification', () => {
    applyAll(START, [
      [
        {
          range: { start: { line: 10, character: 17 }, end: { line: 10, character: 28 } },
          text: 'import other',
        },
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          text: '# 😀 comment\n',
        },
      ],
      [{ text: 'import fully_replaced\n' }],
      [
        {
          range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
          text: 'from . import sibling\n',
        },
      ],
    ]);
  });

  it('random edits stay equal to a fresh parse', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const snippets = [
      'import a\n',
      'from b import c\n',
      'try:\n    import d\nexcept ImportError:\n    pass\n',
      'x = 1\n',
      '(',
      ')',
      '"😀"',
      '',
    ];
    let doc = TextDocument.create('file:///r.py', 'python', 1, START);
    const edits: TextDocumentContentChangeEvent[][] = [];
    for (let i = 0; i < 60; i++) {
      const len = doc.getText().length;
      const a = rnd(len + 1);
      const b = Math.min(len, a + rnd(8));
      let start = doc.positionAt(a);
      let end = doc.positionAt(b);
      // keep surrogate pairs whole
      if (doc.offsetAt(start) !== a || doc.offsetAt(end) !== b) continue;
      const change = { range: { start, end }, text: snippets[rnd(snippets.length)] };
      const next = TextDocument.create('file:///r.py', 'python', i + 2, doc.getText());
      TextDocument.update(next, [change], i + 2);
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(next.getText()))
        continue;
      start = change.range.start;
      end = change.range.end;
      edits.push([{ range: { start, end }, text: change.text }]);
      doc = next;
    }
    expect(edits.length).toBeGreaterThan(30);
    applyAll(START, edits);
  });
});
