/**
 * What ingest is given and what it reports, per input: shared by its stages (read, parse and batch,
 * commit) so none of them imports the run that drives them (ingest.ts).
 */
import type { NodeDeriver } from './derive';

export interface BadLine {
  line: number;
  reason: string;
}

export interface InputReport {
  /** Path as given, or `-` for stdin. */
  path: string;
  status: 'new' | 'resumed' | 'unchanged' | 'empty' | 'failed';
  /** Byte offset (in the decompressed text) where this run started and where it stopped. */
  fromByte: number;
  toByte: number;
  /** Lines read in this run, by outcome. */
  lines: number;
  records: number;
  requests: number;
  other: number;
  bad: number;
  /** Every bad line of this run (line numbers count from 1 over the whole input). */
  badLines: BadLine[];
  /** True when a final line without newline was left for the next run. */
  pendingPartialLine: boolean;
  /** Why the input could not be read (fully); what was read before is kept. */
  error?: string;
}

export interface IngestProgress {
  path: string;
  /** Bytes of the input file read so far (compressed bytes for `.gz`); null size for streams. */
  bytesRead: number;
  totalBytes: number | null;
  lines: number;
}

/** Pieces parsed by the worker thread and in the thread that writes the store. */
export interface ParseStats {
  byWorker: number;
  inThisThread: number;
}

export interface IngestOptions {
  deriver: NodeDeriver;
  /** The stream read for the path `-`. */
  stdin?: NodeJS.ReadableStream;
  onProgress?: (p: IngestProgress) => void;
  /** Bytes of complete lines per committed batch (default 24 MiB). */
  batchBytes?: number;
  /**
   * The parse stage's worker script (default ingestWorker.js beside the bundle, or
   * `$PYRATS_INGEST_WORKER`); false, or `PYRATS_INGEST_WORKER=0`, parses in this thread.
   */
  parseWorker?: string | false;
  /** Bytes of complete lines per piece handed to the parse stage (default 1 MiB). */
  pieceBytes?: number;
  /** When given, counts where pieces were parsed. */
  parseStats?: ParseStats;
  /** Lines longer than this are bad (default 1 MiB; syslog-ng's own limit is 64 KiB). */
  maxLineBytes?: number;
  /** At most this many bad lines per input are stored with their reason (all are counted). */
  maxStoredBadLines?: number;
  /** Reference date for BSD timestamps when neither a YYYYMMDD file name nor an mtime is available. */
  now?: Date;
}
