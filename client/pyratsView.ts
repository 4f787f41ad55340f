/**
 * The PyRats view (its own activity-bar container): the workspace's imports grouped by verdict, then
 * package, then import sites, each with a count and an icon; a click on a site opens its line. Title
 * actions: refresh, filter (text and verdicts), check again with another baseline, the rendered
 * workspace report, and exports to SARIF and JSON (`pyrats check`, the same engine as the CLI).
 * The data is the language server's `pyrats/workspaceReport`; the grouping is importTree.ts.
 */
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { VerdictKind, WorkspaceReportResult } from '../server/protocol';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';
import {
  buildImportTree,
  VERDICT_ORDER,
  type ImportSite,
  type ImportTreeFilter,
  type PackageNode,
  type VerdictNode,
} from './importTree';
import { fetchWorkspaceReport, ReportView } from './reportView';

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

/**
 * The view and its title actions (`pyrats.view.*`, one method each); made at activation. The report
 * is fetched when the view first shows, and on refresh.
 */
export class PyratsView implements vscode.Disposable {
  private readonly tree = new ImportsTree();
  private readonly view: vscode.TreeView<Item>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(IMPORTS_VIEW, {
      treeDataProvider: this.tree,
      showCollapseAll: true,
    });
    this.subscriptions = [
      this.view,
      this.tree,
      this.view.onDidChangeVisibility((e) => {
        if (e.visible && !this.tree.report) void this.refresh();
      }),
    ];
  }

  private async fetchReport(): Promise<WorkspaceReportResult | undefined> {
    const client = this.ctx.client();
    if (!client) {
      this.view.message = 'The PyRats language server is not running.';
      return undefined;
    }
    return vscode.window.withProgress({ location: { viewId: IMPORTS_VIEW } }, (_progress, token) =>
      fetchWorkspaceReport(client, token),
    );
  }

  private show(report: WorkspaceReportResult | undefined): void {
    if (!report) return;
    this.tree.report = report;
    this.view.message = viewMessage(report, this.tree.filter);
    this.tree.update();
  }

  async refresh(): Promise<void> {
    try {
      this.show(await this.fetchReport());
    } catch (err) {
      this.view.message = `The workspace could not be checked: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  async filter(): Promise<void> {
    const text = await vscode.window.showInputBox({
      title: 'PyRats: filter the imports (1/2)',
      prompt: 'Text in the package, the module or the file name (empty: any)',
      value: this.tree.filter.text ?? '',
    });
    if (text === undefined) return;
    const current = new Set(this.tree.filter.kinds ?? []);
    const picked = await vscode.window.showQuickPick(
      VERDICT_ORDER.map((v) => ({ label: v.title, verdict: v.kind, picked: current.has(v.kind) })),
      { title: 'PyRats: filter the imports (2/2): only these verdicts (none: all)', canPickMany: true },
    );
    if (picked === undefined) return;
    this.tree.filter = { text: text.trim() || undefined, kinds: picked.map((p) => p.verdict) };
    this.show(this.tree.report);
  }

  clearFilter(): void {
    this.tree.filter = {};
    this.show(this.tree.report);
  }

  async checkWithBaseline(): Promise<void> {
    const before = vscode.workspace.getConfiguration('pyrats').get<string>('baseline') ?? '';
    await vscode.commands.executeCommand('pyrats.selectBaseline');
    const after = vscode.workspace.getConfiguration('pyrats').get<string>('baseline') ?? '';
    if (after === before) return;
    // the server re-reads its settings when told of the change: ask until the report names the new one
    const names = (r?: WorkspaceReportResult) => r?.folders.map((f) => f.baseline).join('\n');
    const old = names(this.tree.report);
    for (let i = 0; i < 20; i++) {
      const report = await this.fetchReport();
      if (names(report) !== old || i === 19) return this.show(report);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async openReport(): Promise<void> {
    const report = this.tree.report ?? (await this.fetchReport());
    if (report) await this.ctx.feature(ReportView).showRendered(report);
  }

  async exportAs(format: 'sarif' | 'json'): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return void vscode.window.showErrorMessage('PyRats: open a folder to export its report.');
    const target = await vscode.window.showSaveDialog({
      title: `PyRats: export the workspace report as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(folder.uri, `pyrats-report.${format === 'sarif' ? 'sarif' : 'json'}`),
      filters: format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { JSON: ['json'] },
    });
    if (!target) return;
    await exportReport(this.ctx.extension, folder, format, target);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
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
