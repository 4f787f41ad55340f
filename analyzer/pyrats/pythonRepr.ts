/**
 * Python's `repr` of strings and of (nested) tuples of strings, character for character as CPython
 * 3.11 writes them: single quotes unless the text holds `'` and no `"`; `\\`, the quote, `\t`, `\n`,
 * `\r` escaped; other control and non-printable characters as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`
 * (printability per CPython 3.11's Unicode 14 tables, see nonPrintable.ts); everything else kept.
 * Lone surrogates (possible in JS strings) are escaped as `\udxxx`, as Python does for lone surrogates.
 *
 * It only formats; it does not parse and knows nothing about PyRats records.
 */
import { NON_PRINTABLE_RANGES } from './nonPrintable';

/** Sorted [start, end] ranges, decoded once. */
let ranges: Uint32Array | undefined;

function decodedRanges(): Uint32Array {
  if (ranges) return ranges;
  const pairs = NON_PRINTABLE_RANGES.trim().split(/\s+/);
  const out = new Uint32Array(pairs.length * 2);
  let prev = 0x7f;
  pairs.forEach((p, i) => {
    const [gap, len] = p.split('.').map((h) => parseInt(h, 16));
    const start = prev + 1 + gap;
    const end = start + len;
    out[2 * i] = start;
    out[2 * i + 1] = end;
    prev = end;
  });
  ranges = out;
  return out;
}

/** CPython 3.11's `str.isprintable()` for one code point. */
export function isPrintableCodePoint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  const r = decodedRanges();
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]) hi = mid - 1;
    else if (cp > r[2 * mid + 1]) lo = mid + 1;
    else return false;
  }
  return true;
}

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

/** Printable ASCII without quote or backslash: written as is between single quotes. */
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/** Python `repr(s)` for a str. */
export function pythonStrRepr(s: string): string {
  if (PLAIN.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp === 0x5c) out += '\\\\';
    else if (cp === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (cp === 0x09) out += '\\t';
    else if (cp === 0x0a) out += '\\n';
    else if (cp === 0x0d) out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += String.fromCharCode(cp);
    else if (isPrintableCodePoint(cp)) out += String.fromCodePoint(cp);
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

/** A value Python would print as a tuple of strings / None / nested tuples. */
export type PyValue = string | null | readonly PyValue[];

/** Python `repr` of strings, None and tuples (a 1-tuple gets its trailing comma). */
export function pythonRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return pythonStrRepr(v);
  const items = v.map(pythonRepr);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}
