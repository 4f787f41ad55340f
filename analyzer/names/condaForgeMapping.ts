/**
 * conda-forge's published PyPI mapping (data/conda-forge-to-pypi.json, from prefix-dev/parselmouth,
 * BSD 3-Clause; see data/README.md): which PyPI distributions each conda-forge package ships, and
 * which packages ship none (C libraries, tools). Answers both directions: conda package → PyPI
 * distributions, and PyPI distribution → the conda-forge package that ships it.
 * Does not know import names (see knownNames.ts and the environment's metadata for those).
 */

import { readFileSync } from 'node:fs';

type Mapping = Record<string, string[] | null>;

/**
 * The mapping's text, read on first use and searched as text, never parsed whole: parsing a megabyte
 * of JSON and indexing it by distribution took ~130 ms (and as much again in garbage collection) of
 * every `pyrats check`, which asks about a few dozen names. The file is one line of
 * `{"conda": ["pypi", ...] | null, ...}` with lower-case keys and PEP 503 values, as
 * data/refresh-conda-forge-mapping.py writes it; any other layout is rewritten into that one here.
 */
let source: string | null = null;

function mappingText(): string {
  if (source !== null) return source;
  // `require.resolve` finds the file beside the bundle (dist/data, copied by build.mjs) or the source
  const text = readFileSync(require.resolve('./data/conda-forge-to-pypi.json'), 'utf8');
  source =
    /^\{"[a-z0-9._+-]+": (?:null|\["[^"]*"(?:, "[^"]*")*\])(?:, |\})/.test(text) && !text.includes('\n  ')
      ? text
      : canonical(JSON.parse(text) as Mapping);
  return source;
}

/** The layout the searches expect, for a mapping written some other way (exported for its test). */
export function canonical(m: Mapping): string {
  const entries = Object.entries(m).map(
    ([conda, dists]) =>
      `${JSON.stringify(conda.toLowerCase())}: ${dists === null ? 'null' : `[${dists.map((d) => JSON.stringify(normalized(d))).join(', ')}]`}`,
  );
  return `{${entries.join(', ')}}`;
}

/** PEP 503 normalised name. */
function normalized(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

const shipsMemo = new Map<string, string[] | null | undefined>();

/**
 * What the conda-forge package ships: normalised PyPI names, `null` when it ships no Python
 * distribution, `undefined` when the mapping does not know the package.
 */
export function condaForgeShips(conda: string): string[] | null | undefined {
  const key = conda.toLowerCase();
  if (shipsMemo.has(key)) return shipsMemo.get(key);
  const text = mappingText();
  // `"name": ` only ever starts an entry: a name in a list is followed by `,` or `]`
  const at = text.indexOf(`${JSON.stringify(key)}: `);
  let ships: string[] | null | undefined;
  if (at >= 0) {
    const value = at + key.length + 4;
    ships = text.startsWith('null', value)
      ? null
      : (JSON.parse(text.slice(value, text.indexOf(']', value) + 1)) as string[]);
  }
  shipsMemo.set(key, ships);
  return ships;
}

/** After this many distributions looked up one by one, the whole index is built once instead. */
const LOOKUPS_BEFORE_INDEX = 200;
const shippedByMemo = new Map<string, string[]>();
let shippedBy: Map<string, string[]> | null = null;

/** Conda-forge packages shipping the (normalised) PyPI distribution `dist`. */
function packagesShipping(dist: string): string[] {
  if (shippedBy) return shippedBy.get(dist) ?? [];
  const known = shippedByMemo.get(dist);
  if (known) return known;
  if (shippedByMemo.size >= LOOKUPS_BEFORE_INDEX) {
    shippedBy = indexByDistribution();
    return shippedBy.get(dist) ?? [];
  }
  const text = mappingText();
  const quoted = JSON.stringify(dist);
  const found: string[] = [];
  for (let at = text.indexOf(quoted); at >= 0; at = text.indexOf(quoted, at + quoted.length)) {
    const after = text.charCodeAt(at + quoted.length);
    if (after !== 44 && after !== 93) continue; // not in a list (`,` or `]` follows)
    const keyEnd = text.lastIndexOf('": [', at);
    found.push(text.slice(text.lastIndexOf('"', keyEnd - 1) + 1, keyEnd));
  }
  shippedByMemo.set(dist, found);
  return found;
}

/** Every distribution's conda-forge packages, from the whole mapping. */
function indexByDistribution(): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const [conda, dists] of Object.entries(JSON.parse(mappingText()) as Mapping)) {
    for (const d of dists ?? []) {
      const list = index.get(d) ?? [];
      list.push(conda);
      index.set(d, list);
    }
  }
  return index;
}

/**
 * The conda-forge package that ships the PyPI distribution `pypi`, or null when none does. Where
 * several do (`matplotlib` and `matplotlib-base`, `pytorch` and its builds), the one named like the
 * distribution wins, then its `python-` binding, then a package shipping nothing else, then the
 * shortest name.
 */
export function condaForgePackageFor(pypi: string): string | null {
  const want = normalized(pypi);
  const list = packagesShipping(want);
  if (!list.length) return null;
  for (const name of [want, `python-${want}`, `py-${want}`]) if (list.includes(name)) return name;
  const alone = list.filter((c) => condaForgeShips(c)?.length === 1);
  const pool = alone.length ? alone : list;
  return [...pool].sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
}
