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
 * Truncated, garbled, over-long and non-UTF-8 lines are counted and reported by input and line number;
 * they never stop the run. Does not format reports or parse command-line flags.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parseLogLine, type NodePair, type ParsedLogLine } from '../pyrats/logLine';
import { REQUEST_FORMAT, validateRequest } from '../requests/packageRequest';
import type { NodeDeriver } from './derive';
import {
  boundRequestFields,
  boundTargets,
  hostProblem,
  MESSAGE_CHARS,
  sourceProblem,
  truncateWithMark,
} from './ingestLimits';
import {
  HEAD_BYTES,
  StoreWriteError,
  storeWriteError,
  type SourceState,
  type StoredNode,
  type UsageStore,
} from './store';

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

export interface IngestOptions {
  deriver: NodeDeriver;
  /** The stream read for the path `-`. */
  stdin?: NodeJS.ReadableStream;
  onProgress?: (p: IngestProgress) => void;
  /** Bytes of complete lines per committed batch (default 24 MiB). */
  batchBytes?: number;
  /** Lines longer than this are bad (default 1 MiB; syslog-ng's own limit is 64 KiB). */
  maxLineBytes?: number;
  /** At most this many bad lines per input are stored with their reason (all are counted). */
  maxStoredBadLines?: number;
  /** Reference date for BSD timestamps when neither a YYYYMMDD file name nor an mtime is available. */
  now?: Date;
}

const DAY_MS = 86_400_000;

/** Reference date for year inference: YYYYMMDD in the file name, else its mtime, else now. */
export function referenceDateFor(file: string, mtime: Date | null, now: Date): Date {
  const m = /(?:^|[^\d])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[^\d]|$)/.exec(
    path.basename(file),
  );
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
  return mtime ?? now;
}

/** Reads package names and the other request fields from a PyRatsRequest JSON message. */
export function requestFields(req: Record<string, unknown>): {
  packages: string[];
  requester: string | null;
  host: string | null;
  reason: string | null;
  preferred: string | null;
  script: string | null;
  id: string | null;
} {
  const str = (...keys: string[]) => {
    for (const k of keys) {
      const v = req[k];
      if (typeof v === 'string' && v.length) return v;
    }
    return null;
  };
  const names: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim()) names.push(v.trim());
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['distribution', 'name', 'package']) {
        if (typeof o[k] === 'string' && (o[k] as string).trim()) {
          names.push((o[k] as string).trim());
          return;
        }
      }
    }
  };
  for (const k of ['packages', 'distributions'])
    if (Array.isArray(req[k])) (req[k] as unknown[]).forEach(add);
  for (const k of ['package', 'distribution', 'name']) if (req[k] !== undefined) add(req[k]);
  const preferredRaw = req.preferredSource ?? req.preferred ?? req.source;
  return {
    packages: [...new Set(names)],
    requester: str('user', 'requester', 'username'),
    host: str('host', 'hostname'),
    reason: str('reason', 'comment'),
    preferred:
      typeof preferredRaw === 'string'
        ? preferredRaw
        : preferredRaw && typeof preferredRaw === 'object'
          ? JSON.stringify(preferredRaw)
          : null,
    script: str('script', 'scriptPath', 'file'),
    id: str('id'),
  };
}

interface Aggregate {
  /** day, host id, and user id + script node id (runs) or source package id (library). */
  key: (number | null)[];
  count: number;
  packages: Map<number, number>;
}

/**
 * Counts one record into `m`: outer key the script node (runs; its user is the node's) or the source
 * package (library), inner key day and host as one number.
 */
function aggregate(
  m: Map<number, Map<number, Aggregate>>,
  outer: number,
  day: number,
  hostId: number,
  key: () => (number | null)[],
  packages: number[],
): void {
  let inner = m.get(outer);
  if (inner === undefined) {
    inner = new Map();
    m.set(outer, inner);
  }
  const k = day * 1e7 + hostId; // exact: day < 1e6, host ids < 1e7
  let a = inner.get(k);
  if (a === undefined) {
    a = { key: key(), count: 0, packages: new Map() };
    inner.set(k, a);
  }
  a.count++;
  for (const pk of packages) a.packages.set(pk, (a.packages.get(pk) ?? 0) + 1);
}

interface Resolved {
  src: StoredNode;
  targets: number[];
  packages: number[];
  /** Targets left out by the bounds (ingestLimits.ts), or null. */
  limited: string | null;
}

/** Accumulates one batch of parsed lines as column arrays and aggregate maps. */
class BatchWriter {
  rec: (number | boolean | bigint | null)[][] = Array.from({ length: 16 }, () => []);
  tgt: (number | bigint)[][] = [[], []];
  /** Script runs per (day, host, script): the count, and per package id the runs importing it. */
  runs = new Map<number, Map<number, Aggregate>>();
  /** Library records per (day, host, source package): per destination package id the records. */
  library = new Map<number, Map<number, Aggregate>>();
  /** Stored nodes of a parsed message, by its (cached, shared) targets array. */
  private readonly resolved = new WeakMap<NodePair[], Resolved>();

  /** Source and target nodes and the distinct target packages (other than the source's own). */
  private resolve(source: NodePair, targets: NodePair[]): Resolved {
    let r = this.resolved.get(targets);
    if (r === undefined) {
      const d = this.deriver;
      const [sr, sl] = source;
      const src = this.store.node(sr, sl, () => d.derive(sr, sl));
      const ids: number[] = [];
      const pkgs = new Set<number>();
      const bounded = boundTargets(targets);
      for (const [tr, tl] of bounded.kept) {
        const t = this.store.node(tr, tl, () => d.derive(tr, tl));
        ids.push(t.id);
        if (t.packageId !== null && t.packageId !== src.packageId) pkgs.add(t.packageId);
      }
      r = { src, targets: ids, packages: [...pkgs], limited: bounded.problem };
      this.resolved.set(targets, r);
    }
    return r;
  }
  /** The last string and id per field (interpreter, path name, level, host): they rarely change. */
  private readonly lastText = ['', '', '', ''];
  private readonly lastId = [0, 0, 0, 0];

  private cachedId(field: number, text: string): number {
    if (text !== this.lastText[field]) {
      this.lastText[field] = text;
      this.lastId[field] = this.store.stringId(text);
    }
    return this.lastId[field];
  }
  requests: Parameters<UsageStore['appendRequests']>[0] = [];
  bad: { sourceId: number; path: string; line: number; reason: string; excerpt: string }[] = [];
  days = new Set<number>();
  /** Days written since the last flush. */
  private batchDays = new Set<number>();

  takeBatchDays(): Set<number> {
    const d = this.batchDays;
    this.batchDays = new Set();
    return d;
  }

  constructor(
    private readonly store: UsageStore,
    private readonly deriver: NodeDeriver,
  ) {}

  /**
   * Adds a record; returns what the bounds cut or why it was not stored (`stored` false), if anything.
   */
  addRecord(
    p: Extract<ParsedLogLine, { kind: 'record' }>,
    sourceId: number,
    lineNo: number,
  ): { stored: boolean; problem: string | null } {
    const h = p.header;
    const refused = sourceProblem(p.source) ?? hostProblem(h.host);
    if (refused) return { stored: false, problem: refused };
    const store = this.store;
    const id = store.newRecordId();
    const bigId = BigInt(id);
    const day = Math.floor(h.received / DAY_MS);
    this.days.add(day);
    this.batchDays.add(day);
    const hostId = this.cachedId(3, h.host);
    const r = this.resolve(p.source, p.targets);
    const src = r.src;
    const script = src.kind === 'local';
    const userId = src.userId;
    const c = this.rec;
    c[0].push(bigId);
    c[1].push(sourceId);
    c[2].push(lineNo);
    c[3].push(h.received / 1000);
    c[4].push(day);
    c[5].push(hostId);
    c[6].push(p.fields.tsMillis / 1000);
    c[7].push(p.fields.logRecordCreationTime);
    c[8].push(this.cachedId(0, p.fields.python));
    c[9].push(this.cachedId(1, p.fields.pathName));
    c[10].push(p.fields.levelNo);
    c[11].push(this.cachedId(2, p.fields.levelName));
    c[12].push(src.id);
    c[13].push(userId);
    c[14].push(script);
    c[15].push(r.targets.length);
    const pkgs = r.packages;
    const tgtIds = this.tgt[0];
    const tgtNodes = this.tgt[1];
    for (const t of r.targets) {
      tgtIds.push(bigId);
      tgtNodes.push(t);
    }
    if (script) aggregate(this.runs, src.id, day, hostId, () => [day, hostId, userId, src.id], pkgs);
    else if (src.packageId !== null && pkgs.length)
      aggregate(this.library, src.packageId, day, hostId, () => [day, hostId, src.packageId], pkgs);
    return { stored: true, problem: r.limited };
  }

  addRequest(
    p: Extract<ParsedLogLine, { kind: 'request' }>,
    sourceId: number,
    lineNo: number,
  ): { stored: boolean; problem: string | null } {
    const invalid = validateRequest(p.request);
    if (invalid.length)
      return { stored: false, problem: `not a valid ${REQUEST_FORMAT} request: ${invalid.join('; ')}` };
    const bounded = boundRequestFields(requestFields(p.request as Record<string, unknown>));
    const f = bounded.fields;
    const cut = bounded.problems.length ? bounded.problems.join('; ') : null;
    if (!f.packages.length) return { stored: false, problem: cut ?? 'request names no package' };
    const message = truncateWithMark(p.fields.message, MESSAGE_CHARS);
    const day = Math.floor(p.header.received / DAY_MS);
    for (const pkg of f.packages)
      this.requests.push({
        sourceId,
        line: lineNo,
        received: p.header.received / 1000,
        day,
        host: f.host ?? p.header.host,
        requester: f.requester,
        package: pkg,
        reason: f.reason,
        preferred: f.preferred,
        script: f.script,
        message,
        requestKey: f.id ?? `${sourceId}:${lineNo}`,
      });
    return { stored: true, problem: cut };
  }

  async flush(): Promise<void> {
    const s = this.store;
    await s.appendColumns('records', this.rec);
    await s.appendColumns('targets', this.tgt);
    const runs: (number | bigint | null)[][] = Array.from({ length: 5 }, () => []);
    const script: (number | bigint | null)[][] = Array.from({ length: 6 }, () => []);
    for (const a of [...this.runs.values()].flatMap((inner) => [...inner.values()])) {
      for (let i = 0; i < 4; i++) runs[i].push(a.key[i]);
      runs[4].push(BigInt(a.count));
      for (const [pk, n] of a.packages) {
        for (let i = 0; i < 4; i++) script[i].push(a.key[i]);
        script[4].push(pk);
        script[5].push(BigInt(n));
      }
    }
    const library: (number | bigint | null)[][] = Array.from({ length: 5 }, () => []);
    for (const a of [...this.library.values()].flatMap((inner) => [...inner.values()]))
      for (const [pk, n] of a.packages) {
        for (let i = 0; i < 3; i++) library[i].push(a.key[i]);
        library[3].push(pk);
        library[4].push(BigInt(n));
      }
    await s.appendColumns('runs_daily', runs);
    await s.appendColumns('script_daily', script);
    await s.appendColumns('library_daily', library);
    await s.appendRequests(this.requests);
    await s.appendBadLines(this.bad);
    this.rec = Array.from({ length: 16 }, () => []);
    this.tgt = [[], []];
    this.runs.clear();
    this.library.clear();
    this.requests = [];
    this.bad = [];
  }
}

function excerpt(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Opens an input as a stream of decompressed bytes (plain files from `start`) plus its size and mtime. */
async function openInput(
  p: string,
  stdin: NodeJS.ReadableStream | undefined,
  start: number,
): Promise<{
  stream: AsyncIterable<Buffer>;
  size: number | null;
  mtime: Date | null;
  counter: () => number;
}> {
  if (p === '-') {
    if (!stdin) throw new Error('no stdin stream');
    let n = 0;
    const s = stdin as Readable;
    async function* counted() {
      for await (const b of s) {
        const buf = typeof b === 'string' ? Buffer.from(b) : (b as Buffer);
        n += buf.length;
        yield buf;
      }
    }
    return { stream: gunzipIfNeeded(counted()), size: null, mtime: null, counter: () => n };
  }
  const st = await fsp.stat(p);
  if (st.isDirectory()) throw new Error('is a directory');
  const regular = st.isFile();
  // a position makes Node read with pread, which a pipe refuses (ESPIPE)
  const raw = createReadStream(p, regular ? { highWaterMark: 4 << 20, start } : { highWaterMark: 4 << 20 });
  return {
    stream: start > 0 ? raw : gunzipIfNeeded(raw),
    size: regular ? st.size : null,
    mtime: regular ? st.mtime : null,
    counter: () => start + raw.bytesRead,
  };
}

/**
 * For a plain (not gzipped) file: the fingerprint of its first line, or null when the file is gzipped
 * (read as a stream) or its first line is not complete yet.
 */
async function plainFileFingerprint(
  p: string,
): Promise<{ gzip: boolean; fingerprint: string | null; head: Buffer }> {
  const fh = await fsp.open(p, 'r');
  try {
    const b = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    const head = Buffer.from(b.subarray(0, Math.min(bytesRead, HEAD_BYTES)));
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { gzip: true, fingerprint: null, head };
    const nl = b.subarray(0, bytesRead).indexOf(10);
    if (nl < 0 && bytesRead < b.length) return { gzip: false, fingerprint: null, head };
    const end = nl < 0 ? b.length : nl + 1;
    return {
      gzip: false,
      fingerprint: createHash('sha256').update(b.subarray(0, end)).digest('hex'),
      head,
    };
  } finally {
    await fh.close();
  }
}

/** Passes bytes through, gunzipping when the stream starts with the gzip magic bytes. */
async function* gunzipIfNeeded(src: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        gunzip.write(head);
        for (let r = await it.next(); !r.done; r = await it.next()) {
          if (!gunzip.write(r.value)) await new Promise((res) => gunzip.once('drain', res));
        }
        gunzip.end();
      } catch (err) {
        gunzip.destroy(err as Error);
      }
    })();
    for await (const b of gunzip) yield b as Buffer;
    await feed;
    return;
  }
  yield head;
  for (let r = await it.next(); !r.done; r = await it.next())
    yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
}

/**
 * One `ingest` call: one writer and message cache for all its inputs, and the inputs' states. Data and
 * the offsets that cover it are committed together, every `batchBytes` and at the end.
 */
class IngestRun {
  readonly writer: BatchWriter;
  readonly messageCache = new Map<string, { source: NodePair; targets: NodePair[] }>();
  /**
   * Inputs by the fingerprint of their first line: the stored ones, then those created in this run
   * (their offsets may be ahead of the stored ones).
   */
  readonly sources = new Map<string, SourceState[]>();
  private readonly dirty = new Set<SourceState>();
  sinceCommit = 0;
  readonly batchBytes: number;

  constructor(
    private readonly store: UsageStore,
    opts: IngestOptions,
  ) {
    this.writer = new BatchWriter(store, opts.deriver);
    this.batchBytes = opts.batchBytes ?? 24 << 20;
  }

  /**
   * The input with this first line whose first bytes are `head`'s (one is a prefix of the other: the
   * same text, read further or not as far) — or a new one: another input with the same first line
   * (an empty line, a common header) is a different input, not a continuation.
   */
  async source(
    fingerprint: string,
    p: string,
    head: Buffer,
  ): Promise<{ state: SourceState; known: boolean }> {
    try {
      let list = this.sources.get(fingerprint);
      if (list === undefined) {
        list = await this.store.findSources(fingerprint);
        this.sources.set(fingerprint, list);
      }
      const same = list.find((s) => sameStart(s.headHex, head));
      if (same) return { state: same, known: true };
      const state = await this.store.createSource(fingerprint, p);
      list.push(state);
      return { state, known: false };
    } catch (err) {
      throw storeWriteError(this.store.file, err);
    }
  }

  /** Records an input's progress; commits when a batch is full (or `force`). */
  async progress(state: SourceState, force = false): Promise<void> {
    this.dirty.add(state);
    if (force || this.sinceCommit >= this.batchBytes) await this.commit();
  }

  /**
   * Commits the batch: its rows, the days it touched (to be compacted) and the inputs' new offsets in
   * one transaction. A failure is a StoreWriteError: the batch is not in the store, and the run stops.
   */
  async commit(): Promise<void> {
    const store = this.store;
    try {
      await store.begin();
      await store.addPendingDays([...this.writer.takeBatchDays()]);
      await this.writer.flush();
      for (const s of this.dirty) await store.updateSource(s);
      await store.commit();
    } catch (err) {
      await store.rollback();
      throw storeWriteError(store.file, err);
    }
    this.dirty.clear();
    this.sinceCommit = 0;
  }
}

/** Whether the stored first bytes (hex; null: not stored by older versions) and `head` agree. */
function sameStart(storedHex: string | null, head: Buffer): boolean {
  if (storedHex === null) return true;
  const stored = Buffer.from(storedHex, 'hex');
  const n = Math.min(stored.length, head.length);
  return stored.subarray(0, n).equals(head.subarray(0, n));
}

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
  for (const p of paths) reports.push(await ingestOne(p, opts, run));
  await run.commit();
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
  const maxLine = opts.maxLineBytes ?? 1 << 20;
  const maxStoredBad = opts.maxStoredBadLines ?? 100_000;
  const fail = (err: unknown) => {
    report.status = 'failed';
    report.error = ioProblem(err);
    return report;
  };

  let state: SourceState | null = null;
  let streamed = p === '-'; // stdin or gzip: read from byte 0, fingerprint from the stream, skip what was read
  let startByte = 0;
  /** The input's first (decompressed) bytes, up to HEAD_BYTES. */
  let head: Buffer = Buffer.alloc(0);
  if (!streamed) {
    try {
      // a pipe (bash <(zcat …), a FIFO) cannot be read twice or from an offset: read it as a stream
      const st = await fsp.stat(p);
      if (!st.isFile() && !st.isDirectory()) streamed = true;
    } catch (err) {
      return fail(err);
    }
  }
  if (!streamed) {
    try {
      const f = await plainFileFingerprint(p);
      head = f.head;
      if (f.gzip) streamed = true;
      else if (f.fingerprint === null) {
        const size = (await fsp.stat(p)).size;
        report.status = 'empty';
        report.pendingPartialLine = size > 0;
        return report;
      } else {
        const found = await run.source(f.fingerprint, p, head);
        state = found.state;
        if (found.known) {
          const size = (await fsp.stat(p)).size;
          if (size < state.offsetBytes)
            return fail(
              new Error(
                `file is shorter (${size} bytes) than the ${state.offsetBytes} bytes already ingested from it` +
                  (state.path === p ? '' : ` (as ${state.path}, which starts the same)`),
              ),
            );
          report.status = 'resumed';
          startByte = state.offsetBytes;
          state.path = p;
        }
      }
    } catch (err) {
      if (err instanceof StoreWriteError) throw err;
      return fail(err);
    }
  }
  let input: Awaited<ReturnType<typeof openInput>>;
  try {
    input = await openInput(p, opts.stdin, startByte);
  } catch (err) {
    return fail(err);
  }
  const refDate = referenceDateFor(p === '-' ? '' : p, input.mtime, opts.now ?? new Date());
  const writer = run.writer;
  const messageCache = run.messageCache;

  let skip = 0; // decompressed bytes still to skip (already ingested)
  let consumed = state?.offsetBytes ?? 0; // bytes of complete lines handled so far
  let lineNo = state?.lines ?? 0;
  report.fromByte = consumed;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let overLong = false; // inside a line longer than maxLine: drop bytes until its newline
  let overLongLen = 0;

  const bad = (reason: string, text: string) => {
    report.bad++;
    state!.badLines++;
    report.badLines.push({ line: lineNo, reason });
    if (state!.badLines <= maxStoredBad)
      writer.bad.push({ sourceId: state!.sourceId, path: p, line: lineNo, reason, excerpt: excerpt(text) });
  };

  const handleLine = (line: string) => {
    lineNo++;
    report.lines++;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (messageCache.size > 50_000) messageCache.clear();
    const parsed = parseLogLine(line, { referenceDate: refDate, messageCache });
    switch (parsed.kind) {
      case 'record': {
        const added = writer.addRecord(parsed, state!.sourceId, lineNo);
        if (added.problem) bad(added.problem, line);
        if (added.stored) {
          report.records++;
          state!.records++;
        }
        break;
      }
      case 'request': {
        const added = writer.addRequest(parsed, state!.sourceId, lineNo);
        if (added.problem) bad(added.problem, line);
        if (added.stored) {
          report.requests++;
          state!.requests++;
        }
        break;
      }
      case 'other':
        report.other++;
        state!.otherLines++;
        break;
      case 'bad':
        bad(parsed.column ? `${parsed.reason} (column ${parsed.column})` : parsed.reason, line);
        break;
    }
  };

  const overLongLine = (bytes: number) => {
    lineNo++;
    report.lines++;
    bad(`line of ${bytes} bytes is longer than the ${maxLine}-byte limit`, '');
  };

  const handleBytes = (buf: Buffer) => {
    // buf holds complete lines, each ending in '\n'
    if (isUtf8(buf)) {
      const text = buf.toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        if ((nl - start) * 3 > maxLine && Buffer.byteLength(line) > maxLine)
          overLongLine(Buffer.byteLength(line));
        else handleLine(line);
        start = nl + 1;
      }
      return;
    }
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      const lb = buf.subarray(start, nl);
      if (lb.length > maxLine) overLongLine(lb.length);
      else if (isUtf8(lb)) handleLine(lb.toString('utf8'));
      else {
        lineNo++;
        report.lines++;
        bad(`not UTF-8 (invalid byte at column ${firstInvalidUtf8(lb) + 1})`, lb.toString('latin1'));
      }
      start = nl + 1;
    }
  };

  /** Hands this input's offsets to the run; commits when the batch is full or `force`. */
  const commit = async (force = false) => {
    state!.offsetBytes = consumed;
    state!.lines = lineNo;
    const headHex = head.subarray(0, Math.min(consumed, head.length)).toString('hex');
    if (state!.headHex === null || headHex.length > state!.headHex.length) state!.headHex = headHex;
    await run.progress(state!, force);
  };

  // The complete-line part of what is pending (up to its last newline); the rest stays pending.
  const takeComplete = (): Buffer | null => {
    if (!pendingLen) return null;
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
    const last = all.lastIndexOf(10);
    if (last < 0) {
      pending = [all];
      return null;
    }
    const rest = all.subarray(last + 1);
    pending = rest.length ? [Buffer.from(rest)] : [];
    pendingLen = rest.length;
    return all.subarray(0, last + 1);
  };

  try {
    let headChunks: Buffer[] = [];
    let headLen = 0;
    const fingerprintFromStream = async (h: Buffer, end: number) => {
      const fp = createHash('sha256').update(h.subarray(0, end)).digest('hex');
      head = Buffer.from(h.subarray(0, HEAD_BYTES));
      const found = await run.source(fp, p, head);
      state = found.state;
      if (found.known) {
        report.status = 'resumed';
        skip = state.offsetBytes;
        consumed = state.offsetBytes;
        lineNo = state.lines;
        report.fromByte = consumed;
        state.path = p;
      }
    };
    for await (const chunkRaw of input.stream) {
      let chunk = chunkRaw;
      if (!state) {
        headChunks.push(chunk);
        headLen += chunk.length;
        const h = Buffer.concat(headChunks, headLen);
        const nl = h.indexOf(10);
        if ((nl < 0 && headLen < 65536) || headLen < HEAD_BYTES) continue;
        await fingerprintFromStream(h, nl < 0 ? 65536 : nl + 1);
        headChunks = [];
        chunk = h;
      }
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length;
          continue;
        }
        chunk = chunk.subarray(skip);
        skip = 0;
      }
      if (overLong) {
        const nl = chunk.indexOf(10);
        if (nl < 0) {
          overLongLen += chunk.length;
          consumed += chunk.length;
          continue;
        }
        overLongLen += nl + 1;
        consumed += nl + 1;
        lineNo++;
        report.lines++;
        bad(`line of ${overLongLen} bytes is longer than the ${maxLine}-byte limit`, '');
        overLong = false;
        chunk = chunk.subarray(nl + 1);
      }
      // Complete lines are handled now; the partial last line waits for the next chunk.
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        pending.push(chunk);
        pendingLen += chunk.length;
      } else {
        let start = 0;
        if (pendingLen) {
          const first = chunk.indexOf(10);
          const joined = Buffer.concat([...pending, chunk.subarray(0, first + 1)]);
          handleBytes(joined);
          consumed += joined.length;
          run.sinceCommit += joined.length;
          start = first + 1;
          pending = [];
          pendingLen = 0;
        }
        if (last >= start) {
          handleBytes(chunk.subarray(start, last + 1));
          consumed += last + 1 - start;
          run.sinceCommit += last + 1 - start;
        }
        if (last + 1 < chunk.length) {
          pending = [Buffer.from(chunk.subarray(last + 1))];
          pendingLen = chunk.length - last - 1;
        }
        await commit();
        opts.onProgress?.({ path: p, bytesRead: input.counter(), totalBytes: input.size, lines: lineNo });
      }
      if (pendingLen > maxLine) {
        overLong = true;
        overLongLen = pendingLen;
        consumed += pendingLen;
        pending = [];
        pendingLen = 0;
      }
    }
    if (!state && headLen) {
      // a short stream (its first line, or all of it when it has no newline, is the fingerprint)
      const h = Buffer.concat(headChunks, headLen);
      const nl = h.indexOf(10);
      await fingerprintFromStream(h, nl < 0 ? h.length : nl + 1);
      if (h.length > skip) {
        pending = [h.subarray(skip)];
        pendingLen = h.length - skip;
      }
    }
    if (!state) {
      report.status = 'empty';
      return report;
    }
    const complete = takeComplete();
    if (complete) {
      handleBytes(complete);
      consumed += complete.length;
    }
    if (overLong) {
      lineNo++;
      report.lines++;
      bad(`line of ${overLongLen} bytes is longer than the ${maxLine}-byte limit (and has no newline)`, '');
      overLong = false;
    }
    if (pendingLen > 0) {
      if (streamed) {
        // a closed .gz or a finished stream: its last line is complete even without a newline
        const rest = Buffer.concat(pending, pendingLen);
        handleBytes(Buffer.concat([rest, Buffer.from('\n')]));
        consumed += rest.length;
      } else report.pendingPartialLine = true;
    }
    await commit();
    if (report.status === 'resumed' && report.lines === 0) report.status = 'unchanged';
  } catch (err) {
    if (err instanceof StoreWriteError) throw err; // the store cannot take more: stop the run
    fail(err);
    if (state) await commit(true); // keep the complete lines read before the input failed
  }
  report.toByte = consumed;
  return report;
}

const IO_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or broken symbolic link',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/** An error as one short phrase: file-system errors by what they mean, not Node's `CODE: …, open 'x'`. */
export function ioProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && IO_PROBLEMS[e.code]) return `${IO_PROBLEMS[e.code]} (${e.code})`;
  if (e && typeof e.code === 'string' && e.code === 'Z_BUF_ERROR')
    return 'truncated gzip data (unexpected end of file)';
  if (e && typeof e.code === 'string' && e.code.startsWith('Z_')) return `not valid gzip data (${e.message})`;
  return err instanceof Error ? err.message : String(err);
}

/** Index of the first byte where the line stops being valid UTF-8. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >> 5 === 6 ? 2 : c >> 4 === 14 ? 3 : c >> 3 === 30 ? 4 : 0;
    if (n === 0 || i + n > b.length || !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return b.length;
}
