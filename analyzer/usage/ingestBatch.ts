/**
 * Ingest's batch and commit stages: a batch of parsed lines as column arrays and daily aggregates
 * (BatchWriter), and the run that commits each batch with the inputs' new offsets in one transaction
 * (IngestRun). A failed commit is a StoreWriteError and ends the run. Does not read or parse input.
 */
import type { NodePair, ParsedLogLine } from '../pyrats/logLine';
import { REQUEST_FORMAT, validateRequest } from '../pyrats/packageRequest';
import type { NodeDeriver } from './derive';
import type { IngestOptions } from './ingestTypes';
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
export class BatchWriter {
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

/**
 * One `ingest` call: one writer and message cache for all its inputs, and the inputs' states. Data and
 * the offsets that cover it are committed together, every `batchBytes` and at the end.
 */
export class IngestRun {
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
