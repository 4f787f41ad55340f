/**
 * The PyRats status bar item: the baseline and the verdict counts of the active Python file, from the
 * server's `pyrats/fileSummary` notifications; says so when the workspace is untrusted.
 */
import * as vscode from 'vscode';
import type { FileSummaryParams } from '../server/protocol';

export class PyratsStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly summaries = new Map<string, FileSummaryParams>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private state: 'starting' | 'running' | 'stopped' = 'starting';

  constructor() {
    this.item = vscode.window.createStatusBarItem('pyrats.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'PyRats';
    this.item.command = 'pyrats.showOutput';
    this.subscriptions.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.summaries.delete(d.uri.toString())),
    );
    this.render();
  }

  setState(state: 'starting' | 'running' | 'stopped'): void {
    this.state = state;
    this.render();
  }

  update(summary: FileSummaryParams): void {
    this.summaries.set(summary.uri, summary);
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    if (active === summary.uri) this.render();
  }

  /** The summary shown for the active editor (tests and commands read it). */
  current(): FileSummaryParams | undefined {
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    return active ? this.summaries.get(active) : undefined;
  }

  private render(): void {
    const trusted = vscode.workspace.isTrusted;
    const restricted = trusted ? '' : ' $(shield) restricted';
    const editor = vscode.window.activeTextEditor;
    if (this.state === 'stopped') {
      this.item.text = `$(circle-slash) PyRats: stopped${restricted}`;
      this.item.tooltip = 'The PyRats language server is not running. Click to show its output.';
    } else if (!editor || editor.document.languageId !== 'python') {
      this.item.text = `PyRats${restricted}`;
      this.item.tooltip = this.trustTooltip(trusted);
    } else {
      const s = this.summaries.get(editor.document.uri.toString());
      if (!s) {
        this.item.text = `$(sync~spin) PyRats: checking${restricted}`;
        this.item.tooltip = this.trustTooltip(trusted);
      } else {
        const c = s.counts;
        const ok = c.stdlib + c.builtin + c.local + c.baseline;
        const baseline = s.baseline ?? 'no baseline';
        const warn = c.missing > 0 ? '$(error)' : c.mirror > 0 ? '$(warning)' : '$(pass)';
        this.item.text = `${warn} PyRats: ${baseline} · ${c.missing} missing · ${c.mirror} mirror only · ${ok} ok${restricted}`;
        const md = new vscode.MarkdownString(undefined, true);
        // links to these commands only: switch to another module version, or see where settings come from
        md.isTrusted = { enabledCommands: ['pyrats.whichModule', 'pyrats.showConfiguration'] };
        md.appendMarkdown(`**Baseline:** ${baseline}\n\n`);
        md.appendMarkdown(
          '[Switch module…](command:pyrats.whichModule "Which module runs this script? Check every version and switch") · ' +
            '[Configuration](command:pyrats.showConfiguration "PyRats: Show Configuration")\n\n',
        );
        md.appendMarkdown(
          `missing everywhere: ${c.missing}  \nonly on the mirror: ${c.mirror}  \nin the baseline: ${c.baseline}  \n` +
            `standard library: ${c.stdlib + c.builtin}  \nlocal: ${c.local}\n\n`,
        );
        if (!s.trusted) md.appendMarkdown(`${this.trustTooltip(false)}\n\n`);
        for (const p of s.problems) md.appendMarkdown(`$(alert) ${p.replace(/[\\`*_[\]<>]/g, '\\$&')}  \n`);
        this.item.tooltip = md;
      }
    }
    this.item.show();
  }

  private trustTooltip(trusted: boolean): string {
    return trusted
      ? 'PyRats: imports checked against the baseline and the mirror'
      : 'Workspace not trusted: PyRats runs no interpreter and no `module` command named by workspace settings';
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
