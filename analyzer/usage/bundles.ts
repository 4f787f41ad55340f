/**
 * Package bundles: sets of 3 or 4 packages that the same scripts import together, counted by
 * distinct users and scripts (frequent itemsets, level by level as in Apriori: a set is counted only
 * when all its subsets one smaller are frequent). Only *closed* bundles are kept — a bundle is left out
 * when a bundle one larger has exactly its users, since the larger one says more. Pairs are the
 * co-usage table's business (queries.ts `coUsage`).
 *
 * Pure computation over package sets (the store's query in queries.ts supplies them); no I/O.
 */
import type { PackageBundle } from './answers';

/** Distinct package sets, each with the users and scripts whose imports are exactly that set. */
export interface PackageSetUse {
  /** Sorted, distinct package names. */
  packages: readonly string[];
  users: readonly number[];
  scripts: readonly number[];
}

export interface BundleOptions {
  /** A bundle needs at least this many distinct users (default 2). */
  minUsers?: number;
  /** Largest bundle size (3 or more; default 4). */
  maxSize?: number;
  /** How many bundles to return, best first (default 50). */
  limit?: number;
}

interface Counted {
  items: number[];
  users: Set<number>;
  scripts: Set<number>;
}

const keyOf = (items: readonly number[]): string => items.join(',');

/**
 * Adds one set's users and scripts to each of its k-subsets that can be frequent: every prefix and
 * every (k-1)-subset must be frequent at its own level (Apriori), which prunes most of the search.
 */
function countSubsets(
  items: readonly number[],
  k: number,
  levels: readonly Map<string, Counted>[],
  use: PackageSetUse,
  counts: Map<string, Counted>,
): void {
  const chosen: number[] = [];
  const visit = (from: number): void => {
    if (chosen.length === k) {
      if (k > 1 && !allSubsetsFrequent(chosen, levels[k - 2])) return;
      const key = keyOf(chosen);
      let c = counts.get(key);
      if (!c) {
        c = { items: [...chosen], users: new Set(), scripts: new Set() };
        counts.set(key, c);
      }
      for (const u of use.users) c.users.add(u);
      for (const s of use.scripts) c.scripts.add(s);
      return;
    }
    for (let i = from; i <= items.length - (k - chosen.length); i++) {
      chosen.push(items[i]);
      if (chosen.length === k || levels[chosen.length - 1].has(keyOf(chosen))) visit(i + 1);
      chosen.pop();
    }
  };
  visit(0);
}

/** Whether every subset of `items` one smaller is frequent. */
function allSubsetsFrequent(items: readonly number[], frequent: ReadonlyMap<string, Counted>): boolean {
  for (let skip = 0; skip < items.length; skip++) {
    if (!frequent.has(keyOf(items.filter((_, i) => i !== skip)))) return false;
  }
  return true;
}

/** Closed bundles of 3..maxSize packages used by at least minUsers users, most users first. */
export function packageBundles(sets: readonly PackageSetUse[], options: BundleOptions = {}): PackageBundle[] {
  const minUsers = Math.max(1, options.minUsers ?? 2);
  const maxSize = Math.max(3, options.maxSize ?? 4);
  const limit = Math.max(1, options.limit ?? 50);
  // packages as numbers in name order, so number order is name order
  const names = [...new Set(sets.flatMap((s) => s.packages))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const encoded = sets.map((s) => ({
    use: s,
    items: s.packages.map((p) => index.get(p)!).sort((a, b) => a - b),
  }));

  // levels[k - 1]: the frequent sets of k packages
  const levels: Map<string, Counted>[] = [];
  for (let k = 1; k <= maxSize; k++) {
    const counts = new Map<string, Counted>();
    for (const { use, items } of encoded) {
      // only items that are frequent on their own can be part of a frequent set
      const usable = k === 1 ? items : items.filter((i) => levels[0].has(String(i)));
      if (usable.length >= k) countSubsets(usable, k, levels, use, counts);
    }
    for (const [key, c] of counts) if (c.users.size < minUsers) counts.delete(key);
    if (!counts.size) break;
    levels.push(counts);
  }

  // not closed: a set with a frequent superset one larger that has exactly its users
  const notClosed = new Set<string>();
  for (let k = 4; k <= levels.length; k++) {
    for (const b of levels[k - 1].values()) {
      for (let skip = 0; skip < b.items.length; skip++) {
        const sub = levels[k - 2].get(keyOf(b.items.filter((_, i) => i !== skip)));
        if (sub && sub.users.size === b.users.size) notClosed.add(keyOf(sub.items));
      }
    }
  }
  const bundles: PackageBundle[] = [];
  for (let k = 3; k <= levels.length; k++) {
    for (const [key, c] of levels[k - 1]) {
      if (notClosed.has(key)) continue;
      bundles.push({ packages: c.items.map((i) => names[i]), users: c.users.size, scripts: c.scripts.size });
    }
  }
  bundles.sort(
    (a, b) =>
      b.users - a.users ||
      b.packages.length - a.packages.length ||
      b.scripts - a.scripts ||
      a.packages.join('\0').localeCompare(b.packages.join('\0')),
  );
  return bundles.slice(0, limit);
}
