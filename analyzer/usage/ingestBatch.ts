/**
 * Ingest's batch and commit stages: a batch of parsed lines as column arrays and daily aggregates
 * (BatchWriter), and the run that commits each batch with the inputs' new offsets in one transaction
 * (IngestRun). A failed commit is a StoreWriteError and ends the run. Does not read or parse input.
 */
import type { NodePair } from '../pyrats/logLine';
import { REQUEST_FORMAT, validateRequest } from '../pyrats/packageRequest';
import type { NodeDeriver } from './derive';
import type { IngestOptions } from './ingestTypes';
import { RecordRows } from './batchColumns';
import { PieceTables, type RecordLine, type RequestLine } from './ingestParse';
import { locateIngestWorker, openPieceParsing, type PieceParsing } from './ingestParsing';
import {
  boundRequestFields,
  boundTargets,
  hostProblem,
  MESSAGE_CHARS,
  sourceProblem,
  truncateWithMark,
  type RequestFields,
} from './ingestLimits';
import { storeWriteError, type SourceState, type StoredNode, type UsageStore } from './store';

const DAY_MS = 86_400_000;

export function requestFields(req: Record<string, unknown>): RequestFields {
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

type Aggregates = Map<number, Map<number, Aggregate>>;

/**
 * The aggregate of one record in `m`, made when new: outer key the script node (runs; its user is the
 * node's) or the source package (library), inner key day and host as one number. Its row key is
 * day, host, `third` and, for runs, `fourth` (built only for a new aggregate: this runs per record).
 */
function aggregateOf(
  m: Aggregates,
  outer: number,
  day: number,
  hostId: number,
  third: number | null,
  fourth?: number,
): Aggregate {
  let inner = m.get(outer);
  if (inner === undefined) {
    inner = new Map();
    m.set(outer, inner);
  }
  const k = day * 1e7 + hostId; // exact: day < 1e6, host ids < 1e7
  let a = inner.get(k);
  if (a === undefined) {
    const key = fourth === undefined ? [day, hostId, third] : [day, hostId, third, fourth];
    a = { key, count: 0, packages: new Map() };
    inner.set(k, a);
  }
  return a;
}

/** Counts one record, importing `packages`, into its aggregate. */
function countInto(a: Aggregate, packages: number[]): void {
  a.count++;
  for (const pk of packages) a.packages.set(pk, (a.packages.get(pk) ?? 0) + 1);
}

const STORED = Object.freeze({ stored: true, problem: null });

interface Resolved {
  src: StoredNode;
  targets: number[];
  packages: number[];
  /** Targets left out by the bounds (ingestLimits.ts), or null. */
  limited: string | null;
}

/** Accumulates one batch of parsed lines as column arrays and aggregate maps. */
export class BatchWriter {
  private rows = new RecordRows();
  /** Script runs per (day, host, script): the count, and per package id the runs importing it. */
  runs: Aggregates = new Map();
  /** Library records per (day, host, source package): per destination package id the records. */
  library: Aggregates = new Map();
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
  addRecord(p: RecordLine, sourceId: number, lineNo: number): { stored: boolean; problem: string | null } {
    const refused = sourceProblem(p.source) ?? hostProblem(p.host);
    if (refused) return { stored: false, problem: refused };
    const store = this.store;
    const id = store.newRecordId();
    const day = Math.floor(p.received / DAY_MS);
    this.days.add(day);
    this.batchDays.add(day);
    const hostId = this.cachedId(3, p.host);
    const r = this.resolve(p.source, p.targets);
    const src = r.src;
    const script = src.kind === 'local';
    const userId = src.userId;
    const rows = this.rows;
    rows.recordId.push(id);
    rows.sourceId.push(sourceId);
    rows.lineNo.push(lineNo);
    rows.received.push(p.received / 1000);
    rows.day.push(day);
    rows.hostId.push(hostId);
    rows.ts.push(p.tsMillis / 1000);
    rows.created.push(p.logRecordCreationTime);
    rows.pythonId.push(this.cachedId(0, p.python));
    rows.pathNameId.push(this.cachedId(1, p.pathName));
    rows.levelNo.push(p.levelNo);
    rows.levelNameId.push(this.cachedId(2, p.levelName));
    rows.sourceNodeId.push(src.id);
    rows.userId.push(userId);
    rows.script.push(script);
    rows.nTargets.push(r.targets.length);
    for (const t of r.targets) {
      rows.targetRecordId.push(id);
      rows.targetNodeId.push(t);
    }
    const pkgs = r.packages;
    if (script) countInto(aggregateOf(this.runs, src.id, day, hostId, userId, src.id), pkgs);
    else if (src.packageId !== null && pkgs.length)
      countInto(aggregateOf(this.library, src.packageId, day, hostId, src.packageId), pkgs);
    return r.limited === null ? STORED : { stored: true, problem: r.limited };
  }

  addRequest(p: RequestLine, sourceId: number, lineNo: number): { stored: boolean; problem: string | null } {
    const invalid = validateRequest(p.request);
    if (invalid.length)
      return { stored: false, problem: `not a valid ${REQUEST_FORMAT} request: ${invalid.join('; ')}` };
    const bounded = boundRequestFields(requestFields(p.request as Record<string, unknown>));
    const f = bounded.fields;
    const cut = bounded.problems.length ? bounded.problems.join('; ') : null;
    if (!f.packages.length) return { stored: false, problem: cut ?? 'request names no package' };
    const message = truncateWithMark(p.message, MESSAGE_CHARS);
    const day = Math.floor(p.received / DAY_MS);
    for (const pkg of f.packages)
      this.requests.push({
        sourceId,
        line: lineNo,
        received: p.received / 1000,
        day,
        host: f.host ?? p.host,
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
    await s.appendColumns('records', this.rows.records());
    await s.appendColumns('targets', this.rows.targets());
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
    this.rows = new RecordRows();
    this.runs.clear();
    this.library.clear();
    this.requests = [];
    this.bad = [];
  }
}

/**
 * One `ingest` call: one writer and message cache for all its inputs, and the inputs' states. Data and
 * the offsets that cover it are committed together, every `batchBytes` and at the end.
 */
export class IngestRun {
  readonly writer: BatchWriter;
  /** Where pieces are parsed, and the tables their ids name (ingestParse.ts). */
  readonly parsing: PieceParsing;
  readonly tables = new PieceTables();
  /**
   * Inputs by the fingerprint of their first line: the stored ones (read at the first input), then
   * those created in this run (their offsets may be ahead of the stored ones).
   */
  private sources: Map<string, SourceState[]> | null = null;
  private readonly dirty = new Set<SourceState>();
  sinceCommit = 0;
  readonly batchBytes: number;

  constructor(
    private readonly store: UsageStore,
    opts: IngestOptions,
  ) {
    this.writer = new BatchWriter(store, opts.deriver);
    this.batchBytes = opts.batchBytes ?? 24 << 20;
    const worker = locateIngestWorker(opts.parseWorker);
    this.parsing = openPieceParsing(opts.maxLineBytes ?? 1 << 20, worker, opts.parseStats);
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
    if (!this.sources) {
      try {
        this.sources = await this.store.allSources();
      } catch (err) {
        throw storeWriteError(this.store.file, err);
      }
    }
    let list = this.sources.get(fingerprint);
    if (list === undefined) {
      list = [];
      this.sources.set(fingerprint, list);
    }
    const same = list.find((s) => sameStart(s.headHex, head));
    if (same) return { state: same, known: true };
    const state = this.store.newSource(fingerprint, p);
    list.push(state);
    return { state, known: false };
  }

  /** Records an input's progress; commits when a batch is full (or `force`). */
  async progress(state: SourceState, force = false): Promise<void> {
    this.dirty.add(state);
    if (force || this.sinceCommit >= this.batchBytes) await this.commit();
  }

  /**
   * Commits the batch: its rows, the days it touched (to be compacted) and the inputs' new offsets in
   * one transaction. DuckDB's COMMIT then runs while parsing goes on: the next use of the store waits
   * for it first (settle), and a failure there stops the run. A failure is a StoreWriteError: the
   * batch is not in the store.
   */
  async commit(): Promise<void> {
    await this.settle();
    const store = this.store;
    try {
      await store.begin();
      await store.addPendingDays([...this.writer.takeBatchDays()]);
      await this.writer.flush();
      await store.writeNewSources();
      for (const s of this.dirty) await store.updateSource(s);
      await store.writeDictionaries();
    } catch (err) {
      await store.rollback();
      throw storeWriteError(store.file, err);
    }
    const committing = store.commitWritten().catch(async (err: unknown) => {
      await store.rollback();
      throw storeWriteError(store.file, err);
    });
    committing.catch(() => {}); // seen by settle(), not an unhandled rejection meanwhile
    this.committing = committing;
    this.dirty.clear();
    this.sinceCommit = 0;
  }

  /** Waits for the last batch's COMMIT; throws its StoreWriteError when it failed. */
  async settle(): Promise<void> {
    const c = this.committing;
    this.committing = null;
    if (c) await c;
  }

  private committing: Promise<void> | null = null;
}

/** Whether the stored first bytes (hex; null: not stored by older versions) and `head` agree. */
function sameStart(storedHex: string | null, head: Buffer): boolean {
  if (storedHex === null) return true;
  const stored = Buffer.from(storedHex, 'hex');
  const n = Math.min(stored.length, head.length);
  return stored.subarray(0, n).equals(head.subarray(0, n));
}
