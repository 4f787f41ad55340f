/**
 * From `.ipynb` bytes to the notebook's module (notebookJson.ts → notebookCells.ts →
 * notebookModule.ts), and the facts about it that travel with its import sites: nbformat, kernel
 * language, the requirements it installs itself, the files it `%run`s and what was skipped.
 *
 * It does not parse Python; a file that is not a notebook this reads throws an Error whose message
 * says why (invalid JSON, nbformat 2, ...).
 */
import { readFileSync } from 'node:fs';
import { parseNotebookJson } from './notebookJson';
import { notebookFromJson, type Notebook } from './notebookCells';
import { notebookModule, type NotebookModule, type NotebookReading } from './notebookModule';

/** What an extraction result says about the notebook it came from (plain data). */
export interface NotebookFacts {
  /** `4.5`, `3.0`, ... */
  nbformat: string;
  language: string;
  /** Number of cells, markdown included. */
  cells: number;
  installs: NotebookModule['installs'];
  runs: NotebookModule['runs'];
  notes: string[];
}

/** True for a path the notebook reader handles (`.ipynb`). */
export function isNotebookPath(file: string): boolean {
  return /\.ipynb$/i.test(file);
}

export function readNotebookBytes(bytes: Uint8Array): Notebook {
  return notebookFromJson(parseNotebookJson(bytes));
}

/** The source lines of each cell of a notebook file (by cell index); empty when it cannot be read. */
export function readCellLines(file: string): string[][] {
  try {
    return readNotebookBytes(readFileSync(file)).cells.map((c) => c.source.split('\n'));
  } catch {
    return [];
  }
}

export function notebookFacts(nb: Notebook, module: NotebookModule): NotebookFacts {
  return {
    nbformat: nb.nbformat,
    language: nb.language,
    cells: nb.cells.length,
    installs: module.installs,
    runs: module.runs,
    notes: module.notes,
  };
}

export { notebookModule, type NotebookReading };
