/**
 * The follow cache's packing: a real closure (a copy of parity case 22, followed with the `python3` on
 * PATH) packed and unpacked is equal to itself, the string table holds each string once, and damaged
 * packs (an index outside the table, a wrong count, a foreign head) are refused instead of becoming
 * a result.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { followDependencies, type FollowResult } from '../../../analyzer/graph/follow';
import {
  packFollow,
  unpackFollow,
  unpackGrounds,
  type PackedFollow,
} from '../../../analyzer/graph/packedFollow';
import type { FsGrounds } from '../../../analyzer/resolve/fsJournal';
import { copyCase } from '../../support/pyratsCases';

let result: FollowResult;
const grounds: Omit<FsGrounds, 'asked'> = {
  listings: [
    ['/a', '4096:1:1:7', 'nodot:pkg/site-packages', 'fd-'],
    ['/b', null, null, ''],
    ['/c', '', null, 'l'],
  ],
  linkKinds: [['/c/x', 'dir']],
  realpaths: [
    ['x.py', '/a/x.py'],
    ['/a/x.py', '/a/x.py'],
  ],
  contents: [['/a/x.py', '12:3:3:9']],
};

beforeAll(async () => {
  const c = copyCase('22_follow_chain');
  const env = await introspectInterpreter('python3');
  try {
    result = await followDependencies([path.join(c.dir, 'main.py')], env);
  } finally {
    c.cleanup();
  }
});

/** A deep copy of a pack, to damage. */
const copy = (p: PackedFollow): PackedFollow => JSON.parse(JSON.stringify(p)) as PackedFollow;

describe('packed follow results', () => {
  it('round-trips a real closure and its grounds through JSON', () => {
    expect(result.edges.length).toBeGreaterThan(2);
    const packed = JSON.parse(JSON.stringify(packFollow(result, grounds))) as PackedFollow;
    expect(unpackFollow(packed)).toEqual(result);
    expect(unpackGrounds(packed)).toEqual(grounds);
    expect(new Set(packed.s).size).toBe(packed.s.length);
  });

  it('keeps what this closure lacks: distributions, problems with lines, unresolved imports', () => {
    const richer: FollowResult = {
      ...result,
      edges: result.edges.map((e, i) =>
        i === 0 ? { ...e, status: 'thirdParty', distribution: { name: 'numpy', version: '1.26.4' } } : e,
      ),
      problems: [{ file: '/a/x.py', kind: 'syntax', message: 'invalid syntax', line: 3 }],
      unresolved: [{ file: '/a/x.py', module: 'nosuch', line: 7 }],
    };
    const packed = JSON.parse(JSON.stringify(packFollow(richer, grounds))) as PackedFollow;
    expect(unpackFollow(packed)).toEqual(richer);
  });

  it('refuses damaged packs', () => {
    const good = packFollow(result, grounds);
    const damaged: ((p: PackedFollow) => void)[] = [
      (p) => (p.edges[4] = p.s.length),
      (p) => (p.edges[0] = -2),
      (p) => p.edges.pop(),
      (p) => (p.sources[4] = 10_000),
      (p) => (p.sources[3] = 2),
      (p) => (p.head[0] = 'other'),
      (p) => (p.unresolved[0] = 1.5),
      (p) => (p.s = [1 as unknown as string]),
      (p) => (p.problems = [{ file: 1 } as never]),
    ];
    for (const damage of damaged) {
      const p = copy(good);
      damage(p);
      expect(() => unpackFollow(p), String(damage)).toThrow(/packed follow/);
    }
    const groundsDamage: ((p: PackedFollow) => void)[] = [
      (p) => (p.listings[0][0] = 99),
      (p) => (p.linkKinds[1] = 'sock'),
      (p) => p.realpaths.pop(),
      (p) => (p.listings[0][3] = null as never),
    ];
    for (const damage of groundsDamage) {
      const p = copy(good);
      damage(p);
      expect(() => unpackGrounds(p), String(damage)).toThrow(/packed follow/);
    }
  });
});
