/**
 * Text taken from logs (paths, host and user names, reasons, a bad line's quoted field) made safe to
 * print on a terminal: control characters — C0 (tab and newline included: one report line stays one
 * line), DEL, C1 — and the Unicode bidirectional controls and line separators that reorder or break
 * what the reader sees are written as escapes (`\x1b`, `\u202e`). Everything else is kept. JSON
 * output is escaped losslessly (`\u001b` is the same string to a JSON reader). Used by every command
 * that prints such text; it knows nothing about where the text came from.
 */

/** C0, DEL, C1; ALM; LRM, RLM; LS, PS; LRE…RLO; LRI…PDI. */
const TERMINAL_CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves raw in strings: DEL, C1, and the same Unicode controls. */
const JSON_RAW_CONTROLS = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function hexEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character written as `\xHH` / `\uHHHH`. */
export function escapeControls(text: string): string {
  return text.replace(TERMINAL_CONTROLS, hexEscape);
}

/**
 * JSON.stringify for a terminal: the characters JSON leaves raw (DEL, C1, bidi controls) as `\uHHHH`
 * escapes too — the same value to every JSON reader, harmless on a screen.
 */
export function jsonForTerminal(value: unknown, indent?: number): string {
  // JSON.stringify escapes C0 in strings itself; the newlines left are its own indentation
  return JSON.stringify(value, null, indent).replace(
    JSON_RAW_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
