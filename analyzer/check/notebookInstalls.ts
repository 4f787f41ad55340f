/**
 * A notebook that installs a package itself (`%pip install NAME`, `!pip install NAME`,
 * `%conda install NAME`) declares it: the verdict for an import of that package says so —
 * "installed by the notebook itself; in the baseline as …" — and a package the centre has nowhere is
 * then not reported as missing (it does not fail the check). Pure: it rewrites verdicts.
 */
import type { NotebookFacts } from '../notebook/readNotebook';
import { normalizeName } from '../names/nameMap';
import type { Verdict } from './verdict';

function describeInstall(i: NotebookFacts['installs'][number]): string {
  return `cell ${i.cell + 1}, line ${i.line + 1}: ${i.text}`;
}

function whereElse(v: Verdict): string {
  if (v.kind === 'baseline' && v.baseline)
    return `in the baseline as ${v.baseline.name}${v.baseline.version ? ` ${v.baseline.version}` : v.baseline.specifier ? ` ${v.baseline.specifier}` : ''}`;
  if (v.kind === 'mirror' && v.mirror.length) {
    const h = v.mirror[0];
    return `not in the baseline; on the mirror as ${h.name}${h.versions.length ? ` ${h.versions[h.versions.length - 1]}` : ''} (${h.kind === 'conda' ? 'conda channel' : 'PyPI index'} ${h.label})`;
  }
  return 'neither in the baseline nor on the mirror';
}

/** The verdict, rewritten when the notebook installs the distribution it needs. */
export function markInstalledByNotebook(v: Verdict, installs: NotebookFacts['installs']): Verdict {
  if (!installs.length || !['baseline', 'mirror', 'missing'].includes(v.kind)) return v;
  const wanted = new Set(v.candidates.flatMap((c) => [normalizeName(c.pypi), normalizeName(c.conda)]));
  if (v.baseline) wanted.add(normalizeName(v.baseline.name));
  const install = installs.find((i) => wanted.has(normalizeName(i.name)));
  if (!install) return v;
  return {
    ...v,
    installedBy: { name: install.name, text: install.text, cell: install.cell, line: install.line + 1 },
    explanation: `'${v.module}' is installed by the notebook itself (${describeInstall(install)}); ${whereElse(v)}.`,
    action: v.kind === 'missing' ? 'Nothing to request while the notebook installs it itself.' : v.action,
  };
}
