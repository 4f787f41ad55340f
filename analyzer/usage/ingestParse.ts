/**
 * Ingest's parse stage, pure: a piece of an input made of complete lines becomes what each line is,
 * in a form that crosses a thread boundary cheaply (ingestWorker.ts runs it off the main thread,
 * ingestParsing.ts decides where it runs). Records are rows of numbers in one Float64Array; the
 * strings they repeat (host, interpreter, path name, level name) and their parsed messages are sent
 * once, in the piece that first has them, and named by number after that (PieceTables keeps them on
 * the receiving side). Requests and bad lines, which are rare, travel as objects.
 *
 * Splits lines, checks UTF-8 and the line length limit, drops a trailing CR and parses each line
 * (analyzer/pyrats/logLine.ts). Does not count lines into reports or touch the store.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from '../extract/sourceText';
import { parseLogLine, type NodePair } from '../pyrats/logLine';
import { NAME_CHARS } from './ingestLimits';

/** What a line is, one code per line of a piece. */
export const LINE_RECORD = 0;
export const LINE_REQUEST = 1;
export const LINE_OTHER = 2;
export const LINE_BAD = 3;

/**
 * Numbers per record row: received, tsMillis, logRecordCreationTime, levelNo, then the table ids of
 * host, python, pathName, levelName and the message.
 */
export const RECORD_WIDTH = 9;

/** The string and message tables restart when either grows past this (a log of all-distinct lines). */
const TABLE_LIMIT = 50_000;

/** A parsed record message: the script or module, and what it imports. Shared: read-only. */
export interface ParsedMessage {
  source: NodePair;
  targets: NodePair[];
}

/** A record line as the batch takes it. */
export interface RecordLine {
  received: number;
  host: string;
  tsMillis: number;
  logRecordCreationTime: number;
  python: string;
  pathName: string;
  levelNo: number;
  levelName: string;
  source: NodePair;
  targets: NodePair[];
}

/** A request line as the batch takes it, with the excerpt that names it when it is refused. */
export interface RequestLine {
  received: number;
  host: string;
  message: string;
  request: unknown;
  excerpt: string;
}

export interface BadPieceLine {
  reason: string;
  excerpt: string;
}

/** One piece's lines, in order, by kind. */
export interface ParsedPiece {
  /** LINE_* per line. */
  kinds: Uint8Array;
  /** RECORD_WIDTH numbers per record line. */
  records: Float64Array;
  /**
   * Excerpts of record lines by record index, only for lines longer than any bound a record can
   * break (ingestLimits.ts: every such problem needs a field over NAME_CHARS): the text a problem
   * is shown with.
   */
  recordExcerpts: Map<number, string>;
  requests: RequestLine[];
  bad: BadPieceLine[];
  /** The tables restarted before this piece (its ids count from 0 again). */
  reset: boolean;
  /** Table entries this piece adds, in id order after the previous piece's. */
  strings: string[];
  messages: ParsedMessage[];
}

/** Why a line of `bytes` bytes is bad when lines may have at most `maxLine`. */
export function overLongReason(bytes: number, maxLine: number): string {
  return `line of ${bytes} bytes is longer than the ${maxLine}-byte limit`;
}

/** A line's text as stored beside a bad line's reason. */
export function excerpt(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Parses pieces of one ingest run, keeping the tables that later pieces refer to. */
export class PieceParser {
  private strings = new Map<string, number>();
  private readonly messageCache = new Map<string, ParsedMessage>();
  private messageIds = new WeakMap<NodePair[], number>();
  private messageCount = 0;
  private started = false;
  private out!: ParsedPiece;
  private recordCount = 0;

  constructor(private readonly maxLine: number) {}

  /** The lines of `buf` (complete lines, each ending in '\n'). */
  parse(buf: Buffer, referenceDate: Date): ParsedPiece {
    let lines = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, nl + 1)) lines++;
    const reset = !this.started || this.strings.size > TABLE_LIMIT || this.messageCount > TABLE_LIMIT;
    if (reset) this.resetTables();
    this.started = true;
    this.out = {
      kinds: new Uint8Array(lines),
      records: new Float64Array(lines * RECORD_WIDTH),
      recordExcerpts: new Map(),
      requests: [],
      bad: [],
      reset,
      strings: [],
      messages: [],
    };
    this.recordCount = 0;
    this.splitLines(buf, referenceDate);
    const out = this.out;
    out.records = out.records.subarray(0, this.recordCount * RECORD_WIDTH);
    return out;
  }

  private resetTables(): void {
    this.strings = new Map();
    this.messageCache.clear();
    this.messageIds = new WeakMap();
    this.messageCount = 0;
  }

  /**
   * One string per line: small strings are cheap to make, where decoding a whole piece into one
   * string (and slicing it) costs several times as much. Pure ASCII, the usual case, is decoded as
   * Latin-1, the fastest way.
   */
  private splitLines(buf: Buffer, referenceDate: Date): void {
    const maxLine = this.maxLine;
    const valid = isUtf8(buf);
    const encoding = valid && isAscii(buf) ? 'latin1' : 'utf8';
    let i = 0;
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      if (nl - start > maxLine) this.bad(i, this.overLong(nl - start), '');
      else if (valid) this.line(i, buf.toString(encoding, start, nl), referenceDate);
      else {
        const lb = buf.subarray(start, nl);
        if (isUtf8(lb)) this.line(i, lb.toString('utf8'), referenceDate);
        // not valid, so firstInvalidUtf8 finds the byte (the same check source files get)
        else
          this.bad(
            i,
            `not UTF-8 (invalid byte at column ${firstInvalidUtf8(lb) + 1})`,
            lb.toString('latin1'),
          );
      }
      i++;
      start = nl + 1;
    }
  }

  private overLong(bytes: number): string {
    return overLongReason(bytes, this.maxLine);
  }

  private line(i: number, text: string, referenceDate: Date): void {
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    const parsed = parseLogLine(line, { referenceDate, messageCache: this.messageCache });
    const out = this.out;
    switch (parsed.kind) {
      case 'record': {
        out.kinds[i] = LINE_RECORD;
        const r = this.recordCount++;
        const row = r * RECORD_WIDTH;
        const { header: h, fields: f } = parsed;
        const rec = out.records;
        rec[row] = h.received;
        rec[row + 1] = f.tsMillis;
        rec[row + 2] = f.logRecordCreationTime;
        rec[row + 3] = f.levelNo;
        rec[row + 4] = this.stringId(h.host);
        rec[row + 5] = this.stringId(f.python);
        rec[row + 6] = this.stringId(f.pathName);
        rec[row + 7] = this.stringId(f.levelName);
        rec[row + 8] = this.messageId(parsed.source, parsed.targets);
        if (line.length > NAME_CHARS) out.recordExcerpts.set(r, excerpt(line));
        break;
      }
      case 'request':
        out.kinds[i] = LINE_REQUEST;
        out.requests.push({
          received: parsed.header.received,
          host: parsed.header.host,
          message: parsed.fields.message,
          request: parsed.request,
          excerpt: excerpt(line),
        });
        break;
      case 'other':
        out.kinds[i] = LINE_OTHER;
        break;
      case 'bad':
        this.bad(i, parsed.column ? `${parsed.reason} (column ${parsed.column})` : parsed.reason, line);
        break;
    }
  }

  private bad(i: number, reason: string, text: string): void {
    this.out.kinds[i] = LINE_BAD;
    this.out.bad.push({ reason, excerpt: excerpt(text) });
  }

  private stringId(value: string): number {
    let id = this.strings.get(value);
    if (id === undefined) {
      id = this.strings.size;
      value = (' ' + value).slice(1); // own copy, not a slice of the piece's text
      this.strings.set(value, id);
      this.out.strings.push(value);
    }
    return id;
  }

  /** The id of a parsed message: the message cache gives every line with the same text the same arrays. */
  private messageId(source: NodePair, targets: NodePair[]): number {
    let id = this.messageIds.get(targets);
    if (id === undefined) {
      id = this.messageCount++;
      this.messageIds.set(targets, id);
      this.out.messages.push({ source, targets });
    }
    return id;
  }
}

/** The receiving side's copy of a parser's tables: what a piece's ids name. */
export class PieceTables {
  private strings: string[] = [];
  private messages: ParsedMessage[] = [];

  /** Takes a piece's table entries (after restarting the tables when the piece says so). */
  take(piece: ParsedPiece): void {
    if (piece.reset) {
      this.strings = [];
      this.messages = [];
    }
    for (const s of piece.strings) this.strings.push(s);
    for (const m of piece.messages) this.messages.push(m);
  }

  /** Fills `into` with record `r` of `piece` (one object reused for every record). */
  record(piece: ParsedPiece, r: number, into: RecordLine): RecordLine {
    const rec = piece.records;
    const row = r * RECORD_WIDTH;
    const s = this.strings;
    const m = this.messages[rec[row + 8]];
    into.received = rec[row];
    into.tsMillis = rec[row + 1];
    into.logRecordCreationTime = rec[row + 2];
    into.levelNo = rec[row + 3];
    into.host = s[rec[row + 4]];
    into.python = s[rec[row + 5]];
    into.pathName = s[rec[row + 6]];
    into.levelName = s[rec[row + 7]];
    into.source = m.source;
    into.targets = m.targets;
    return into;
  }
}

/** A RecordLine to fill with PieceTables.record. */
export function emptyRecordLine(): RecordLine {
  return {
    received: 0,
    host: '',
    tsMillis: 0,
    logRecordCreationTime: 0,
    python: '',
    pathName: '',
    levelNo: 0,
    levelName: '',
    source: ['', ''],
    targets: [],
  };
}
