/**
 * Builds the usage report (one JSON-ready object) from the store and renders it as text, CSV or JSON.
 * JSON is the whole object (its `packages` array holds per package `package`, `users`, `imports`, …);
 * text is a set of aligned tables with the two bar charts (packages by users, by imports); CSV is one
 * chosen section. Runs queries (queries.ts) but parses no flags and prints nothing itself.
 */
import { escapeControls } from '../terminalText';
import type { QueueEntry, UsageOverview } from './answers';
import {
  byHost,
  coUsage,
  drillDown,
  monthlyTrend,
  packageBundles,
  packageUsage,
  topScripts,
  totals,
  type MissingReport,
  type PackageDrillDown,
  type UsageFilter,
} from './queries';
import type { UsageStore } from './store';

export interface UsageReport extends UsageOverview {
  generated: string;
  filter: UsageFilter;
  missing?: MissingReport;
  drillDown?: PackageDrillDown;
  requests?: QueueEntry[];
  /** Lines the ingest could not read, per input. */
  badLines: { path: string; count: number }[];
}

export async function buildReport(
  store: UsageStore,
  filter: UsageFilter,
  opts: { top?: number; drillDown?: string; now?: Date } = {},
): Promise<UsageReport> {
  const top = opts.top ?? 20;
  const report: UsageReport = {
    generated: (opts.now ?? new Date()).toISOString(),
    filter,
    totals: await totals(store, filter),
    packages: await packageUsage(store, filter),
    monthly: await monthlyTrend(store, filter, Math.min(top, 10)),
    hosts: await byHost(store, filter),
    scripts: await topScripts(store, filter, top),
    coUsage: await coUsage(store, filter, top),
    bundles: await packageBundles(store, filter, { limit: top }),
    badLines: await store.rows<{ path: string; count: number }>(
      `SELECT path, bad_lines::DOUBLE AS count FROM sources WHERE bad_lines > 0 ORDER BY path`,
    ),
  };
  if (opts.drillDown) report.drillDown = await drillDown(store, opts.drillDown, filter);
  return report;
}

// ---------- text ----------

function table(headers: string[], rows: (string | number | null)[][], numeric: boolean[]): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function bars(title: string, items: { label: string; value: number }[], width = 40): string {
  if (!items.length) return `${title}\n  (no data)`;
  const max = Math.max(...items.map((i) => i.value), 1);
  const lw = Math.max(...items.map((i) => i.label.length));
  return [
    title,
    ...items.map(
      (i) =>
        `  ${i.label.padEnd(lw)} ${'#'.repeat(Math.max(i.value > 0 ? 1 : 0, Math.round((i.value / max) * width)))} ${i.value}`,
    ),
  ].join('\n');
}

/** Text taken from logs with its terminal control characters escaped. */
function clean(s: string | null): string | null {
  return s === null ? null : escapeControls(s);
}

/** The packages table (top N) and the two bar charts. */
function packageSections(out: string[], r: UsageReport, top: number): void {
  const p = r.packages.slice(0, top);
  out.push(
    table(
      ['package', 'distribution', 'users', 'imports', 'scripts', 'hosts', 'first seen', 'last seen'],
      p.map((x) => [
        clean(x.package),
        clean(x.distribution),
        x.users,
        x.imports,
        x.scripts,
        x.hosts,
        x.firstSeen,
        x.lastSeen,
      ]),
      [false, false, true, true, true, true, false, false],
    ),
  );
  if (r.packages.length > top) out.push(`… ${r.packages.length - top} more (--top N)`);
  out.push('');
  out.push(
    bars(
      'Packages by distinct users',
      p.map((x) => ({ label: clean(x.package)!, value: x.users })),
    ),
  );
  out.push('');
  const byImports = [...r.packages].sort((a, b) => b.imports - a.imports).slice(0, top);
  out.push(
    bars(
      'Packages by imports (runs)',
      byImports.map((x) => ({ label: clean(x.package)!, value: x.imports })),
    ),
  );
}

/** Trend per month, hosts, most-run scripts, co-usage and bundles, each when it has rows. */
function groupSections(out: string[], r: UsageReport): void {
  if (r.monthly.length) {
    out.push('', 'Trend per month (top packages)');
    out.push(
      table(
        ['month', 'package', 'users', 'imports'],
        r.monthly.map((m) => [m.month, clean(m.package), m.users, m.imports]),
        [false, false, true, true],
      ),
    );
  }
  if (r.hosts.length) {
    out.push('', 'By host');
    out.push(
      table(
        ['host', 'users', 'runs', 'scripts', 'packages', 'top packages'],
        r.hosts.map((h) => [
          clean(h.host),
          h.users,
          h.runs,
          h.scripts,
          h.packages,
          clean(h.topPackages.join(', ')),
        ]),
        [false, true, true, true, true, false],
      ),
    );
  }
  if (r.scripts.length) {
    out.push('', 'Most-run scripts');
    out.push(
      table(
        ['script', 'user', 'runs', 'packages'],
        r.scripts.map((s) => [clean(s.script), clean(s.user), s.runs, clean(s.packages.join(', '))]),
        [false, false, true, false],
      ),
    );
  }
  if (r.coUsage.length) {
    out.push('', 'Used together (same scripts)');
    out.push(
      table(
        ['package', 'package', 'users', 'scripts', 'jaccard'],
        r.coUsage.map((c) => [clean(c.a), clean(c.b), c.users, c.scripts, c.jaccard]),
        [false, false, true, true, true],
      ),
    );
  }
  if (r.bundles.length) {
    out.push('', 'Bundles (3–4 packages the same scripts import together)');
    out.push(
      table(
        ['packages', 'users', 'scripts'],
        r.bundles.map((b) => [clean(b.packages.join(' + ')), b.users, b.scripts]),
        [false, true, true],
      ),
    );
  }
}

/** What is missing from the baseline, coverage today, and the greedy what-if. */
function missingSection(out: string[], r: UsageReport, top: number): void {
  if (r.missing) {
    const m = r.missing;
    out.push('', `Missing from baseline ${clean(m.baseline)} (ranked by users)`);
    out.push(
      table(
        ['package', 'distribution', 'users', 'imports'],
        m.missing.slice(0, top).map((x) => [clean(x.package), clean(x.distribution), x.users, x.imports]),
        [false, false, true, true],
      ),
    );
    out.push('', `Covered today: ${m.coveredUsersPct}% of users, ${m.coveredRunsPct}% of runs`);
    out.push('What if (greedy): adding the top N covers');
    out.push(
      table(
        ['N', 'add', 'users', 'covered users %', 'covered runs %'],
        m.whatIf.map((s) => [s.n, clean(s.package), s.users, s.coveredUsersPct, s.coveredRunsPct]),
        [true, false, true, true, true],
      ),
    );
  }
}

/** One package in detail: by user, script and host, and its package neighbours. */
function drillDownSection(out: string[], r: UsageReport): void {
  if (r.drillDown) {
    const d = r.drillDown;
    out.push(
      '',
      `Package ${clean(d.package)} (${clean(d.distribution) ?? '?'}): first seen ${d.firstSeen ?? '-'}, last seen ${d.lastSeen ?? '-'}`,
    );
    out.push(
      table(
        ['user', 'imports', 'scripts', 'first seen', 'last seen'],
        d.users.map((u) => [clean(u.user), u.imports, u.scripts, u.firstSeen, u.lastSeen]),
        [false, true, true, false, false],
      ),
    );
    out.push('');
    out.push(
      table(
        ['script', 'user', 'imports', 'first seen', 'last seen'],
        d.scripts.map((s) => [clean(s.script), clean(s.user), s.imports, s.firstSeen, s.lastSeen]),
        [false, false, true, false, false],
      ),
    );
    out.push('');
    out.push(
      table(
        ['host', 'users', 'imports'],
        d.hosts.map((h) => [clean(h.host), h.users, h.imports]),
        [false, true, true],
      ),
    );
    if (d.importedBy.length)
      out.push(
        '',
        `Imported by packages: ${d.importedBy.map((x) => `${clean(x.package)} (${x.records})`).join(', ')}`,
      );
    if (d.importsPackages.length)
      out.push(
        `Imports packages: ${d.importsPackages.map((x) => `${clean(x.package)} (${x.records})`).join(', ')}`,
      );
  }
}

/** The request queue and the lines the ingest could not read. */
function queueSections(out: string[], r: UsageReport): void {
  if (r.requests?.length) {
    out.push('', 'Requests');
    out.push(
      table(
        ['package', 'status', 'requesters', 'requests', 'reasons'],
        r.requests.map((q) => [
          clean(q.package),
          q.status,
          q.requesters,
          q.requests,
          clean(q.reasons.join(' | ')),
        ]),
        [false, false, true, true, false],
      ),
    );
  }
  if (r.badLines.length) {
    out.push('', 'Unreadable lines at ingest (pyrats ingest lists them by line):');
    for (const b of r.badLines) out.push(`  ${clean(b.path)}: ${b.count}`);
  }
}

export function renderText(r: UsageReport, top = 20): string {
  const out: string[] = [];
  const t = r.totals;
  const range = `${r.filter.since ?? t.firstDay ?? '…'} .. ${r.filter.until ?? t.lastDay ?? '…'}`;
  out.push(`PyRats usage ${range}${r.filter.hosts?.length ? ` on ${r.filter.hosts.join(', ')}` : ''}`);
  out.push(
    `${t.records} records, ${t.scriptRecords} script records (runs), ${t.users} users, ${t.scripts} scripts, ` +
      `${t.hosts} hosts, ${t.thirdPartyPackages} third-party packages`,
  );
  out.push('');
  packageSections(out, r, top);
  groupSections(out, r);
  missingSection(out, r, top);
  drillDownSection(out, r);
  queueSections(out, r);
  return `${out.join('\n')}\n`;
}

// ---------- CSV ----------

export const CSV_SECTIONS = [
  'packages',
  'monthly',
  'hosts',
  'scripts',
  'co-usage',
  'bundles',
  'missing',
  'what-if',
  'users',
  'requests',
] as const;
export type CsvSection = (typeof CSV_SECTIONS)[number];

function csvCell(v: unknown): string {
  // text from logs: control characters escaped, as on the terminal
  const s = escapeControls(v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v));
  // a leading = + - @ would make spreadsheets evaluate the cell: prefix a quote
  // (a plain negative number stays as it is; '-2+3+cmd|…' is a formula, not a number)
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

export function renderCsv(r: UsageReport, section: CsvSection): string {
  switch (section) {
    case 'packages':
      return toCsv(r.packages as unknown as Record<string, unknown>[], [
        'package',
        'distribution',
        'kind',
        'users',
        'imports',
        'scripts',
        'hosts',
        'firstSeen',
        'lastSeen',
      ]);
    case 'monthly':
      return toCsv(r.monthly as unknown as Record<string, unknown>[], [
        'month',
        'package',
        'users',
        'imports',
      ]);
    case 'hosts':
      return toCsv(r.hosts as unknown as Record<string, unknown>[], [
        'host',
        'users',
        'runs',
        'scripts',
        'packages',
        'topPackages',
      ]);
    case 'scripts':
      return toCsv(r.scripts as unknown as Record<string, unknown>[], [
        'script',
        'user',
        'runs',
        'hosts',
        'packages',
        'firstSeen',
        'lastSeen',
      ]);
    case 'co-usage':
      return toCsv(r.coUsage as unknown as Record<string, unknown>[], [
        'a',
        'b',
        'users',
        'scripts',
        'jaccard',
      ]);
    case 'bundles':
      return toCsv(r.bundles as unknown as Record<string, unknown>[], ['packages', 'users', 'scripts']);
    case 'missing':
      if (!r.missing) throw new Error("section 'missing' needs --baseline SPEC");
      return toCsv(r.missing.missing as unknown as Record<string, unknown>[], [
        'package',
        'distribution',
        'users',
        'imports',
      ]);
    case 'what-if':
      if (!r.missing) throw new Error("section 'what-if' needs --baseline SPEC");
      return toCsv(r.missing.whatIf as unknown as Record<string, unknown>[], [
        'n',
        'package',
        'distribution',
        'users',
        'imports',
        'coveredUsersPct',
        'coveredRunsPct',
      ]);
    case 'users':
      if (!r.drillDown) throw new Error("section 'users' needs --package NAME");
      return toCsv(r.drillDown.scripts as unknown as Record<string, unknown>[], [
        'script',
        'user',
        'imports',
        'firstSeen',
        'lastSeen',
      ]);
    case 'requests':
      return toCsv((r.requests ?? []) as unknown as Record<string, unknown>[], [
        'package',
        'status',
        'requesters',
        'requests',
        'reasons',
        'users',
        'hosts',
        'firstRequested',
        'lastRequested',
      ]);
  }
}
