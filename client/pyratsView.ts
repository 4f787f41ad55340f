/**
 * The PyRats view (its own activity-bar container): the workspace's imports grouped by verdict, then
 * package, then import sites, each with a count and an icon; a click on a site opens its line. Title
 * actions: refresh, filter (text and verdicts), check again with another baseline, the rendered
 * workspace report, and exports to SARIF and JSON (`pyrats check`, the same engine as the CLI).
 * The data is the language server's `pyrats/workspaceReport`; the grouping is importTree.ts.
 */
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { VerdictKind, WorkspaceReportResult } from '../server/protocol';
import { runPyratsCli } from './cliProcess';
import {
  buildImportTree,
  VERDICT_ORDER,
  type ImportSite,
  type ImportTreeFilter,
  type PackageNode,
  type VerdictNode,
} from './importTree';
import { fetchWorkspaceReport, type ReportView } from './reportView';

export const IMPORTS_VIEW = 'pyrats.imports';

type Item =
  | { type: 'verdict'; node: VerdictNode }
  | { type: 'package'; node: PackageNode }
  | { type: 'site'; site: ImportSite };

const ICONS: Record<VerdictKind, [string, string | undefined]> = {
  missing: ['error', 'problemsErrorIcon.foreground'],
  conflict: ['warning', 'problemsWarningIcon.foreground'],
  mirror: ['cloud-download', 'problemsWarningIcon.foreground'],
  undeclared: ['question', 'problemsInfoIcon.foreground'],
  baseline: ['pass', 'testing.iconPassed'],
  local: ['file-code', undefined],
  stdlib: ['library', undefined],
  builtin: ['symbol-namespace', undefined],
};

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function icon(kind: VerdictKind): vscode.ThemeIcon {
  const [id, color] = ICONS[kind];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

function siteItem(site: ImportSite): vscode.TreeItem {
  const uri = vscode.Uri.parse(site.uri);
  const { start, end } = site.verdict.range;
  const item = new vscode.TreeItem(
    `${vscode.workspace.asRelativePath(uri, false)}:${start.line + 1}`,
    vscode.TreeItemCollapsibleState.None,
  );
  const guard = site.verdict.guarded ? ` (guarded: ${site.verdict.guarded})` : '';
  item.description = `${site.verdict.module}${guard}`;
  item.tooltip = site.verdict.explanation;
  item.resourceUri = uri;
  item.iconPath = vscode.ThemeIcon.File;
  item.command = {
    title: 'Open',
    command: 'vscode.open',
    arguments: [uri, { selection: new vscode.Range(start.line, start.character, end.line, end.character) }],
  };
  return item;
}

/** The tree data: the last report, filtered. */
class ImportsTree implements vscode.TreeDataProvider<Item> {
  report: WorkspaceReportResult | undefined;
  filter: ImportTreeFilter = {};
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  update(): void {
    this.changed.fire();
  }

  getTreeItem(item: Item): vscode.TreeItem {
    if (item.type === 'site') return siteItem(item.site);
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    if (item.type === 'verdict') {
      const n = item.node;
      const open = n.kind === 'missing' || n.kind === 'conflict' || n.kind === 'mirror';
      const t = new vscode.TreeItem(n.title, open ? vscode.TreeItemCollapsibleState.Expanded : collapsed);
      t.description = `${plural(n.packages.length, 'package')} · ${plural(n.count, 'import')}`;
      t.iconPath = icon(n.kind);
      t.id = `verdict:${n.kind}`;
      return t;
    }
    const p = item.node;
    const t = new vscode.TreeItem(p.name, collapsed);
    t.description = [`${p.sites.length}`, p.detail].filter(Boolean).join(' · ');
    t.tooltip = p.sites[0]?.verdict.explanation;
    t.iconPath = new vscode.ThemeIcon('package');
    t.id = `package:${p.kind}:${p.name}`;
    return t;
  }

  getChildren(item?: Item): Item[] {
    if (!this.report) return [];
    if (!item) return buildImportTree(this.report, this.filter).map((node) => ({ type: 'verdict', node }));
    if (item.type === 'verdict') return item.node.packages.map((node) => ({ type: 'package', node }));
    if (item.type === 'package') return item.node.sites.map((site) => ({ type: 'site', site }));
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The view's one-line message: the baselines checked and the filter in force. */
function viewMessage(report: WorkspaceReportResult, filter: ImportTreeFilter): string {
  const baselines = [...new Set(report.folders.map((f) => f.baseline ?? 'no baseline'))].join(', ');
  const parts = [`Against ${baselines}`];
  if (filter.text) parts.push(`filter “${filter.text}”`);
  if (filter.kinds?.length) parts.push(`only ${filter.kinds.join(', ')}`);
  return parts.join(' · ');
}

export interface PyratsViewDeps {
  context: vscode.ExtensionContext;
  client: () => LanguageClient | undefined;
  reportView: ReportView;
}

/** Registers the view and its title actions. */
export function registerPyratsView(deps: PyratsViewDeps): vscode.Disposable {
  const tree = new ImportsTree();
  const view = vscode.window.createTreeView(IMPORTS_VIEW, { treeDataProvider: tree, showCollapseAll: true });

  const fetchReport = async (): Promise<WorkspaceReportResult | undefined> => {
    const client = deps.client();
    if (!client) {
      view.message = 'The PyRats language server is not running.';
      return undefined;
    }
    return vscode.window.withProgress({ location: { viewId: IMPORTS_VIEW } }, (_progress, token) =>
      fetchWorkspaceReport(client, token),
    );
  };
  const show = (report: WorkspaceReportResult | undefined) => {
    if (!report) return;
    tree.report = report;
    view.message = viewMessage(report, tree.filter);
    tree.update();
  };
  const refresh = async () => {
    try {
      show(await fetchReport());
    } catch (err) {
      view.message = `The workspace could not be checked: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  const filter = async () => {
    const text = await vscode.window.showInputBox({
      title: 'PyRats: filter the imports (1/2)',
      prompt: 'Text in the package, the module or the file name (empty: any)',
      value: tree.filter.text ?? '',
    });
    if (text === undefined) return;
    const current = new Set(tree.filter.kinds ?? []);
    const picked = await vscode.window.showQuickPick(
      VERDICT_ORDER.map((v) => ({ label: v.title, verdict: v.kind, picked: current.has(v.kind) })),
      { title: 'PyRats: filter the imports (2/2): only these verdicts (none: all)', canPickMany: true },
    );
    if (picked === undefined) return;
    tree.filter = { text: text.trim() || undefined, kinds: picked.map((p) => p.verdict) };
    show(tree.report);
  };

  const checkWithBaseline = async () => {
    const before = vscode.workspace.getConfiguration('pyrats').get<string>('baseline') ?? '';
    await vscode.commands.executeCommand('pyrats.selectBaseline');
    const after = vscode.workspace.getConfiguration('pyrats').get<string>('baseline') ?? '';
    if (after === before) return;
    // the server re-reads its settings when told of the change: ask until the report names the new one
    const names = (r?: WorkspaceReportResult) => r?.folders.map((f) => f.baseline).join('\n');
    const old = names(tree.report);
    for (let i = 0; i < 20; i++) {
      const report = await fetchReport();
      if (names(report) !== old || i === 19) return show(report);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const exportAs = async (format: 'sarif' | 'json') => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return void vscode.window.showErrorMessage('PyRats: open a folder to export its report.');
    const target = await vscode.window.showSaveDialog({
      title: `PyRats: export the workspace report as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(folder.uri, `pyrats-report.${format === 'sarif' ? 'sarif' : 'json'}`),
      filters: format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { JSON: ['json'] },
    });
    if (!target) return;
    await exportReport(deps.context, folder, format, target);
  };

  return vscode.Disposable.from(
    view,
    tree,
    vscode.commands.registerCommand('pyrats.view.refresh', refresh),
    vscode.commands.registerCommand('pyrats.view.filter', filter),
    vscode.commands.registerCommand('pyrats.view.clearFilter', () => {
      tree.filter = {};
      show(tree.report);
    }),
    vscode.commands.registerCommand('pyrats.view.checkWithBaseline', checkWithBaseline),
    vscode.commands.registerCommand('pyrats.view.openReport', async () => {
      const report = tree.report ?? (await fetchReport());
      if (report) await deps.reportView.showRendered(report);
    }),
    vscode.commands.registerCommand('pyrats.view.exportSarif', () => exportAs('sarif')),
    vscode.commands.registerCommand('pyrats.view.exportJson', () => exportAs('json')),
    view.onDidChangeVisibility((e) => {
      if (e.visible && !tree.report) void refresh();
    }),
  );
}

/**
 * `pyrats check FOLDER --format sarif|json` (the CLI's own writers) against the editor's baseline and
 * mirrors when set, else the configuration's; written to `target`. Exit status 1 means findings.
 */
async function exportReport(
  context: vscode.ExtensionContext,
  folder: vscode.WorkspaceFolder,
  format: 'sarif' | 'json',
  target: vscode.Uri,
): Promise<void> {
  const settings = vscode.workspace.getConfiguration('pyrats', folder.uri);
  const args = ['check', folder.uri.fsPath, '--format', format];
  const baseline = settings.get<string>('baseline');
  if (baseline) args.push('--baseline', baseline);
  for (const m of settings.get<string[]>('mirrors') ?? []) args.push('--mirror', m);
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `PyRats: pyrats check --format ${format}` },
    () => runPyratsCli(context, args, { cwd: folder.uri.fsPath, timeoutMs: 600_000 }),
  );
  if (run.code !== 0 && run.code !== 1) {
    const why = run.error ?? (run.stderr.trim().split('\n').at(-1) || `exit status ${run.code}`);
    return void vscode.window.showErrorMessage(`PyRats: the report could not be exported: ${why}`);
  }
  await writeFile(target.fsPath, run.stdout);
  void vscode.window.showInformationMessage(`PyRats: report written to ${target.fsPath}`);
}
