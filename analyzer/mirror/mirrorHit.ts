/**
 * What a mirror answers about a distribution: where it is found (`MirrorHit`, one per conda channel
 * or PyPI index), with its versions, whether it provides the import, and which version suits the
 * baseline's Python (`PythonFit`). The mirror stage makes them; the check's verdicts carry them.
 */

/** One place on the mirror where a distribution is found. */
export interface MirrorHit {
  /** The channel or index URL it was found at. */
  source: string;
  /** Short name for display: the conda channel name (`conda-forge`) or the index host. */
  label: string;
  kind: 'conda' | 'pypi';
  /** The package name on that channel / index. */
  name: string;
  /** Available versions, ascending. */
  versions: string[];
  /** conda: subdirs holding it (`linux-64`, `noarch`). */
  subdirs?: string[];
  /** Set when answered from the cache without a fresh check (offline or the mirror failed). */
  cachedAgeMs?: number;
  /** conda: whether a build depends on python / python_abi or is `noarch: python`. */
  pythonPackage?: boolean;
  /**
   * Whether this package provides the import: `true` with evidence (installed metadata, the curated
   * table, conda-forge's mapping), `"probably"` on a same-name match only, `false` when it is not the
   * provider (a same-named C library or tool, a PyPI placeholder, another project).
   */
  provides?: true | false | 'probably';
  /** The evidence for `provides`, in words. */
  why?: string;
  /** The newest version that suits the baseline's Python (when the baseline's Python is known). */
  forPython?: PythonFit;
}

/** Which version of a mirror package suits a Python version (see mirror/pythonFit.ts). */
export interface PythonFit {
  /** The Python version judged against (`3.11.4`). */
  python: string;
  /** The newest version whose builds or files admit it; null when none does. */
  newest: string | null;
  /** When the newest version overall does not suit: what it asks for (`python >=3.12`). */
  newestNeeds?: string;
}
