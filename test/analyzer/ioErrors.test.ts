/**
 * The one errno table (analyzer/ioErrors.ts), on real file-system errors: each read failure a user
 * meets is said in the C library's words, a dangling link and an undecodable name get their own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_LINK, ioProblem, NOT_UTF8_NAME } from '../../analyzer/ioErrors';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-ioerrors-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The error reading `p` raises. */
function readError(p: string): unknown {
  try {
    readFileSync(p);
  } catch (err) {
    return err;
  }
  throw new Error(`${p} was readable`);
}

describe('ioProblem', () => {
  it('says what each real failure means, with its code when asked', () => {
    writeFileSync(path.join(tmp, 'file'), 'x');
    mkdirSync(path.join(tmp, 'dir'));
    symlinkSync(path.join(tmp, 'loop-b'), path.join(tmp, 'loop-a'));
    symlinkSync(path.join(tmp, 'loop-a'), path.join(tmp, 'loop-b'));
    symlinkSync(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
    const cases: [string, string][] = [
      ['absent', 'no such file or directory (ENOENT)'],
      ['dir', 'is a directory (EISDIR)'],
      ['file/x', 'a component of the path is not a directory (ENOTDIR)'],
      ['loop-a', 'too many levels of symbolic links (ELOOP)'],
      ['dangling', `${BROKEN_LINK} (ENOENT)`],
    ];
    for (const [name, expected] of cases)
      expect(ioProblem(readError(path.join(tmp, name)), { code: true }), name).toBe(expected);
    expect(ioProblem(readError(path.join(tmp, 'absent')))).toBe('no such file or directory');
  });

  it('names an undecodable file name, and keeps the message of an error without an errno', () => {
    const err = Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: path.join(tmp, 'caf\uFFFD.py') });
    expect(ioProblem(err)).toBe(NOT_UTF8_NAME);
    expect(ioProblem(new Error('something else'))).toBe('something else');
    expect(ioProblem(Object.assign(new Error('odd'), { code: 'EWHATEVER' }))).toBe('odd');
    expect(ioProblem('plain text')).toBe('plain text');
  });
});
