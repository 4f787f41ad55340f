/**
 * `pyrats emit SCRIPT --to udp://HOST:PORT|tcp://HOST:PORT` — sends the PyRats records of a script
 * (one datagram per source file of its follow closure, byte-identical to what PyRats sends), or with
 * `--dry-run` prints them. Honours `PYRATS_DISABLE=1`.
 */
import { deferredWritesDone } from '../../../analyzer/deferredWrites';
import type { Environment } from '../../../analyzer/env/environment';
import type { FollowResult } from '../../../analyzer/graph/follow';
import { planRecords } from '../../../analyzer/pyrats/emitRecords';
import {
  defaultHomes,
  parseRedactMode,
  redactPath,
  type RedactOptions,
} from '../../../analyzer/pyrats/redactPath';
import { parseSyslogTarget, sendSyslog, type SyslogTarget } from '../../../analyzer/pyrats/syslogTransport';
import { bundlePath } from '../bundle';
import { EMIT_FLAGS, flagOverrides, legacyTimeout, loadCliConfig } from '../cliConfig';
import { followForCli } from '../followClosure';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';

const HELP = `Usage: pyrats emit SCRIPT --to udp://HOST:PORT|tcp://HOST:PORT[?framing=octet-counting] [options]

Sends the PyRats records of SCRIPT to the centre's log host: one syslog datagram per source file of
its follow closure (see 'pyrats deps'), byte for byte what PyRats' sitecustomize.py sends:
  <14>Python: ts=LOCAL TIME,mmm;loggerName=PyRats;pathName=…;python=…;logRecordCreationTime=…;
  levelNo=20;levelName=INFO;message=((('root', 'file'), ('root', 'file'))),(…)  + a NUL byte
UDP sends one datagram per record (what PyRats does), paced by the socket's back-pressure; it cannot
confirm arrival, and the summary counts every record that could not be sent. TCP sends them on one
connection, one per line (syslog-ng network()), or with ?framing=octet-counting as RFC 6587 octet
counting (syslog-ng syslog(), rsyslog); it counts the records delivered only when the log host closes
the connection cleanly after reading them. Messages too long for one record are split into several,
each made of whole tuples.

Options:
  --to URL           log host: udp://HOST:PORT, tcp://HOST:PORT or
                     tcp://HOST:PORT?framing=octet-counting (default: [emit] to of the
                     configuration, see 'pyrats config'; required unless --dry-run)
  --python P         target interpreter (default python3): resolves the imports and is the python= field
  --env FILE         use a saved environment snapshot instead of running an interpreter
  --path-name P      the pathName= field (PyRats writes its sitecustomize.py; default: this program)
  --redact MODE      none (default, as PyRats; or [emit] redact), home (home directory -> ~), or hash (also hash the
                     names below it, keeping extensions)
  --dry-run          print exactly what would be sent, one line per record (each datagram also ends
                     with a NUL byte, not printed); send nothing
  --timeout T        bound for sending: name lookup, connect, send; seconds (3, 0.5) or 500ms, 2s
                     (default 3s, or the configured timeout); a bare number above 120 is read as
                     milliseconds, the old unit
  --quiet            do not report unreadable files of the closure
  --no-cache         do not use or write the caches of interpreters, extracted imports and closures
                     (see 'pyrats deps')

Sending never waits longer than --timeout; when the log host cannot be reached a single warning says
so on stderr. PYRATS_DISABLE=1 in the environment: nothing is sent (and the command says so).

Exit status: 0 sent (or disabled), 2 usage error, 3 the script or interpreter failed, or some records
could not be sent (the summary says how many).
`;

export const emitCommand: CliCommand = {
  name: 'emit',
  summary: 'send the PyRats records of a script to a log host (UDP/TCP syslog), or --dry-run them',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    try {
      return await emit(args, io);
    } finally {
      // the caches are written while the records go out; none is lost when the command ends
      await deferredWritesDone();
    }
  },
};

/** What `pyrats emit` does, its caches' writes aside. */
async function emit(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      python: { type: 'string' },
      env: { type: 'string' },
      'path-name': { type: 'string' },
      redact: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
    },
  });
  const { values: o, positionals } = parsed;
  refuseEmptyValues(o);
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? 'give one SCRIPT' : 'no SCRIPT given');
  // '' is no path: resolved, it would stand for the working directory (an unset shell variable)
  if (positionals.includes('')) throw new UsageError("an empty SCRIPT argument ''");
  if (o.env && o.python) throw new UsageError('--env and --python exclude each other');
  const dryRun = o['dry-run'];
  let target: SyslogTarget | undefined;
  const config = loadCliConfig(
    io,
    'emit',
    flagOverrides({ to: o.to, redact: o.redact }, EMIT_FLAGS),
    positionals,
  );
  const to = config.values['emit.to'];
  if (to) {
    try {
      target = parseSyslogTarget(to);
    } catch (err) {
      throw new UsageError(`--to: ${(err as Error).message}`);
    }
  } else if (!dryRun)
    throw new UsageError(
      '--to udp://HOST:PORT or tcp://HOST:PORT is required (or --dry-run, or [emit] to in the configuration)',
    );
  const timeoutMs = legacyTimeout(o.timeout, io, 'emit') ?? config.values.timeout ?? 3000;
  let redact: RedactOptions;
  try {
    redact = { mode: parseRedactMode(config.values['emit.redact'] ?? 'none'), homes: defaultHomes() };
  } catch (err) {
    throw new UsageError(`--redact: ${(err as Error).message}`);
  }
  const disabled = process.env.PYRATS_DISABLE === '1';
  if (disabled && !dryRun) {
    io.stdout.write('PYRATS_DISABLE=1: records are disabled, nothing was sent\n');
    return EXIT.ok;
  }

  let env: Environment;
  let result: FollowResult;
  try {
    // a notebook's records: its code as `jupyter nbconvert --to script` exports it
    ({ result, env } = await followForCli(positionals, o, {
      profile: 'compat',
      extraction: { notebookReading: 'script' },
    }));
  } catch (err) {
    io.stderr.write(`pyrats emit: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  for (const p of result.problems) {
    const fatal = p.kind === 'missing' || p.kind === 'not-python';
    if (fatal || !o.quiet) {
      io.stderr.write(
        `pyrats emit: ${p.file}${p.line !== undefined ? `:${p.line + 1}` : ''}: ${p.message}\n`,
      );
    }
    if (fatal) return EXIT.failure;
  }

  const plan = planRecords(result.sources, {
    pathName: redactPath(o['path-name'] ?? bundlePath(), redact),
    python: redactPath(env.executable, redact),
    redact,
  });
  for (const d of plan.dropped) {
    io.stderr.write(
      `pyrats emit: edge ${d.from.join('/')} -> ${d.to.join('/')} alone exceeds the record limit; left out\n`,
    );
  }
  if (dryRun) {
    if (disabled)
      io.stderr.write('pyrats emit: note: PYRATS_DISABLE=1 is set, so a real run would send nothing\n');
    io.stdout.write(plan.datagrams.map((d) => `${d.toString('utf8', 0, d.length - 1)}\n`).join(''));
    return EXIT.ok;
  }
  if (!plan.datagrams.length) {
    io.stdout.write('no records: the script has no dependencies PyRats would report\n');
    return EXIT.ok;
  }
  const sent = await sendSyslog(target!, plan.datagrams, { timeoutMs });
  const total = plan.datagrams.length;
  if (sent.error || sent.failed) {
    io.stderr.write(
      `pyrats emit: warning: ${sent.error ?? 'not every record went out'}; ${sent.failed} of ${total} record(s) not sent\n`,
    );
    if (sent.sent) io.stdout.write(`sent ${sent.sent} of ${total} record(s) to ${sent.target}\n`);
    return EXIT.failure;
  }
  io.stdout.write(
    sent.confirmed
      ? `sent ${sent.sent} record(s) to ${sent.target} (delivered: the log host closed the connection cleanly)\n`
      : `sent ${sent.sent} record(s) to ${sent.target} (UDP: arrival unconfirmed)\n`,
  );
  return EXIT.ok;
}
