/** Distribution names as installed metadata spells them, cleaned for display and lookup. No imports. */

/**
 * A distribution name as it should be shown and looked up: Debian renames the metadata of its
 * variant builds (`h5py._debian_h5py_serial`, seen normalised as `h5py.-debian-h5py-serial`); the
 * distribution is the part before the Debian suffix.
 */
export function cleanDistributionName(name: string): string {
  const m = /^(.+?)[._-]+_?debian[._-]/i.exec(name);
  return m ? m[1] : name;
}
