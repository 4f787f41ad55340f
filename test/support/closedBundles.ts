/**
 * The reference definition of package bundles for tests: from every counted 3- and 4-set, the
 * frequent ones (at least minUsers users) that no frequent set one package larger matches in users.
 */
export interface CountedSet {
  packages: string[];
  users: number;
  scripts: number;
}

export function closedBundles<T extends CountedSet>(counted: readonly T[], minUsers: number): T[] {
  const frequent = counted.filter((b) => b.users >= minUsers);
  return frequent.filter(
    (b) =>
      !frequent.some(
        (c) =>
          c.packages.length === b.packages.length + 1 &&
          c.users === b.users &&
          b.packages.every((p) => c.packages.includes(p)),
      ),
  );
}
