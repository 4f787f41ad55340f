/**
 * One table row per import construct: the sites found (module, name, asname, level, kind, guard,
 * scope) and their exact ranges, plus syntax errors, Python 2 and the size cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseTree, createImportQueries, ImportExtractor } from '../../../analyzer/extract/extractImports';
import { createPythonParser } from '../../../analyzer/parse/pythonParser';
import type { ImportSite } from '../../../analyzer/extract/importSite';

let extractor: ImportExtractor;
beforeAll(async () => {
  extractor = await ImportExtractor.create();
});
afterAll(() => extractor.dispose());

/** A compact view of a site: `kind module name asname level guarded inFunction`. */
function brief(s: ImportSite): string {
  const parts = [s.kind, s.module ?? '-', s.name ?? '-', s.asname ?? '-', String(s.level), s.guarded ?? '-'];
  if (s.inFunction) parts.push('fn');
  return parts.join(' ');
}

/** `line:char-line:char` of a range. */
function span(r: ImportSite['range']): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

const constructs: [string, string, string[]][] = [
  ['plain import', 'import os\n', ['import os - - 0 -']],
  ['dotted import with alias', 'import a.b.c as x\n', ['import a.b.c - x 0 -']],
  [
    'several modules in one statement',
    'import a, b.c as d, e\n',
    ['import a - - 0 -', 'import b.c - d 0 -', 'import e - - 0 -'],
  ],
  ['spaces inside a dotted name', 'import a . b\n', ['import a.b - - 0 -']],
  ['from import, one site per name', 'from m import a, b as c\n', ['from m a - 0 -', 'from m b c 0 -']],
  ['star import', 'from m.n import *\n', ['star m.n - - 0 -']],
  ['relative with module', 'from ..a import b\n', ['from a b - 2 -']],
  ['relative without module', 'from . import x\n', ['from - x - 1 -']],
  ['three dots', 'from ... import y as z\n', ['from - y z 3 -']],
  ['relative star', 'from .. import *\n', ['star - - - 2 -']],
  [
    'parenthesised and multi-line',
    'from m import (\n    a,\n    b as c,\n)\n',
    ['from m a - 0 -', 'from m b c 0 -'],
  ],
  ['backslash continuation', 'from m \\\n  import a, \\\n  b\n', ['from m a - 0 -', 'from m b - 0 -']],
  [
    '__future__ from-import is left out',
    'from __future__ import annotations\nimport x\n',
    ['import x - - 0 -'],
  ],
  ['plain import __future__ is kept', 'import __future__\n', ['import __future__ - - 0 -']],
  ['semicolons', 'import a; from b import c\n', ['import a - - 0 -', 'from b c - 0 -']],
  ['inside def', 'def f():\n    import a\n', ['import a - - 0 - fn']],
  ['inside async def', 'async def f():\n    import a\n', ['import a - - 0 - fn']],
  ['inside a method', 'class C:\n    def m(self):\n        from x import y\n', ['from x y - 0 - fn']],
  ['class body is not a function', 'class C:\n    import a\n', ['import a - - 0 -']],
  ['with block', 'with open(f) as g:\n    import a\n', ['import a - - 0 -']],
  [
    'for and while',
    'for i in x:\n    import a\nwhile y:\n    import b\n',
    ['import a - - 0 -', 'import b - - 0 -'],
  ],
  [
    'try/except ImportError guards the try body only',
    'try:\n    import a\nexcept ImportError:\n    import b\nelse:\n    import c\nfinally:\n    import d\n',
    ['import a - - 0 try', 'import b - - 0 -', 'import c - - 0 -', 'import d - - 0 -'],
  ],
  [
    'ModuleNotFoundError',
    'try:\n    import a\nexcept ModuleNotFoundError:\n    pass\n',
    ['import a - - 0 try'],
  ],
  ['Exception', 'try:\n    import a\nexcept Exception as e:\n    pass\n', ['import a - - 0 try']],
  ['BaseException', 'try:\n    import a\nexcept BaseException:\n    pass\n', ['import a - - 0 try']],
  ['bare except', 'try:\n    import a\nexcept:\n    pass\n', ['import a - - 0 try']],
  [
    'bare except with a comment',
    'try:\n    import a\nexcept:  # why\n    # more\n    pass\n',
    ['import a - - 0 try'],
  ],
  [
    'tuple of exceptions',
    'try:\n    import a\nexcept (OSError, ImportError) as e:\n    pass\n',
    ['import a - - 0 try'],
  ],
  [
    'qualified exception name',
    'try:\n    import a\nexcept builtins.ImportError:\n    pass\n',
    ['import a - - 0 try'],
  ],
  [
    'second handler catches',
    'try:\n    import a\nexcept KeyError:\n    pass\nexcept ImportError:\n    pass\n',
    ['import a - - 0 try'],
  ],
  [
    'other exceptions do not guard',
    'try:\n    import a\nexcept (KeyError, OSError):\n    pass\n',
    ['import a - - 0 -'],
  ],
  ['try/finally does not guard', 'try:\n    import a\nfinally:\n    pass\n', ['import a - - 0 -']],
  [
    'if / elif / else',
    'if x:\n    import a\nelif y:\n    import b\nelse:\n    import c\n',
    ['import a - - 0 if', 'import b - - 0 if', 'import c - - 0 if'],
  ],
  [
    'TYPE_CHECKING',
    'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n',
    ['from typing TYPE_CHECKING - 0 -', 'import a - - 0 if'],
  ],
  [
    'try wins over if',
    'try:\n    if x:\n        import a\nexcept ImportError:\n    pass\n',
    ['import a - - 0 try'],
  ],
  ['loop else is not an if', 'for i in x:\n    pass\nelse:\n    import a\n', ['import a - - 0 -']],
  ['match case', 'match x:\n    case 1:\n        import a\n', ['import a - - 0 if']],
  [
    'a guard outside the function does not count',
    'if x:\n    def f():\n        import a\n',
    ['import a - - 0 - fn'],
  ],
  [
    'guard inside the function counts',
    'def f():\n    try:\n        import a\n    except ImportError:\n        a = None\n',
    ['import a - - 0 try fn'],
  ],
  ['__import__ literal', "m = __import__('x.y')\n", ['dynamic x.y - - 0 -']],
  [
    'importlib.import_module',
    "import importlib\nimportlib.import_module('p.q')\n",
    ['import importlib - - 0 -', 'dynamic p.q - - 0 -'],
  ],
  [
    'aliased importlib',
    "import importlib as il\nil.import_module('m')\n",
    ['import importlib - il 0 -', 'dynamic m - - 0 -'],
  ],
  [
    'from importlib import import_module',
    "from importlib import import_module\nimport_module('m')\n",
    ['from importlib import_module - 0 -', 'dynamic m - - 0 -'],
  ],
  [
    'relative import_module',
    "import importlib\nimportlib.import_module('..m', 'pkg')\n",
    ['import importlib - - 0 -', 'dynamic m - - 2 -'],
  ],
  [
    'non-literal dynamic imports are ignored; implicit concatenation is a literal, as in Python',
    "__import__(name)\n__import__(f'x{y}')\n__import__('a' 'b')\n__import__(b'x')\n",
    ['dynamic ab - - 0 -'],
  ],
  ['unrelated import_module is ignored', "import_module('m')\nother.import_module('m')\n", []],
  [
    'dynamic in function under try',
    "def f():\n    try:\n        __import__('x')\n    except ImportError:\n        pass\n",
    ['dynamic x - - 0 try fn'],
  ],
  [
    'dynamic interleaved in source order',
    "import a\n__import__('b')\nimport c\n",
    ['import a - - 0 -', 'dynamic b - - 0 -', 'import c - - 0 -'],
  ],
];

describe('import constructs', () => {
  it.each(constructs)('%s', (_label, source, expected) => {
    const r = extractor.extractText(source);
    expect(r.problems).toEqual([]);
    expect(r.syntaxOk).toBe(true);
    expect(r.sites.map(brief)).toEqual(expected);
  });
});

describe('ranges (zero-based line, UTF-16 character)', () => {
  it('marks the imported name and the whole statement', () => {
    const r = extractor.extractText('import a.b.c as x, y\nfrom ..m import (a,\n    b as c)\n');
    expect(r.sites.map((s) => [span(s.range), span(s.statementRange)])).toEqual([
      ['0:7-0:12', '0:0-0:20'],
      ['0:19-0:20', '0:0-0:20'],
      ['1:17-1:18', '1:0-2:11'],
      ['2:4-2:5', '1:0-2:11'],
    ]);
  });

  it('counts UTF-16 code units after non-ASCII text', () => {
    const r = extractor.extractText('x = "é😀"; import os\n');
    expect(span(r.sites[0].range)).toBe('0:18-0:20');
  });

  it('marks the star and the dynamic module name without quotes', () => {
    const r = extractor.extractText("from m import *\n__import__('mod')\n");
    expect(span(r.sites[0].range)).toBe('0:14-0:15');
    expect(span(r.sites[1].range)).toBe('1:12-1:15');
    expect(span(r.sites[1].statementRange)).toBe('1:0-1:17');
  });
});

describe('line endings', () => {
  it('reads \\r\\n and lone \\r line endings as CPython and LSP do', () => {
    const lf =
      'import os\ntry:\n    import a\nexcept ImportError:\n    pass\ndef f():\n    from b import c\n';
    const expected = extractor.extractText(lf);
    for (const eol of ['\r\n', '\r']) {
      const r = extractor.extractText(lf.replace(/\n/g, eol));
      expect(r.problems).toEqual([]);
      expect(r.sites.map((s) => [s.module, s.range.start.line, s.guarded, s.inFunction])).toEqual(
        expected.sites.map((s) => [s.module, s.range.start.line, s.guarded, s.inFunction]),
      );
    }
  });
});

describe('syntax errors', () => {
  it('returns the imports before and after the error, and syntaxOk false', () => {
    const r = extractor.extractText('import a\ndef f(:\n    pass\nimport b\n');
    expect(r.syntaxOk).toBe(false);
    expect(r.sites.map((s) => s.module)).toEqual(['a', 'b']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ kind: 'syntax', line: 1 });
    expect(r.problems[0].message).toMatch(/^syntax error at line 2/);
  });

  it('reports a missing token', () => {
    const r = extractor.extractText('import a\nx = (1,\n');
    expect(r.syntaxOk).toBe(false);
    expect(r.problems.map((p) => p.kind)).toEqual(['syntax']);
  });

  it('reports CPython nesting limits that tree-sitter does not have', () => {
    const ok = extractor.extractText(`x = ${'('.repeat(200)}1${')'.repeat(200)}\n`);
    expect(ok.syntaxOk).toBe(true);
    const parens = extractor.extractText(`import a\nx = ${'('.repeat(201)}1${')'.repeat(201)}\n`);
    expect(parens.syntaxOk).toBe(false);
    expect(parens.problems[0].message).toMatch(/too many nested parentheses at line 2/);
    expect(parens.sites.map((s) => s.module)).toEqual(['a']);
    const ifs = (n: number): string =>
      Array.from({ length: n }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') +
      `${' '.repeat(n)}import deep\n`;
    expect(extractor.extractText(ifs(99)).syntaxOk).toBe(true);
    const tooDeep = extractor.extractText(ifs(100));
    expect(tooDeep.syntaxOk).toBe(false);
    expect(tooDeep.problems[0].message).toMatch(/too many levels of indentation/);
    expect(tooDeep.sites.map(brief)).toEqual(['import deep - - 0 if']);
  });

  it('accepts f-string format specs starting with = that the grammar reads as a walrus', () => {
    for (const src of [
      'x = f"{a:=}"\n',
      'x = f"{a:=^10}"\n',
      'raise TypeError(f"{t:=} must be a sequence") from None\n',
    ]) {
      expect(extractor.extractText(src).problems, src).toEqual([]);
    }
    expect(extractor.extractText('x = f"{a:=}" +\n').syntaxOk).toBe(false);
  });

  it('reports the first error in source order', () => {
    const r = extractor.extractText('x = f"{a:=}"\ndef f(:\n    pass\ny = (\n');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].line).toBe(1);
  });

  it('ignores brackets and indentation inside strings and comments', () => {
    const src = `s = """${'('.repeat(300)}"""\n# ${'['.repeat(300)}\nt = '${'{'.repeat(300)}'\n`;
    expect(extractor.extractText(src).syntaxOk).toBe(true);
  });
});

describe('Python 2 files', () => {
  const py2: [string, string][] = [
    ['print statement', 'import os\nprint "hello"\n'],
    ['exec statement', 'exec "x = 1"\n'],
    ['except with comma', 'try:\n    import a\nexcept ImportError, e:\n    pass\n'],
    ['raise with comma', 'raise ValueError, "bad"\n'],
    ['<> operator', 'if a <> b:\n    pass\n'],
    ['backticks', 'x = `y`\n'],
    ['ur prefix', "x = ur'abc'\n"],
    ['octal literal', 'x = 0777\n'],
    ['long literal', 'x = 10L\n'],
    ['tuple parameters', 'def f(a, (b, c)):\n    pass\n'],
    ['tuple parameter on a continuation line', 'def f(a,\n      (b, c)):\n    pass\n'],
    ['first parameter a tuple, next line', 'def f(  # comment\n        (b, c), d):\n    pass\n'],
  ];
  it.each(py2)('%s makes syntaxOk false with one python2 problem', (_label, source) => {
    const r = extractor.extractText(source);
    expect(r.syntaxOk).toBe(false);
    expect(r.problems.map((p) => p.kind)).toEqual(['python2']);
    expect(r.problems[0].message).toMatch(/^Python 2 syntax at line \d+: /);
  });

  it('still returns the imports of a Python 2 file', () => {
    const r = extractor.extractText('import urllib2\nfrom StringIO import StringIO\nprint "x"\nprint "y"\n');
    expect(r.sites.map((s) => s.module)).toEqual(['urllib2', 'StringIO']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].line).toBe(2);
  });

  const py3: [string, string][] = [
    ['print as a shift expression', 'import sys\nprint >> sys.stderr, "x"\n'],
    ['print of a parenthesised tuple', 'print ("a"), "b"\n'],
    ['print call', 'print("x")\n'],
    ['a call continued with a parenthesised tuple', 'def f(a,\n      b=(1, 2)):\n    g(a,\n      (b, c))\n'],
    ['0o octal, zeros, floats', 'x = 0o777 + 00 + 0777.5 + 0e1 + 0777j\n'],
    ['backticks and ur inside strings and comments', "# `x` ur'y' 0777 10L\ns = '`x` 0777'\n"],
  ];
  it.each(py3)('%s is valid Python 3', (_label, source) => {
    const r = extractor.extractText(source);
    expect(r.problems).toEqual([]);
    expect(r.syntaxOk).toBe(true);
  });
});

describe('time limit', () => {
  it('abandons a parse that takes too long, and parses the next text normally', async () => {
    const hasty = await ImportExtractor.create({ timeoutMs: 1 });
    try {
      const big = 'import os\n' + 'x = [1, 2, (3, 4), {"a": f(b)}]\n'.repeat(60_000);
      const r = hasty.extractText(big);
      expect(r.syntaxOk).toBe(false);
      expect(r.problems).toEqual([
        { kind: 'too-large', message: 'parsing took longer than 0.001 s: gave up (time limit)' },
      ]);
      expect(hasty.extractText('import json\n').sites.map((s) => s.module)).toEqual(['json']);
    } finally {
      hasty.dispose();
    }
  });
});

describe('size cap', () => {
  it('refuses text above the cap with one too-large problem', async () => {
    const small = await ImportExtractor.create({ maxBytes: 100 });
    try {
      const r = small.extractText(`import a\n${'#'.repeat(200)}\n`);
      expect(r.sites).toEqual([]);
      expect(r.syntaxOk).toBe(false);
      expect(r.problems.map((p) => p.kind)).toEqual(['too-large']);
      expect(r.problems[0].message).toMatch(/too large: 210 bytes \(limit 100 bytes\)/);
    } finally {
      small.dispose();
    }
  });
});

describe('a file that keeps the query cursor busy', () => {
  it('stops finding imports at the time limit, keeps what it found and says so', async () => {
    // 50,000 unclosed brackets (CPython stops at 200): tree-sitter's query cursor needs seconds
    const text = `import os\nx = ${'('.repeat(50_000)}\nimport sys\n`;
    const parser = await createPythonParser();
    const queries = createImportQueries(parser);
    const tree = parser.parse(text)!;
    try {
      const r = analyseTree(tree, text, queries, true, 50);
      expect(r.syntaxOk).toBe(false);
      expect(r.problems.map((p) => p.kind)).toEqual(['syntax', 'too-large']);
      expect(r.problems[0].message).toMatch(/too many nested parentheses/);
      expect(r.problems[1].message).toMatch(
        /^finding imports took longer than 0\.05 s .*: stopped, some imports may be missing$/,
      );
    } finally {
      tree.delete();
      queries.main.delete();
      queries.dynamic.delete();
      parser.delete();
    }
  });
});

describe('a valid file with hundreds of thousands of mentions or sites', () => {
  it('a one-letter alias of __import__ found 300,000 times in a string: the call through it, no crash', () => {
    const text = `a = __import__\nx = "${'a'.repeat(300_000)}"\na('json')\n`;
    const r = extractor.extractText(text);
    expect(r.problems).toEqual([]);
    expect(r.sites.map((s) => `${s.kind} ${s.module} ${s.range.start.line}`)).toEqual(['dynamic json 2']);
  });

  it('140,000 literal __import__ calls: every one listed, no crash', async () => {
    const count = 140_000;
    const text = Array.from({ length: count }, (_, i) => `__import__('m${i}')\n`).join('');
    const parser = await createPythonParser();
    const queries = createImportQueries(parser);
    const tree = parser.parse(text)!;
    try {
      const r = analyseTree(tree, text, queries, true, 600_000);
      expect(r.problems).toEqual([]);
      expect(r.sites.length).toBe(count);
      expect(r.sites[count - 1].module).toBe(`m${count - 1}`);
    } finally {
      tree.delete();
      queries.delete();
      parser.delete();
    }
  }, 120_000);
});
