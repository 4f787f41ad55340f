import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferYear, parseLogLine, readPythonString } from '../../../analyzer/pyrats/logLine';

const repo = path.resolve(__dirname, '../../..');
const sample = readFileSync(path.join(repo, 'test/fixtures/usage/syslog-pyrats-sample.log'), 'utf8')
  .split('\n')
  .filter(Boolean);
const ref = { referenceDate: new Date(Date.UTC(2026, 10, 25, 12)) };

describe('parseLogLine on the real syslog-ng sample', () => {
  it('reads every line as a record with all PyRats fields', () => {
    for (const line of sample) expect(parseLogLine(line, ref).kind).toBe('record');
    const p = parseLogLine(sample[1], ref);
    if (p.kind !== 'record') throw new Error(p.kind);
    expect(p.header).toEqual({
      format: 'bsd',
      received: Date.UTC(2026, 10, 25, 6, 28, 41),
      day: '2026-11-25',
      host: 'localhost',
      program: 'Python',
      pid: null,
    });
    expect(p.fields).toMatchObject({
      ts: '2026-11-25 06:19:02,943',
      tsMillis: Date.UTC(2026, 10, 25, 6, 19, 2, 943),
      loggerName: 'PyRats',
      pathName: '/contrib/anaconda/anaconda3/lib/python3.11/site-packages/sitecustomize.py',
      python: '/usr/bin/python3',
      logRecordCreationTime: 1795587542.943751,
      levelNo: 20,
      levelName: 'INFO',
    });
    expect(p.source).toEqual(['/home/jdoe/scripts', 'fit_model.py']);
    expect(p.targets).toEqual([
      ['/usr/lib/python3/dist-packages', 'matplotlib/pyplot.py'],
      ['/usr/lib/python3/dist-packages', 'numpy'],
      ['/usr/lib/python3/dist-packages', 'scipy/integrate'],
      ['/usr/lib/python3/dist-packages', 'scipy/interpolate'],
      ['/usr/lib/python3/dist-packages', 'scipy/optimize'],
    ]);
  });
});

describe('Python string-literal rules', () => {
  // Python itself writes the reprs: the parser must give back the exact strings.
  const tricky = [
    "it's",
    'say "hi"',
    `both ' and "`,
    'back\\slash',
    'tab\there',
    'new\nline',
    'bell\x07 and \x7f del',
    'nul\x00',
    'café',
    '日本語/データ.py',
    'emoji 🐍.py',
    '\u200b zero width',
    '\u00a0nbsp',
    '<img src=x onerror=alert(1)>.py',
  ];
  it('reads reprs made by CPython (both quote styles, escapes, non-ASCII)', () => {
    const py = spawnSync(
      'python3',
      ['-c', 'import json,sys\nfor s in json.load(sys.stdin): print(repr(((s, s + "x"), ("/r", s))))'],
      { input: JSON.stringify(tricky), encoding: 'utf8', timeout: 30_000 },
    );
    expect(py.status, py.stderr).toBe(0);
    const reprs = py.stdout.trimEnd().split('\n');
    expect(reprs.some((r) => r.includes(`"it's"`))).toBe(true); // double-quoted form exercised
    const message = `(${reprs.join('),(')})`;
    const line = `Nov 25 06:28:41 h1 Python: ts=2026-11-25 06:18:58,058;loggerName=PyRats;pathName=/p;python=/py;logRecordCreationTime=1.5;levelNo=20;levelName=INFO;message=${message}`;
    const p = parseLogLine(line, ref);
    // each tuple has a different source, so the whole message is refused ...
    expect(p).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/more than one source/) });
    // ... while each tuple alone reads back exactly
    tricky.forEach((s, i) => {
      const one = parseLogLine(line.replace(message, `(${reprs[i]})`), ref);
      if (one.kind !== 'record') throw new Error(`${JSON.stringify(s)}: ${JSON.stringify(one)}`);
      expect(one.source).toEqual([s, `${s}x`]);
      expect(one.targets).toEqual([['/r', s]]);
    });
  });

  it('handles every escape of the language', () => {
    const cases: [string, string][] = [
      [String.raw`'\a\b\f\n\r\t\v'`, '\x07\b\f\n\r\t\v'],
      [String.raw`'\101\x41\u0041\U00000041'`, 'AAAA'],
      [String.raw`'\0'`, '\0'],
      [String.raw`'\q'`, '\\q'],
      [String.raw`'\udcff'`, '\\udcff'],
      [String.raw`"\"'"`, `"'`],
      [`'a\\\nb'`, 'ab'],
    ];
    for (const [lit, want] of cases)
      expect(readPythonString(lit, 0)).toEqual({ value: want, end: lit.length });
    expect(readPythonString(String.raw`'\x4'`, 0)).toMatchObject({
      error: expect.stringMatching(/truncated/),
    });
    expect(readPythonString(`'abc`, 0)).toMatchObject({ error: 'unterminated string' });
  });
});

describe('headers and other line shapes', () => {
  const body =
    "Python: ts=2026-12-31 23:59:59,999;loggerName=PyRats;pathName=/p;python=/py;logRecordCreationTime=1798761599.999000;levelNo=20;levelName=INFO;message=((('/home/a/x', 'm.py'), ('/s/site-packages', 'numpy')))";
  it('infers the year closest to the reference date (across New Year)', () => {
    expect(inferYear(11, 31, new Date(Date.UTC(2027, 0, 1)))).toBe(2026);
    expect(inferYear(0, 1, new Date(Date.UTC(2026, 11, 31)))).toBe(2027);
    const p = parseLogLine(`Dec 31 23:59:59 h ${body}`, { referenceDate: new Date(Date.UTC(2027, 0, 1)) });
    expect(p.kind === 'record' && p.header.day).toBe('2026-12-31');
    const padded = parseLogLine(`Jan  5 01:02:03 h ${body}`, ref);
    expect(padded.kind === 'record' && padded.header.day).toBe('2027-01-05');
  });
  it('reads RFC 5424 and ISO-dated lines, with or without <PRI>', () => {
    const r = parseLogLine(
      `<14>1 2026-11-25T06:28:41.123+01:00 node7 Python - - - ${body.slice('Python: '.length)}`,
      ref,
    );
    expect(r).toMatchObject({
      kind: 'record',
      header: { format: 'rfc5424', host: 'node7', program: 'Python', day: '2026-11-25' },
    });
    const sd = parseLogLine(
      `1 2026-11-25T06:28:41Z node7 Python 123 ID [ex@1 a="b\\]"] ${body.slice(8)}`,
      ref,
    );
    expect(sd).toMatchObject({ kind: 'record', header: { pid: '123' } });
    const iso = parseLogLine(`2026-11-25T06:28:41+00:00 node8 ${body}`, ref);
    expect(iso).toMatchObject({ kind: 'record', header: { format: 'iso', host: 'node8' } });
  });
  it('reads PyRatsRequest records (JSON message) and tells other programs apart', () => {
    const req = parseLogLine(
      `Nov 25 06:28:41 h Python: ts=2026-11-25 06:18:58,058;loggerName=PyRatsRequest;pathName=/p;python=/py;logRecordCreationTime=1.0;levelNo=20;levelName=INFO;message={"packages":[{"name":"PyYAML"}],"reason":"a;b"}`,
      ref,
    );
    expect(req).toMatchObject({ kind: 'request', request: { reason: 'a;b' } });
    expect(parseLogLine('Nov 25 06:28:41 h sshd[42]: Accepted key', ref)).toMatchObject({ kind: 'other' });
  });
  it('says what is wrong with bad lines, with a column', () => {
    const good = sample[0];
    expect(parseLogLine(good.slice(0, good.length - 20), ref)).toMatchObject({
      kind: 'bad',
      reason: expect.stringMatching(/truncated/),
    });
    expect(parseLogLine('', ref)).toMatchObject({ kind: 'bad', reason: 'empty line' });
    expect(parseLogLine('garbage', ref)).toMatchObject({ kind: 'bad', column: 1 });
    expect(parseLogLine(good.replace('levelNo=20', 'levelNo=x'), ref)).toMatchObject({
      kind: 'bad',
      reason: expect.stringMatching(/levelNo/),
    });
    expect(parseLogLine(good.replace('Nov 25', 'Feb 30'), ref)).toMatchObject({ kind: 'bad' });
    const broken = good.replace("'), ('", "') ('");
    const garbled = parseLogLine(broken, ref);
    expect(garbled).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/garbled.*','/) });
    // the column points where the ',' between source and target is missing
    if (garbled.kind === 'bad') expect(broken.slice(garbled.column! - 4, garbled.column!)).toBe("') (");
  });
});
