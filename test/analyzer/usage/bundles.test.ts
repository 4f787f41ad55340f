/**
 * Package bundles (closed frequent sets of 3–4 packages) against a hand-worked example and against
 * brute force: every 3- and 4-subset of the packages counted directly, on random usage data.
 */
import { describe, expect, it } from 'vitest';
import { packageBundles, type PackageSetUse } from '../../../analyzer/usage/bundles';
import type { PackageBundle } from '../../../analyzer/usage/answers';
import { closedBundles } from '../../support/closedBundles';
import { mulberry32 } from '../../support/prng';

const use = (packages: string[], users: number[], scripts: number[]): PackageSetUse => ({
  packages: [...packages].sort(),
  users,
  scripts,
});

/** Every k-subset of `items` (k = 3, 4) with its users and scripts, then the closed ones. */
function bruteForce(sets: PackageSetUse[], minUsers: number): PackageBundle[] {
  const names = [...new Set(sets.flatMap((s) => s.packages))].sort();
  const subsets = (k: number, from = 0, prefix: string[] = []): string[][] =>
    prefix.length === k
      ? [prefix]
      : names.slice(from).flatMap((n, i) => subsets(k, from + i + 1, [...prefix, n]));
  const counted = [3, 4].flatMap((k) =>
    subsets(k).map((packages) => {
      const users = new Set<number>();
      const scripts = new Set<number>();
      for (const s of sets) {
        if (packages.every((p) => s.packages.includes(p))) {
          s.users.forEach((u) => users.add(u));
          s.scripts.forEach((x) => scripts.add(x));
        }
      }
      return { packages, users: users.size, scripts: scripts.size };
    }),
  );
  return closedBundles(counted, minUsers);
}

const order = (bs: PackageBundle[]) =>
  [...bs].sort((a, b) => a.packages.join(',').localeCompare(b.packages.join(',')));

describe('package bundles', () => {
  it('finds the closed bundles of a small example', () => {
    const sets = [
      use(['numpy', 'pandas', 'matplotlib'], [1], [10]),
      use(['numpy', 'pandas', 'matplotlib', 'xarray'], [2], [11]),
      use(['numpy', 'pandas', 'matplotlib', 'xarray'], [3], [12, 13]),
      use(['numpy', 'scipy', 'xarray'], [4], [14]),
      use(['numpy', 'scipy', 'xarray', 'dask'], [4], [15]),
    ];
    expect(packageBundles(sets)).toEqual([
      // used by 3 users: numpy+pandas+matplotlib (its superset with xarray has only 2)
      { packages: ['matplotlib', 'numpy', 'pandas'], users: 3, scripts: 4 },
      // 2 users with xarray too; the triples inside it that have the same 2 users are not listed
      { packages: ['matplotlib', 'numpy', 'pandas', 'xarray'], users: 2, scripts: 3 },
      // numpy+xarray+scipy has one user only: not a bundle
    ]);
    expect(packageBundles(sets, { minUsers: 1, limit: 3 }).map((b) => b.packages.join('+'))).toEqual([
      'matplotlib+numpy+pandas',
      'matplotlib+numpy+pandas+xarray',
      'dask+numpy+scipy+xarray',
    ]);
  });

  it('equals brute force on random usage', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = mulberry32(seed);
      const pool = Array.from({ length: 12 }, (_, i) => `pkg${String(i).padStart(2, '0')}`);
      const sets: PackageSetUse[] = [];
      for (let s = 0; s < 80; s++) {
        // popular packages first (Zipf-like), 2–7 packages per script
        const n = 2 + Math.floor(rnd() * 6);
        const chosen = new Set<string>();
        while (chosen.size < n) chosen.add(pool[Math.floor(pool.length * rnd() * rnd())]);
        sets.push(use([...chosen], [Math.floor(rnd() * 25)], [s]));
      }
      for (const minUsers of [1, 2, 4]) {
        const ours = packageBundles(sets, { minUsers, limit: 100_000 });
        expect(order(ours), `seed ${seed}, minUsers ${minUsers}`).toEqual(order(bruteForce(sets, minUsers)));
        // best first: users, then size
        for (let i = 1; i < ours.length; i++) expect(ours[i - 1].users).toBeGreaterThanOrEqual(ours[i].users);
      }
    }
  });

  it('returns nothing for empty input or sets too small', () => {
    expect(packageBundles([])).toEqual([]);
    expect(packageBundles([use(['a', 'b'], [1], [1]), use(['a', 'b'], [2], [2])])).toEqual([]);
  });
});
