/**
 * "Add to the script's PEP 723 block" (issue 18): on a diagnostic of an import that is missing from
 * the script's declarations or in conflict with them (and on missing / mirror-only imports), a quick
 * fix that writes the block as `pyrats pin` would against the folder's baseline — one edit of the
 * whole text, which the editor applies (and can undo) like any other.
 */
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Diagnostics whose import the block can declare. */
const PINNABLE = new Set(['pyrats.conflict', 'pyrats.undeclared', 'pyrats.missing', 'pyrats.mirror-only']);

/** The diagnostics in `diagnostics` that the pin action answers. */
export function pinnableDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => typeof d.code === 'string' && PINNABLE.has(d.code));
}

/** The quick fix replacing `doc`'s text with `pinned`, or null when there is nothing to do. */
export function pinAction(
  doc: TextDocument,
  pinned: string | null,
  baseline: string | null,
  diagnostics: Diagnostic[],
): CodeAction | null {
  if (pinned === null || !diagnostics.length) return null;
  const end = doc.positionAt(doc.getText().length);
  return {
    title: `Add to the script's PEP 723 block (pin against ${baseline ?? 'the baseline'})`,
    kind: CodeActionKind.QuickFix,
    diagnostics,
    edit: {
      documentChanges: [
        {
          textDocument: { uri: doc.uri, version: doc.version },
          edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: pinned }],
        },
      ],
    },
  };
}
