/**
 * Turns the bytes of a Python source file into text the way CPython's tokenizer does (PEP 263):
 * a UTF-8 byte-order mark, else a coding cookie on line 1 or 2 (line 2 only when line 1 is blank or
 * a comment), else UTF-8. Also recognises binary content (NUL bytes, which CPython refuses).
 *
 * It does not parse Python and knows nothing about imports; undecodable or unknown encodings are
 * reported as errors with a clear message, never replaced silently.
 */

/** What `decodePythonSource` returns: the text and the name of the encoding that was used. */
export interface DecodedSource {
  text: string;
  encoding: string;
}

/** Thrown by `decodePythonSource`; `line` is one-based when known. */
export class SourceDecodeError extends Error {
  constructor(
    message: string,
    /** The encoding that was declared or assumed. */
    readonly encoding: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'SourceDecodeError';
  }
}

const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const BLANK_OR_COMMENT = /^[ \t\f]*(?:#|\r?$)/;

/** Byte offset of the first NUL byte, or -1. CPython rejects source containing NUL bytes. */
export function findNulByte(bytes: Uint8Array): number {
  return bytes.indexOf(0);
}

/** Reads one line (without its terminator) starting at `start`, as latin-1 (cookies are ASCII). */
function lineAt(bytes: Uint8Array, start: number): { text: string; next: number } {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  let next = end;
  if (bytes[next] === 0x0d) next++;
  if (bytes[next] === 0x0a) next++;
  let text = '';
  for (let i = start; i < end && i - start < 4096; i++) text += String.fromCharCode(bytes[i]);
  return { text, next };
}

/**
 * The coding cookie of the source, if any, with its one-based line. Follows CPython: line 2 is only
 * looked at when line 1 is blank or a comment.
 */
export function findCodingCookie(bytes: Uint8Array): { name: string; line: number } | undefined {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const first = lineAt(bytes, start);
  let m = COOKIE.exec(first.text);
  if (m) return { name: m[1], line: 1 };
  if (!BLANK_OR_COMMENT.test(first.text) || first.next >= bytes.length) return undefined;
  m = COOKIE.exec(lineAt(bytes, first.next).text);
  return m ? { name: m[1], line: 2 } : undefined;
}

type Decoder = (bytes: Uint8Array) => string;

const LATIN1_NAMES = new Set([
  'latin_1',
  'latin1',
  'latin',
  'l1',
  'iso8859_1',
  'iso_8859_1',
  'iso_8859_1_1987',
  'iso_ir_100',
  '8859',
  'cp819',
  'ibm819',
  'csisolatin1',
  'iso_latin_1',
]);
const ASCII_NAMES = new Set([
  'ascii',
  'us_ascii',
  '646',
  'us',
  'ansi_x3.4_1968',
  'ansi_x3_4_1968',
  'ansi_x3.4_1986',
  'cp367',
  'ibm367',
  'iso646_us',
  'iso_646.irv_1991',
  'iso_ir_6',
  'csascii',
]);
const UTF8_NAMES = new Set(['utf_8', 'utf8', 'u8', 'utf', 'utf8_ucs2', 'utf8_ucs4', 'cp65001', 'utf_8_sig']);

function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function decodeAscii(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] > 0x7f) throw new InvalidByte(i, bytes[i]);
  }
  return decodeLatin1(bytes);
}

/** cp1252 code points for 0x80–0x9F (-1: undefined in Python's codec). Node maps windows-1252 to latin-1. */
const CP1252_HIGH = [
  8364, -1, 8218, 402, 8222, 8230, 8224, 8225, 710, 8240, 352, 8249, 338, -1, 381, -1, -1, 8216, 8217, 8220,
  8221, 8226, 8211, 8212, 732, 8482, 353, 8250, 339, -1, 382, 376,
];
const CP1252_NAMES = new Set(['cp1252', 'windows_1252']);

function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  let chunk: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 0x80 && c < 0xa0) {
      c = CP1252_HIGH[c - 0x80];
      if (c < 0) throw new InvalidByte(i, bytes[i]);
    }
    chunk.push(c);
    if (chunk.length === 8192) {
      out += String.fromCharCode(...chunk);
      chunk = [];
    }
  }
  return out + String.fromCharCode(...chunk);
}

class InvalidByte extends Error {
  constructor(
    readonly offset: number,
    readonly byte: number,
  ) {
    super(`invalid byte 0x${byte.toString(16).padStart(2, '0')}`);
  }
}

/**
 * A decoder for a Python codec name, or undefined when the name is unknown. Python's own name
 * normalisation is applied (case, `-`/`_`/space, the tokenizer's `utf-8-*` and `latin-1-*` forms).
 * Latin-1, ASCII and cp1252 are decoded here: WHATWG maps the first two to windows-1252, and
 * Node's windows-1252 decoder is really latin-1.
 */
function decoderFor(name: string): { canonical: string; decode: Decoder } | undefined {
  const lowered = name.toLowerCase().replace(/_/g, '-');
  let norm = lowered.replace(/[-\s]/g, '_');
  if (lowered === 'utf-8' || lowered.startsWith('utf-8-')) norm = 'utf_8';
  if (/^(latin-1|iso-8859-1|iso-latin-1)(-|$)/.test(lowered)) norm = 'latin_1';
  if (UTF8_NAMES.has(norm)) {
    const d = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    return { canonical: 'utf-8', decode: (b) => d.decode(b) };
  }
  if (LATIN1_NAMES.has(norm)) return { canonical: 'latin-1', decode: decodeLatin1 };
  if (ASCII_NAMES.has(norm)) return { canonical: 'ascii', decode: decodeAscii };
  if (CP1252_NAMES.has(norm)) return { canonical: 'cp1252', decode: decodeCp1252 };
  for (const label of [lowered, norm, lowered.replace(/^(iso)(\d)/, '$1-$2')]) {
    try {
      const d = new TextDecoder(label, { fatal: true });
      return { canonical: norm.replace(/_/g, '-'), decode: (b) => d.decode(b) };
    } catch {
      // not a label this runtime knows: try the next spelling
    }
  }
  return undefined;
}

/** One-based line of a byte offset. */
function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const n = b[i + k];
      if (n === undefined || (n & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (n & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** One-based line of the first line that does not decode on its own, for the error message. */
function firstBadLine(bytes: Uint8Array, decode: Decoder): number | undefined {
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Decodes Python source bytes as CPython would (PEP 263). Throws `SourceDecodeError` for an unknown
 * encoding in the cookie, a BOM contradicting the cookie, or bytes invalid in the encoding.
 */
export function decodePythonSource(bytes: Uint8Array): DecodedSource {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const cookie = findCodingCookie(bytes);
  let decoder: { canonical: string; decode: Decoder } | undefined;
  if (cookie) {
    decoder = decoderFor(cookie.name);
    if (!decoder) {
      throw new SourceDecodeError(
        `unknown encoding '${cookie.name}' in the coding cookie on line ${cookie.line}`,
        cookie.name,
        cookie.line,
      );
    }
    // CPython accepts a BOM only with a cookie whose normal name is exactly utf-8 (not "utf8")
    const normal = cookie.name.toLowerCase().replace(/_/g, '-');
    if (bom && normal !== 'utf-8' && !normal.startsWith('utf-8-')) {
      throw new SourceDecodeError(
        `UTF-8 byte-order mark contradicts the coding cookie '${cookie.name}' on line ${cookie.line}`,
        cookie.name,
        cookie.line,
      );
    }
  } else {
    decoder = decoderFor('utf-8')!;
  }
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    const text = decoder.decode(body);
    return { text, encoding: bom ? 'utf-8-sig' : decoder.canonical };
  } catch (err) {
    let line: number | undefined;
    let byte: number | undefined;
    if (err instanceof InvalidByte) {
      line = lineOfOffset(body, err.offset);
      byte = err.byte;
    } else if (decoder.canonical === 'utf-8') {
      const at = firstInvalidUtf8(body);
      if (at >= 0) [line, byte] = [lineOfOffset(body, at), body[at]];
    } else {
      line = firstBadLine(body, decoder.decode);
    }
    const byteText = byte !== undefined ? ` (byte 0x${byte.toString(16).padStart(2, '0')})` : '';
    const how = cookie ? `declared on line ${cookie.line}` : 'the default without a coding cookie';
    throw new SourceDecodeError(
      `cannot decode as ${decoder.canonical} (${how}): invalid data${line !== undefined ? ` on line ${line}` : ''}${byteText}`,
      decoder.canonical,
      line,
    );
  }
}
