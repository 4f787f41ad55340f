/**
 * `pyrats dashboard --db FILE [--port N | --socket PATH] [--token-file FILE]` — the usage dashboard
 * on 127.0.0.1 (or a unix socket), read-only, behind a token.
 */
import os from 'node:os';
import { dashboardToken, TOKEN_ENV } from '../../dashboard/dashboardAuth';
import { startDashboardServer, type DashboardServer } from '../../dashboard/dashboardServer';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

/** The lines saying where the dashboard is: the URL with its token, or how to forward the socket. */
function whereToOpen(server: DashboardServer): string {
  if (!server.socketPath) return `PyRats usage dashboard: ${server.loginUrl}\n`;
  const query = server.loginUrl.slice(server.url.length);
  return (
    `PyRats usage dashboard: unix socket ${server.socketPath} (mode 0600)\n` +
    `  from your desktop: ssh -N -L 8765:${server.socketPath} ${os.hostname()}\n` +
    `  then open http://127.0.0.1:8765/${query}\n`
  );
}

export const dashboardCommand: CliCommand = {
  name: 'dashboard',
  summary: 'serve the usage dashboard (charts, tables, graph, drill-downs) on 127.0.0.1, behind a token',
  help: `Usage: pyrats dashboard --db FILE [--port N | --socket PATH] [--token-file FILE]

Serves the usage dashboard for the store FILE (see pyrats ingest) until interrupted (Ctrl-C), and
prints the URL to open: http://127.0.0.1:PORT/?token=TOKEN. Every request needs the token: the first
visit with ?token= sets a cookie (HttpOnly, SameSite=Strict) and redirects to the URL without it;
scripts send the header 'Authorization: token TOKEN'. Anything else gets 401, and a Host header
other than 127.0.0.1, localhost or [::1] at the port gets 421 (no DNS rebinding). The token is new
at each start (192 random bits) unless --token-file or ${TOKEN_ENV} fixes it.

Read-only: the store is opened read-only and only GET requests are answered; it listens on the
loopback interface (or a unix socket) only. The store is open only while a query runs, so pyrats
ingest can update it meanwhile (reload the page to see the new data); while an ingest writes it,
the page says so (HTTP 503). The page shows packages by users and by imports (bar
charts), the monthly trend, tables with search and sort (packages, hosts, scripts, co-usage,
requests), the aggregated dependency graph, a drill-down per package, a date range and host filter,
and CSV / PNG export. Everything taken from the logs is displayed as text.

JSON API (same filters: since=YYYY-MM-DD, until=YYYY-MM-DD, host=H repeatable, stdlib=1):
  /api/meta  /api/totals  /api/packages  /api/monthly  /api/hosts  /api/scripts  /api/co-usage
  /api/bundles  /api/summary (all of the previous seven)  /api/package?name=N  /api/graph
  /api/requests  /api/bad-lines

Options:
  --db FILE           the usage store (required)
  --port N            port on 127.0.0.1 (default 0: a free port; the URL is printed)
  --socket PATH       listen on a unix socket instead (created 0600; for ssh -L forwarding)
  --token-file FILE   a fixed token: read from FILE, or made there (mode 0600) when FILE is absent;
                      a FILE others may read is refused

Environment:
  ${TOKEN_ENV}   a fixed token (32+ printable characters) when --token-file is not given

Exit status: 0 after an interrupt, 2 usage error, 3 the store or token could not be read, or the
port or socket is taken.
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: {
        db: { type: 'string' },
        port: { type: 'string' },
        socket: { type: 'string' },
        'token-file': { type: 'string' },
      },
    });
    if (!values.db) throw new UsageError('--db FILE is required');
    if (values.socket !== undefined && values.port !== undefined)
      throw new UsageError('--port and --socket exclude each other');
    if (values.socket === '') throw new UsageError('--socket takes a path');
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes 0..65535');
    const token = dashboardToken(values['token-file'], process.env);
    const server = await startDashboardServer({ db: values.db, port, socketPath: values.socket, token });
    io.stdout.write(whereToOpen(server));
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
