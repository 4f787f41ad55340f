/**
 * `pyrats report --db FILE` — usage analytics from the store as text, CSV or JSON: packages by users
 * and imports, monthly trend, hosts, most-run scripts, co-usage, a package drill-down, what is missing
 * from a baseline with the greedy what-if cover, and the request queue.
 */
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { listQueue } from '../../../analyzer/requests/queue';
import { jsonForTerminal } from '../../../analyzer/terminalText';
import {
  dayNumber,
  missingFromBaseline,
  resolvePackage,
  storedHosts,
  type UsageFilter,
} from '../../../analyzer/usage/queries';
import {
  buildReport,
  CSV_SECTIONS,
  renderCsv,
  renderText,
  type CsvSection,
} from '../../../analyzer/usage/report';
import { UsageStore } from '../../../analyzer/usage/store';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

const HELP = `Usage: pyrats report --db FILE [--format text|csv|json] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                     [--host H]... [--top N] [--include-stdlib] [--baseline SPEC] [--package NAME]
                     [--requests] [--section S]

Answers from the usage store (see pyrats ingest):
  * packages by distinct users (prevalence) and by imports (runs), with bar charts in text form;
  * trend per month, per host, the most-run scripts, packages used together (co-usage pairs and
    bundles of 3–4 packages, by distinct users);
  * --package NAME: drill-down — its users, scripts, hosts, first and last seen (NAME: the import
    name in any case, e.g. yaml, or the distribution, e.g. PyYAML);
  * --baseline SPEC: packages used but missing from the baseline, ranked by users, and the greedy
    what-if: adding the top N covers X% of users and Y% of runs;
  * --requests: the package request queue.

Definitions: a script record is a record whose source is user code (not inside a standard-library,
site-packages or dist-packages root); the imports of a package are the script records with a target
in it; its users are the distinct users of those records.

Options:
  --db FILE          the usage store (required; opened read-only)
  --format F         text (default), csv (one section, see --section) or json (everything; its
                     "packages" array has package, users, imports, distribution, kind, scripts,
                     hosts, firstSeen, lastSeen per package)
  --since/--until D  inclusive day range (the day the log host received the record)
  --host H           only records from host H (repeatable)
  --top N            rows in text tables, scripts, co-usage pairs and bundles (default 20)
  --include-stdlib   list standard-library packages too
  --baseline SPEC    module:NAME | file:PATH | python:PATH (as for pyrats check)
  --package NAME     drill-down of one package
  --requests         include the request queue
  --section S        CSV section: ${CSV_SECTIONS.join(', ')} (default packages)

Exit status: 0 ok, 2 usage error, 3 the store or the baseline could not be read.
`;

export function parseFilter(values: {
  since?: string;
  until?: string;
  host?: string[];
  'include-stdlib'?: boolean;
}): UsageFilter {
  const filter: UsageFilter = {};
  for (const k of ['since', 'until'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    try {
      dayNumber(v);
    } catch (err) {
      throw new UsageError(`--${k}: ${(err as Error).message}`);
    }
    filter[k] = v;
  }
  if (filter.since && filter.until && filter.since > filter.until)
    throw new UsageError('--since is after --until');
  if (values.host?.length) filter.hosts = values.host;
  if (values['include-stdlib']) filter.includeStdlib = true;
  return filter;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'usage analytics from the store: packages by users and runs, trends, baseline gaps',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: {
        db: { type: 'string' },
        format: { type: 'string', default: 'text' },
        since: { type: 'string' },
        until: { type: 'string' },
        host: { type: 'string', multiple: true },
        top: { type: 'string' },
        'include-stdlib': { type: 'boolean' },
        baseline: { type: 'string' },
        package: { type: 'string' },
        requests: { type: 'boolean' },
        section: { type: 'string' },
      },
    });
    if (!values.db) throw new UsageError('--db FILE is required');
    const format = values.format!;
    if (!['text', 'csv', 'json'].includes(format))
      throw new UsageError(`--format: text, csv or json, not '${format}'`);
    const top = values.top === undefined ? 20 : Number(values.top);
    if (!Number.isInteger(top) || top < 1) throw new UsageError('--top takes a positive whole number');
    const section = (values.section ?? (values.package ? 'users' : 'packages')) as CsvSection;
    if (!(CSV_SECTIONS as readonly string[]).includes(section))
      throw new UsageError(`--section: one of ${CSV_SECTIONS.join(', ')}`);
    const filter = parseFilter(values);
    const baseline = values.baseline ? await loadBaseline(values.baseline) : null;
    const store = await UsageStore.open(values.db, { readOnly: true });
    try {
      if (filter.hosts) {
        const known = await storedHosts(store);
        const unknown = filter.hosts.filter((h) => !known.includes(h));
        if (unknown.length)
          throw new UsageError(
            `--host: no records from ${unknown.map((h) => `'${h}'`).join(', ')} in ${values.db} (hosts: ${
              known.slice(0, 20).join(', ') || 'none'
            }${known.length > 20 ? ', …' : ''})`,
          );
      }
      let drill = values.package;
      if (drill !== undefined) {
        const found = await resolvePackage(store, drill);
        if (found.length === 0)
          throw new UsageError(
            `--package: no package '${drill}' in ${values.db} (an import name such as yaml, or a distribution such as PyYAML)`,
          );
        if (found.length > 1)
          throw new UsageError(`--package: '${drill}' is the distribution of ${found.join(', ')}: name one`);
        drill = found[0];
      }
      const report = await buildReport(store, filter, { top, drillDown: drill });
      if (baseline) {
        const lookup = new BaselineLookup(baseline);
        report.missing = await missingFromBaseline(
          store,
          filter,
          baseline.name,
          (pkg, dist) => Boolean(lookup.get(dist ?? pkg) ?? lookup.get(pkg)),
          top,
        );
        for (const p of baseline.problems)
          io.stderr.write(`pyrats report: baseline ${p.source}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);
      }
      if (values.requests || section === 'requests') report.requests = await listQueue(store);
      if (format === 'json') io.stdout.write(`${jsonForTerminal(report, 2)}\n`);
      else if (format === 'csv') {
        try {
          io.stdout.write(renderCsv(report, section));
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      } else io.stdout.write(renderText(report, top));
    } finally {
      store.close();
    }
    return EXIT.ok;
  },
};
