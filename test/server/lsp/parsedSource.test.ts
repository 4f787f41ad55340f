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
import { parserText } from '../../../analyzer/extract/extractImports';
import { ParsedSource, TreeBudget } from '../../../server/lsp/parsedSource';

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
  const first = parsed.importSites(doc);
  expect(first).toEqual(fresh(start));
  let version = 1;
  for (const changes of edits) {
    for (const change of changes) doc = parsed.applyChange(doc, change, ++version);
    expect(parsed.importSites(doc)).toEqual(fresh(doc.getText()));
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

  it('edits whose effect reaches past the edited lines', () => {
    const text = [
      'import os',
      'if os.name:',
      '    import posix_a',
      '',
      '',
      '',
      'try:',
      '    import optional_b',
      'except ImportError:',
      '    optional_b = None',
      '',
      'def f():',
      '    import inner_c',
      '',
      'import json',
      '',
    ].join('\n');
    const at = (line: number, character = 0) => ({ line, character });
    applyAll(text, [
      // an indented line after the if block belongs to the block (guarded: if)
      [{ range: { start: at(3), end: at(3) }, text: '    import in_if_d\n' }],
      // else: after the if block
      [{ range: { start: at(4), end: at(4) }, text: 'else:\n    import in_else_e\n' }],
      // the handler no longer catches ImportError: the import in the try body is not guarded
      [{ range: { start: at(11, 7), end: at(11, 18) }, text: 'ValueError' }],
      // a new statement far from the others
      [{ range: { start: at(7), end: at(7) }, text: '\n\n\nimport lonely_f\n\n\n' }],
      // an import turned into string content by two changes in one notification
      [
        { range: { start: at(0), end: at(0) }, text: 'doc = """\n' },
        { range: { start: at(2), end: at(2) }, text: '"""\n' },
      ],
      // a decorator before the function
      [{ range: { start: at(20), end: at(20) }, text: '@staticmethod\n' }],
      // an unterminated string swallows the rest: the file has a syntax error
      [{ range: { start: at(0), end: at(0) }, text: 'oops = """\n' }],
      // and is closed again
      [{ range: { start: at(0), end: at(1) }, text: '' }],
    ]);
  });

  for (const seed0 of [42, 7, 2024, 99991]) {
    it(`random edits stay equal to a fresh parse (seed ${seed0})`, () => {
      let seed = seed0;
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
        '    import e\n',
        'def g():\n',
        'if x:\n    import f.g as h\n',
        '"""',
        '\n',
        'except ImportError:\n',
        'from . import sib; import os\n',
        '__import__("dyn")\n',
        'import',
        ' as z',
      ];
      let doc = TextDocument.create('file:///r.py', 'python', 1, START);
      const edits: TextDocumentContentChangeEvent[][] = [];
      for (let i = 0; i < 250; i++) {
        const len = doc.getText().length;
        const a = rnd(len + 1);
        const b = Math.min(len, a + rnd(12));
        const start = doc.positionAt(a);
        const end = doc.positionAt(b);
        // keep surrogate pairs whole
        if (doc.offsetAt(start) !== a || doc.offsetAt(end) !== b) continue;
        const change = { range: { start, end }, text: snippets[rnd(snippets.length)] };
        const next = TextDocument.create('file:///r.py', 'python', i + 2, doc.getText());
        TextDocument.update(next, [change], i + 2);
        if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(next.getText()))
          continue;
        edits.push([change]);
        doc = next;
      }
      expect(edits.length).toBeGreaterThan(150);
      applyAll(START, edits);
    });
  }

  it('random well-formed edits (no syntax errors: the re-extract-only-what-changed path)', () => {
    let seed = 5;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const statements = [
      'import a\n',
      'import b.c as d\n',
      'from e import f, g as h\n',
      'try:\n    import i\nexcept ImportError:\n    i = None\n',
      'def fn():\n    import j\n    return j\n',
      'x = 1; import k\n',
      'if True:\n    from . import sib\n',
      'y = """\nimport not_an_import\n"""\n',
    ];
    let doc = TextDocument.create('file:///w.py', 'python', 1, START);
    const edits: TextDocumentContentChangeEvent[][] = [];
    for (let i = 0; i < 200; i++) {
      const lines = doc.getText().split('\n');
      // top-level statement starts: lines beginning with a letter that are not in a block
      const starts = lines
        .map((l, n) => ({ l, n }))
        .filter(({ l }) => /^[a-z"]/.test(l) && !/^(except|else|finally)/.test(l));
      let change: TextDocumentContentChangeEvent;
      const op = rnd(3);
      if (op === 0 || starts.length < 3) {
        const at = starts[rnd(starts.length)]?.n ?? 0;
        change = {
          range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } },
          text: statements[rnd(statements.length)],
        };
      } else if (op === 1) {
        const one = starts.filter(({ l }) => /^import [a-z_.]+$/.test(l));
        if (!one.length) continue;
        const at = one[rnd(one.length)].n;
        change = {
          range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } },
          text: '',
        };
      } else {
        const one = starts.filter(({ l }) => /^import [a-z_]+/.test(l));
        if (!one.length) continue;
        const at = one[rnd(one.length)].n;
        change = {
          range: { start: { line: at, character: 8 }, end: { line: at, character: 8 } },
          text: 'zq',
        };
      }
      const next = TextDocument.create('file:///w.py', 'python', i + 2, doc.getText());
      TextDocument.update(next, [change], i + 2);
      const tree = parser.parse(next.getText())!;
      const ok = !tree.rootNode.hasError;
      tree.delete();
      if (!ok) continue;
      edits.push([change]);
      doc = next;
    }
    expect(edits.length).toBeGreaterThan(100);
    applyAll(START, edits);
  });

  it('lone \\r line breaks (old Mac, \\r\\r\\n): sites are on the lines LSP counts, at open and after edits', () => {
    let doc = TextDocument.create(
      'file:///cr.py',
      'python',
      1,
      'import os\rimport cr_one\r\r\nimport cr_two\r\n',
    );
    const parsed = new ParsedSource(parser, queries);
    const names = () =>
      parsed.importSites(doc).map((site) => `${site.range.start.line}:${doc.getText(site.range)}`);
    expect(names()).toEqual(['0:os', '1:cr_one', '3:cr_two']);
    // a CRLF file gets a lone \r when one is typed at a line end (\r\r\n) ...
    doc = TextDocument.create('file:///crlf.py', 'python', 1, 'import os\r\nimport a1\r\nimport a2\r\n');
    const p2 = new ParsedSource(parser, queries);
    expect(p2.importSites(doc).map((site) => site.range.start.line)).toEqual([0, 1, 2]);
    doc = p2.applyChange(
      doc,
      { range: { start: { line: 1, character: 9 }, end: { line: 1, character: 9 } }, text: '\r' },
      2,
    );
    expect(doc.lineCount).toBe(5);
    expect(p2.importSites(doc).map((site) => `${site.range.start.line}:${doc.getText(site.range)}`)).toEqual([
      '0:os',
      '1:a1',
      '3:a2',
    ]);
    // ... and the lines are counted right again once it is gone
    doc = p2.applyChange(
      doc,
      { range: { start: { line: 1, character: 9 }, end: { line: 2, character: 0 } }, text: '' },
      3,
    );
    expect(doc.getText()).toBe('import os\r\nimport a1\r\nimport a2\r\n');
    expect(p2.importSites(doc).map((site) => `${site.range.start.line}:${doc.getText(site.range)}`)).toEqual([
      '0:os',
      '1:a1',
      '2:a2',
    ]);
    parsed.dispose();
    p2.dispose();
  });

  for (const seed0 of [1, 2, 3, 4, 5, 6]) {
    it(`random edits with CRLF, lone \\r, reversed ranges and ranges past the end (seed ${seed0})`, () => {
      let seed = seed0;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const snippets = [
        'import a\r\n',
        'from b import c\r\n',
        'x = 1\r\n',
        '\r\n',
        '\r',
        '\n',
        'import e',
        '    import f\r\n',
        '"😀"',
        '',
        'import os\r\nimport q\r\n',
      ];
      const start =
        'import os\r\nimport json\r\n\r\nimport numpy as np\r\nfrom scipy import stats\r\ntry:\r\n' +
        '    import cartopy\r\nexcept ImportError:\r\n    pass\r\nx = "😀"; import zz\r\n';
      let doc = TextDocument.create('file:///r.py', 'python', 1, start);
      const parsed = new ParsedSource(parser, queries);
      expect(parsed.importSites(doc)).toEqual(fresh(start));
      let applied = 0;
      for (let i = 0; i < 300; i++) {
        const len = doc.getText().length;
        const a = rnd(len + 1);
        let from = doc.positionAt(a);
        let to = doc.positionAt(Math.min(len, a + rnd(12)));
        if (rnd(10) === 0) to = { line: to.line + 3, character: 99 };
        if (rnd(10) === 0) [from, to] = [to, from];
        const change = { range: { start: from, end: to }, text: snippets[rnd(snippets.length)] };
        const expected = TextDocument.create('file:///r.py', 'python', i + 2, doc.getText());
        TextDocument.update(expected, [change], i + 2);
        if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(expected.getText()))
          continue;
        doc = parsed.applyChange(doc, change, i + 2);
        expect(doc.getText()).toBe(expected.getText());
        expect(parsed.importSites(doc), `edit ${i}: ${JSON.stringify(change)}`).toEqual(
          fresh(parserText(doc.getText())),
        );
        applied++;
      }
      expect(applied).toBeGreaterThan(200);
      parsed.dispose();
    });
  }

  it('a document whose tree was dropped (tree budget) is parsed again in full and stays right', () => {
    const budget = new TreeBudget(1);
    let a = TextDocument.create('file:///a.py', 'python', 1, START);
    let b = TextDocument.create('file:///b.py', 'python', 1, START);
    const pa = new ParsedSource(parser, queries, budget);
    const pb = new ParsedSource(parser, queries, budget);
    pa.importSites(a);
    pb.importSites(b); // drops a's tree
    expect(budget.size).toBe(1);
    const edit = {
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
      text: 'import c1\n',
    };
    a = pa.applyChange(a, edit, 2);
    b = pb.applyChange(b, edit, 2);
    expect(pa.importSites(a)).toEqual(fresh(a.getText()));
    expect(pb.importSites(b)).toEqual(fresh(b.getText()));
    pa.dispose();
    pb.dispose();
    expect(budget.size).toBe(0);
  });
});
