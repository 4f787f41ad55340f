/**
 * Read-only Markdown documents of one URI scheme, kept in memory and shown rendered (VS Code's
 * Markdown preview, never raw source): closing one never asks to save it. Used by the workspace
 * report and *Show Configuration*.
 */
import * as vscode from 'vscode';

export class MarkdownDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  /** `placeholder`: what a document of the scheme shows before anything was put there. */
  constructor(
    private readonly scheme: string,
    private readonly placeholder = '',
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? this.placeholder;
  }

  /** Puts `markdown` into the document `path` (and `query`) of the scheme and shows it rendered. */
  async show(path: string, markdown: string, query = ''): Promise<void> {
    const uri = vscode.Uri.from({ scheme: this.scheme, path, query });
    this.texts.set(uri.toString(), markdown);
    this.changed.fire(uri);
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
