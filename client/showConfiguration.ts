/**
 * *PyRats: Show Configuration* (`pyrats.showConfiguration`): `pyrats config --json` for the active
 * file's folder (or the first workspace folder), rendered as a Markdown preview. Also how the
 * request feature learns the configured destinations (`configuredConfig`).
 */
import * as vscode from 'vscode';
import { runPyratsCli } from './cliProcess';
import { configMarkdown, parseConfigJson, type ConfigJson } from './configView';

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

/** Read-only documents holding the rendered configuration: closing one never asks to save it. */
const SCHEME = 'pyrats-config';

/** The Markdown shown for each folder, by document URI; refreshed on each Show Configuration. */
class ConfigDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** The document for `folder` now showing `markdown`. */
  show(folder: string | undefined, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: SCHEME,
      path: '/PyRats configuration.md',
      query: new URLSearchParams({ folder: folder ?? '' }).toString(),
    });
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerShowConfiguration(context: vscode.ExtensionContext): vscode.Disposable {
  const documents = new ConfigDocuments();
  const command = vscode.commands.registerCommand('pyrats.showConfiguration', async () => {
    const folder = configFolder();
    const config = await configuredConfig(context, folder);
    if (typeof config === 'string') {
      void vscode.window.showErrorMessage(`PyRats: Show Configuration: ${config}`);
      return;
    }
    const uri = documents.show(folder, configMarkdown(folder ?? 'this window (no folder open)', config));
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  });
  return vscode.Disposable.from(
    command,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
  );
}
