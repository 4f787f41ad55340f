/** What the pyrats language server offers (its answer to `initialize`). */
import { CodeActionKind, TextDocumentSyncKind, type ServerCapabilities } from 'vscode-languageserver';

export const SERVER_CAPABILITIES: ServerCapabilities = {
  textDocumentSync: {
    openClose: true,
    change: TextDocumentSyncKind.Incremental,
    save: { includeText: false },
  },
  // Jupyter notebooks: Python code cells, synced with their notebook (cell order, index)
  notebookDocumentSync: {
    notebookSelector: [
      { notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] },
      { notebook: { pattern: '**/*.ipynb' }, cells: [{ language: 'python' }] },
    ],
    save: true,
  },
  hoverProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
  inlayHintProvider: { resolveProvider: false },
  workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
};
