/**
 * Each outbox file is checked on its own: entries of older versions are read as they are, and every
 * kind of broken file gets its own one-line reason (outbox.ts moves those to bad/).
 */
import { describe, expect, it } from 'vitest';
import { compareEntries, parseOutboxEntry, retryDelayMs } from '../../../analyzer/requests/outboxEntry';
import { createPackageRequest } from '../../../analyzer/pyrats/packageRequest';

const request = createPackageRequest({
  user: 'jdoe',
  host: 'login01',
  script: null,
  baseline: null,
  packages: [{ name: 'PyYAML', imports: ['yaml'], evidence: [], baselineVersion: null, mirror: [] }],
  reason: null,
  preferredSource: null,
  client: 'pyrats-lens test',
});
const entry = {
  key: 'k.0',
  request,
  sink: 'tcp://127.0.0.1:514',
  attempts: 1,
  firstAttempt: '2026-01-01T00:00:00.000Z',
  lastAttempt: '2026-01-01T00:00:00.000Z',
  lastError: 'refused',
  nextAttempt: '2026-01-01T00:01:00.000Z',
};
const text = (over: Record<string, unknown>) => JSON.stringify({ ...entry, ...over });

describe('parseOutboxEntry', () => {
  it('reads an entry of an older version: firstAttempt null, no nextAttempt, no attempts', () => {
    const old: Partial<typeof entry> = { ...entry };
    delete old.nextAttempt;
    delete old.attempts;
    const parsed = parseOutboxEntry(JSON.stringify({ ...old, firstAttempt: null }), 'k.0');
    expect(parsed).toEqual({ ...entry, attempts: 0, firstAttempt: null, nextAttempt: null });
    // sorting no longer stumbles over the null
    const later = { ...parsed, key: 'a.0', firstAttempt: '2026-02-01T00:00:00.000Z' };
    expect([later, parsed].sort(compareEntries).map((e) => e.key)).toEqual(['k.0', 'a.0']);
  });

  it('names what is wrong with a broken file, one line each', () => {
    const cases: [string, RegExp][] = [
      ['{"key": "k.0", "request": {"format": "pyrats-req', /^not JSON \(/],
      ['[1, 2]', /^not a JSON object$/],
      [text({ request: { ...request, packages: [] } }), /^request: packages must be a non-empty list$/],
      [text({ sink: 42 }), /^no destination \(sink\)$/],
      [text({ sink: 'ftp://x' }), /is not a request destination/],
      [text({ attempts: -1 }), /^attempts is not a whole number$/],
      [text({ firstAttempt: 'yesterday' }), /^firstAttempt is not a date or null$/],
      [text({ nextAttempt: 5 }), /^nextAttempt is not a date or null$/],
      [text({ lastError: { why: 1 } }), /^lastError is not text or null$/],
    ];
    for (const [broken, reason] of cases) {
      expect(() => parseOutboxEntry(broken, 'k.0')).toThrow(reason);
    }
  });

  it('waits 1 minute after the first failure, doubling, at most an hour', () => {
    expect([1, 2, 3, 6, 7, 50].map(retryDelayMs)).toEqual([
      60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
  });
});
