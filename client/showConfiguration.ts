/**
 * *PyRats: Show Configuration* (`pyrats.showConfiguration`): `pyrats config --json` for the active
 * file's folder (or the first workspace folder), rendered as a Markdown preview. Also how the
 * request feature learns the configured destinations (`configuredConfig`).
 */
import * as vscode from 'vscode';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';
import { configMarkdown, parseConfigJson, type ConfigJson } from './configView';
import { MarkdownDocuments } from './markdownDocuments';

/** The folder whose configuration applies: the active file's workspace folder, else the first. */
function configFolder(): string | undefined {
  const uri =
    vscode.window.activeTextEditor?.document.uri ?? vscode.window.activeNotebookEditor?.notebook.uri;
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.fsPath;
}

/** The effective configuration for `folder`, or a sentence saying why it could not be read. */
export async function configuredConfig(
  context: vscode.ExtensionContext,
  folder: string | undefined = configFolder(),
): Promise<ConfigJson | string> {
  const run = await runPyratsCli(context, ['config', '--json', ...(folder ? [folder] : [])], {
    cwd: folder,
    timeoutMs: 30_000,
  });
  if (run.code !== 0) return run.error ?? (run.stderr.trim().split('\n').at(-1) || `exit status ${run.code}`);
  return parseConfigJson(run.stdout);
}

/** *PyRats: Show Configuration* (`pyrats.showConfiguration`, `show`): one read-only document per folder. */
export class ConfigurationView implements vscode.Disposable {
  private readonly documents = new MarkdownDocuments('pyrats-config');

  constructor(private readonly ctx: Ctx) {}

  async show(): Promise<void> {
    const folder = configFolder();
    const config = await configuredConfig(this.ctx.extension, folder);
    if (typeof config === 'string') {
      void vscode.window.showErrorMessage(`PyRats: Show Configuration: ${config}`);
      return;
    }
    const markdown = configMarkdown(folder ?? 'this window (no folder open)', config);
    // one document per folder
    await this.documents.show(
      '/PyRats configuration.md',
      markdown,
      new URLSearchParams({ folder: folder ?? '' }).toString(),
    );
  }

  dispose(): void {
    this.documents.dispose();
  }
}
