/**
 * The PyRats view's tree, built from a workspace report: verdict → package → import sites, each node
 * with its count, in the order a user acts on them (missing everywhere first). A filter keeps the
 * sites whose package, module or file contains a text, and/or only some verdicts. Pure: no vscode
 * import, so it is tested in-process with the language server's real answers.
 */
import type { ImportVerdictInfo, VerdictKind, WorkspaceReportResult } from '../server/protocol';

/** Verdict groups, most urgent first, with their titles in the view. */
export const VERDICT_ORDER: readonly { kind: VerdictKind; title: string }[] = [
  { kind: 'missing', title: 'Missing everywhere' },
  { kind: 'conflict', title: 'Version conflicts' },
  { kind: 'mirror', title: 'Only on the mirror' },
  { kind: 'undeclared', title: 'Not declared' },
  { kind: 'baseline', title: 'In the baseline' },
  { kind: 'local', title: 'Local modules' },
  { kind: 'stdlib', title: 'Standard library' },
  { kind: 'builtin', title: 'Built into the interpreter' },
];

/** One import statement's name in one file. */
export interface ImportSite {
  /** The file's URI. */
  uri: string;
  /** The folder's URI (the workspace folder the report covered). */
  folderUri: string;
  verdict: ImportVerdictInfo;
}

export interface PackageNode {
  /** The top-level module (`numpy`), the package a user asks for. */
  name: string;
  kind: VerdictKind;
  /** What the verdict says, from its first site (e.g. the baseline version or the mirror channels). */
  detail: string;
  sites: ImportSite[];
}

export interface VerdictNode {
  kind: VerdictKind;
  title: string;
  /** Number of import sites below. */
  count: number;
  packages: PackageNode[];
}

export interface ImportTreeFilter {
  /** Case-insensitive text found in the package, the module as written or the file's URI. */
  text?: string;
  /** Only these verdicts (all when absent or empty). */
  kinds?: readonly VerdictKind[];
}

/** A short description of a package's verdict for the view (baseline version, mirror channels). */
export function packageDetail(v: ImportVerdictInfo): string {
  switch (v.kind) {
    case 'baseline':
    case 'conflict':
      return v.baselineVersion ? `${v.distribution ?? v.topLevel} ${v.baselineVersion}` : '';
    case 'mirror':
      return v.mirror.map((m) => `${m.label} ${m.versions.at(-1) ?? ''}`.trim()).join(', ');
    default:
      return v.distribution && v.distribution !== v.topLevel ? v.distribution : '';
  }
}

function matches(site: ImportSite, text: string): boolean {
  const t = text.toLowerCase();
  return (
    site.verdict.topLevel.toLowerCase().includes(t) ||
    site.verdict.module.toLowerCase().includes(t) ||
    decodeURIComponent(site.uri).toLowerCase().includes(t)
  );
}

/** The tree for `report`: only verdicts with at least one site (after the filter) appear. */
export function buildImportTree(report: WorkspaceReportResult, filter: ImportTreeFilter = {}): VerdictNode[] {
  const kinds = filter.kinds?.length ? new Set(filter.kinds) : null;
  const text = filter.text?.trim() ?? '';
  const byKind = new Map<VerdictKind, Map<string, PackageNode>>();
  for (const folder of report.folders)
    for (const file of folder.files)
      for (const verdict of file.imports) {
        if (kinds && !kinds.has(verdict.kind)) continue;
        const site: ImportSite = { uri: file.uri, folderUri: folder.uri, verdict };
        if (text && !matches(site, text)) continue;
        let packages = byKind.get(verdict.kind);
        if (!packages) byKind.set(verdict.kind, (packages = new Map()));
        let node = packages.get(verdict.topLevel);
        if (!node) {
          node = { name: verdict.topLevel, kind: verdict.kind, detail: packageDetail(verdict), sites: [] };
          packages.set(verdict.topLevel, node);
        }
        node.sites.push(site);
      }
  const tree: VerdictNode[] = [];
  for (const { kind, title } of VERDICT_ORDER) {
    const packages = byKind.get(kind);
    if (!packages) continue;
    const sorted = [...packages.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const p of sorted)
      p.sites.sort((a, b) =>
        a.uri !== b.uri ? (a.uri < b.uri ? -1 : 1) : a.verdict.range.start.line - b.verdict.range.start.line,
      );
    tree.push({ kind, title, count: sorted.reduce((n, p) => n + p.sites.length, 0), packages: sorted });
  }
  return tree;
}
