/**
 * Import sites found in a notebook's module text (notebook/notebookModule.ts), placed back in their
 * cells: ranges within the cell, and the cell's index and id set on each site.
 */
import { cellLine, type NotebookModule } from '../notebook/notebookModule';
import type { ImportSite, SourceRange } from './importSite';

function shift(range: SourceRange, by: number): SourceRange {
  return {
    start: { line: range.start.line - by, character: range.start.character },
    end: { line: range.end.line - by, character: range.end.character },
  };
}

/** Sites found in the module text, placed in their cells (ranges within the cell, `cell` set). */
export function sitesInCells(module: NotebookModule, sites: ImportSite[]): ImportSite[] {
  return sites.map((site) => {
    const start = site.statementRange.start.line;
    const at = cellLine(module, start);
    const firstLine = start - at.line;
    return {
      ...site,
      range: shift(site.range, firstLine),
      statementRange: shift(site.statementRange, firstLine),
      cell: at.cell,
      ...(at.cellId ? { cellId: at.cellId } : {}),
    };
  });
}
