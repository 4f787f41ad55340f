/**
 * A notebook's code as one Python module: the code cells in order (IPython syntax masked, cell
 * magics skipped, see ipythonSyntax.ts) joined into one text, with the map from the text's lines
 * back to cells, so import sites found in the text can be placed in their cell (extract/notebookSites.ts). Two readings:
 * `kernel` (what the kernel runs: `%%time` bodies included) for checks and the editor, and
 * `script` (what `jupyter nbconvert --to script` writes: every cell-magic body becomes a string
 * argument of `get_ipython().run_cell_magic`, so its imports are not imports) for PyRats records.
 *
 * It does not parse Python or read files.
 */
import { maskIPythonCell, type NotebookInstall, type NotebookRun } from './ipythonSyntax';
import { isPythonLanguage, type Notebook } from './notebookCells';

/** Where one code cell sits in the module text. */
interface CellSegment {
  cell: number;
  cellId?: string;
  /** Zero-based line of the module text where the cell starts. */
  firstLine: number;
}

export interface NotebookModule {
  /** The code cells, masked, joined by newlines. */
  text: string;
  segments: CellSegment[];
  /** `%pip install` and friends, with their cell. */
  installs: (NotebookInstall & { cell: number })[];
  /** `%run` targets, with their cell. */
  runs: (NotebookRun & { cell: number })[];
  /** What was left out and why (`cell 5: %%bash cell skipped (not Python)`). */
  notes: string[];
}

export type NotebookReading = 'kernel' | 'script';

/** Builds the module text of a notebook; a non-Python kernel gives an empty module and a note. */
export function notebookModule(nb: Notebook, reading: NotebookReading = 'kernel'): NotebookModule {
  const module: NotebookModule = { text: '', segments: [], installs: [], runs: [], notes: [] };
  if (!isPythonLanguage(nb.language)) {
    module.notes.push(`the kernel's language is ${nb.language}, not Python: the notebook is skipped`);
    return module;
  }
  const parts: string[] = [];
  let line = 0;
  for (const cell of nb.cells) {
    if (cell.type !== 'code') continue;
    if (!isPythonLanguage(cell.language)) {
      module.notes.push(`cell ${cell.index + 1}: written in ${cell.language}, not Python: skipped`);
      continue;
    }
    const masked = maskIPythonCell(cell.source);
    const magic = masked.skippedMagic ?? (reading === 'script' && /^%%\w+/.exec(cell.source)?.[0]);
    if (masked.code === null || magic) {
      module.notes.push(`cell ${cell.index + 1}: ${magic} cell skipped (not Python)`);
      continue;
    }
    module.installs.push(...masked.installs.map((x) => ({ ...x, cell: cell.index })));
    // nbconvert writes `%run` as a get_ipython() call: the exported script does not import it
    if (reading === 'kernel') module.runs.push(...masked.runs.map((x) => ({ ...x, cell: cell.index })));
    module.segments.push({ cell: cell.index, ...(cell.id ? { cellId: cell.id } : {}), firstLine: line });
    parts.push(masked.code);
    line += masked.code.split('\n').length;
  }
  module.text = parts.join('\n');
  return module;
}

/** The segment holding a zero-based module line. */
function segmentAt(module: NotebookModule, line: number): CellSegment {
  let lo = 0;
  let hi = module.segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (module.segments[mid].firstLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return module.segments[lo];
}

/** Where a zero-based line of the module text is: its cell, the cell's id, the line within the cell. */
export function cellLine(
  module: NotebookModule,
  line: number,
): { cell: number; cellId?: string; line: number } {
  const seg = segmentAt(module, line);
  return { cell: seg.cell, ...(seg.cellId ? { cellId: seg.cellId } : {}), line: line - seg.firstLine };
}
