/** PEP 263 decoding: BOM, coding cookies on line 1 or 2, Python codec names, clear errors. */
import { describe, expect, it } from 'vitest';
import { decodePythonSource, findCodingCookie } from '../../../analyzer/extract/sourceText';

const latin1 = (s: string): Uint8Array => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodePythonSource', () => {
  const ok: [string, Uint8Array, string, string][] = [
    ['no cookie: utf-8', utf8('s = "é€"\n'), 'utf-8', 's = "é€"\n'],
    ['BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('x = "é"\n')]), 'utf-8-sig', 'x = "é"\n'],
    [
      'BOM with utf-8 cookie',
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('# coding: utf-8\n')]),
      'utf-8-sig',
      '# coding: utf-8\n',
    ],
    [
      'latin-1 cookie',
      latin1('# -*- coding: latin-1 -*-\nx = "\xe9\x80"\n'),
      'latin-1',
      '# -*- coding: latin-1 -*-\nx = "é\x80"\n',
    ],
    [
      'iso-8859-1 spelling',
      latin1('# coding=iso-8859-1\nx = "\xe9"\n'),
      'latin-1',
      '# coding=iso-8859-1\nx = "é"\n',
    ],
    [
      'vim fileencoding on line 2',
      latin1('#!/usr/bin/python\n# vim: set fileencoding=iso-8859-15 :\nx = "\xa4"\n'),
      'iso-8859-15',
      '#!/usr/bin/python\n# vim: set fileencoding=iso-8859-15 :\nx = "€"\n',
    ],
    ['cp1252', latin1('# coding: cp1252\nx = "\x80"\n'), 'cp1252', '# coding: cp1252\nx = "€"\n'],
    ['utf8 alias', utf8('# coding: UTF8\nx = "é"\n'), 'utf-8', '# coding: UTF8\nx = "é"\n'],
    ['ascii', utf8('# coding: ascii\nx = 1\n'), 'ascii', '# coding: ascii\nx = 1\n'],
    [
      'cookie on line 3 is ignored',
      utf8('#!/x\n#\n# coding: latin-1\nx = "é"\n'),
      'utf-8',
      '#!/x\n#\n# coding: latin-1\nx = "é"\n',
    ],
    [
      'line 2 is ignored after code on line 1',
      utf8('import os\n# coding: latin-1\nx = "é"\n'),
      'utf-8',
      'import os\n# coding: latin-1\nx = "é"\n',
    ],
    [
      'euc-jp',
      Uint8Array.from([...utf8('# coding: euc_jp\nx = "'), 0xa4, 0xa2, ...utf8('"\n')]),
      'euc-jp',
      '# coding: euc_jp\nx = "あ"\n',
    ],
  ];
  it.each(ok)('%s', (_label, bytes, encoding, text) => {
    expect(decodePythonSource(bytes)).toEqual({ text, encoding });
  });

  const bad: [string, Uint8Array, RegExp][] = [
    [
      'unknown encoding',
      utf8('# coding: klingon-9\n'),
      /^unknown encoding 'klingon-9' in the coding cookie on line 1$/,
    ],
    [
      'invalid utf-8 without cookie',
      latin1('import os\n\nx = "caf\xe9"\n'),
      /^cannot decode as utf-8 \(the default without a coding cookie\): invalid data on line 3 \(byte 0xe9\)$/,
    ],
    [
      'invalid byte for ascii',
      latin1('# coding: ascii\nx = "\xe9"\n'),
      /^cannot decode as ascii \(declared on line 1\): invalid data on line 2 \(byte 0xe9\)$/,
    ],
    [
      'invalid utf-8 despite cookie',
      latin1('# coding: utf-8\n\n\nx = "\xff"\n'),
      /invalid data on line 4 \(byte 0xff\)/,
    ],
    [
      'BOM contradicting cookie',
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('# coding: latin-1\n')]),
      /^UTF-8 byte-order mark contradicts the coding cookie 'latin-1' on line 1$/,
    ],
    [
      'BOM with "utf8" cookie (CPython wants utf-8)',
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('# coding: utf8\n')]),
      /contradicts/,
    ],
    [
      'undecodable euc-jp',
      Uint8Array.from([...utf8('# coding: euc-jp\n'), 0xff, 0xff]),
      /^cannot decode as euc-jp \(declared on line 1\): invalid data on line 2$/,
    ],
  ];
  it.each(bad)('%s throws a clear error', (_label, bytes, message) => {
    expect(() => decodePythonSource(bytes)).toThrow(message);
  });
});

describe('findCodingCookie', () => {
  it('finds Emacs, vim and plain forms with their line', () => {
    expect(findCodingCookie(utf8('# -*- coding: utf-8 -*-\n'))).toEqual({ name: 'utf-8', line: 1 });
    expect(findCodingCookie(utf8('\n# vim:fileencoding=latin-1\n'))).toEqual({ name: 'latin-1', line: 2 });
    expect(findCodingCookie(utf8('x = 1  # coding: latin-1\n'))).toBeUndefined();
  });
});
