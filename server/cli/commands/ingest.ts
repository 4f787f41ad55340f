/**
 * `pyrats ingest PATH... --db FILE` — reads the log host's PyRats files (syslog-ng day files, rotated
 * `.gz` files, directories of them, or `-` for stdin) into the usage store, incrementally.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_USER_PATTERNS,
  NodeDeriver,
  compileUserPatterns,
  defaultDeriveConfig,
  parseDistributionMap,
} from '../../../analyzer/usage/derive';
import {
  ingestInputs,
  inputProblem,
  type IngestProgress,
  type InputReport,
} from '../../../analyzer/usage/ingest';
import { UsageStore, WRITER_LOCK_WAIT_MS } from '../../../analyzer/usage/store';
import { escapeControls, jsonForTerminal } from '../../../analyzer/terminalText';
import { EXIT, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { MODE_OPTION_HELP, modeOption, warnIfStoreReadable } from '../fileModeOption';

const HELP = `Usage: pyrats ingest PATH... --db FILE [--user-pattern PAT]... [--name-map FILE]
                     [--max-report N] [--mode MODE] [--json] [--quiet]

Reads PyRats records and package requests (loggerName=PyRatsRequest) from the log host's files into
the usage store FILE (DuckDB, created when absent).

PATH is a syslog-ng day file (/var/log/pyrats/YYYYMMDD), a rotated .gz file (detected by content),
a directory (its files, in name order, not recursive), a pipe (<(zcat ...), a FIFO), or - for
standard input. Lines may be in
syslog-ng's default format ("Nov 25 06:28:41 HOST Python: ts=...") — the year, absent from that
format, is taken from a YYYYMMDD file name, else the file's modification time — or RFC 5424.

Incremental and idempotent: each input is identified by its first line and first 4 KiB (files that
merely start with the same line are different inputs); the store remembers how far
it was read. Running again adds nothing twice; a file that grew is read from where it stopped; a day
file and its rotated .gz copy are the same input. A last line without a newline is left for the next
run (syslog-ng may be writing it), except in .gz files and on stdin.

Truncated, garbled, over-long and non-UTF-8 lines are counted and reported as FILE:LINE: reason on
stderr (and kept in the store's bad_lines table); they never stop the run.

Options:
  --db FILE           the usage store (required; missing directories are made, mode 0700)
  --user-pattern PAT  where the user name is in a script's path; repeatable, replaces the defaults:
                      ${DEFAULT_USER_PATTERNS.join(' ')}
                      ('*' matches within one component, {user} is the user component)
  --name-map FILE     import_name:distribution lines (pipreqs format) overriding the built-in table
  --max-report N      bad lines listed per input on stderr (default 1000; all are counted)
  --json              print the per-input summary as JSON on stdout
  --quiet             no progress bar, no per-line reports (the summary is still printed)
${MODE_OPTION_HELP}; given, it is also set on an existing store (without it, a
                      store others may read is warned about)

The store takes one writer and no reader meanwhile: a report, export or dashboard query that is
reading it (or another ingest) is waited for up to 60 s; the dashboard opens it only while answering.

Exit status: 0 ok, 1 some lines could not be read, 2 usage error, 3 an input or the store could not
be read (or the store stayed in use by another process), or the store could not be written: a full
disk, an I/O error or a file-size limit stops the run at once with the cause and the file ("No space
left on device: usage.duckdb.wal"); what was committed stays, and running the same command again
once there is room stores exactly what is missing.

Text from the logs (paths, reasons, quoted fields) is printed with control characters escaped (\\x1b).

Examples:
  pyrats ingest /var/log/pyrats --db usage.duckdb
  zcat /archive/pyrats/2026*.gz | pyrats ingest - --db usage.duckdb
`;

/** Files named by the arguments: directories expand to their (non-hidden) files in name order. */
export function expandInputs(paths: string[], exclude: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    if (exclude.has(path.resolve(p))) throw new UsageError(`${p} is the usage store (--db), not a log file`);
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported as unreadable by the ingest
      continue;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        const f = path.join(p, name);
        if (exclude.has(path.resolve(f))) continue; // the store kept beside the logs
        let isDir = false;
        try {
          isDir = statSync(f).isDirectory();
        } catch {
          // a broken link or an entry gone meanwhile: reported as unreadable by the ingest, the rest goes on
        }
        if (!isDir) out.push(f);
      }
    } else out.push(p);
  }
  return out;
}

/**
 * Users and distributions are derived once per path, when it is first seen: --user-pattern and
 * --name-map given to a later run do not change what the store already holds. The settings of the
 * first run are kept in the store, and a run with other ones is told so (and goes on).
 */
async function checkDeriveSettings(
  store: UsageStore,
  db: string,
  userPatterns: string[],
  nameMapText: string | null,
  io: CliIO,
): Promise<void> {
  const settings = JSON.stringify({
    userPatterns,
    nameMap:
      nameMapText === null ? null : createHash('sha256').update(nameMapText).digest('hex').slice(0, 16),
  });
  const kept = await store.getMeta('derive_settings');
  if (kept === null) {
    await store.setMeta('derive_settings', settings);
    return;
  }
  if (kept === settings) return;
  const before = JSON.parse(kept) as { userPatterns: string[]; nameMap: string | null };
  const what: string[] = [];
  if (JSON.stringify(before.userPatterns) !== JSON.stringify(userPatterns))
    what.push(`user patterns ${before.userPatterns.join(' ')}`);
  if (before.nameMap !== JSON.parse(settings).nameMap)
    what.push(before.nameMap === null ? 'no --name-map' : 'another --name-map');
  io.stderr.write(
    `pyrats ingest: ${db} was built with ${what.join(' and ')}; the new settings apply only to paths not ` +
      'seen before (ingest into a new store to apply them to everything)\n',
  );
}

function progressBar(io: CliIO): ((p: IngestProgress) => void) | undefined {
  const err = io.stderr as NodeJS.WriteStream;
  if (!err.isTTY) return undefined;
  const start = Date.now();
  return (p) => {
    const secs = Math.max((Date.now() - start) / 1000, 0.001);
    const mb = p.bytesRead / 1e6;
    const frac = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : null;
    const bar =
      frac === null ? '' : `[${'#'.repeat(Math.round(frac * 30)).padEnd(30)}] ${(frac * 100).toFixed(0)}% `;
    err.write(
      `\r${escapeControls(path.basename(p.path))} ${bar}${mb.toFixed(1)} MB ${(mb / secs).toFixed(1)} MB/s ${p.lines} lines\x1b[K`,
    );
  };
}

function summaryLine(r: InputReport): string {
  const what = `${r.lines} lines: ${r.records} records, ${r.requests} requests, ${r.other} other, ${r.bad} bad`;
  const pending = r.pendingPartialLine ? '; last line incomplete, left for the next run' : '';
  const err = r.error ? ` — ${escapeControls(r.error)}` : '';
  return `${escapeControls(r.path)}: ${r.status}, ${what}${pending}${err}\n`;
}

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'read the log host PyRats files (day files, .gz, stdin) into the usage store',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' },
        'user-pattern': { type: 'string', multiple: true },
        'name-map': { type: 'string' },
        'max-report': { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        mode: { type: 'string' },
      },
    });
    if (!values.db) throw new UsageError('--db FILE is required');
    const fileMode = modeOption(values.mode);
    if (!positionals.length)
      throw new UsageError('name at least one PATH (a file, a directory or - for stdin)');
    const maxReport = values['max-report'] === undefined ? 1000 : Number(values['max-report']);
    if (!Number.isInteger(maxReport) || maxReport < 0)
      throw new UsageError('--max-report takes a whole number');
    const config = defaultDeriveConfig();
    if (values['user-pattern']) {
      try {
        compileUserPatterns(values['user-pattern']);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      config.userPatterns = values['user-pattern'];
    }
    let nameMapText: string | null = null;
    if (values['name-map']) {
      const f = values['name-map'];
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (err) {
        throw new Error(`--name-map ${f}: ${inputProblem(err)}`);
      }
      config.distributions = parseDistributionMap(text, f);
      nameMapText = text;
    }
    // the store and DuckDB's files beside it, when it is kept in the log directory
    const storeFiles = new Set(
      ['', '.wal', '.tmp', '.writer-waiting'].map((suffix) => path.resolve(values.db + suffix)),
    );
    const inputs = expandInputs(positionals, storeFiles);
    if (!inputs.length) {
      io.stderr.write(`pyrats ingest: no files to read in ${positionals.join(', ')}\n`);
      return EXIT.ok;
    }
    if (inputs.filter((p) => p === '-').length > 1) throw new UsageError("'-' (stdin) can be named once");
    // a dashboard or report may be reading the store for a moment: wait for it rather than fail
    warnIfStoreReadable(values.db, fileMode, 'ingest', io);
    const store = await UsageStore.open(values.db, { lockWaitMs: WRITER_LOCK_WAIT_MS, fileMode });
    try {
      await checkDeriveSettings(store, values.db, config.userPatterns, nameMapText, io);
    } catch (err) {
      store.close();
      throw err;
    }
    let reports: InputReport[];
    const bar = values.quiet || values.json ? undefined : progressBar(io);
    try {
      reports = await ingestInputs(store, inputs, {
        deriver: new NodeDeriver(config),
        stdin: io.stdin,
        onProgress: bar,
      });
    } finally {
      store.close();
    }
    if (bar) io.stderr.write('\r\x1b[K');
    for (const r of reports) {
      const where = escapeControls(r.path);
      if (!values.quiet) {
        for (const b of r.badLines.slice(0, maxReport))
          io.stderr.write(`${where}:${b.line}: ${escapeControls(b.reason)}\n`);
        if (r.badLines.length > maxReport)
          io.stderr.write(
            `${where}: … ${r.badLines.length - maxReport} more bad lines (table bad_lines in the store)\n`,
          );
      }
      if (r.status === 'failed')
        io.stderr.write(`pyrats ingest: ${where}: ${escapeControls(r.error ?? '')}\n`);
    }
    if (values.json) {
      io.stdout.write(
        `${jsonForTerminal(
          reports.map((r) => ({ ...r, badLines: r.badLines.slice(0, maxReport) })),
          2,
        )}\n`,
      );
    } else for (const r of reports) io.stdout.write(summaryLine(r));
    if (reports.some((r) => r.status === 'failed')) return EXIT.failure;
    return reports.some((r) => r.bad > 0) ? EXIT.findings : EXIT.ok;
  },
};
