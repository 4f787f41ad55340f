/**
 * Whether a package found on the mirror provides an import, and the evidence for it. A package
 * counts as the provider only with evidence, strongest first:
 *   1. the installed metadata names its distribution (top_level.txt / RECORD, via NameMap);
 *   2. the curated import table names it (knownNames.ts, each row citing its source);
 *   3. conda-forge's PyPI mapping shows the conda package ships that distribution, or ships a
 *      distribution named as the import itself (conda-forge `xarray` ships PyPI `xarray`);
 *   4. only then the same name, and only for a Python package (conda: depends on python or
 *      python_abi, or is `noarch: python`) — that is `"probably"`, never certain.
 * A same-named package that ships no Python distribution (conda-forge `yaml` is libyaml), a known
 * PyPI placeholder or squat (`sklearn`, `serial`, `jwt`), or a package other than the one the evidence
 * names is `provides: false`, with the reason. Pure: no I/O.
 */
import { condaForgeShips } from './condaForgeMapping';
import { NAMESPACE_PARENTS, normalizeName, type DistributionCandidate } from './nameMap';

export type Provides = true | false | 'probably';

export interface ProviderJudgement {
  provides: Provides;
  /** The evidence, in words ("conda-forge mapping: ships pyyaml"). */
  why: string;
}

/**
 * PyPI projects that carry a well-known import name but are not what the import means: deprecated
 * placeholders and unrelated or abandoned projects (normalised name → the real project and why).
 * Facts from each project's own PyPI page.
 */
export const PYPI_DECOYS: ReadonlyMap<string, { meant: string; what: string }> = new Map([
  ['sklearn', { meant: 'scikit-learn', what: 'a deprecated placeholder that refuses to install' }],
  ['serial', { meant: 'pyserial', what: 'an unrelated project (a serialisation library)' }],
  ['jwt', { meant: 'PyJWT', what: 'an unrelated JSON Web Token project with another API' }],
  ['crypto', { meant: 'pycryptodome', what: 'an abandoned, unrelated project' }],
  ['pycrypto', { meant: 'pycryptodome', what: 'abandoned (last release 2013)' }],
  ['bs4', { meant: 'beautifulsoup4', what: 'a placeholder that only pulls in beautifulsoup4' }],
  ['attr', { meant: 'attrs', what: 'an unrelated project' }],
]);

/** What the mirror found: a package on a conda channel or PyPI index. */
export interface FoundPackage {
  kind: 'conda' | 'pypi';
  /** Its name there. */
  name: string;
  /** conda: whether any build depends on python / python_abi or is noarch: python (unknown: undefined). */
  pythonPackage?: boolean;
}

function evidenceOf(c: DistributionCandidate): string {
  if (c.source === 'environment') return `installed metadata (${c.cite ?? 'site-packages'}) lists it`;
  return `curated table: ${c.cite ?? 'knownNames'}`;
}

/** The dotted import as a plain name for messages (`mpl_toolkits.basemap`). */
function shown(module: string): string {
  return `\`${module}\``;
}

/**
 * The distribution of the conda-forge mapping named as the import's top-level package (never for a
 * namespace parent such as `google`), or undefined.
 */
function ownDistribution(module: string, ships: string[] | null | undefined): string | undefined {
  const top = module.split('.')[0];
  if (!ships || NAMESPACE_PARENTS.has(top)) return undefined;
  return ships.find((d) => normalizeName(d) === normalizeName(top));
}

function judgeConda(module: string, found: FoundPackage, strong: DistributionCandidate[]): ProviderJudgement {
  const ships = condaForgeShips(found.name);
  const wanted = strong.length ? strong.map((c) => `${c.pypi} (conda: ${c.conda})`).join(' or ') : '';
  const meant = wanted ? `; ${shown(module)} comes from ${wanted}` : '';
  const byTable = strong.find((c) => c.conda === found.name);
  if (byTable) return { provides: true, why: `${evidenceOf(byTable)}; conda package ${found.name}` };
  if (ships === null)
    return { provides: false, why: `conda-forge mapping: ships no Python distribution${meant}` };
  const shipping = ships ? strong.find((c) => ships.includes(c.normalized)) : undefined;
  if (shipping)
    return { provides: true, why: `conda-forge mapping: ships ${shipping.pypi}; ${evidenceOf(shipping)}` };
  if (strong.length && ships)
    return { provides: false, why: `conda-forge mapping: ships ${ships.join(', ')}${meant}` };
  if (strong.length) return { provides: false, why: `another package than the evidence names${meant}` };
  const own = ownDistribution(module, ships);
  if (own) return { provides: true, why: `conda-forge mapping: ships ${own}, the import's own name` };
  if (found.pythonPackage === false)
    return {
      provides: false,
      why: 'same name, but not a Python package (no python dependency, not noarch: python)',
    };
  const what = ships ? `conda-forge mapping: ships ${ships.join(', ')}` : 'depends on python';
  return {
    provides: 'probably',
    why: `same name, a Python package (${what}); no metadata or table entry says it provides ${shown(module)}`,
  };
}

function judgePypi(module: string, found: FoundPackage, strong: DistributionCandidate[]): ProviderJudgement {
  const name = normalizeName(found.name);
  const named = strong.find((c) => c.normalized === name);
  if (named) return { provides: true, why: evidenceOf(named) };
  const decoy = PYPI_DECOYS.get(name);
  if (decoy)
    return { provides: false, why: `PyPI \`${found.name}\` is ${decoy.what}; ${decoy.meant} is meant` };
  if (strong.length)
    return {
      provides: false,
      why: `same name, another project: ${shown(module)} comes from ${strong.map((c) => c.pypi).join(' or ')}`,
    };
  return {
    provides: 'probably',
    why: `same name on PyPI; no metadata or table entry says it provides ${shown(module)}`,
  };
}

/**
 * Judges one package found on the mirror for `module`, given the candidates NameMap proposed
 * (their `source` says how strong each is).
 */
export function judgeProvider(
  module: string,
  found: FoundPackage,
  candidates: DistributionCandidate[],
): ProviderJudgement {
  const strong = candidates.filter((c) => c.source !== 'normalised');
  return found.kind === 'conda' ? judgeConda(module, found, strong) : judgePypi(module, found, strong);
}

/** Order for showing and choosing: providers first, then "probably", then the rest. */
export function providerRank(p: Provides | undefined): number {
  return p === true ? 0 : p === 'probably' ? 1 : 2;
}
