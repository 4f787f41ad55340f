/**
 * The ImportSite model: one imported name as written in a Python source file.
 * Produced by the extract stage, consumed by resolve, check and the editor glue. Pure data.
 */

/** Zero-based line/column positions (columns in UTF-16 code units, as LSP expects). */
export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ImportSite {
  /** Dotted module as written (`a.b.c`, `..pkg` → `pkg` with level 2); null only for `from . import x`. */
  module: string | null;
  /** For `from M import n`: `n`; null for `import M` and star imports. */
  name: string | null;
  /** Local alias (`as x`), or null. */
  asname: string | null;
  /** Number of leading dots of a relative import; 0 for absolute. */
  level: number;
  /** Range of the imported name (the module for `import`, the name for `from`). */
  range: SourceRange;
  /** Range of the whole statement. */
  statementRange: SourceRange;
  /** `import` = `import M`; `from` = `from M import n`; `star` = `from M import *`; `dynamic` = literal `__import__('x')` / `importlib.import_module('x')`. */
  kind: 'import' | 'from' | 'star' | 'dynamic';
  /** `try` when inside a try body whose handlers catch ImportError (or a base of it); `if` when under an if/elif/else; else null. */
  guarded: 'try' | 'if' | null;
  /** True when inside a function or method body. */
  inFunction: boolean;
  /**
   * In a Jupyter notebook: the zero-based index of the cell among all cells (markdown included);
   * `range` and `statementRange` are then within that cell.
   */
  cell?: number;
  /** The cell's id (nbformat ≥ 4.5). */
  cellId?: string;
}
