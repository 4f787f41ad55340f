/**
 * Parses one line of a log host's file holding PyRats records (syslog-ng's default file template
 * `$DATE $HOST $MSGHDR$MSG`, or RFC 5424 / ISO-dated lines) into its syslog header, the PyRats
 * fields (`ts=…;loggerName=…;pathName=…;python=…;logRecordCreationTime=…;levelNo=…;levelName=…;
 * message=…`) and the message's dependency tuples, read with Python string-literal rules (both quote
 * styles, every escape, non-ASCII kept). `loggerName=PyRatsRequest` lines carry a JSON message.
 *
 * It does not read files, infer users or packages, or store anything (see analyzer/usage/); and it
 * never throws on bad input: a line that cannot be read is returned as `{kind: 'bad', reason}`.
 */

export type SyslogFormat = 'bsd' | 'rfc5424' | 'iso';

export interface SyslogHeader {
  format: SyslogFormat;
  /** Wall-clock time the log host wrote, as epoch milliseconds of that naive time read as UTC. */
  received: number;
  /** `YYYY-MM-DD` of `received`. */
  day: string;
  host: string;
  program: string;
  pid: string | null;
}

/** The PyRats fields exactly as the `Python:` message lists them. */
export interface PyRatsFields {
  /** `YYYY-MM-DD HH:MM:SS,mmm`, the sender's local time. */
  ts: string;
  /** `ts` as epoch milliseconds of that naive time read as UTC. */
  tsMillis: number;
  loggerName: string;
  pathName: string;
  python: string;
  /** Epoch seconds with microseconds. */
  logRecordCreationTime: number;
  levelNo: number;
  levelName: string;
  /** Raw text after `message=`. */
  message: string;
}

/** A node as PyRats writes it: (root, relative path). */
export type NodePair = [root: string, rel: string];

export type ParsedLogLine =
  | { kind: 'record'; header: SyslogHeader; fields: PyRatsFields; source: NodePair; targets: NodePair[] }
  | { kind: 'request'; header: SyslogHeader; fields: PyRatsFields; request: unknown }
  | { kind: 'other'; header: SyslogHeader | null; reason: string }
  | { kind: 'bad'; reason: string; column?: number };

export interface ParseOptions {
  /** Reference date for BSD timestamps, which carry no year: the year closest to it is chosen. */
  referenceDate: Date;
  /**
   * Parsed messages by their text, reused when the same message comes again (every run of a script
   * sends the same text). The returned source/targets arrays are then shared: treat them as
   * read-only. Bounded by the caller.
   */
  messageCache?: Map<string, { source: NodePair; targets: NodePair[] }>;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const FIELD_KEYS = [
  'ts',
  'loggerName',
  'pathName',
  'python',
  'logRecordCreationTime',
  'levelNo',
  'levelName',
  'message',
] as const;

/** `key=` and the `;next=` that ends each field, built once. */
const FIELD_PREFIX = FIELD_KEYS.map((k) => `${k}=`);
const FIELD_END = FIELD_KEYS.map((_, i) => (i + 1 < FIELD_KEYS.length ? `;${FIELD_KEYS[i + 1]}=` : ''));

const BSD_HEADER = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S+) ([^\s:[]+)(?:\[([^\]]*)\])?: ?/;
const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$/;

/** Picks the year for a month/day so that the date lies closest to `ref` (handles New Year). */
export function inferYear(month: number, day: number, ref: Date): number {
  const y = ref.getUTCFullYear();
  let best = y;
  let bestDist = Infinity;
  for (const cand of [y - 1, y, y + 1]) {
    const dist = Math.abs(Date.UTC(cand, month, day) - ref.getTime());
    if (dist < bestDist) {
      bestDist = dist;
      best = cand;
    }
  }
  return best;
}

let lastDayNumber = NaN;
let lastDayText = '';
/** `YYYY-MM-DD` of an epoch-milliseconds time (the last answer is kept: lines come in time order). */
const yearCache = { ref: 0, key: -1, year: 0 };
function cachedYear(month: number, day: number, ref: Date): number {
  const key = month * 32 + day;
  if (yearCache.ref !== ref.getTime() || yearCache.key !== key) {
    yearCache.ref = ref.getTime();
    yearCache.key = key;
    yearCache.year = inferYear(month, day, ref);
  }
  return yearCache.year;
}

function dayOf(ms: number): string {
  const n = Math.floor(ms / 86_400_000);
  if (n !== lastDayNumber) {
    lastDayNumber = n;
    lastDayText = new Date(n * 86_400_000).toISOString().slice(0, 10);
  }
  return lastDayText;
}

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  return new Date(Date.UTC(y, mo, d)).getUTCMonth() === mo;
}

function parseIsoTime(text: string): number | null {
  const m = ISO_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]];
  if (!validDate(y, mo, d, h, mi, s)) return null;
  const ms = m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0;
  return Date.UTC(y, mo, d, h, mi, s, ms);
}

/** The last BSD timestamp read (`Mon dd HH:MM:SS`) and its time: consecutive lines share it. */
const bsdCache = { text: '', ref: 0, received: 0, day: '' };

/**
 * The common BSD shape `Mon dd HH:MM:SS HOST PROGRAM: ` read without a regular expression; null
 * when the line has another shape (the general parser then decides, and explains errors).
 */
function fastBsdHeader(
  line: string,
  pos: number,
  opts: ParseOptions,
): { header: SyslogHeader; rest: number } | null {
  if (line.charCodeAt(pos + 15) !== 32 || line.charCodeAt(pos + 3) !== 32) return null;
  const stamp = line.slice(pos, pos + 15);
  let received: number;
  let day: string;
  if (stamp === bsdCache.text && bsdCache.ref === opts.referenceDate.getTime()) {
    received = bsdCache.received;
    day = bsdCache.day;
  } else {
    const month = MONTHS[stamp.slice(0, 3)];
    const d = stamp.charCodeAt(4) === 32 ? digits(stamp, 5, 6) : digits(stamp, 4, 6);
    const h = digits(stamp, 7, 9);
    const mi = digits(stamp, 10, 12);
    const s = digits(stamp, 13, 15);
    if (month === undefined || d < 0 || h < 0 || mi < 0 || s < 0 || stamp[9] !== ':' || stamp[12] !== ':')
      return null;
    const year = cachedYear(month, d, opts.referenceDate);
    if (!validDate(year, month, d, h, mi, s)) return null;
    received = Date.UTC(year, month, d, h, mi, s);
    day = dayOf(received);
    bsdCache.text = stamp;
    bsdCache.ref = opts.referenceDate.getTime();
    bsdCache.received = received;
    bsdCache.day = day;
  }
  const hostEnd = line.indexOf(' ', pos + 16);
  if (hostEnd <= pos + 16) return null;
  const colon = line.indexOf(':', hostEnd + 1);
  if (colon <= hostEnd + 1) return null;
  const program = line.slice(hostEnd + 1, colon);
  // PROGRAM[PID] and anything unusual go through the regular expression
  if (program.includes(' ') || program.includes('[')) return null;
  const rest = line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
  return {
    header: { format: 'bsd', received, day, host: line.slice(pos + 16, hostEnd), program, pid: null },
    rest,
  };
}

/**
 * Splits the syslog header off a line. Returns the header and the index where the message (after
 * `PROGRAM[PID]: `) starts, or a reason when the line has no recognisable header.
 */
export function parseSyslogHeader(
  line: string,
  opts: ParseOptions,
): { header: SyslogHeader; rest: number } | { error: string; column: number } {
  let pos = 0;
  if (line.charCodeAt(0) === 60 /* < */) {
    const close = line.indexOf('>', 1);
    if (close < 2 || close > 4 || !/^\d+$/.test(line.slice(1, close)))
      return { error: 'malformed <PRI> prefix', column: 1 };
    pos = close + 1;
  }
  const c0 = line.charCodeAt(pos);
  // RFC 5424: VERSION SP TIMESTAMP SP HOST SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
  if (c0 === 49 /* 1 */ && line.charCodeAt(pos + 1) === 32) {
    const parts: string[] = [];
    let p = pos + 2;
    for (let i = 0; i < 5; i++) {
      const sp = line.indexOf(' ', p);
      if (sp < 0) return { error: 'truncated RFC 5424 header', column: line.length + 1 };
      parts.push(line.slice(p, sp));
      p = sp + 1;
    }
    const [time, host, app, procid] = parts;
    const received = parseIsoTime(time);
    if (received === null) return { error: `bad RFC 5424 timestamp '${time}'`, column: pos + 3 };
    // structured data: '-' or one or more [..] elements (with \] escapes)
    if (line[p] === '-') p += 1;
    else if (line[p] === '[') {
      while (line[p] === '[') {
        let q = p + 1;
        while (q < line.length && line[q] !== ']') q += line[q] === '\\' ? 2 : 1;
        if (q >= line.length) return { error: 'unterminated RFC 5424 structured data', column: p + 1 };
        p = q + 1;
      }
    } else return { error: 'missing RFC 5424 structured data', column: p + 1 };
    if (line[p] === ' ') p += 1;
    if (line.startsWith('\ufeff', p)) p += 1;
    return {
      header: {
        format: 'rfc5424',
        received,
        day: dayOf(received),
        host: host === '-' ? '' : host,
        program: app === '-' ? '' : app,
        pid: procid === '-' ? null : procid,
      },
      rest: p,
    };
  }
  // ISO-dated file template (ts_format(iso)): 2026-11-25T06:28:41+00:00 HOST PROGRAM[PID]: MSG
  if (c0 >= 48 && c0 <= 57) {
    const sp = line.indexOf(' ', pos);
    if (sp < 0) return { error: 'no syslog header', column: pos + 1 };
    const received = parseIsoTime(line.slice(pos, sp));
    if (received === null) return { error: 'bad ISO timestamp in syslog header', column: pos + 1 };
    const m = /^(\S+) ([^\s:[]+)(?:\[([^\]]*)\])?: ?/.exec(line.slice(sp + 1));
    if (!m) return { error: 'no HOST PROGRAM: after the timestamp', column: sp + 2 };
    return {
      header: { format: 'iso', received, day: dayOf(received), host: m[1], program: m[2], pid: m[3] ?? null },
      rest: sp + 1 + m[0].length,
    };
  }
  const fast = fastBsdHeader(line, pos, opts);
  if (fast) return fast;
  const m = BSD_HEADER.exec(pos ? line.slice(pos) : line);
  if (!m) return { error: 'no syslog header (expected "Mon dd HH:MM:SS HOST PROGRAM:")', column: pos + 1 };
  const month = MONTHS[m[1]];
  const [d, h, mi, s] = [+m[2], +m[3], +m[4], +m[5]];
  if (month === undefined) return { error: `unknown month '${m[1]}'`, column: pos + 1 };
  const year = cachedYear(month, d, opts.referenceDate);
  if (!validDate(year, month, d, h, mi, s))
    return { error: 'impossible date in syslog header', column: pos + 1 };
  const received = Date.UTC(year, month, d, h, mi, s);
  return {
    header: { format: 'bsd', received, day: dayOf(received), host: m[6], program: m[7], pid: m[8] ?? null },
    rest: pos + m[0].length,
  };
}

/** Digits of `text` from `start` to `end` as a number, or -1 when one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

let lastTsDay = '';
let lastTsDayMs = NaN;
/**
 * `YYYY-MM-DD HH:MM:SS,mmm` → epoch ms of that naive time; null when malformed, NaN when not a real
 * time. (Hand-parsed: this runs for every line.)
 */
function parseTsField(ts: string): number | null {
  if (
    ts.length !== 23 ||
    ts[4] !== '-' ||
    ts[7] !== '-' ||
    ts[10] !== ' ' ||
    ts[13] !== ':' ||
    ts[16] !== ':' ||
    ts[19] !== ','
  )
    return null;
  const h = digits(ts, 11, 13);
  const mi = digits(ts, 14, 16);
  const s = digits(ts, 17, 19);
  const ms = digits(ts, 20, 23);
  if (h < 0 || mi < 0 || s < 0 || ms < 0) return null;
  if (h > 23 || mi > 59 || s > 60) return NaN;
  const day = ts.slice(0, 10);
  if (day !== lastTsDay) {
    const y = digits(ts, 0, 4);
    const mo = digits(ts, 5, 7) - 1;
    const d = digits(ts, 8, 10);
    if (y < 0 || mo < -1 || d < 0) return null;
    if (!validDate(y, mo, d, 0, 0, 0)) return NaN;
    lastTsDay = day;
    lastTsDayMs = Date.UTC(y, mo, d);
  }
  return lastTsDayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Reads the `key=value;…` PyRats fields; keys must appear in PyRats' order. */
export function parsePyRatsFields(text: string): PyRatsFields | { error: string; offset: number } {
  const values: string[] = [];
  let pos = 0;
  for (let i = 0; i < FIELD_KEYS.length; i++) {
    const key = FIELD_KEYS[i];
    const prefix = FIELD_PREFIX[i];
    if (!text.startsWith(prefix, pos)) {
      return { error: `expected '${key}=' field`, offset: pos };
    }
    const start = pos + prefix.length;
    if (key === 'message') {
      values.push(text.slice(start));
      break;
    }
    const end = text.indexOf(FIELD_END[i], start);
    if (end < 0) return { error: `field '${key}' is not followed by '${FIELD_KEYS[i + 1]}='`, offset: start };
    values.push(text.slice(start, end));
    pos = end + 1;
  }
  const [ts, loggerName, pathName, python, created, levelNo, levelName, message] = values;
  const tsMillis = parseTsField(ts);
  if (tsMillis === null)
    return { error: `ts '${ts.slice(0, 40)}' is not 'YYYY-MM-DD HH:MM:SS,mmm'`, offset: 3 };
  if (Number.isNaN(tsMillis)) return { error: `ts '${ts}' is not a real time`, offset: 3 };
  if (!/^\d+(\.\d+)?$/.test(created))
    return { error: `logRecordCreationTime '${created.slice(0, 40)}' is not a number`, offset: 0 };
  if (!/^\d+$/.test(levelNo))
    return { error: `levelNo '${levelNo.slice(0, 40)}' is not an integer`, offset: 0 };
  return {
    ts,
    tsMillis,
    loggerName,
    pathName,
    python,
    logRecordCreationTime: Number(created),
    levelNo: Number(levelNo),
    levelName,
    message,
  };
}

/** Reads a Python string literal starting at `pos` (a quote). Returns the value and the index after it. */
export function readPythonString(
  text: string,
  pos: number,
): { value: string; end: number } | { error: string; at: number } {
  const quote = text.charCodeAt(pos);
  if (quote !== 39 && quote !== 34) return { error: 'expected a quoted string', at: pos };
  const q = text[pos];
  let i = pos + 1;
  // Fast path: no backslash before the closing quote.
  const close = text.indexOf(q, i);
  if (close < 0) return { error: 'unterminated string', at: pos };
  const bs = text.indexOf('\\', i);
  if (bs < 0 || bs > close) return { value: text.slice(i, close), end: close + 1 };
  let out = '';
  let runStart = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      out += text.slice(runStart, i);
      return { value: out, end: i + 1 };
    }
    if (c === 10) return { error: 'newline inside a string', at: i };
    if (c !== 92) {
      i++;
      continue;
    }
    out += text.slice(runStart, i);
    const e = text[i + 1];
    if (e === undefined) return { error: 'unterminated string', at: pos };
    i += 2;
    switch (e) {
      case '\\':
        out += '\\';
        break;
      case "'":
        out += "'";
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\n':
        break;
      case 'x':
      case 'u':
      case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex))
          return { error: `truncated \\${e} escape`, at: i - 2 };
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return { error: `\\${e}${hex} is not a code point`, at: i - 2 };
        // A lone surrogate (Python's surrogateescape for undecodable file-name bytes) is kept as its escape text.
        out += cp >= 0xd800 && cp <= 0xdfff ? `\\${e}${hex}` : String.fromCodePoint(cp);
        i += len;
        break;
      }
      case 'N': {
        if (text[i] !== '{') return { error: 'malformed \\N{...} escape', at: i - 2 };
        const endBrace = text.indexOf('}', i);
        if (endBrace < 0) return { error: 'malformed \\N{...} escape', at: i - 2 };
        // Unicode character names are not resolved; the escape is kept as written.
        out += text.slice(i - 2, endBrace + 1);
        i = endBrace + 1;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          let j = i - 1;
          let n = 0;
          let k = 0;
          while (k < 3 && text[j] >= '0' && text[j] <= '7') {
            n = n * 8 + (text.charCodeAt(j) - 48);
            j++;
            k++;
          }
          out += String.fromCharCode(n);
          i = j;
        } else {
          out += `\\${e}`; // Python keeps unknown escapes as written
        }
    }
    runStart = i;
  }
  return { error: 'unterminated string', at: pos };
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** Reads `(S, S)` at `pos`. */
function readPair(
  text: string,
  pos: number,
): { pair: NodePair; end: number } | { error: string; at: number } {
  if (text.charCodeAt(pos) !== 40) return { error: "expected '(' of a (root, rel) pair", at: pos };
  const a = readPythonString(text, skipSpaces(text, pos + 1));
  if ('error' in a) return a;
  let i = skipSpaces(text, a.end);
  if (text.charCodeAt(i) !== 44) return { error: "expected ',' inside a (root, rel) pair", at: i };
  const b = readPythonString(text, skipSpaces(text, i + 1));
  if ('error' in b) return b;
  i = skipSpaces(text, b.end);
  if (text.charCodeAt(i) !== 41) return { error: "expected ')' closing a (root, rel) pair", at: i };
  return { pair: [a.value, b.value], end: i + 1 };
}

/**
 * Reads a PyRats message: `(T),(T),…` where each T is `((src_root, src_rel), (dst_root, dst_rel))`.
 * All tuples must name the same source (PyRats sends one datagram per source file).
 */
export function parseRecordMessage(
  message: string,
): { source: NodePair; targets: NodePair[] } | { error: string; at: number } {
  let i = 0;
  let source: NodePair | null = null;
  const targets: NodePair[] = [];
  if (message.length === 0) return { error: 'empty message', at: 0 };
  for (;;) {
    if (message.charCodeAt(i) !== 40 || message.charCodeAt(i + 1) !== 40)
      return { error: "expected '((' opening a dependency tuple", at: i };
    const src = readPair(message, i + 2);
    if ('error' in src) return src;
    let j = skipSpaces(message, src.end);
    if (message.charCodeAt(j) !== 44) return { error: "expected ',' between source and target", at: j };
    const dst = readPair(message, skipSpaces(message, j + 1));
    if ('error' in dst) return dst;
    j = dst.end;
    if (message.charCodeAt(j) !== 41 || message.charCodeAt(j + 1) !== 41)
      return { error: "expected '))' closing a dependency tuple", at: j };
    if (source === null) source = src.pair;
    else if (source[0] !== src.pair[0] || source[1] !== src.pair[1])
      return { error: 'tuples name more than one source', at: i };
    targets.push(dst.pair);
    i = j + 2;
    if (i === message.length) break;
    if (message.charCodeAt(i) !== 44) return { error: "expected ',' between dependency tuples", at: i };
    i++;
  }
  return { source: source as NodePair, targets };
}

/**
 * Parses one log line (without its newline). Lines that are valid syslog but not PyRats
 * (another program, another logger) come back as `other`.
 */
export function parseLogLine(line: string, opts: ParseOptions): ParsedLogLine {
  if (line.length === 0) return { kind: 'bad', reason: 'empty line', column: 1 };
  const h = parseSyslogHeader(line, opts);
  if ('error' in h) return { kind: 'bad', reason: h.error, column: h.column };
  const { header, rest } = h;
  if (!line.startsWith('ts=', rest)) {
    if (header.program === 'Python' || line.includes(';loggerName=PyRats', rest))
      return { kind: 'bad', reason: "PyRats message does not start with 'ts='", column: rest + 1 };
    return { kind: 'other', header, reason: `not a PyRats message (program '${header.program}')` };
  }
  const f = parsePyRatsFields(line.slice(rest));
  if ('error' in f) return { kind: 'bad', reason: f.error, column: rest + f.offset + 1 };
  const messageColumn = line.length - f.message.length + 1;
  if (f.loggerName === 'PyRatsRequest') {
    try {
      const request: unknown = JSON.parse(f.message);
      if (request === null || typeof request !== 'object' || Array.isArray(request))
        return { kind: 'bad', reason: 'request message is not a JSON object', column: messageColumn };
      return { kind: 'request', header, fields: f, request };
    } catch (err) {
      return {
        kind: 'bad',
        reason: `request message is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
        column: messageColumn,
      };
    }
  }
  if (f.loggerName !== 'PyRats') return { kind: 'other', header, reason: `logger '${f.loggerName}'` };
  const cached = opts.messageCache?.get(f.message);
  if (cached) return { kind: 'record', header, fields: f, source: cached.source, targets: cached.targets };
  const m = parseRecordMessage(f.message);
  if ('error' in m) {
    const truncated = m.error === 'unterminated string' || m.at >= f.message.length;
    return {
      kind: 'bad',
      reason: truncated ? `truncated message (${m.error})` : `garbled message: ${m.error}`,
      column: messageColumn + m.at,
    };
  }
  if (opts.messageCache) {
    // Copies: slices of the line would keep the whole chunk of text they were cut from alive. The
    // copies are returned too, so every line with this message gets the same arrays.
    const own = (x: string) => (' ' + x).slice(1);
    const pair = (p: NodePair): NodePair => [own(p[0]), own(p[1])];
    const entry = { source: pair(m.source), targets: m.targets.map(pair) };
    opts.messageCache.set(own(f.message), entry);
    return { kind: 'record', header, fields: f, source: entry.source, targets: entry.targets };
  }
  return { kind: 'record', header, fields: f, source: m.source, targets: m.targets };
}
