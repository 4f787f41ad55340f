/**
 * UsageStore: the DuckDB file (via @duckdb/node-api) that holds ingested PyRats records, the
 * bookkeeping that makes ingest incremental (one row per input, identified by a fingerprint of its
 * first line, with the byte offset and line count consumed so far), bad lines, package requests and
 * their queue status, and the daily aggregates the reports and the dashboard read.
 *
 * Strings are dictionary-encoded (`strings`, `nodes`, `packages`) so that the big tables hold only
 * numbers; the `*_v` views join them back for people, exports and other engines. The schema is
 * documented in the README ("Usage store schema"). It does not parse logs (analyzer/pyrats/logLine.ts)
 * or compute reports (queries.ts).
 */
import { existsSync } from 'node:fs';
import { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { AppendColumn } from './batchColumns';
import type { NodeInfo } from './derive';

import {
  openLocked,
  openPrivately,
  StoreBusyError,
  StoreWriteError,
  storeWriteError,
  WRITER_LOCK_WAIT_MS,
  writerWaitingFile,
} from './storeOpen';
import {
  COLUMN_TYPES,
  HEAD_BYTES,
  monthOfDay,
  SCHEMA,
  SCHEMA_VERSION,
  type BulkTable,
  type SourceState,
  type StoredNode,
} from './storeSchema';

export {
  COLUMN_TYPES,
  HEAD_BYTES,
  monthOfDay,
  SCHEMA_VERSION,
  StoreBusyError,
  StoreWriteError,
  storeWriteError,
  WRITER_LOCK_WAIT_MS,
  writerWaitingFile,
  type BulkTable,
  type SourceState,
  type StoredNode,
};

const CHUNK_ROWS = 2048;

export class UsageStore {
  private readonly strings = new Map<string, number>();
  /** root → rel → node (two levels: no key concatenation per lookup). */
  private readonly nodes = new Map<string, Map<string, StoredNode>>();
  private nodeCount = 0;
  private readonly packages = new Map<string, number>();
  private nextRecordId = 1;
  private nextRequestId = 1;
  /** The next input's id (allSources sets it past the stored ones) and the inputs not yet written. */
  private nextSourceId = 1;
  private pendingSources: SourceState[] = [];
  private inTransaction = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly file: string,
    readonly readOnly: boolean,
    /** Puts back the umask held while the store is open (see openPrivately). */
    private readonly releaseUmask: () => void,
  ) {}

  /** Opens (creating when writable and absent) the store file. */
  static async open(
    file: string,
    opts: {
      readOnly?: boolean;
      memoryLimit?: string;
      /** How long to wait for another process's lock on the file to go (default 0: fail at once). */
      lockWaitMs?: number;
      /**
       * Mode of the store, its WAL and what DuckDB creates beside it (default 0600; directories made
       * for it get the matching 0700). Given explicitly, an existing store is set to it as well.
       */
      fileMode?: number;
    } = {},
  ): Promise<UsageStore> {
    // DuckDB would take up to 80% of RAM by default; big sorts and aggregates spill to disk instead.
    const config: Record<string, string> = {
      // ingest leaves room for its own JavaScript heap; reports and the dashboard may use more
      memory_limit:
        opts.memoryLimit ?? process.env.PYRATS_DUCKDB_MEMORY ?? (opts.readOnly ? '512MB' : '256MB'),
      // checkpoint as the ingest goes: the WAL of a batch run stays near this size instead of growing
      // to several times the store (a disk fills far sooner than the store's size suggests)
      checkpoint_threshold: '32MB',
    };
    if (opts.readOnly) {
      if (!existsSync(file)) throw new Error(`${file}: no such usage store (pyrats ingest makes it)`);
      config.access_mode = 'READ_ONLY';
    }
    const releaseUmask = openPrivately(file, opts);
    let instance: DuckDBInstance;
    try {
      instance = await openLocked(file, config, opts.lockWaitMs ?? 0);
    } catch (err) {
      releaseUmask();
      throw err;
    }
    const connection = await instance.connect();
    const store = new UsageStore(instance, connection, file, Boolean(opts.readOnly), releaseUmask);
    try {
      await store.prepare();
    } catch (err) {
      store.close(); // release the file: the caller may go on (the dashboard) or open it again
      throw err;
    }
    return store;
  }

  /**
   * Checks that the file is a usage store of this schema version — before changing anything: a newer
   * pyrats's store, or another program's DuckDB database, is refused untouched — then creates the
   * schema in a new (empty) file or completes it (writable).
   */
  private async prepare(): Promise<void> {
    const { connection, file } = this;
    const tables = (
      await this.rows<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY name`,
      )
    ).map((t) => t.name);
    const version = tables.includes('meta')
      ? ((await this.rows<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`))[0]
          ?.value ?? null)
      : null;
    if (tables.length && version === null) {
      const some = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      throw new Error(
        `${file}: not a pyrats usage store (a DuckDB database with tables ${some} but no pyrats schema version)`,
      );
    }
    if (version !== null && version !== SCHEMA_VERSION)
      throw new Error(
        `${file}: usage store of schema version ${version}; this pyrats reads and writes version ${SCHEMA_VERSION}` +
          (Number(version) > Number(SCHEMA_VERSION) ? ' (use the newer pyrats that wrote it)' : ''),
      );
    if (this.readOnly) {
      if (!tables.length) throw new Error(`${file}: not a pyrats usage store (an empty DuckDB database)`);
      return;
    }
    if (version === null) {
      // a new store: its tables and its version together (a half-made store would be refused later)
      await connection.run('BEGIN TRANSACTION');
      await connection.run(SCHEMA);
      await connection.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
      await connection.run('COMMIT');
    } else await connection.run(SCHEMA);
    await this.loadDictionaries();
  }

  /** A setting kept in the `meta` table, or null. */
  async getMeta(key: string): Promise<string | null> {
    const r = await this.rows<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
    return r[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.run(`DELETE FROM meta WHERE key = $1`, [key]);
    await this.run(`INSERT INTO meta VALUES ($1, $2)`, [key, value]);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    this.releaseUmask();
  }

  /** Runs a query and returns plain JS row objects (BIGINT as bigint unless cast). */
  async rows<T = Record<string, unknown>>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as T[];
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  private async loadDictionaries(): Promise<void> {
    for (const r of await this.rows<{ string_id: number; value: string }>(
      `SELECT string_id, value FROM strings`,
    ))
      this.strings.set(r.value, r.string_id);
    for (const r of await this.rows<{ package_id: number; package: string; kind: string }>(
      `SELECT package_id, package, kind FROM packages`,
    ))
      this.packages.set(`${r.kind}\0${r.package}`, r.package_id);
    for (const r of await this.rows<{
      node_id: number;
      root: string;
      rel: string;
      kind: NodeInfo['kind'];
      package_id: number | null;
      user_id: number | null;
    }>(`SELECT node_id, root, rel, kind, package_id, user_id FROM nodes`))
      this.nodesOf(r.root).set(r.rel, {
        id: r.node_id,
        kind: r.kind,
        packageId: r.package_id,
        userId: r.user_id,
      });
    this.nodeCount = (
      await this.rows<{ n: number }>(`SELECT coalesce(max(node_id), 0)::INTEGER AS n FROM nodes`)
    )[0].n;
    const ids = await this.rows<{ r: number; q: number }>(
      `SELECT (SELECT coalesce(max(record_id), 0)::DOUBLE FROM records) AS r,
              (SELECT coalesce(max(request_id), 0)::DOUBLE FROM requests) AS q`,
    );
    this.nextRecordId = ids[0].r + 1;
    this.nextRequestId = ids[0].q + 1;
  }

  newRecordId(): number {
    return this.nextRecordId++;
  }

  newRequestId(): number {
    return this.nextRequestId++;
  }

  private pendingStrings: [number, string][] = [];
  private pendingPackages: [number, string, string, string | null][] = [];
  private pendingNodes: [number, string, string, string, string, number | null, number | null][] = [];

  /** Dictionary id of a string (host, user, interpreter, path name, level name). */
  stringId(value: string): number {
    let id = this.strings.get(value);
    if (id === undefined) {
      id = this.strings.size + 1;
      value = (' ' + value).slice(1); // own copy, not a slice of a long line
      this.strings.set(value, id);
      this.pendingStrings.push([id, value]);
    }
    return id;
  }

  packageId(name: string, kind: string, distribution: string | null): number {
    const key = `${kind}\0${name}`;
    let id = this.packages.get(key);
    if (id === undefined) {
      id = this.packages.size + 1;
      this.packages.set(key, id);
      this.pendingPackages.push([id, name, kind, distribution]);
    }
    return id;
  }

  private nodesOf(root: string): Map<string, StoredNode> {
    let m = this.nodes.get(root);
    if (m === undefined) {
      m = new Map();
      this.nodes.set((' ' + root).slice(1), m);
    }
    return m;
  }

  /** The stored node for (root, rel); `derive` is called only the first time the pair is seen. */
  node(root: string, rel: string, derive: () => NodeInfo): StoredNode {
    const byRel = this.nodesOf(root);
    let n = byRel.get(rel);
    if (n === undefined) {
      rel = (' ' + rel).slice(1); // own copy, not a slice of a long line
      const info = derive();
      const packageId =
        info.package === null ? null : this.packageId(info.package, info.kind, info.distribution);
      const userId = info.user === null ? null : this.stringId(info.user);
      n = { id: ++this.nodeCount, kind: info.kind, packageId, userId };
      byRel.set(rel, n);
      this.pendingNodes.push([n.id, root, rel, info.path, info.kind, packageId, userId]);
    }
    return n;
  }

  async begin(): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    await this.writeDictionaries();
    await this.commitWritten();
  }

  /**
   * COMMIT alone, for a caller that wrote the dictionaries' new entries (writeDictionaries) and goes
   * on while DuckDB commits: it must await this before its next use of the store.
   */
  async commitWritten(): Promise<void> {
    await this.connection.run('COMMIT');
    this.inTransaction = false;
  }

  /**
   * Ends a failed transaction. DuckDB has often aborted it already (a failed write invalidates it):
   * a ROLLBACK that fails then says nothing the first error did not, and is not reported.
   */
  async rollback(): Promise<void> {
    const open = this.inTransaction;
    this.inTransaction = false;
    if (!open) return;
    try {
      await this.connection.run('ROLLBACK');
    } catch {
      // already rolled back by DuckDB; the caller reports the error that caused it
    }
  }

  /** Appends the dictionaries' entries made since the last call (strings, packages, nodes). */
  async writeDictionaries(): Promise<void> {
    if (this.pendingStrings.length) {
      const a = await this.connection.createAppender('strings');
      for (const [id, v] of this.pendingStrings) {
        a.appendInteger(id);
        a.appendVarchar(v);
        a.endRow();
      }
      a.closeSync();
      this.pendingStrings = [];
    }
    if (this.pendingPackages.length) {
      const a = await this.connection.createAppender('packages');
      for (const [id, name, kind, dist] of this.pendingPackages) {
        a.appendInteger(id);
        a.appendVarchar(name);
        a.appendVarchar(kind);
        if (dist === null) a.appendNull();
        else a.appendVarchar(dist);
        a.endRow();
      }
      a.closeSync();
      this.pendingPackages = [];
    }
    if (this.pendingNodes.length) {
      const a = await this.connection.createAppender('nodes');
      for (const [id, root, rel, p, kind, pkg, user] of this.pendingNodes) {
        a.appendInteger(id);
        a.appendVarchar(root);
        a.appendVarchar(rel);
        a.appendVarchar(p);
        a.appendVarchar(kind);
        if (pkg === null) a.appendNull();
        else a.appendInteger(pkg);
        if (user === null) a.appendNull();
        else a.appendInteger(user);
        a.endRow();
      }
      a.closeSync();
      this.pendingNodes = [];
    }
  }

  /** Appends column-major data (all columns the same length) to one of the bulk tables. */
  async appendColumns(table: BulkTable, columns: AppendColumn[]): Promise<void> {
    const types = COLUMN_TYPES[table];
    if (columns.length !== types.length)
      throw new Error(`${table}: ${columns.length} columns, expected ${types.length}`);
    const total = columns[0].length;
    if (total === 0) return;
    const appender = await this.connection.createAppender(table);
    for (let start = 0; start < total; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, total - start);
      const chunk = DuckDBDataChunk.create(types, n);
      const part = columns.map((c) => (start === 0 && n === total ? c : c.slice(start, start + n)));
      chunk.setColumns(part as DuckDBValue[][]); // typed arrays too: the chunk reads values by index
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  /**
   * Every input the store knows, by the fingerprint of its first line, oldest first. Read once per
   * ingest run, so that finding an input never waits for a commit in flight.
   */
  async allSources(): Promise<Map<string, SourceState[]>> {
    const r = await this.rows<Record<string, number | string | null>>(
      `SELECT source_id, fingerprint, path, offset_bytes::DOUBLE AS offset_bytes, lines::DOUBLE AS lines,
              records::DOUBLE AS records, requests::DOUBLE AS requests, other_lines::DOUBLE AS other_lines,
              bad_lines::DOUBLE AS bad_lines, head_hex
       FROM sources ORDER BY source_id`,
    );
    const byFingerprint = new Map<string, SourceState[]>();
    for (const x of r) {
      const s = sourceState(x);
      this.nextSourceId = Math.max(this.nextSourceId, s.sourceId + 1);
      const list = byFingerprint.get(s.fingerprint);
      if (list) list.push(s);
      else byFingerprint.set(s.fingerprint, [s]);
    }
    return byFingerprint;
  }

  /** A new input: in memory now, written by the next transaction (writeNewSources). */
  newSource(fingerprint: string, path: string): SourceState {
    const s: SourceState = {
      sourceId: this.nextSourceId++,
      fingerprint,
      path,
      offsetBytes: 0,
      lines: 0,
      records: 0,
      requests: 0,
      otherLines: 0,
      badLines: 0,
      headHex: '',
    };
    this.pendingSources.push(s);
    return s;
  }

  /** Inserts the inputs made since the last call (their progress is written by updateSource). */
  async writeNewSources(): Promise<void> {
    for (const s of this.pendingSources)
      await this.run(
        `INSERT INTO sources (source_id, fingerprint, path, offset_bytes, lines, records, requests, other_lines,
           bad_lines, first_ingest, last_ingest, head_hex)
         VALUES ($1, $2, $3, 0, 0, 0, 0, 0, 0, current_localtimestamp(), current_localtimestamp(), '')`,
        [s.sourceId, s.fingerprint, s.path],
      );
    this.pendingSources = [];
  }

  async updateSource(s: SourceState): Promise<void> {
    await this.run(
      `UPDATE sources SET path = $2, offset_bytes = $3, lines = $4, records = $5, requests = $6, other_lines = $7,
         bad_lines = $8, head_hex = $9, last_ingest = current_localtimestamp() WHERE source_id = $1`,
      [
        s.sourceId,
        s.path,
        s.offsetBytes,
        s.lines,
        s.records,
        s.requests,
        s.otherLines,
        s.badLines,
        s.headHex,
      ],
    );
  }

  async appendBadLines(
    rows: { sourceId: number; path: string; line: number; reason: string; excerpt: string }[],
  ) {
    if (!rows.length) return;
    const a = await this.connection.createAppender('bad_lines');
    for (const r of rows) {
      a.appendInteger(r.sourceId);
      a.appendVarchar(r.path);
      a.appendBigInt(BigInt(r.line));
      a.appendVarchar(r.reason);
      a.appendVarchar(r.excerpt);
      a.endRow();
    }
    a.closeSync();
  }

  async appendRequests(
    rows: {
      sourceId: number;
      line: number;
      received: number;
      day: number;
      host: string;
      requester: string | null;
      package: string;
      reason: string | null;
      preferred: string | null;
      script: string | null;
      message: string;
      /** The request's own id when it has one (re-sent requests keep it), else file:line. */
      requestKey: string;
    }[],
  ): Promise<void> {
    if (!rows.length) return;
    const a = await this.connection.createAppender('requests');
    const str = (v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v));
    for (const r of rows) {
      a.appendBigInt(BigInt(this.newRequestId()));
      a.appendInteger(r.sourceId);
      a.appendBigInt(BigInt(r.line));
      a.appendDouble(r.received);
      a.appendInteger(r.day);
      a.appendVarchar(r.host);
      str(r.requester);
      a.appendVarchar(r.package);
      str(r.reason);
      str(r.preferred);
      str(r.script);
      a.appendVarchar(r.message);
      a.appendVarchar(r.requestKey);
      a.endRow();
    }
    a.closeSync();
  }

  /**
   * Rewrites the daily aggregate rows of the given days as one row per key (ingest appends partial
   * sums batch by batch).
   */
  async compactDays(days: number[]): Promise<void> {
    // one month at a time: the temporary copy stays small, and each month's rollup is rebuilt with it
    const byMonth = new Map<number, number[]>();
    for (const d of days) {
      const m = monthOfDay(d)[0];
      byMonth.set(m, [...(byMonth.get(m) ?? []), d]);
    }
    for (const monthDays of byMonth.values()) await this.compactMonthDays(monthDays);
  }

  private async compactMonthDays(days: number[]): Promise<void> {
    if (!days.length) return;
    const list = days.join(',');
    await this.begin();
    try {
      for (const [table, keys, sum] of [
        ['runs_daily', 'day, host_id, user_id, script_node_id', 'runs'],
        ['script_daily', 'day, host_id, user_id, script_node_id, package_id', 'runs'],
        ['library_daily', 'day, host_id, src_package_id, dst_package_id', 'records'],
      ]) {
        await this.run(
          `CREATE TEMP TABLE compact_tmp AS SELECT ${keys}, sum(${sum})::BIGINT AS ${sum} FROM ${table}
           WHERE day IN (${list}) GROUP BY ALL`,
        );
        await this.run(`DELETE FROM ${table} WHERE day IN (${list})`);
        await this.run(`INSERT INTO ${table} SELECT * FROM compact_tmp`);
        await this.run(`DROP TABLE compact_tmp`);
      }
      // Monthly rollups of the months touched (reports over whole months read these).
      const months = [...new Set(days.map((d) => monthOfDay(d).join(', ')))].map((m) => `(${m})`).join(', ');
      const starts = [...new Set(days.map((d) => monthOfDay(d)[0]))].join(', ');
      for (const [table, keys, sum] of [
        ['runs', 'host_id, user_id, script_node_id', 'runs'],
        ['script', 'host_id, user_id, script_node_id, package_id', 'runs'],
        ['library', 'host_id, src_package_id, dst_package_id', 'records'],
      ]) {
        await this.run(`DELETE FROM ${table}_monthly WHERE month_start IN (${starts})`);
        await this.run(
          `INSERT INTO ${table}_monthly
           SELECT m.s, m.e, min(d.day), max(d.day), ${keys
             .split(', ')
             .map((k) => `d.${k}`)
             .join(', ')}, sum(d.${sum})::BIGINT
           FROM ${table}_daily d JOIN (VALUES ${months}) AS m(s, e) ON d.day BETWEEN m.s AND m.e
           GROUP BY m.s, m.e, ${keys
             .split(', ')
             .map((k) => `d.${k}`)
             .join(', ')}`,
        );
      }
      await this.run(`DELETE FROM pending_days WHERE day IN (${list})`);
      await this.commit();
    } catch (err) {
      await this.rollback();
      throw err;
    }
  }

  /** Days whose rows were committed but not yet compacted (e.g. an interrupted ingest). */
  async pendingDays(): Promise<number[]> {
    return (await this.rows<{ day: number }>(`SELECT DISTINCT day FROM pending_days ORDER BY day`)).map(
      (r) => r.day,
    );
  }

  /** Notes days to compact, inside the ingest transaction that wrote their rows. */
  async addPendingDays(days: number[]): Promise<void> {
    if (days.length)
      await this.run(`INSERT INTO pending_days VALUES ${days.map((d) => `(${Math.floor(d)})`).join(', ')}`);
  }
}

/** A `sources` row as the ingest run keeps it. */
function sourceState(x: Record<string, number | string | null>): SourceState {
  return {
    sourceId: x.source_id as number,
    fingerprint: x.fingerprint as string,
    path: x.path as string,
    offsetBytes: x.offset_bytes as number,
    lines: x.lines as number,
    records: x.records as number,
    requests: x.requests as number,
    otherLines: x.other_lines as number,
    badLines: x.bad_lines as number,
    headHex: x.head_hex as string | null,
  };
}
