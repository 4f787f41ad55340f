import { describe, expect, it } from 'vitest';
import { fileUrl } from '../../../media/shared/bridge';

describe('file URLs for the standalone page', () => {
  it('escapes what a path may hold and keeps Windows drives', () => {
    expect(fileUrl('/home/a b/#1 run?.py')).toBe('file:///home/a%20b/%231%20run%3F.py');
    expect(fileUrl('/srv/données/é.py')).toBe('file:///srv/donn%C3%A9es/%C3%A9.py');
    expect(fileUrl('C:\\Users\\me\\x.py')).toBe('file:///C:/Users/me/x.py');
  });
});
