/**
 * Where ingest's pieces are parsed: in a worker thread (ingestWorker.ts, bundled as ingestWorker.js
 * beside the CLI) so that parsing runs while this thread writes the store, or in this thread when no
 * worker script is at hand (tests running the sources) or the worker fails. Both run the same
 * PieceParser (ingestParse.ts). A worker that dies mid-run costs nothing: the pieces it had not
 * answered are parsed here, in order, and the rest of the run stays here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { PieceParser, type ParsedPiece } from './ingestParse';
import type { ParseStats } from './ingestTypes';

export interface PieceParsing {
  /** Parses `piece` (complete lines); pieces resolve in the order they were given. */
  parse(piece: Buffer, referenceDate: Date): Promise<ParsedPiece>;
  close(): Promise<void>;
}

/** The worker script: `explicit`, `$PYRATS_INGEST_WORKER`, or ingestWorker.js beside this bundle. */
export function locateIngestWorker(explicit?: string | false): string | undefined {
  if (explicit === false || process.env.PYRATS_INGEST_WORKER === '0') return undefined;
  const candidates = [explicit, process.env.PYRATS_INGEST_WORKER];
  if (typeof __dirname !== 'undefined') candidates.push(path.join(__dirname, 'ingestWorker.js'));
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Parsing for one ingest run: in a worker when `workerScript` is given, else in this thread. */
export function openPieceParsing(
  maxLine: number,
  workerScript: string | undefined,
  stats: ParseStats = { byWorker: 0, inThisThread: 0 },
): PieceParsing {
  return workerScript ? new WorkerParsing(maxLine, workerScript, stats) : new InThreadParsing(maxLine, stats);
}

class InThreadParsing implements PieceParsing {
  private readonly parser: PieceParser;

  constructor(
    maxLine: number,
    private readonly stats: ParseStats,
  ) {
    this.parser = new PieceParser(maxLine);
  }

  parse(piece: Buffer, referenceDate: Date): Promise<ParsedPiece> {
    try {
      const parsed = this.parser.parse(piece, referenceDate);
      this.stats.inThisThread++;
      return Promise.resolve(parsed);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async close(): Promise<void> {}
}

interface Job {
  piece: Buffer;
  referenceDate: Date;
  resolve: (p: ParsedPiece) => void;
  reject: (err: unknown) => void;
}

/** What the worker is sent and answers (ingestWorker.ts). */
export interface PieceJob {
  id: number;
  /** The piece's bytes at the start of `bytes`, which is moved to the worker and back. */
  bytes: ArrayBuffer;
  length: number;
  referenceDate: number;
}
export interface PieceAnswer {
  id: number;
  piece: ParsedPiece;
  /** The job's buffer, moved back for the next piece (fresh memory costs a page fault per page). */
  bytes: ArrayBuffer;
}

class WorkerParsing implements PieceParsing {
  private worker: Worker | null;
  private fallback: InThreadParsing | null = null;
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  /** Buffers the worker gave back, for the next pieces' bytes. */
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly maxLine: number,
    script: string,
    private readonly stats: ParseStats,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only where a worker runs
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    try {
      this.worker = new Worker(script, { workerData: { maxLine } });
    } catch {
      this.worker = null; // no thread to be had (a resource limit): every piece is parsed here
      return;
    }
    this.worker.on('message', (m: PieceAnswer) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      if (this.spare.length < 8) this.spare.push(m.bytes);
      this.stats.byWorker++;
      job.resolve(m.piece);
    });
    // a script that fails, an answer that cannot be read, a thread that ends: parse here from now on
    this.worker.on('error', () => this.workerGone());
    this.worker.on('messageerror', () => this.workerGone());
    this.worker.on('exit', () => this.workerGone());
  }

  parse(piece: Buffer, referenceDate: Date): Promise<ParsedPiece> {
    if (!this.worker) return this.inThread().parse(piece, referenceDate);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.jobs.set(id, { piece, referenceDate, resolve, reject });
      // the piece is a view of a larger read buffer, which a plain postMessage would copy whole: copy
      // just its bytes into a buffer that is moved, not copied; the piece stays here until answered
      const bytes = this.bufferFor(piece.length);
      new Uint8Array(bytes, 0, piece.length).set(piece);
      const job: PieceJob = { id, bytes, length: piece.length, referenceDate: referenceDate.getTime() };
      this.worker!.postMessage(job, [bytes]);
    });
  }

  private bufferFor(length: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= length);
    if (i >= 0) return this.spare.splice(i, 1)[0];
    // a power of two: pieces end at a line end, so their lengths vary a little above the piece size
    return new ArrayBuffer(2 ** Math.ceil(Math.log2(Math.max(length, 1 << 16))));
  }

  /** The worker failed or exited: what it had not answered is parsed here, in the order given. */
  private workerGone(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    void worker.terminate(); // when it still runs (an answer that could not be read)
    const parsing = this.inThread();
    for (const [, job] of [...this.jobs].sort((a, b) => a[0] - b[0]))
      parsing.parse(job.piece, job.referenceDate).then(job.resolve, job.reject);
    this.jobs.clear();
  }

  private inThread(): InThreadParsing {
    // a new parser's first piece restarts the tables, so ids from the worker's tables never mix in
    this.fallback ??= new InThreadParsing(this.maxLine, this.stats);
    return this.fallback;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
