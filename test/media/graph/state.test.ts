import { describe, expect, it } from 'vitest';
import { sanitizeState } from '../../../media/graph/render';

describe('saved view state', () => {
  it('keeps what is well formed', () => {
    const state = {
      transform: { x: 1, y: -2, k: 0.5 },
      collapsed: ['numpy', 'scipy'],
      filter: { hideStdlib: true, onlyThirdParty: false, onlyMissing: false },
      depth: 2,
      focusRoot: null,
      search: 'np',
      scope: 'workspace',
      positions: { a: [1, 2], b: [-3, 4] },
    };
    expect(sanitizeState(state)).toEqual(state);
  });

  it('drops what is malformed and keeps the rest', () => {
    expect(
      sanitizeState({
        transform: { x: 1, y: 2, k: -1 },
        collapsed: ['ok', 3, null],
        filter: { hideStdlib: 'yes' },
        depth: -1,
        focusRoot: 7,
        search: 'x'.repeat(2000),
        scope: 'everything',
        positions: { a: [1, 2], b: 'nowhere', c: [Number.NaN, 1], d: [1] },
      }),
    ).toEqual({
      collapsed: ['ok'],
      filter: { hideStdlib: false, onlyThirdParty: false, onlyMissing: false },
      search: 'x'.repeat(500),
      positions: { a: [1, 2] },
    });
    expect(sanitizeState(null)).toEqual({});
    expect(sanitizeState('garbage')).toEqual({});
  });
});
