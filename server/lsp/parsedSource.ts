/**
 * An open document's syntax tree and import sites, kept up to date edit by edit:
 *  - each LSP change is applied to the tree with `tree.edit` and the next parse reuses it
 *    (tree-sitter's incremental parse);
 *  - import sites outside the edited lines are kept (their positions shifted), and only the
 *    top-level statements that an edit touched are extracted again, by the analyzer's own
 *    extraction (analyseTree) run on just their lines;
 *  - when those statements parse cleanly on their own (and the file had no syntax error), nothing
 *    else can have changed and the whole file is not re-parsed at all; otherwise the tree is
 *    re-parsed incrementally and the statements whose structure changed (`getChangedRanges`) are
 *    extracted again too.
 * Trees cost memory (wasm heap): a TreeBudget keeps only the most recently used ones; a document
 * whose tree was dropped is parsed in full on its next check. Results equal a fresh extraction of
 * the whole text (tested with random edits). While the text has syntax errors (error recovery is not
 * local), the whole new tree is analysed; the parse itself stays incremental.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import {
  analyseTree,
  DEFAULT_MAX_BYTES,
  parserText,
  type ImportQueries,
} from '../../analyzer/extract/extractImports';
import type { ImportSite, SourceRange } from '../../analyzer/extract/importSite';

type Pos = SourceRange['start'];

/** True when the text has a `\r` not followed by `\n` at an index in [from, to]. */
function hasLoneCr(text: string, from: number, to: number): boolean {
  for (let i = Math.max(0, from); i <= to && i < text.length; i++) {
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) !== 10) return true;
  }
  return false;
}

const isBefore = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.character < b.character);

/** A position after an edit that replaced [start, oldEnd) with text ending at newEnd. */
function shifted(p: Pos, oldEnd: Pos, newEnd: Pos): Pos {
  if (p.line > oldEnd.line) return { line: p.line + newEnd.line - oldEnd.line, character: p.character };
  return { line: newEnd.line, character: newEnd.character + (p.character - oldEnd.character) };
}

function shiftRange(r: SourceRange, oldEnd: Pos, newEnd: Pos): SourceRange {
  return { start: shifted(r.start, oldEnd, newEnd), end: shifted(r.end, oldEnd, newEnd) };
}

function shiftLines(r: SourceRange, lines: number): SourceRange {
  return {
    start: { line: r.start.line + lines, character: r.start.character },
    end: { line: r.end.line + lines, character: r.end.character },
  };
}

/** Keeps at most `limit` live trees, dropping the least recently used. */
export class TreeBudget {
  private readonly live = new Set<ParsedSource>();
  constructor(readonly limit: number) {}

  touch(p: ParsedSource): void {
    this.live.delete(p);
    this.live.add(p);
    while (this.live.size > this.limit) {
      const oldest = this.live.values().next().value as ParsedSource;
      this.live.delete(oldest);
      oldest.releaseTree();
    }
  }

  forget(p: ParsedSource): void {
    this.live.delete(p);
  }

  get size(): number {
    return this.live.size;
  }
}

export class ParsedSource {
  private tree: Tree | null = null;
  /** Sites of the text as of the last extraction, shifted through the edits since. */
  private sites: ImportSite[] = [];
  /** Line spans (current coordinates) that edits touched since the last extraction. */
  private dirtyLines: [number, number][] = [];
  /** True when the next extraction must parse and extract the whole text. */
  private full = true;
  /** The last full parse had no syntax error (and every span parsed alone since was clean). */
  private clean = false;
  /** The text has a lone `\r` line break: parsed in full (as parserText) on every check. */
  private loneCr = false;

  constructor(
    private readonly parser: Parser,
    private readonly queries: ImportQueries,
    private readonly budget?: TreeBudget,
  ) {}

  /**
   * Applies one LSP change to `doc` (TextDocument.update changes the document in place) and tells
   * the tree about it: old offsets are taken before the update, the new end after it.
   */
  applyChange(doc: TextDocument, change: TextDocumentContentChangeEvent, version: number): TextDocument {
    if (!this.tree || this.full || this.loneCr || !('range' in change)) {
      this.releaseTree();
      return TextDocument.update(doc, [change], version);
    }
    // TextDocument.update accepts a reversed range (end before start): so does the tree edit
    let { start: from, end: to } = change.range;
    if (isBefore(to, from)) [from, to] = [to, from];
    const startIndex = doc.offsetAt(from);
    const oldEndIndex = doc.offsetAt(to);
    const start = doc.positionAt(startIndex);
    const oldEnd = doc.positionAt(oldEndIndex);
    const after = TextDocument.update(doc, [change], version);
    const newEndIndex = startIndex + change.text.length;
    // a `\r` that now ends a line alone (in the new text, or before it without its `\n`)
    if (hasLoneCr(after.getText(), startIndex - 1, newEndIndex - 1)) {
      this.loneCr = true;
      this.releaseTree();
      return after;
    }
    const newEnd = after.positionAt(newEndIndex);
    this.tree.edit({
      startIndex,
      oldEndIndex,
      newEndIndex,
      startPosition: { row: start.line, column: start.character },
      oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
      newEndPosition: { row: newEnd.line, column: newEnd.character },
    });
    // Sites strictly before the edit stay, strictly after it move, touching it are extracted again.
    const kept: ImportSite[] = [];
    for (const s of this.sites) {
      if (isBefore(s.statementRange.end, start)) kept.push(s);
      else if (isBefore(oldEnd, s.statementRange.start)) {
        kept.push({
          ...s,
          range: shiftRange(s.range, oldEnd, newEnd),
          statementRange: shiftRange(s.statementRange, oldEnd, newEnd),
        });
      }
    }
    this.sites = kept;
    const delta = newEnd.line - oldEnd.line;
    let lo = start.line;
    let hi = newEnd.line;
    const spans: [number, number][] = [];
    for (const [a, b] of this.dirtyLines) {
      if (b < start.line) spans.push([a, b]);
      else if (a > oldEnd.line) spans.push([a + delta, b + delta]);
      else {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b > oldEnd.line ? b + delta : Math.min(b, newEnd.line));
      }
    }
    spans.push([lo, hi]);
    this.dirtyLines = spans;
    return after;
  }

  /** The import sites of the document's current text, re-extracting only what changed. */
  importSites(doc: TextDocument): ImportSite[] {
    const text = doc.getText();
    if (text.length > DEFAULT_MAX_BYTES) {
      this.releaseTree();
      this.sites = [];
      return this.sites;
    }
    if (this.full || !this.tree) return this.extractAll(text);
    this.budget?.touch(this);
    if (this.dirtyLines.length === 0) return this.sites;
    if (this.clean) {
      // Fast path: the edited top-level statements, found in the edited (not yet re-parsed) tree,
      // are parsed alone; when they parse without error, nothing else in the file can have changed.
      const spans = this.statementSpans(this.tree.rootNode, this.dirtyLines, doc.lineCount - 1);
      const fresh = this.extractSpans(doc, text, spans, true);
      if (fresh) {
        this.dirtyLines = [];
        return this.merge(spans, fresh);
      }
    }
    const old = this.tree;
    const next = this.parser.parse(text, old);
    if (!next) return this.extractAll(text);
    const dirty = [...this.dirtyLines];
    for (const r of old.getChangedRanges(next)) dirty.push([r.startPosition.row, r.endPosition.row]);
    old.delete();
    this.tree = next;
    this.dirtyLines = [];
    this.clean = !next.rootNode.hasError;
    if (!this.clean) {
      // Error recovery is not local: a statement read alone may parse differently than in place.
      this.sites = analyseTree(next, text, this.queries).sites;
      return this.sites;
    }
    const spans = this.statementSpans(next.rootNode, dirty, doc.lineCount - 1);
    return this.merge(spans, this.extractSpans(doc, text, spans, false)!);
  }

  /**
   * Extracts the sites of each line span parsed alone. With `strict`, gives up (null) when a span
   * does not parse cleanly on its own or starts indented (it would belong to the statement above).
   */
  private extractSpans(
    doc: TextDocument,
    text: string,
    spans: [number, number][],
    strict: boolean,
  ): ImportSite[] | null {
    const out: ImportSite[] = [];
    for (const [a, b] of spans) {
      const from = doc.offsetAt({ line: a, character: 0 });
      const to = doc.offsetAt({ line: b + 1, character: 0 });
      const slice = text.slice(from, to);
      if (strict && /^[ \t\f]*(\r?\n[ \t\f]*)*[ \t\f]+[^\s#]/.test(slice)) return null;
      const tree = this.parser.parse(slice);
      if (!tree) return null;
      try {
        if (strict && tree.rootNode.hasError) return null;
        for (const site of analyseTree(tree, slice, this.queries).sites) {
          out.push({
            ...site,
            range: shiftLines(site.range, a),
            statementRange: shiftLines(site.statementRange, a),
          });
        }
      } finally {
        tree.delete();
      }
    }
    return out;
  }

  /** Replaces the sites inside `spans` by `fresh`, in source order. */
  private merge(spans: [number, number][], fresh: ImportSite[]): ImportSite[] {
    if (spans.length === 0) return this.sites;
    const inSpan = (line: number) => spans.some(([a, b]) => line >= a && line <= b);
    // concat, not push(...fresh): a pasted block can hold more sites than a call takes arguments
    const sites = this.sites.filter((s) => !inSpan(s.statementRange.start.line)).concat(fresh);
    sites.sort(
      (x, y) =>
        x.statementRange.start.line - y.statementRange.start.line ||
        x.statementRange.start.character - y.statementRange.start.character ||
        x.range.start.line - y.range.start.line ||
        x.range.start.character - y.range.start.character,
    );
    this.sites = sites;
    return sites;
  }

  /**
   * The line spans covering `dirty` and every top-level statement within one line of it, widened
   * until no other statement shares a first or last line with them, merged.
   */
  private statementSpans(root: Node, dirty: [number, number][], lastLine: number): [number, number][] {
    const n = root.childCount;
    const startRow = (i: number) => root.child(i)!.startPosition.row;
    const endRow = (i: number) => root.child(i)!.endPosition.row;
    const out: [number, number][] = [];
    for (const [a0, b0raw] of dirty) {
      const b0 = Math.min(Math.max(b0raw, a0), lastLine);
      if (a0 > lastLine) continue;
      let first = a0;
      let last = b0;
      const a = Math.max(0, a0 - 1);
      const b = b0 + 1;
      // first statement ending at or after line a
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (endRow(mid) < a) lo = mid + 1;
        else hi = mid;
      }
      if (lo < n && startRow(lo) <= b) {
        let i = lo;
        let j = lo;
        while (j + 1 < n && startRow(j + 1) <= b) j++;
        while (i > 0 && endRow(i - 1) >= startRow(i)) i--;
        while (j + 1 < n && startRow(j + 1) <= endRow(j)) j++;
        first = Math.min(first, startRow(i));
        last = Math.max(last, Math.min(endRow(j), lastLine));
      }
      out.push([first, last]);
    }
    out.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const s of out) {
      const prev = merged.at(-1);
      if (prev && s[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], s[1]);
      else merged.push([...s]);
    }
    return merged;
  }

  private extractAll(raw: string): ImportSite[] {
    const text = parserText(raw);
    this.loneCr = text !== raw;
    const next = this.parser.parse(text, null);
    this.tree?.delete();
    this.tree = next;
    this.dirtyLines = [];
    this.full = !next;
    this.clean = Boolean(next) && !next!.rootNode.hasError;
    this.sites = next ? analyseTree(next, text, this.queries).sites : [];
    if (next) this.budget?.touch(this);
    return this.sites;
  }

  /** Drops the tree (memory); the next check parses the whole text again. */
  releaseTree(): void {
    this.tree?.delete();
    this.tree = null;
    this.full = true;
    this.dirtyLines = [];
  }

  dispose(): void {
    this.budget?.forget(this);
    this.releaseTree();
  }
}
