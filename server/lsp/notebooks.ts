/**
 * Notebooks in the language server (LSP 3.17 notebook document sync): which cells each open
 * notebook has, in order (markdown included, so a cell's index is the one a person counts), and the
 * Python code cells as text documents under their `vscode-notebook-cell:` URIs. A cell is checked on
 * its own after IPython syntax masking (analyzer/notebook/ipythonSyntax.ts); the `%pip install`
 * lines of every cell of its notebook count as the notebook's own requirements.
 */
import { NotebookCellKind, type NotebookCell, type TextDocumentItem } from 'vscode-languageserver';
import { maskIPythonCell } from '../../analyzer/notebook/ipythonSyntax';
import type { NotebookFacts } from '../../analyzer/notebook/readNotebook';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CancellationToken } from 'vscode-languageserver';
import type { CheckResult, OpenDocument } from './documents';
import type { FolderAnalyzer } from './folderAnalyzer';
import { sourcePath } from './uris';

export class OpenNotebooks {
  /** Cell URIs of each open notebook, in notebook order. */
  private readonly cells = new Map<string, NotebookCell[]>();
  /** The notebook of each cell URI. */
  private readonly notebookOf = new Map<string, string>();

  /** True for a cell the server checks: a code cell written in Python. */
  static isPythonCell(doc: TextDocumentItem): boolean {
    return doc.languageId === 'python';
  }

  open(notebook: string, cells: NotebookCell[]): void {
    this.cells.set(notebook, [...cells]);
    for (const c of cells) this.notebookOf.set(c.document, notebook);
  }

  /** Applies a structure change (LSP `NotebookCellArrayChange`). */
  splice(notebook: string, start: number, deleteCount: number, added: NotebookCell[] = []): void {
    const list = this.cells.get(notebook);
    if (!list) return;
    for (const gone of list.splice(start, deleteCount, ...added)) this.notebookOf.delete(gone.document);
    for (const c of added) this.notebookOf.set(c.document, notebook);
  }

  /** Forgets a notebook; returns its cell URIs. */
  close(notebook: string): string[] {
    const list = this.cells.get(notebook) ?? [];
    this.cells.delete(notebook);
    for (const c of list) this.notebookOf.delete(c.document);
    return list.map((c) => c.document);
  }

  notebookFor(cellUri: string): string | undefined {
    return this.notebookOf.get(cellUri);
  }

  /** Cell URIs of the notebook holding `cellUri` (itself included). */
  siblings(cellUri: string): string[] {
    const nb = this.notebookOf.get(cellUri);
    return nb ? (this.cells.get(nb) ?? []).map((c) => c.document) : [];
  }

  /** What every code cell of the notebook installs (`%pip install ...`), with the cell's index. */
  installs(notebook: string, textOf: (cellUri: string) => string | undefined): NotebookFacts['installs'] {
    const out: NotebookFacts['installs'] = [];
    (this.cells.get(notebook) ?? []).forEach((cell, index) => {
      if (cell.kind !== NotebookCellKind.Code) return;
      const text = textOf(cell.document);
      if (text !== undefined) out.push(...maskIPythonCell(text).installs.map((i) => ({ ...i, cell: index })));
    });
    return out;
  }
}

/** Checks one notebook cell: IPython syntax masked, the notebook's own installs applied. */
export async function checkNotebookCell(
  doc: OpenDocument,
  analyzer: FolderAnalyzer,
  installs: NotebookFacts['installs'],
  token: CancellationToken,
): Promise<CheckResult['verdicts']> {
  const masked = maskIPythonCell(doc.text.getText());
  if (masked.code === null) return [];
  const text = TextDocument.create(doc.uri, 'python', doc.version, masked.code);
  const parsed = await analyzer.parse(text);
  try {
    return await analyzer.checkDocument(parsed, text, sourcePath(doc.uri), token, installs);
  } finally {
    parsed.dispose();
  }
}
