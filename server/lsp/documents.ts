/**
 * Open documents of the language server: the text (kept with incremental updates), the version, and
 * the per-document check state (debounce timer, cancellation of the check in flight, the last result).
 */
import { CancellationTokenSource } from 'vscode-languageserver';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { ImportVerdictInfo } from '../protocol';
import type { ParsedSource } from './folderAnalyzer';

export interface CheckResult {
  version: number;
  verdicts: ImportVerdictInfo[];
  baseline: string | null;
  problems: string[];
}

export class OpenDocument {
  text: TextDocument;
  /** Incrementally re-parsed tree of the text (created on the first check, edited on each change). */
  parsed: ParsedSource | undefined;
  timer: NodeJS.Timeout | undefined;
  running: CancellationTokenSource | undefined;
  last: CheckResult | undefined;
  /** For a notebook cell: the notebook's URI (the cell is checked with IPython syntax masked). */
  notebook: string | undefined;
  /** Resolves when a check of the current version has finished (or the document is closed). */
  private waiters: { version: number; resolve: (r: CheckResult | undefined) => void }[] = [];

  constructor(
    readonly uri: string,
    languageId: string,
    version: number,
    content: string,
  ) {
    this.text = TextDocument.create(uri, languageId, version, content);
  }

  get version(): number {
    return this.text.version;
  }

  /** Applies LSP content changes in order, telling the parsed tree about each edit. */
  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    if (!this.parsed) {
      this.text = TextDocument.update(this.text, changes, version);
      return;
    }
    for (const change of changes) this.text = this.parsed.applyChange(this.text, change, version);
  }

  /** The result for the current version: now if known, else when the running/scheduled check ends. */
  result(): Promise<CheckResult | undefined> {
    if (this.last && this.last.version === this.version) return Promise.resolve(this.last);
    return new Promise((resolve) => this.waiters.push({ version: this.version, resolve }));
  }

  finish(result: CheckResult): void {
    this.last = result;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.version <= result.version) w.resolve(result);
      else still.push(w);
    }
    this.waiters = still;
  }

  /** The check of this version failed: whoever waits for it gets nothing (instead of waiting forever). */
  abandon(version: number): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.version <= version) w.resolve(undefined);
      else still.push(w);
    }
    this.waiters = still;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.running?.cancel();
    this.parsed?.dispose();
    this.parsed = undefined;
    for (const w of this.waiters) w.resolve(undefined);
    this.waiters = [];
  }
}
