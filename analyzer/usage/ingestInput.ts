/**
 * Ingest's parse stage for one input: splits its decompressed bytes into complete lines (a partial
 * last line waits for the next chunk; over-long lines are skipped to their newline), parses each
 * (analyzer/pyrats/logLine.ts) into the run's batch, counts and keeps bad lines, and hands the
 * input's offset to the run after each chunk (IngestRun commits when the batch is full). A stream
 * (stdin, `.gz`) is identified here by its first line, and what an earlier run read of it is skipped.
 * Does not open inputs or write the store itself.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { parseLogLine } from '../pyrats/logLine';
import type { IngestOptions, InputReport } from './ingestTypes';
import type { IngestRun } from './ingestBatch';
import { firstInvalidUtf8, type OpenedInput } from './ingestRead';
import { HEAD_BYTES, type SourceState } from './store';

function excerpt(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

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
      this.handleComplete(chunk, last);
      await this.commit();
      const p = this.input;
      this.opts.onProgress?.({
        path: this.p,
        bytesRead: p.counter(),
        totalBytes: p.size,
        lines: this.lineNo,
      });
    }
    if (this.pendingLen > this.maxLine) {
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
    if (complete) {
      this.handleBytes(complete);
      this.consumed += complete.length;
    }
    if (this.overLong) {
      this.countLine();
      this.bad(
        `line of ${this.overLongLen} bytes is longer than the ${this.maxLine}-byte limit (and has no newline)`,
        '',
      );
      this.overLong = false;
    }
    if (this.pendingLen > 0) {
      if (this.streamed) {
        // a closed .gz or a finished stream: its last line is complete even without a newline
        const rest = Buffer.concat(this.pending, this.pendingLen);
        this.handleBytes(Buffer.concat([rest, Buffer.from('\n')]));
        this.consumed += rest.length;
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

  /** Drops the rest of an over-long line; the bytes after its newline, or null. */
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
    this.bad(`line of ${this.overLongLen} bytes is longer than the ${this.maxLine}-byte limit`, '');
    this.overLong = false;
    return chunk.subarray(nl + 1);
  }

  /** Handles the complete lines of `chunk` (up to `last`, its last newline) with what was pending. */
  private handleComplete(chunk: Buffer, last: number): void {
    let start = 0;
    if (this.pendingLen) {
      const first = chunk.indexOf(10);
      const joined = Buffer.concat([...this.pending, chunk.subarray(0, first + 1)]);
      this.handleBytes(joined);
      this.consumed += joined.length;
      this.run.sinceCommit += joined.length;
      start = first + 1;
      this.pending = [];
      this.pendingLen = 0;
    }
    if (last >= start) {
      this.handleBytes(chunk.subarray(start, last + 1));
      this.consumed += last + 1 - start;
      this.run.sinceCommit += last + 1 - start;
    }
    if (last + 1 < chunk.length) {
      this.pending = [Buffer.from(chunk.subarray(last + 1))];
      this.pendingLen = chunk.length - last - 1;
    }
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

  /** Parses `buf`, complete lines each ending in '\n'. */
  private handleBytes(buf: Buffer): void {
    const maxLine = this.maxLine;
    if (isUtf8(buf)) {
      const text = buf.toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        if ((nl - start) * 3 > maxLine && Buffer.byteLength(line) > maxLine)
          this.overLongLine(Buffer.byteLength(line));
        else this.handleLine(line);
        start = nl + 1;
      }
      return;
    }
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      const lb = buf.subarray(start, nl);
      if (lb.length > maxLine) this.overLongLine(lb.length);
      else if (isUtf8(lb)) this.handleLine(lb.toString('utf8'));
      else {
        this.countLine();
        this.bad(`not UTF-8 (invalid byte at column ${firstInvalidUtf8(lb) + 1})`, lb.toString('latin1'));
      }
      start = nl + 1;
    }
  }

  private handleLine(text: string): void {
    this.countLine();
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    const { report, run } = this;
    const state = this.state!;
    if (run.messageCache.size > 50_000) run.messageCache.clear();
    const parsed = parseLogLine(line, { referenceDate: this.refDate, messageCache: run.messageCache });
    switch (parsed.kind) {
      case 'record':
        this.count(run.writer.addRecord(parsed, state.sourceId, this.lineNo), 'records', line);
        break;
      case 'request':
        this.count(run.writer.addRequest(parsed, state.sourceId, this.lineNo), 'requests', line);
        break;
      case 'other':
        report.other++;
        state.otherLines++;
        break;
      case 'bad':
        this.bad(parsed.column ? `${parsed.reason} (column ${parsed.column})` : parsed.reason, line);
        break;
    }
  }

  /** Counts a line the batch took (`stored`) and what the bounds cut of it, or why it was refused. */
  private count(
    added: { stored: boolean; problem: string | null },
    kind: 'records' | 'requests',
    line: string,
  ) {
    if (added.problem) this.bad(added.problem, line);
    if (added.stored) {
      this.report[kind]++;
      this.state![kind]++;
    }
  }

  private countLine(): void {
    this.lineNo++;
    this.report.lines++;
  }

  private overLongLine(bytes: number): void {
    this.countLine();
    this.bad(`line of ${bytes} bytes is longer than the ${this.maxLine}-byte limit`, '');
  }

  private bad(reason: string, text: string): void {
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
        excerpt: excerpt(text),
      });
  }
}
