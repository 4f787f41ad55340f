import { describe, expect, it } from 'vitest';
import { parseRedactMode, redactPair, redactPath } from '../../../analyzer/pyrats/redactPath';

const homes = ['/home/jdoe', '/gpfs/home/jdoe/'];

describe('redactPath', () => {
  it('leaves paths alone with none', () => {
    expect(redactPath('/home/jdoe/a.py', { mode: 'none', homes })).toBe('/home/jdoe/a.py');
  });

  it('replaces the home directory (any spelling) by ~', () => {
    expect(redactPath('/home/jdoe/proj/a.py', { mode: 'home', homes })).toBe('~/proj/a.py');
    expect(redactPath('/gpfs/home/jdoe/proj', { mode: 'home', homes })).toBe('~/proj');
    expect(redactPath('/home/jdoe', { mode: 'home', homes })).toBe('~');
    expect(redactPath('/home/jdoe2/a.py', { mode: 'home', homes })).toBe('/home/jdoe2/a.py');
    expect(redactPath('/usr/lib/python3.11/os.py', { mode: 'home', homes })).toBe(
      '/usr/lib/python3.11/os.py',
    );
  });

  it('hashes components below home, stably, keeping the extension', () => {
    const a = redactPath('/home/jdoe/secret-project/analysis.py', { mode: 'hash', homes });
    expect(a).toMatch(/^~\/[0-9a-f]{12}\/[0-9a-f]{12}\.py$/);
    expect(a).not.toContain('secret');
    expect(redactPath('/home/jdoe/secret-project/analysis.py', { mode: 'hash', homes })).toBe(a);
    const salted = redactPath('/home/jdoe/secret-project/analysis.py', { mode: 'hash', homes, salt: 'x' });
    expect(salted).not.toBe(a);
    expect(redactPath('/opt/conda/lib/python3.11/site-packages', { mode: 'hash', homes })).toBe(
      '/opt/conda/lib/python3.11/site-packages',
    );
  });
});

describe('redactPair', () => {
  it('keeps pair structure consistent: the same directory maps to the same text', () => {
    const opts = { mode: 'hash' as const, homes };
    const [root1, rel1] = redactPair('/home/jdoe/app', 'pkg/main.py', opts);
    const [root2] = redactPair('/home/jdoe/app', 'pkg/util.py', opts);
    expect(root1).toBe(root2);
    expect(rel1).toMatch(/^[0-9a-f]{12}\/[0-9a-f]{12}\.py$/);
    expect(redactPair('/usr/lib/python3/dist-packages', 'numpy', opts)).toEqual([
      '/usr/lib/python3/dist-packages',
      'numpy',
    ]);
    expect(redactPair('/home/jdoe/app', 'pkg/main.py', { mode: 'home', homes })).toEqual([
      '~/app',
      'pkg/main.py',
    ]);
  });
});

describe('parseRedactMode', () => {
  it('accepts the three modes and names them on error', () => {
    expect(parseRedactMode('hash')).toBe('hash');
    expect(() => parseRedactMode('full')).toThrow(/use one of none, home, hash/);
  });
});
