/**
 * The usage store's tables and views (DDL), the column types of its bulk tables, and the row shapes
 * ingest keeps in memory (an input's state, a stored node). No I/O: store.ts opens and writes.
 */
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, type DuckDBType } from '@duckdb/node-api';
import type { NodeInfo } from './derive';

export const SCHEMA_VERSION = '1';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta(key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS sources(
  source_id INTEGER, fingerprint VARCHAR, path VARCHAR, offset_bytes BIGINT, lines BIGINT,
  records BIGINT, requests BIGINT, other_lines BIGINT, bad_lines BIGINT,
  first_ingest TIMESTAMP, last_ingest TIMESTAMP);
ALTER TABLE sources ADD COLUMN IF NOT EXISTS head_hex VARCHAR;
CREATE TABLE IF NOT EXISTS bad_lines(source_id INTEGER, path VARCHAR, line_no BIGINT, reason VARCHAR, excerpt VARCHAR);
CREATE TABLE IF NOT EXISTS strings(string_id INTEGER, value VARCHAR);
CREATE TABLE IF NOT EXISTS packages(package_id INTEGER, package VARCHAR, kind VARCHAR, distribution VARCHAR);
CREATE TABLE IF NOT EXISTS nodes(node_id INTEGER, root VARCHAR, rel VARCHAR, path VARCHAR, kind VARCHAR, package_id INTEGER, user_id INTEGER);
CREATE TABLE IF NOT EXISTS records(
  record_id BIGINT, source_id INTEGER, line_no INTEGER, received DOUBLE, day INTEGER, host_id INTEGER,
  ts DOUBLE, created DOUBLE, python_id INTEGER, path_name_id INTEGER, level_no INTEGER, level_name_id INTEGER,
  source_node_id INTEGER, user_id INTEGER, script BOOLEAN, n_targets INTEGER);
CREATE TABLE IF NOT EXISTS targets(record_id BIGINT, node_id INTEGER);
CREATE TABLE IF NOT EXISTS runs_daily(day INTEGER, host_id INTEGER, user_id INTEGER, script_node_id INTEGER, runs BIGINT);
CREATE TABLE IF NOT EXISTS script_daily(day INTEGER, host_id INTEGER, user_id INTEGER, script_node_id INTEGER, package_id INTEGER, runs BIGINT);
CREATE TABLE IF NOT EXISTS library_daily(day INTEGER, host_id INTEGER, src_package_id INTEGER, dst_package_id INTEGER, records BIGINT);
CREATE TABLE IF NOT EXISTS runs_monthly(month_start INTEGER, month_end INTEGER, first_day INTEGER, last_day INTEGER,
  host_id INTEGER, user_id INTEGER, script_node_id INTEGER, runs BIGINT);
CREATE TABLE IF NOT EXISTS script_monthly(month_start INTEGER, month_end INTEGER, first_day INTEGER, last_day INTEGER,
  host_id INTEGER, user_id INTEGER, script_node_id INTEGER, package_id INTEGER, runs BIGINT);
CREATE TABLE IF NOT EXISTS library_monthly(month_start INTEGER, month_end INTEGER, first_day INTEGER, last_day INTEGER,
  host_id INTEGER, src_package_id INTEGER, dst_package_id INTEGER, records BIGINT);
CREATE TABLE IF NOT EXISTS requests(
  request_id BIGINT, source_id INTEGER, line_no BIGINT, received DOUBLE, day INTEGER, host VARCHAR,
  requester VARCHAR, package VARCHAR, reason VARCHAR, preferred VARCHAR, script VARCHAR, message VARCHAR,
  request_key VARCHAR);
CREATE TABLE IF NOT EXISTS pending_days(day INTEGER);
CREATE TABLE IF NOT EXISTS request_status(package VARCHAR, status VARCHAR, changed TIMESTAMP, note VARCHAR);
CREATE OR REPLACE VIEW records_v AS
  SELECT r.record_id, s.path AS source_file, r.line_no,
    make_timestamp(CAST(r.received * 1000000 AS BIGINT)) AS received, DATE '1970-01-01' + r.day AS day,
    h.value AS host, make_timestamp(CAST(r.ts * 1000000 AS BIGINT)) AS ts, r.created,
    py.value AS python, pn.value AS path_name, r.level_no, ln.value AS level_name,
    n.root AS source_root, n.rel AS source_rel, u.value AS "user", r.script, r.n_targets
  FROM records r
  LEFT JOIN sources s USING (source_id)
  LEFT JOIN strings h ON h.string_id = r.host_id
  LEFT JOIN strings py ON py.string_id = r.python_id
  LEFT JOIN strings pn ON pn.string_id = r.path_name_id
  LEFT JOIN strings ln ON ln.string_id = r.level_name_id
  LEFT JOIN strings u ON u.string_id = r.user_id
  LEFT JOIN nodes n ON n.node_id = r.source_node_id;
CREATE OR REPLACE VIEW targets_v AS
  SELECT t.record_id, n.root AS target_root, n.rel AS target_rel, n.kind, p.package, p.distribution
  FROM targets t JOIN nodes n USING (node_id) LEFT JOIN packages p USING (package_id);
CREATE OR REPLACE VIEW script_usage_v AS
  SELECT DATE '1970-01-01' + d.day AS day, h.value AS host, u.value AS "user", n.path AS script,
    p.package, p.kind, p.distribution, d.runs
  FROM script_daily d
  LEFT JOIN strings h ON h.string_id = d.host_id
  LEFT JOIN strings u ON u.string_id = d.user_id
  LEFT JOIN nodes n ON n.node_id = d.script_node_id
  LEFT JOIN packages p ON p.package_id = d.package_id;
`;

/** First and last day (days since 1970-01-01) of the calendar month holding `day`. */
export function monthOfDay(day: number): [number, number] {
  const d = new Date(day * 86_400_000);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 86_400_000;
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 86_400_000 - 1;
  return [start, end];
}

export interface SourceState {
  sourceId: number;
  fingerprint: string;
  path: string;
  offsetBytes: number;
  lines: number;
  records: number;
  requests: number;
  otherLines: number;
  badLines: number;
  /**
   * The input's first bytes read so far (at most HEAD_BYTES), hex: inputs whose first lines are the
   * same (an empty line, a common header) are told apart by them. Null in stores of older versions.
   */
  headHex: string | null;
}

/** How many of an input's first bytes the store keeps to tell inputs with the same first line apart. */
export const HEAD_BYTES = 4096;

export interface StoredNode {
  id: number;
  kind: NodeInfo['kind'];
  packageId: number | null;
  userId: number | null;
}

/** Column types for bulk appends. */
export const COLUMN_TYPES = {
  records: [
    BIGINT,
    INTEGER,
    INTEGER,
    DOUBLE,
    INTEGER,
    INTEGER,
    DOUBLE,
    DOUBLE,
    INTEGER,
    INTEGER,
    INTEGER,
    INTEGER,
    INTEGER,
    INTEGER,
    BOOLEAN,
    INTEGER,
  ],
  targets: [BIGINT, INTEGER],
  runs_daily: [INTEGER, INTEGER, INTEGER, INTEGER, BIGINT],
  script_daily: [INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, BIGINT],
  library_daily: [INTEGER, INTEGER, INTEGER, INTEGER, BIGINT],
} satisfies Record<string, DuckDBType[]>;

export type BulkTable = keyof typeof COLUMN_TYPES;
