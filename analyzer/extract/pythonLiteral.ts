/**
 * The value of a Python string literal as CPython reads it, from the tree-sitter node: implicit
 * concatenation (`'a' 'b'`), prefixes (`r`, `u`, any case), triple quotes, and every escape of a
 * str literal (`\x65`, `\u00e9`, `\U0001F600`, octal `\101`, `\n`, a backslash-newline continuation;
 * an unknown escape keeps its backslash). Identifiers are normalised elsewhere: string values are
 * not NFKC-normalised, exactly as in Python.
 * Returns null for what is not a plain str value known without running code: f-strings, bytes,
 * `\N{NAME}` escapes (they need the Unicode name database), anything that is not a string node.
 */
import type { Node } from 'web-tree-sitter';

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes the escapes of a non-raw str literal body; null for `\N{...}` or a malformed escape. */
function unescape(body: string): string | null {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return null;
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
    else if (e === '\n') continue;
    else if (e === '\r') i += body[i + 1] === '\n' ? 1 : 0;
    else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += m.length - 1;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += len;
    } else if (e === 'N') return null;
    else out += `\\${e}`;
  }
  return out;
}

/** The value of one `string` node, or null (see the module comment). */
function singleStringValue(node: Node): string | null {
  const text = node.text;
  const m = /^([A-Za-z]*)("""|'''|"|')/.exec(text);
  if (!m) return null;
  const prefix = m[1].toLowerCase();
  if (/[^ru]/.test(prefix)) return null; // f, b, t and their combinations
  for (const c of node.namedChildren) if (c?.type === 'interpolation') return null;
  const quote = m[2];
  if (!text.endsWith(quote) || text.length < m[0].length + quote.length) return null;
  const body = text.slice(m[0].length, text.length - quote.length);
  // CPython reads a source's \r\n as \n, also inside string literals
  const lines = body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body;
  return prefix.includes('r') ? lines : unescape(lines);
}

/** The str value of a string or implicitly concatenated string node (parenthesised or not), or null. */
export function stringLiteralValue(node: Node): string | null {
  if (node.type === 'parenthesized_expression') {
    const inner = node.namedChildren.filter((c) => c && c.type !== 'comment');
    return inner.length === 1 && inner[0] ? stringLiteralValue(inner[0]) : null;
  }
  if (node.type === 'string') return singleStringValue(node);
  if (node.type !== 'concatenated_string') return null;
  let out = '';
  for (const part of node.namedChildren) {
    if (!part) continue;
    if (part.type === 'comment') continue;
    const v = part.type === 'string' ? singleStringValue(part) : null;
    if (v === null) return null;
    out += v;
  }
  return out;
}
