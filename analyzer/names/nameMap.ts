/**
 * Import name ↔ distribution. For a dotted import (`mpl_toolkits.basemap.cm`, `yaml`) it answers
 * which distributions may provide it, in this order of authority:
 *   1. a dotted (namespace-package) entry of the maintained table (`mpl_toolkits.basemap` → basemap);
 *   2. the environment's own metadata (top_level.txt / RECORD of each installed distribution);
 *   3. the maintained table's top-level entries (`yaml` → PyYAML, `cv2` → opencv-python);
 *   4. PEP 503 normalisation of the import name itself.
 * Below a namespace parent (`google.*`, `azure.*`, `backports.*`, `mpl_toolkits.*`) the parent is
 * never a candidate: only the dotted table entry or the normalised dotted name (`google-cloud-storage`).
 * It also translates between PyPI and conda package names (`torch` ↔ `pytorch`: the table, then
 * conda-forge's mapping, then conda's lower-case-with-dashes) and from Spack `py-*` names, and
 * cleans Debian's renamed metadata (`h5py._debian_h5py_serial` → `h5py`).
 * It never looks at the network or the file system.
 */
import type { Environment } from '../env/environment';
import { cleanDistributionName } from '../env/distributionName';

export { cleanDistributionName };
import { condaForgePackageFor, condaForgeShips } from './condaForgeMapping';
import { condaByPypi, knownImports, type KnownImport } from './knownNames';

/** PEP 503 normalised name: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * Top-level packages that are namespaces shared by many distributions: `google.cloud.storage` is
 * google-cloud-storage, `mpl_toolkits.basemap` is basemap; the parent itself provides none of them.
 */
export const NAMESPACE_PARENTS: ReadonlySet<string> = new Set([
  'mpl_toolkits',
  'google',
  'azure',
  'backports',
  'jaraco',
  'zope',
  'sphinxcontrib',
]);

export interface DistributionCandidate {
  /** PyPI distribution name, as usually spelled. */
  pypi: string;
  /** PEP 503-normalised PyPI name. */
  normalized: string;
  /** conda-forge package name. */
  conda: string;
  source: 'environment' | 'table' | 'normalised';
  /** For `table`: where the fact comes from; for `environment`: the distribution's location. */
  cite?: string;
  note?: string;
}

const tableByModule = new Map<string, KnownImport>(knownImports.map((k) => [k.module, k]));
const pypiByConda = new Map<string, string>();
for (const [pypi, { conda }] of condaByPypi) if (!pypiByConda.has(conda)) pypiByConda.set(conda, pypi);

/**
 * conda-forge package name for a PyPI distribution: the table's, else the package conda-forge's
 * mapping says ships it, else conda's own spelling (lower case, dashes: `dask_jobqueue` → `dask-jobqueue`).
 */
export function condaNameFor(pypi: string): string {
  const n = normalizeName(pypi);
  return condaByPypi.get(n)?.conda ?? condaForgePackageFor(n) ?? n;
}

/** Normalised PyPI name for a conda package name (`pytorch` → `torch`, `py-opencv` → `opencv-python`). */
export function pypiNameForConda(conda: string): string {
  const c = conda.toLowerCase();
  if (c === 'py-opencv') return 'opencv-python';
  const shipped = condaForgeShips(c);
  return pypiByConda.get(c) ?? (shipped?.length === 1 ? shipped[0] : normalizeName(c));
}

/** Normalised PyPI name for a Spack package (`py-scikit-learn` → `scikit-learn`); null for non-Python ones. */
export function pypiNameForSpack(spack: string): string | null {
  if (spack === 'python') return 'python';
  if (!spack.startsWith('py-')) return null;
  return normalizeName(spack.slice(3));
}

/** The longest dotted prefix of `module` that the table knows, with its entry. */
function tableEntry(module: string, dottedOnly: boolean): KnownImport | undefined {
  const parts = module.split('.');
  for (let n = parts.length; n >= (dottedOnly ? 2 : 1); n--) {
    const hit = tableByModule.get(parts.slice(0, n).join('.'));
    if (hit) return hit;
  }
  return undefined;
}

function fromTable(k: KnownImport): DistributionCandidate[] {
  return k.pypi.map((p, i) => ({
    pypi: p,
    normalized: normalizeName(p),
    conda: i === 0 && k.conda ? k.conda : condaNameFor(p),
    source: 'table' as const,
    cite: k.cite,
    ...(k.note ? { note: k.note } : {}),
  }));
}

/** Resolves import names to distributions; build one per environment and reuse it. */
export class NameMap {
  private readonly byModule = new Map<string, { name: string; location: string }[]>();

  constructor(environment?: Environment) {
    for (const d of environment?.distributions ?? []) {
      const name = cleanDistributionName(d.name);
      for (const m of d.modules) {
        const list = this.byModule.get(m) ?? [];
        if (!list.some((x) => normalizeName(x.name) === normalizeName(name))) {
          list.push({ name, location: d.location });
        }
        this.byModule.set(m, list);
      }
    }
  }

  /** Distributions that may provide `module` (dotted), most authoritative first, without duplicates. */
  candidates(module: string): DistributionCandidate[] {
    const top = module.split('.')[0];
    const out: DistributionCandidate[] = [];
    const add = (c: DistributionCandidate): void => {
      if (!out.some((o) => o.normalized === c.normalized)) out.push(c);
    };
    const dotted = tableEntry(module, true);
    if (dotted) fromTable(dotted).forEach(add);
    const parts = module.split('.');
    if (parts.length > 1 && NAMESPACE_PARENTS.has(top)) {
      if (dotted) return out;
      for (let n = parts.length; n >= 2; n--) {
        const name = parts.slice(0, n).join('.');
        add({ pypi: name, normalized: normalizeName(name), conda: condaNameFor(name), source: 'normalised' });
      }
      return out;
    }
    for (const d of this.byModule.get(top) ?? []) {
      add({
        pypi: d.name,
        normalized: normalizeName(d.name),
        conda: condaNameFor(d.name),
        source: 'environment',
        cite: d.location,
      });
    }
    const single = tableByModule.get(top);
    if (single) fromTable(single).forEach(add);
    add({ pypi: top, normalized: normalizeName(top), conda: condaNameFor(top), source: 'normalised' });
    return out;
  }
}
