/**
 * Parquet export of the usage store, partitioned by day in Hive layout
 * (`DIR/records/day=2026-11-25/data_0.parquet`), so the same data can be queried by Spark, Trino,
 * ClickHouse or DuckDB itself once a centre outgrows one machine. Tables written: `records`,
 * `targets`, `script_usage` (the daily per-script, per-package aggregate), `requests`; strings are
 * joined back in (no dictionary ids). Does not read logs.
 */
import path from 'node:path';
import { dirModeFor, holdUmask, makePrivateDir, PRIVATE_FILE_MODE } from '../privateFiles';
import type { UsageStore } from './store';
import { dayNumber } from './queries';

export interface ExportResult {
  table: string;
  dir: string;
  rows: number;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export async function exportParquet(
  store: UsageStore,
  dir: string,
  opts: { since?: string; until?: string; fileMode?: number } = {},
): Promise<ExportResult[]> {
  const mode = opts.fileMode ?? PRIVATE_FILE_MODE;
  try {
    makePrivateDir(dir, dirModeFor(mode));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${dir}: cannot make the export directory (${e.code ?? e.message})`);
  }
  const conds: string[] = [];
  if (opts.since) conds.push(`day >= DATE '1970-01-01' + ${dayNumber(opts.since)}`);
  if (opts.until) conds.push(`day <= DATE '1970-01-01' + ${dayNumber(opts.until)}`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const queries: [string, string][] = [
    ['records', `SELECT * FROM records_v ${where}`],
    [
      'targets',
      `SELECT * FROM (SELECT DATE '1970-01-01' + r.day AS day, t.* FROM targets_v t JOIN records r USING (record_id)) ${where}`,
    ],
    ['script_usage', `SELECT * FROM script_usage_v ${where}`],
    [
      'requests',
      `SELECT * FROM (SELECT request_id, DATE '1970-01-01' + day AS day,
         make_timestamp(CAST(received * 1000000 AS BIGINT)) AS received, host, requester, package, reason, preferred,
         script, request_key, message FROM requests) ${where}`,
    ],
  ];
  const results: ExportResult[] = [];
  // DuckDB makes the partition directories and files: they get the mode from the umask
  const releaseUmask = holdUmask(mode);
  try {
    for (const [table, sql] of queries) {
      const target = path.join(dir, table);
      const [{ n }] = await store.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM (${sql})`);
      if (n > 0)
        await store.run(
          `COPY (${sql}) TO ${sqlString(target)} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, COMPRESSION zstd)`,
        );
      results.push({ table, dir: target, rows: n });
    }
  } finally {
    releaseUmask();
  }
  return results;
}
