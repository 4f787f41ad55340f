/**
 * Ingest: reads log host files (syslog-ng day files, rotated `.gz` files, or a stream such as stdin),
 * parses every line (analyzer/pyrats/logLine.ts), derives users and packages (derive.ts) and appends
 * records, targets, requests and daily aggregates to the UsageStore.
 *
 * Incremental and idempotent: an input is identified by a fingerprint of its first line (so a day file,
 * its rotated `.gz` copy and the same text on stdin are one input), and the store remembers how many
 * bytes and lines of it were consumed. A re-run skips what was read; a grown file is read from where
 * it stopped. Each batch is committed together with the new offset, so an interrupted run loses nothing
 * and duplicates nothing. A trailing line without a newline in a plain file is left for the next run
 * (the log host may be writing it); in a `.gz` file or a stream it is read as the last line.
 *
 * Stages, each in its own module: read (ingestRead.ts: open, decompress, fingerprint), lines
 * (ingestInput.ts: complete lines in pieces, taken back in order, bad ones counted), parse
 * (ingestParse.ts, run in a worker thread by ingestParsing.ts and ingestWorker.ts, or in this
 * thread), batch and commit (ingestBatch.ts with batchColumns.ts: column arrays and aggregates; rows
 * and offsets in one transaction, DuckDB's COMMIT overlapping the next batch). A failed store write
 * stops the run.
 *
 * Truncated, garbled, over-long and non-UTF-8 lines are counted and reported by input and line number;
 * they never stop the run. Does not format reports or parse command-line flags.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { IngestRun } from './ingestBatch';
import { InputReader } from './ingestInput';
import { inputProblem, openInput, plainFileFingerprint, type OpenedInput } from './ingestRead';
import { StoreWriteError, storeWriteError, type SourceState, type UsageStore } from './store';

export { inputProblem } from './ingestRead';

import type { IngestOptions, InputReport } from './ingestTypes';

export type { BadLine, IngestOptions, IngestProgress, InputReport, ParseStats } from './ingestTypes';

/** Reference date for year inference: YYYYMMDD in the file name, else its mtime, else now. */
export function referenceDateFor(file: string, mtime: Date | null, now: Date): Date {
  const m = /(?:^|[^\d])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[^\d]|$)/.exec(
    path.basename(file),
  );
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
  return mtime ?? now;
}

/** Reads package names and the other request fields from a PyRatsRequest JSON message. */

/**
 * Ingests each input in turn; one input's failure is reported and the others go on. A failed write
 * to the store (StoreWriteError) stops the run at once: what was committed before stays, and a rerun
 * reads on from the committed offsets.
 */
export async function ingestInputs(
  store: UsageStore,
  paths: string[],
  opts: IngestOptions,
): Promise<InputReport[]> {
  const reports: InputReport[] = [];
  const run = new IngestRun(store, opts);
  try {
    for (const p of paths) reports.push(await ingestOne(p, opts, run));
  } finally {
    await run.parsing.close();
  }
  await run.commit();
  await run.settle();
  // The daily aggregates were appended batch by batch: one row per key again, for the days touched
  // (and any left over by an interrupted run), and the monthly rollups of their months rebuilt.
  try {
    const days = new Set([...run.writer.days, ...(await store.pendingDays())]);
    if (days.size) await store.compactDays([...days]);
  } catch (err) {
    throw storeWriteError(store.file, err);
  }
  return reports;
}

/** One input: read (identify and open), then parse and batch chunk by chunk, committing as it goes. */
async function ingestOne(p: string, opts: IngestOptions, run: IngestRun): Promise<InputReport> {
  const report: InputReport = {
    path: p,
    status: 'new',
    fromByte: 0,
    toByte: 0,
    lines: 0,
    records: 0,
    requests: 0,
    other: 0,
    bad: 0,
    badLines: [],
    pendingPartialLine: false,
  };
  let start: InputStart | null;
  try {
    start = await startInput(p, opts, run, report);
  } catch (err) {
    if (err instanceof StoreWriteError) throw err;
    return failed(report, err);
  }
  if (start === null) return report;
  const refDate = referenceDateFor(p === '-' ? '' : p, start.input.mtime, opts.now ?? new Date());
  const reader = new InputReader(
    p,
    opts,
    run,
    report,
    start.input,
    refDate,
    start.streamed,
    start.head,
    start.state,
  );
  try {
    for await (const chunk of start.input.stream) await reader.feed(chunk);
    await reader.finish();
  } catch (err) {
    if (err instanceof StoreWriteError) throw err; // the store cannot take more: stop the run
    failed(report, err);
    if (reader.state) {
      // keep the complete lines read before the input failed
      await reader.drain();
      await reader.commit(true);
    }
  }
  report.toByte = reader.consumed;
  return report;
}

function failed(report: InputReport, err: unknown): InputReport {
  report.status = 'failed';
  report.error = inputProblem(err);
  return report;
}

interface InputStart {
  input: OpenedInput;
  /** Stored state of a plain file (null for a stream: it is identified by its first line as read). */
  state: SourceState | null;
  /** stdin, a pipe or gzip: read from byte 0, fingerprinted from the stream, what was read skipped. */
  streamed: boolean;
  head: Buffer;
}

/**
 * The read stage's start: which input this is (a plain file by its first line, now), where to read
 * from, and the input opened there. Null when there is nothing to read yet (the report says why).
 */
async function startInput(
  p: string,
  opts: IngestOptions,
  run: IngestRun,
  report: InputReport,
): Promise<InputStart | null> {
  let state: SourceState | null = null;
  let head: Buffer = Buffer.alloc(0);
  // a pipe (bash <(zcat …), a FIFO) cannot be read twice or from an offset: read it as a stream
  let streamed = p === '-' || !isFileOrDirectory(await fsp.stat(p));
  if (!streamed) {
    const f = await plainFileFingerprint(p);
    head = f.head;
    if (f.gzip) streamed = true;
    else if (f.fingerprint === null) {
      report.status = 'empty';
      report.pendingPartialLine = (await fsp.stat(p)).size > 0;
      return null;
    } else {
      const found = await run.source(f.fingerprint, p, head);
      state = found.state;
      if (found.known) {
        const size = (await fsp.stat(p)).size;
        if (size < state.offsetBytes)
          throw new Error(
            `file is shorter (${size} bytes) than the ${state.offsetBytes} bytes already ingested from it` +
              (state.path === p ? '' : ` (as ${state.path}, which starts the same)`),
          );
        report.status = 'resumed';
        state.path = p;
      }
    }
  }
  const input = await openInput(p, opts.stdin, state?.offsetBytes ?? 0);
  return { input, state, streamed, head };
}

function isFileOrDirectory(st: { isFile(): boolean; isDirectory(): boolean }): boolean {
  return st.isFile() || st.isDirectory();
}
