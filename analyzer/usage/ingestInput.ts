/**
 * Ingest's line stage for one input: splits its decompressed bytes into complete lines (a partial
 * last line waits for the next chunk; over-long lines are skipped to their newline), hands them in
 * pieces to the parse stage (ingestParsing.ts: a worker thread, so reading and parsing go on while
 * this thread writes the store), takes the parsed pieces back in order into the run's batch, counts
 * and keeps bad lines, and hands the input's offset to the run after each piece (IngestRun commits
 * when the batch is full). A stream (stdin, `.gz`) is identified here by its first line, and what an
 * earlier run read of it is skipped. Does not open inputs or write the store itself.
 */
import { createHash } from 'node:crypto';
import type { IngestOptions, InputReport } from './ingestTypes';
import type { IngestRun } from './ingestBatch';
import {
  emptyRecordLine,
  LINE_BAD,
  LINE_OTHER,
  LINE_RECORD,
  LINE_REQUEST,
  overLongReason,
  type ParsedPiece,
} from './ingestParse';
import type { OpenedInput } from './ingestRead';
import { HEAD_BYTES, type SourceState } from './store';

/** Bytes of complete lines per piece handed to the parse stage, unless the options say. */
const PIECE_BYTES = 1 << 20;
/** Pieces being parsed ahead of the one being taken into the batch. */
const PIECES_AHEAD = 8;

export class InputReader {
  /** The input's stored state; null for a stream until its first line was read. */
  state: SourceState | null;
  /** Decompressed bytes of complete lines handled so far (the offset committed with them). */
  consumed: number;
  private lineNo: number;
  /** Bytes a stream still has to skip: what an earlier run read of it. */
  private skip = 0;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Inside a line longer than maxLine: its bytes are dropped until its newline. */
  private overLong = false;
  private overLongLen = 0;
  /** A stream's first chunks, until its first line is complete. */
  private headChunks: Buffer[] = [];
  private headLen = 0;
  private readonly maxLine: number;
  private readonly maxStoredBad: number;
  private readonly pieceBytes: number;
  /** Pieces handed to the parse stage and not yet taken, in order, with the input bytes each covers. */
  private readonly ahead: { bytes: number; parsed: Promise<ParsedPiece> }[] = [];
  /** The one record line object the batch is handed (filled anew for every record). */
  private readonly recordLine = emptyRecordLine();

  constructor(
    private readonly p: string,
    private readonly opts: IngestOptions,
    private readonly run: IngestRun,
    private readonly report: InputReport,
    private readonly input: OpenedInput,
    private readonly refDate: Date,
    private readonly streamed: boolean,
    /** The input's first (decompressed) bytes, up to HEAD_BYTES. */
    private head: Buffer,
    state: SourceState | null,
  ) {
    this.state = state;
    this.consumed = state?.offsetBytes ?? 0;
    this.lineNo = state?.lines ?? 0;
    report.fromByte = this.consumed;
    this.maxLine = opts.maxLineBytes ?? 1 << 20;
    this.maxStoredBad = opts.maxStoredBadLines ?? 100_000;
    this.pieceBytes = opts.pieceBytes ?? PIECE_BYTES;
  }

  /** Handles one chunk of the input: its complete lines now, the partial last line later. */
  async feed(chunkRaw: Buffer): Promise<void> {
    let chunk: Buffer | null = chunkRaw;
    if (!this.state) {
      chunk = await this.identifyStream(chunkRaw);
      if (chunk === null) return;
    }
    chunk = this.skipKnown(chunk);
    if (chunk === null) return;
    if (this.overLong) {
      chunk = this.dropOverLong(chunk);
      if (chunk === null) return;
    }
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
    } else {
      await this.handleComplete(chunk, last);
      const p = this.input;
      this.opts.onProgress?.({
        path: this.p,
        bytesRead: p.counter(),
        totalBytes: p.size,
        lines: this.lineNo,
      });
    }
    if (this.pendingLen > this.maxLine) {
      await this.drain(); // the skipped bytes count after every line before them
      this.overLong = true;
      this.overLongLen = this.pendingLen;
      this.consumed += this.pendingLen;
      this.pending = [];
      this.pendingLen = 0;
    }
  }

  /** The end of the input: its last lines, the final commit and the report's status. */
  async finish(): Promise<void> {
    if (!this.state && this.headLen) {
      // a short stream (its first line, or all of it when it has no newline, is the fingerprint)
      const h = Buffer.concat(this.headChunks, this.headLen);
      const nl = h.indexOf(10);
      await this.fingerprintStream(h, nl < 0 ? h.length : nl + 1);
      if (h.length > this.skip) {
        this.pending = [h.subarray(this.skip)];
        this.pendingLen = h.length - this.skip;
      }
    }
    if (!this.state) {
      this.report.status = 'empty';
      return;
    }
    const complete = this.takeComplete();
    if (complete) await this.submit(complete, complete.length);
    await this.drain();
    if (this.overLong) {
      this.countLine();
      this.bad(`${overLongReason(this.overLongLen, this.maxLine)} (and has no newline)`, '');
      this.overLong = false;
    }
    if (this.pendingLen > 0) {
      if (this.streamed) {
        // a closed .gz or a finished stream: its last line is complete even without a newline
        const rest = Buffer.concat(this.pending, this.pendingLen);
        await this.submit(Buffer.concat([rest, Buffer.from('\n')]), rest.length);
        await this.drain();
      } else this.report.pendingPartialLine = true;
    }
    await this.commit();
    if (this.report.status === 'resumed' && this.report.lines === 0) this.report.status = 'unchanged';
  }

  /** Hands this input's offsets to the run; it commits when the batch is full or `force`. */
  async commit(force = false): Promise<void> {
    const state = this.state!;
    state.offsetBytes = this.consumed;
    state.lines = this.lineNo;
    const headHex = this.head.subarray(0, Math.min(this.consumed, this.head.length)).toString('hex');
    if (state.headHex === null || headHex.length > state.headHex.length) state.headHex = headHex;
    await this.run.progress(state, force);
  }

  /** Collects a stream's first chunks until its first line is complete; then the bytes to go on with. */
  private async identifyStream(chunk: Buffer): Promise<Buffer | null> {
    this.headChunks.push(chunk);
    this.headLen += chunk.length;
    const h = Buffer.concat(this.headChunks, this.headLen);
    const nl = h.indexOf(10);
    if ((nl < 0 && this.headLen < 65536) || this.headLen < HEAD_BYTES) return null;
    await this.fingerprintStream(h, nl < 0 ? 65536 : nl + 1);
    this.headChunks = [];
    return h;
  }

  private async fingerprintStream(h: Buffer, end: number): Promise<void> {
    const fp = createHash('sha256').update(h.subarray(0, end)).digest('hex');
    this.head = Buffer.from(h.subarray(0, HEAD_BYTES));
    const found = await this.run.source(fp, this.p, this.head);
    const state = found.state;
    this.state = state;
    if (found.known) {
      this.report.status = 'resumed';
      this.skip = state.offsetBytes;
      this.consumed = state.offsetBytes;
      this.lineNo = state.lines;
      this.report.fromByte = this.consumed;
      state.path = this.p;
    }
  }

  /** The part of `chunk` after what an earlier run read of this stream, or null. */
  private skipKnown(chunk: Buffer): Buffer | null {
    if (this.skip === 0) return chunk;
    if (chunk.length <= this.skip) {
      this.skip -= chunk.length;
      return null;
    }
    const rest = chunk.subarray(this.skip);
    this.skip = 0;
    return rest;
  }

  /**
   * Drops the rest of an over-long line; the bytes after its newline, or null. Nothing is being
   * parsed meanwhile: feed took every piece before it began skipping.
   */
  private dropOverLong(chunk: Buffer): Buffer | null {
    const nl = chunk.indexOf(10);
    if (nl < 0) {
      this.overLongLen += chunk.length;
      this.consumed += chunk.length;
      return null;
    }
    this.overLongLen += nl + 1;
    this.consumed += nl + 1;
    this.countLine();
    this.bad(overLongReason(this.overLongLen, this.maxLine), '');
    this.overLong = false;
    return chunk.subarray(nl + 1);
  }

  /** Hands on the complete lines of `chunk` (up to `last`, its last newline) with what was pending. */
  private async handleComplete(chunk: Buffer, last: number): Promise<void> {
    let start = 0;
    if (this.pendingLen) {
      start = chunk.indexOf(10) + 1;
      const joined = Buffer.concat([...this.pending, chunk.subarray(0, start)]);
      await this.submit(joined, joined.length);
    }
    this.pending = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    this.pendingLen = chunk.length - last - 1;
    if (last >= start) await this.submit(chunk.subarray(start, last + 1), last + 1 - start);
  }

  /**
   * Hands complete lines (standing for `bytes` bytes of the input) to the parse stage in pieces, and
   * takes parsed pieces into the batch once more than PIECES_AHEAD are waiting.
   */
  private async submit(lines: Buffer, bytes: number): Promise<void> {
    let start = 0;
    while (start < lines.length) {
      const size = this.pieceBytes;
      const cut = start + size >= lines.length ? -1 : lines.indexOf(10, start + size - 1);
      const end = cut < 0 ? lines.length : cut + 1;
      const piece = lines.subarray(start, end);
      // the bytes a piece stands for: its length, and the last one ends where `bytes` says
      const counted = end === lines.length ? bytes - start : end - start;
      this.ahead.push({ bytes: counted, parsed: this.run.parsing.parse(piece, this.refDate) });
      start = end;
      while (this.ahead.length > PIECES_AHEAD) await this.takeOldest();
    }
  }

  /** Takes every piece still being parsed into the batch. */
  async drain(): Promise<void> {
    while (this.ahead.length) await this.takeOldest();
  }

  /** Takes the oldest parsed piece into the batch, then counts its bytes as read. */
  private async takeOldest(): Promise<void> {
    const next = this.ahead.shift()!;
    this.take(await next.parsed);
    this.consumed += next.bytes;
    this.run.sinceCommit += next.bytes;
    await this.commit();
  }

  /** The complete-line part of what is pending (up to its last newline); the rest stays pending. */
  private takeComplete(): Buffer | null {
    if (!this.pendingLen) return null;
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    const last = all.lastIndexOf(10);
    if (last < 0) {
      this.pending = [all];
      return null;
    }
    const rest = all.subarray(last + 1);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingLen = rest.length;
    return all.subarray(0, last + 1);
  }

  /** A parsed piece's lines, in order: records and requests into the batch, the rest counted. */
  private take(piece: ParsedPiece): void {
    const { report, run } = this;
    const state = this.state!;
    const tables = run.tables;
    tables.take(piece);
    let record = 0;
    let request = 0;
    let bad = 0;
    for (const kind of piece.kinds) {
      this.countLine();
      if (kind === LINE_RECORD) {
        const line = tables.record(piece, record, this.recordLine);
        const added = run.writer.addRecord(line, state.sourceId, this.lineNo);
        this.count(added, 'records', added.problem ? (piece.recordExcerpts.get(record) ?? '') : '');
        record++;
      } else if (kind === LINE_REQUEST) {
        const line = piece.requests[request++];
        this.count(run.writer.addRequest(line, state.sourceId, this.lineNo), 'requests', line.excerpt);
      } else if (kind === LINE_OTHER) {
        report.other++;
        state.otherLines++;
      } else if (kind === LINE_BAD) {
        const b = piece.bad[bad++];
        this.bad(b.reason, b.excerpt);
      }
    }
  }

  /** Counts a line the batch took (`stored`) and what the bounds cut of it, or why it was refused. */
  private count(
    added: { stored: boolean; problem: string | null },
    kind: 'records' | 'requests',
    shown: string,
  ) {
    if (added.problem) this.bad(added.problem, shown);
    if (added.stored) {
      this.report[kind]++;
      this.state![kind]++;
    }
  }

  private countLine(): void {
    this.lineNo++;
    this.report.lines++;
  }

  /** Counts a bad line; `shown` is the excerpt stored with its reason. */
  private bad(reason: string, shown: string): void {
    const state = this.state!;
    this.report.bad++;
    state.badLines++;
    this.report.badLines.push({ line: this.lineNo, reason });
    if (state.badLines <= this.maxStoredBad)
      this.run.writer.bad.push({
        sourceId: state.sourceId,
        path: this.p,
        line: this.lineNo,
        reason,
        excerpt: shown,
      });
  }
}
