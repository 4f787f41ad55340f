/**
 * An open document for the language server: keeps its text and tree-sitter tree, applies edits
 * with `tree.edit` + an incremental re-parse, and gives the same ExtractResult that extracting the
 * whole text afresh would give. Offsets and characters are UTF-16 code units (LSP positions).
 *
 * It borrows the parser and queries of an ImportExtractor (one thread, synchronous use) and owns
 * only its tree: call `dispose()` when the document closes. It does not read files or decode bytes.
 */
import type { Point, Tree } from 'web-tree-sitter';
import { analyseTree, type ExtractResult, type ImportExtractor } from './extractImports';
import type { SourceRange } from './importSite';

/** Replace `text[startIndex, oldEndIndex)` of the current text by `text`. */
export interface TextEdit {
  startIndex: number;
  oldEndIndex: number;
  text: string;
}

/** Zero-based row and UTF-16 column of an offset. */
function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The offset of an LSP position (line, UTF-16 character), clamped to the text. */
export function offsetAt(text: string, position: SourceRange['start']): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  return Math.min(offset + Math.max(0, position.character), end);
}

export class IncrementalDocument {
  private current: string;
  private tree: Tree | undefined;
  private cached: ExtractResult | undefined;

  constructor(
    private readonly extractor: ImportExtractor,
    text: string,
  ) {
    this.current = text;
    this.reparse();
  }

  get text(): string {
    return this.current;
  }

  /** Applies one edit (offsets into the current text) and re-parses incrementally. */
  applyEdit(edit: TextEdit): void {
    const { startIndex, oldEndIndex } = edit;
    if (startIndex < 0 || oldEndIndex < startIndex || oldEndIndex > this.current.length) {
      throw new RangeError(
        `edit [${startIndex}, ${oldEndIndex}) outside the text (length ${this.current.length})`,
      );
    }
    const before = this.current;
    const after = before.slice(0, startIndex) + edit.text + before.slice(oldEndIndex);
    const newEndIndex = startIndex + edit.text.length;
    if (this.tree) {
      const startPosition = pointAt(before, startIndex);
      this.tree.edit({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition,
        oldEndPosition: pointAt(before, oldEndIndex),
        newEndPosition: pointAt(after, newEndIndex),
      });
    }
    this.current = after;
    this.reparse();
  }

  /** Applies an LSP-style edit: replace `range` by `text`. */
  applyRangeEdit(range: SourceRange, text: string): void {
    this.applyEdit({
      startIndex: offsetAt(this.current, range.start),
      oldEndIndex: offsetAt(this.current, range.end),
      text,
    });
  }

  /** Replaces the whole text (full-document sync). */
  setText(text: string): void {
    this.tree?.delete();
    this.tree = undefined;
    this.current = text;
    this.reparse();
  }

  /** The imports and problems of the current text. */
  result(): ExtractResult {
    if (this.cached) return this.cached;
    if (!this.tree) {
      this.cached = this.extractor.extractText(this.current); // over the size cap or time limit: says so
    } else {
      this.cached = { ...analyseTree(this.tree, this.current, this.extractor.queries), encoding: 'utf-8' };
    }
    return this.cached;
  }

  /** Frees the tree. */
  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.cached = undefined;
  }

  private reparse(): void {
    this.cached = undefined;
    const old = this.tree;
    if (this.current.length > this.extractor.maxBytes) {
      old?.delete();
      this.tree = undefined;
      return;
    }
    const tree = this.extractor.parse(this.current, old) ?? undefined; // undefined: over the time limit
    old?.delete();
    this.tree = tree;
  }
}
