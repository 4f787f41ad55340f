/**
 * conda-forge's published PyPI mapping (data/conda-forge-to-pypi.json, from prefix-dev/parselmouth,
 * BSD 3-Clause; see data/README.md): which PyPI distributions each conda-forge package ships, and
 * which packages ship none (C libraries, tools). Answers both directions: conda package → PyPI
 * distributions, and PyPI distribution → the conda-forge package that ships it.
 * Does not know import names (see knownNames.ts and the environment's metadata for those).
 */

type Mapping = Record<string, string[] | null>;
let loaded: Mapping | null = null;

/**
 * The mapping, read on first use: it is a megabyte of JSON, and most commands (imports, deps, graph)
 * never need it, so it must not cost them start-up time. `require` keeps it out of module
 * initialisation (the bundler inlines it as a module evaluated on the first call).
 */
function mapping(): Mapping {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./data/conda-forge-to-pypi.json') as Mapping;
  return loaded;
}

/** PEP 503 normalised name. */
function normalized(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * What the conda-forge package ships: normalised PyPI names, `null` when it ships no Python
 * distribution, `undefined` when the mapping does not know the package.
 */
export function condaForgeShips(conda: string): string[] | null | undefined {
  const ships = mapping();
  const key = conda.toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(ships, key)) return undefined;
  const v = ships[key];
  return v === null ? null : v.map(normalized);
}

let shippedBy: Map<string, string[]> | null = null;

/** Conda-forge packages shipping each PyPI distribution (built on first use). */
function packagesByDistribution(): Map<string, string[]> {
  if (shippedBy) return shippedBy;
  shippedBy = new Map();
  for (const [conda, dists] of Object.entries(mapping())) {
    for (const d of dists ?? []) {
      const key = normalized(d);
      const list = shippedBy.get(key) ?? [];
      list.push(conda);
      shippedBy.set(key, list);
    }
  }
  return shippedBy;
}

/**
 * The conda-forge package that ships the PyPI distribution `pypi`, or null when none does. Where
 * several do (`matplotlib` and `matplotlib-base`, `pytorch` and its builds), the one named like the
 * distribution wins, then its `python-` binding, then a package shipping nothing else, then the
 * shortest name.
 */
export function condaForgePackageFor(pypi: string): string | null {
  const want = normalized(pypi);
  const list = packagesByDistribution().get(want);
  if (!list?.length) return null;
  for (const name of [want, `python-${want}`, `py-${want}`]) if (list.includes(name)) return name;
  const ships = mapping();
  const alone = list.filter((c) => ships[c]?.length === 1);
  const pool = alone.length ? alone : list;
  return [...pool].sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
}
