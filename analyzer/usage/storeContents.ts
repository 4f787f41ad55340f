/**
 * What the usage store holds besides usage answers (queries.ts): the days and hosts its script
 * records cover, and the ingested inputs that had unreadable lines. Reads the store only; formats
 * nothing (the dashboard API serves both as they are).
 */
import type { SourceBadLines, StoreCoverage } from './answers';
import type { UsageStore } from './store';
import { isoDay } from './usageFilter';

/** First and last day, and the hosts, of the script records (daily rows, so every ingested day). */
export async function storeCoverage(store: UsageStore): Promise<StoreCoverage> {
  const [range] = await store.rows<{ first: number | null; last: number | null }>(
    `SELECT min(day)::INTEGER AS first, max(day)::INTEGER AS last FROM runs_daily`,
  );
  const hosts = await store.rows<{ host: string }>(
    `SELECT DISTINCT s.value AS host FROM runs_daily d JOIN strings s ON s.string_id = d.host_id ORDER BY host`,
  );
  return {
    firstDay: range.first === null ? null : isoDay(range.first),
    lastDay: range.last === null ? null : isoDay(range.last),
    hosts: hosts.map((h) => h.host),
  };
}

/** The inputs with lines the ingest could not read, in path order. */
export function sourcesWithBadLines(store: UsageStore): Promise<SourceBadLines[]> {
  return store.rows<SourceBadLines>(
    `SELECT path, bad_lines::DOUBLE AS bad, lines::DOUBLE AS lines FROM sources WHERE bad_lines > 0 ORDER BY path`,
  );
}
