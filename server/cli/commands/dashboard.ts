/** `pyrats dashboard --db FILE [--port N]` — the usage dashboard on 127.0.0.1, read-only. */
import { startDashboardServer } from '../../dashboard/dashboardServer';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

export const dashboardCommand: CliCommand = {
  name: 'dashboard',
  summary: 'serve the usage dashboard (charts, tables, graph, drill-downs) on 127.0.0.1',
  help: `Usage: pyrats dashboard --db FILE [--port N]

Serves the usage dashboard for the store FILE (see pyrats ingest) at http://127.0.0.1:PORT/ until
interrupted (Ctrl-C). Read-only: the store is opened read-only and only GET requests are answered;
it listens on the loopback interface only. The store is open only while a query runs, so pyrats
ingest can update it meanwhile (reload the page to see the new data); while an ingest writes it,
the page says so (HTTP 503). The page shows packages by users and by imports (bar
charts), the monthly trend, tables with search and sort (packages, hosts, scripts, co-usage,
requests), the aggregated dependency graph, a drill-down per package, a date range and host filter,
and CSV / PNG export. Everything taken from the logs is displayed as text.

JSON API (same filters: since=YYYY-MM-DD, until=YYYY-MM-DD, host=H repeatable, stdlib=1):
  /api/meta  /api/totals  /api/packages  /api/monthly  /api/hosts  /api/scripts  /api/co-usage
  /api/summary (all of the previous six)  /api/package?name=N  /api/graph  /api/requests  /api/bad-lines

Options:
  --db FILE   the usage store (required)
  --port N    port (default 0: a free port; the URL is printed)

Exit status: 0 after an interrupt, 2 usage error, 3 the store could not be opened or the port is taken.
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: { db: { type: 'string' }, port: { type: 'string' } },
    });
    if (!values.db) throw new UsageError('--db FILE is required');
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes 0..65535');
    const server = await startDashboardServer({ db: values.db, port });
    io.stdout.write(`PyRats usage dashboard: ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return EXIT.ok;
  },
};
