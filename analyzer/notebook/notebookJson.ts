/**
 * Reads a Jupyter notebook file (`.ipynb`, JSON) without decoding its outputs: one pass over the
 * bytes finds every `"outputs"` and `"attachments"` member and steps over its value (images, HTML,
 * tracebacks) by jumping from quote to quote, and only the rest — cell sources and metadata — is
 * handed to JSON.parse. A 5 MB notebook of embedded plots costs little more than its code.
 *
 * It does not interpret nbformat (see notebookCells.ts); malformed JSON is reported by the error
 * thrown, with what JSON.parse said.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Members whose values are skipped, and what stands in for them. */
const SKIPPED = new Map<string, Uint8Array>([
  ['"outputs"', new TextEncoder().encode('[]')],
  ['"attachments"', new TextEncoder().encode('{}')],
]);
const LONGEST_SKIPPED = Math.max(...[...SKIPPED.keys()].map((k) => k.length));

/** Thrown when the file is not JSON (or not UTF-8); the message says where. */
export class NotebookJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookJsonError';
  }
}

/** Offset just past the closing quote of the string opening at `start`, or the length when unterminated. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = bytes.indexOf(QUOTE, i);
    if (q < 0) return bytes.length;
    let slashes = 0;
    for (let k = q - 1; k > start && bytes[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isSpace(bytes[i])) i++;
  return i;
}

/** Offset just past the JSON value starting at `start` (not validated: JSON.parse never sees it). */
function valueEnd(bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start);
  if (first !== 0x5b && first !== 0x7b) {
    let i = start;
    while (
      i < bytes.length &&
      !isSpace(bytes[i]) &&
      bytes[i] !== 0x2c &&
      bytes[i] !== 0x5d &&
      bytes[i] !== 0x7d
    )
      i++;
    return i;
  }
  let depth = 0;
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = stringEnd(bytes, i);
      continue;
    }
    if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return bytes.length;
}

function keyText(bytes: Uint8Array, start: number, end: number): string {
  return end - start > LONGEST_SKIPPED ? '' : String.fromCharCode(...bytes.subarray(start, end));
}

/** The bytes of the notebook with every outputs/attachments value replaced by an empty one. */
export function withoutOutputs(bytes: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [];
  let keptFrom = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== QUOTE) {
      i++;
      continue;
    }
    const end = stringEnd(bytes, i);
    const stand = SKIPPED.get(keyText(bytes, i, end));
    const colon = skipSpace(bytes, end);
    if (!stand || bytes[colon] !== COLON) {
      i = end;
      continue;
    }
    const value = skipSpace(bytes, colon + 1);
    kept.push(bytes.subarray(keptFrom, value), stand);
    i = keptFrom = valueEnd(bytes, value);
  }
  if (!kept.length) return bytes;
  kept.push(bytes.subarray(keptFrom));
  const out = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of kept) {
    out.set(k, at);
    at += k.length;
  }
  return out;
}

/** Parses notebook bytes (UTF-8 JSON) into a plain value, outputs and attachments left empty. */
export function parseNotebookJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(withoutOutputs(bytes));
  } catch {
    throw new NotebookJsonError('not a Jupyter notebook: the file is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = (err as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    throw new NotebookJsonError(`not a Jupyter notebook: invalid JSON (${reason})`);
  }
}
