/**
 * A usage filter (day range, hosts, stdlib or not) as SQL over the store: conditions and parameters,
 * and the usage rows to read — the monthly rollups for whole months inside the range (unless an
 * interrupted ingest left them stale), the daily rows for the rest. Used by queries.ts.
 */
import { monthOfDay } from './storeSchema';

export interface UsageFilter {
  /** Inclusive `YYYY-MM-DD` bounds on the day the log host received the record. */
  since?: string;
  until?: string;
  /** Only these hosts (as the log host wrote them). */
  hosts?: string[];
  /** Also list standard-library packages (default: third-party only). */
  includeStdlib?: boolean;
}

const DAY_MS = 86_400_000;

export function dayNumber(isoDay: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(isoDay);
  if (!m) throw new Error(`'${isoDay}' is not a YYYY-MM-DD date`);
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const d = new Date(t);
  if (d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3])
    throw new Error(`'${isoDay}' is not a real date`);
  return Math.floor(t / DAY_MS);
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

interface Where {
  /** Conditions on the alias (hosts; for `records`, days too). */
  sql: string;
  params: (string | number)[];
  /**
   * Derived tables of the usage rows in the filter's day range, with `day` (first day) and `day_last`:
   * the monthly rollups for the whole months inside the range, the daily rows for the rest.
   */
  script: string;
  runs: string;
  library: string;
}

/** Day ranges of a filter: whole months (monthly rollups) and the leftover days (daily rows). */
function plan(filter: UsageFilter): { months: [number, number] | null; days: [number, number][] } {
  const since = filter.since ? dayNumber(filter.since) : null;
  const until = filter.until ? dayNumber(filter.until) : null;
  if (since === null && until === null) return { months: [-1e9, 1e9], days: [] };
  const lo = since ?? -1e9;
  const hi = until ?? 1e9;
  if (lo > hi) return { months: null, days: [] };
  const firstFull = since === null ? -1e9 : monthOfDay(since)[0] === since ? since : monthOfDay(since)[1] + 1;
  const lastFull = until === null ? 1e9 : monthOfDay(until)[1] === until ? until : monthOfDay(until)[0] - 1;
  if (firstFull > lastFull) return { months: null, days: [[lo, hi]] };
  const days: [number, number][] = [];
  if (lo < firstFull) days.push([lo, firstFull - 1]);
  if (hi > lastFull) days.push([lastFull + 1, hi]);
  return { months: [firstFull, lastFull], days };
}

/** First day (days since 1970-01-01) of the month holding the integer day column or expression `day`. */
const monthStartSql = (day: string) =>
  `date_diff('day', DATE '1970-01-01', date_trunc('month', DATE '1970-01-01' + ${day})::DATE)`;

/**
 * Months whose rollups are stale: an ingest committed rows of their days and was interrupted before
 * compacting them (pending_days). Their figures are read from the daily rows until the next ingest.
 */
const STALE_MONTHS = `(SELECT DISTINCT ${monthStartSql('day')} FROM pending_days)`;

function rowsOf(table: 'script' | 'runs' | 'library', cols: string, p: ReturnType<typeof plan>): string {
  const parts: string[] = [];
  const dayRanges = p.days.map(([a, b]) => `day BETWEEN ${a} AND ${b}`);
  if (p.months)
    dayRanges.push(
      `(day BETWEEN ${p.months[0]} AND ${p.months[1]} AND ${monthStartSql('day')} IN ${STALE_MONTHS})`,
    );
  if (dayRanges.length)
    parts.push(`SELECT day, day AS day_last, ${cols} FROM ${table}_daily WHERE ${dayRanges.join(' OR ')}`);
  if (p.months)
    parts.push(
      `SELECT first_day AS day, last_day AS day_last, ${cols} FROM ${table}_monthly WHERE month_start >= ${p.months[0]} AND month_end <= ${p.months[1]} AND month_start NOT IN ${STALE_MONTHS}`,
    );
  if (!parts.length) parts.push(`SELECT day, day AS day_last, ${cols} FROM ${table}_daily WHERE FALSE`);
  return `(${parts.join(' UNION ALL ')})`;
}

/** SQL conditions, parameters and usage-row sources for a filter (usage tables aliased `d`). */
export function where(filter: UsageFilter, alias = 'd'): Where {
  const conds: string[] = ['TRUE'];
  const params: (string | number)[] = [];
  if (alias !== 'd') {
    if (filter.since) {
      params.push(dayNumber(filter.since));
      conds.push(`${alias}.day >= $${params.length}`);
    }
    if (filter.until) {
      params.push(dayNumber(filter.until));
      conds.push(`${alias}.day <= $${params.length}`);
    }
  }
  if (filter.hosts?.length) {
    const ph = filter.hosts.map((h) => {
      params.push(h);
      return `$${params.length}`;
    });
    conds.push(`${alias}.host_id IN (SELECT string_id FROM strings WHERE value IN (${ph.join(', ')}))`);
  }
  const p = plan(filter);
  return {
    sql: conds.join(' AND '),
    params,
    script: rowsOf('script', 'host_id, user_id, script_node_id, package_id, runs', p),
    runs: rowsOf('runs', 'host_id, user_id, script_node_id, runs', p),
    library: rowsOf('library', 'host_id, src_package_id, dst_package_id, records', p),
  };
}

export function kinds(filter: UsageFilter): string {
  return filter.includeStdlib ? `p.kind IN ('thirdParty', 'stdlib')` : `p.kind = 'thirdParty'`;
}
