/**
 * pythonRepr against the real `python3`: quotes, escapes, control characters, non-ASCII printable and
 * non-printable characters, astral code points, lone surrogates, tuples; and the non-printable table
 * against every code point when python3's Unicode version is the table's.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NON_PRINTABLE_UNICODE_VERSION } from '../../../analyzer/pyrats/nonPrintable';
import { isPrintableCodePoint, pythonRepr, pythonStrRepr } from '../../../analyzer/pyrats/pythonRepr';

function python(script: string, input = ''): string {
  return execFileSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const SAMPLES = [
  '',
  'plain/path/main.py',
  "it's",
  'say "hi"',
  `both ' and "`,
  'back\\slash',
  'tab\there',
  'new\nline',
  'cr\rhere',
  'nul\u0000bell\u0007esc\u001b',
  'del\u007f',
  'c1 \u0080 \u0085 \u009f',
  'nbsp\u00a0soft\u00adhyphen',
  'latin é ñ ß ÿ',
  'greek αβγ cyrillic жи',
  'cjk 中文 ひらがな 한국어',
  'zero width \u200b joiner \u200d',
  'line sep \u2028 para sep \u2029',
  'bom \ufeff',
  'private \ue000 \uf8ff',
  'unassigned \u0378 \u0530',
  'emoji 😀 🐍',
  'astral private \u{f0000} tag \u{e0001}',
  'new in unicode 15: \u{11f00} \u{1e030}',
  'noncharacter \ufffe \uffff',
  'ideographic space \u3000 ogham \u1680',
  'lone high \ud800 lone low \udc00',
];

describe('pythonStrRepr', () => {
  it("matches python3's repr() for quotes, escapes, control and non-printable characters", () => {
    const expected = JSON.parse(
      python(
        'import sys, json; print(json.dumps([repr(s) for s in json.loads(sys.stdin.read())]))',
        JSON.stringify(SAMPLES),
      ),
    ) as string[];
    expect(SAMPLES.map(pythonStrRepr)).toEqual(expected);
  });

  it('chooses the quote as Python does', () => {
    expect(pythonStrRepr("a'b")).toBe(`"a'b"`);
    expect(pythonStrRepr('a"b')).toBe(`'a"b'`);
    expect(pythonStrRepr(`a'"b`)).toBe(`'a\\'"b'`);
    expect(pythonStrRepr('\\')).toBe(`'\\\\'`);
  });

  it('escapes with \\x, \\u and \\U widths', () => {
    expect(pythonStrRepr('\u0001')).toBe(`'\\x01'`);
    expect(pythonStrRepr('\u00ad')).toBe(`'\\xad'`);
    expect(pythonStrRepr('\u200b')).toBe(`'\\u200b'`);
    expect(pythonStrRepr('\u{e0001}')).toBe(`'\\U000e0001'`);
    expect(pythonStrRepr('é😀')).toBe(`'é😀'`);
  });
});

describe('pythonRepr of tuples', () => {
  it('writes nested tuples, None and 1-tuples like Python', () => {
    expect(
      pythonRepr([
        ['/a', 'main.py'],
        ['/b', "x'y.py"],
      ]),
    ).toBe(`(('/a', 'main.py'), ('/b', "x'y.py"))`);
    expect(
      pythonRepr([
        ['/a', 'main.py'],
        [null, null],
      ]),
    ).toBe(`(('/a', 'main.py'), (None, None))`);
    expect(pythonRepr(['only'])).toBe(`('only',)`);
    expect(pythonRepr([])).toBe('()');
  });
});

describe('non-printable table', () => {
  const pyVersion = python('import unicodedata; print(unicodedata.unidata_version)').trim();
  it.skipIf(pyVersion !== NON_PRINTABLE_UNICODE_VERSION)(
    `agrees with python3's str.isprintable() on every code point (Unicode ${NON_PRINTABLE_UNICODE_VERSION})`,
    () => {
      // python3 lists the non-printable code points as hex runs "start-end"
      const runs = python(
        [
          'out = []',
          'start = None',
          'for cp in range(0x110000):',
          '    np = not chr(cp).isprintable()',
          '    if np and start is None: start = cp',
          '    if not np and start is not None: out.append("%x-%x" % (start, cp - 1)); start = None',
          'if start is not None: out.append("%x-%x" % (start, 0x10ffff))',
          'print(" ".join(out))',
        ].join('\n'),
      )
        .trim()
        .split(' ');
      const ours: string[] = [];
      let start = -1;
      for (let cp = 0; cp <= 0x110000; cp++) {
        const np = cp < 0x110000 && !isPrintableCodePoint(cp);
        if (np && start < 0) start = cp;
        if (!np && start >= 0) {
          ours.push(`${start.toString(16)}-${(cp - 1).toString(16)}`);
          start = -1;
        }
      }
      expect(ours).toEqual(runs);
    },
  );
});
