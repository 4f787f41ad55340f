/**
 * analyzer/privateFiles.ts on the real file system, with the process umask set to the loosest (0)
 * and a strict one (077): modes come out exactly as asked, `--mode` text is parsed or refused with
 * a reason, and nested umask holds put back what was there.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dirModeFor,
  formatMode,
  holdUmask,
  makePrivateDir,
  parseFileMode,
  readableByOthers,
  replacePrivateFile,
  writePrivateFile,
} from '../../analyzer/privateFiles';

let tmp: string;
let umaskBefore: number;
const modeOf = (p: string) => formatMode(statSync(p).mode);

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-privfiles-'));
  umaskBefore = process.umask();
});
afterEach(() => {
  process.umask(umaskBefore);
  rmSync(tmp, { recursive: true, force: true });
});

describe('parseFileMode', () => {
  it('reads 0600, 640 and 0o660; refuses execute bits, an owner without rw, and non-octal text', () => {
    expect([parseFileMode('0600'), parseFileMode('640'), parseFileMode('0o660')]).toEqual([
      0o600, 0o640, 0o660,
    ]);
    expect(() => parseFileMode('0755')).toThrow(/'0755' is not a file mode .*execute bits/);
    expect(() => parseFileMode('0440')).toThrow(/the owner needs read and write/);
    expect(() => parseFileMode('rw-r-----')).toThrow(/three octal digits expected/);
    expect(() => parseFileMode('0800')).toThrow(/three octal digits expected/);
  });

  it('pairs file modes with directory modes', () => {
    expect([0o600, 0o640, 0o660, 0o644].map((m) => formatMode(dirModeFor(m)))).toEqual([
      '0700',
      '0750',
      '0770',
      '0755',
    ]);
  });
});

describe('private files and directories', () => {
  it('makes every missing directory exactly the mode, under umask 0 and 077, and leaves existing ones', () => {
    process.umask(0);
    makePrivateDir(path.join(tmp, 'a', 'b'));
    expect([modeOf(path.join(tmp, 'a')), modeOf(path.join(tmp, 'a', 'b'))]).toEqual(['0700', '0700']);
    process.umask(0o077);
    makePrivateDir(path.join(tmp, 'g', 'h'), 0o750);
    expect([modeOf(path.join(tmp, 'g')), modeOf(path.join(tmp, 'g', 'h'))]).toEqual(['0750', '0750']);
    chmodSync(path.join(tmp, 'a'), 0o755);
    makePrivateDir(path.join(tmp, 'a', 'c'));
    expect([modeOf(path.join(tmp, 'a')), modeOf(path.join(tmp, 'a', 'c'))]).toEqual(['0755', '0700']);
    writeFileSync(path.join(tmp, 'file'), '');
    expect(() => makePrivateDir(path.join(tmp, 'file', 'x'))).toThrow(/file: exists and is not a directory/);
  });

  it('writes files 0600 under umask 0, tightens an existing 0644 file, and refuses an existing one when exclusive', () => {
    process.umask(0);
    const f = path.join(tmp, 'd', 'secret');
    writePrivateFile(f, 'one');
    expect([modeOf(f), modeOf(path.dirname(f)), readFileSync(f, 'utf8')]).toEqual(['0600', '0700', 'one']);
    chmodSync(f, 0o644);
    expect(readableByOthers(f)).toBe(0o644);
    writePrivateFile(f, Buffer.from('two'));
    expect([modeOf(f), readFileSync(f, 'utf8'), readableByOthers(f)]).toEqual(['0600', 'two', null]);
    expect(() => writePrivateFile(f, 'three', { exclusive: true })).toThrow(/EEXIST/);
    writePrivateFile(path.join(tmp, 'g', 'shared'), 'x', { mode: 0o640 });
    expect([modeOf(path.join(tmp, 'g', 'shared')), modeOf(path.join(tmp, 'g'))]).toEqual(['0640', '0750']);
    expect(readableByOthers(path.join(tmp, 'absent'))).toBeNull();
  });

  it('holds the umask for files others create, nested holds put back the one before', () => {
    process.umask(0o022);
    const outer = holdUmask();
    writeFileSync(path.join(tmp, 'outer'), '');
    const inner = holdUmask(0o640);
    writeFileSync(path.join(tmp, 'inner'), '');
    inner();
    writeFileSync(path.join(tmp, 'outer-again'), '');
    inner(); // a second release changes nothing
    outer();
    writeFileSync(path.join(tmp, 'after'), '');
    expect(['outer', 'inner', 'outer-again', 'after'].map((n) => modeOf(path.join(tmp, n)))).toEqual([
      '0600',
      '0640',
      '0600',
      '0644',
    ]);
    expect(process.umask()).toBe(0o022);
  });
});

describe('replacePrivateFile', () => {
  it('replaces a file whole, private whatever the umask', () => {
    process.umask(0);
    const file = path.join(tmp, 'cache', 'entry.json');
    replacePrivateFile(file, 'old');
    replacePrivateFile(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(modeOf(file)).toBe('0600');
    expect(readdirSync(path.dirname(file))).toEqual(['entry.json']);
  });

  it('when the write cannot be completed, throws and leaves nothing half-written beside the target', () => {
    // the target is a directory that is not empty: the rename fails after the data was written
    const target = path.join(tmp, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    expect(() => replacePrivateFile(target, 'data')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(tmp)).toEqual(['taken']);
  });
});
