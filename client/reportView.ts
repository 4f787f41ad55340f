/**
 * *PyRats: Check Workspace Against Baseline*: asks the server for `pyrats/workspaceReport` (with a
 * cancellable progress notification) and shows it rendered (the Markdown preview of a read-only
 * document), grouped by verdict; the PyRats view shows the same report (pyratsView.ts).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Ctx } from './ctx';
import { VERDICT_ORDER } from './importTree';
import { MarkdownDocuments } from './markdownDocuments';
import {
  WorkspaceReportRequest,
  type ImportVerdictInfo,
  type VerdictKind,
  type WorkspaceReportParams,
  type WorkspaceReportResult,
} from '../server/protocol';

export const REPORT_SCHEME = 'pyrats-report';

/** Escapes what would break the Markdown tables or inject HTML (names keep their underscores). */
function escape(s: string): string {
  return s.replace(/[\\`<>|]/g, '\\$&');
}

/** The report as Markdown: per folder, one table per verdict with each top-level module once. */
export function renderReport(report: WorkspaceReportResult): string {
  const out: string[] = ['# PyRats: workspace against the baseline', ''];
  for (const folder of report.folders) {
    const root = vscode.Uri.parse(folder.uri);
    out.push(
      `## ${escape(root.fsPath)}`,
      '',
      `Baseline: **${escape(folder.baseline ?? 'none configured')}**`,
      '',
    );
    const c = folder.counts;
    out.push(
      `${folder.files.length} files; imports: ${c.missing} missing everywhere · ${c.mirror} only on the mirror · ` +
        `${c.baseline} in the baseline · ${c.stdlib + c.builtin} standard library · ${c.local} local`,
      '',
    );
    for (const p of folder.problems) out.push(`> ${escape(p)}`, '');
    const byKind = new Map<VerdictKind, Map<string, { v: ImportVerdictInfo; files: Set<string> }>>();
    for (const file of folder.files) {
      const rel = vscode.workspace.asRelativePath(vscode.Uri.parse(file.uri), false);
      for (const v of file.imports) {
        const group = byKind.get(v.kind) ?? new Map();
        byKind.set(v.kind, group);
        const key = v.topLevel;
        const entry = group.get(key) ?? { v, files: new Set<string>() };
        entry.files.add(`${rel}:${v.range.start.line + 1}`);
        group.set(key, entry);
      }
    }
    for (const { kind, title } of VERDICT_ORDER) {
      const group = byKind.get(kind);
      if (!group || group.size === 0) continue;
      out.push(
        `### ${title} (${group.size})`,
        '',
        '| module | distribution | baseline | mirror | where |',
        '|---|---|---|---|---|',
      );
      for (const [name, { v, files }] of [...group.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
        const mirror = v.mirror.map((m) => `${m.label}: ${m.versions.slice(-3).join(', ')}`).join('; ');
        const where = [...files].slice(0, 5).join(', ') + (files.size > 5 ? ` (+${files.size - 5})` : '');
        out.push(
          `| ${escape(name)} | ${escape(v.distribution ?? '')} | ${escape(v.baselineVersion ?? '')} | ${escape(mirror)} | ${escape(where)} |`,
        );
      }
      out.push('');
    }
    if (folder.skipped.length) {
      out.push(`### Not checked (${folder.skipped.length})`, '');
      for (const s of folder.skipped.slice(0, 200)) {
        out.push(
          `- ${escape(vscode.workspace.asRelativePath(vscode.Uri.parse(s.uri), false))}: ${escape(s.reason)}`,
        );
      }
      out.push('');
    }
  }
  return out.join('\n');
}

/**
 * The workspace report from the language server (`pyrats/workspaceReport`, every folder), or a
 * RequestCancelled error once `token` is cancelled. The report command and the PyRats view ask here.
 */
export function fetchWorkspaceReport(
  client: LanguageClient,
  token: vscode.CancellationToken,
): Promise<WorkspaceReportResult> {
  const params: WorkspaceReportParams = {};
  return client.sendRequest(WorkspaceReportRequest.type, params, token);
}

export class ReportView implements vscode.Disposable {
  private readonly documents = new MarkdownDocuments(
    REPORT_SCHEME,
    'Run "PyRats: Check Workspace Against Baseline" to fill this report.',
  );

  constructor(private readonly ctx: Ctx) {}

  async checkWorkspace(): Promise<void> {
    const client = this.ctx.client();
    if (!client) {
      void vscode.window.showErrorMessage('PyRats: the language server is not running.');
      return;
    }
    const report = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'PyRats: checking the workspace',
        cancellable: true,
      },
      async (_progress, token) => {
        try {
          return await fetchWorkspaceReport(client, token);
        } catch (err) {
          if (token.isCancellationRequested) return undefined;
          throw err;
        }
      },
    );
    if (report) await this.showRendered(report);
  }

  /** Shows `report` rendered: the Markdown preview of its read-only document (never raw source). */
  showRendered(report: WorkspaceReportResult): Promise<void> {
    return this.documents.show('/Workspace Report.md', renderReport(report));
  }

  dispose(): void {
    this.documents.dispose();
  }
}
