/**
 * `pyrats requests list|approve|reject|mirrored` — the admin's package request queue (requests arrive
 * as loggerName=PyRatsRequest records and are read by pyrats ingest).
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  closeMirrored,
  listQueue,
  mirrorNamesFromText,
  REQUEST_STATUSES,
  setStatus,
  type QueueEntry,
  type RequestStatus,
} from '../../../analyzer/requests/queue';
import { escapeControls, jsonForTerminal } from '../../../analyzer/terminalText';
import { toCsv } from '../../../analyzer/usage/report';
import { UsageStore, WRITER_LOCK_WAIT_MS } from '../../../analyzer/usage/store';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

const HELP = `Usage: pyrats requests list --db FILE [--status S]... [--format text|json|csv] [--mirror-index SRC]...
       pyrats requests approve NAME... --db FILE [--note TEXT] [--force]
       pyrats requests reject NAME... --db FILE [--note TEXT] [--force]
       pyrats requests mirrored NAME... --db FILE [--note TEXT] [--force]

The package request queue: requests grouped by package (PEP 503-normalised name) with the number of
distinct requesters, the number of requests (a re-sent request counts once), their reasons and a
status: new, approved, rejected or mirrored.

list options:
  --status S          only entries with this status (repeatable)
  --format F          text (default), json or csv
  --mirror-index SRC  a mirror index (file path or http(s) URL): PEP 691 JSON or PEP 503 HTML root,
                      conda repodata.json/channeldata.json, or a plain list of names. Requests the
                      mirror now has are closed as 'mirrored' before listing (repeatable).
approve / reject / mirrored:
  --note TEXT         kept with the status
  --force             also for names nobody requested (pre-approval)

Approved requests feed pyrats mirror-lists.
Exit status: 0 ok, 2 usage error, 3 the store or a mirror index could not be read.
`;

async function readSource(src: string): Promise<string> {
  if (/^https?:\/\//.test(src)) {
    const res = await fetch(src, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`${src}: HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > 200 << 20) throw new Error(`${src}: larger than 200 MB`);
    return text;
  }
  return readFileSync(src, 'utf8');
}

function render(entries: QueueEntry[], format: string): string {
  if (format === 'json') return `${jsonForTerminal(entries, 2)}\n`;
  if (format === 'csv')
    return toCsv(entries as unknown as Record<string, unknown>[], [
      'package',
      'status',
      'requesters',
      'requests',
      'reasons',
      'preferred',
      'users',
      'hosts',
      'firstRequested',
      'lastRequested',
      'note',
    ]);
  if (!entries.length) return 'No requests.\n';
  const clean = escapeControls;
  const w = Math.max(7, ...entries.map((e) => e.package.length));
  const lines = [`${'package'.padEnd(w)}  status    requesters  requests  last requested  reasons`];
  for (const e of entries)
    lines.push(
      `${clean(e.package).padEnd(w)}  ${e.status.padEnd(8)}  ${String(e.requesters).padStart(10)}  ${String(e.requests).padStart(8)}  ${e.lastRequested.slice(0, 10).padEnd(14)}  ${clean(e.reasons.join(' | ')).slice(0, 120)}`,
    );
  return `${lines.join('\n')}\n`;
}

export const requestsCommand: CliCommand = {
  name: 'requests',
  summary: 'the package request queue: list, approve, reject',
  help: HELP,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (!verb || !['list', 'approve', 'reject', 'mirrored'].includes(verb))
      throw new UsageError('first argument: list, approve, reject or mirrored');
    const { values, positionals } = parseCommandArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' },
        status: { type: 'string', multiple: true },
        format: { type: 'string', default: 'text' },
        'mirror-index': { type: 'string', multiple: true },
        note: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
    if (!values.db) throw new UsageError('--db FILE is required');
    // only a pre-approval (--force) makes a new store; a mistyped --db must not leave an empty one
    if (!values.force && !existsSync(values.db))
      throw new Error(
        `${values.db}: no such usage store (pyrats ingest makes it; --force to set a status in a new one)`,
      );
    if (verb === 'list') {
      if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const statuses = values.status ?? [];
      for (const s of statuses)
        if (!(REQUEST_STATUSES as readonly string[]).includes(s))
          throw new UsageError(`--status: one of ${REQUEST_STATUSES.join(', ')}`);
      if (!['text', 'json', 'csv'].includes(values.format!))
        throw new UsageError('--format: text, json or csv');
      const mirrored = new Set<string>();
      for (const src of values['mirror-index'] ?? [])
        for (const n of mirrorNamesFromText(await readSource(src), src)) mirrored.add(n);
      const store = await UsageStore.open(values.db, {
        readOnly: !values['mirror-index']?.length,
        lockWaitMs: values['mirror-index']?.length ? WRITER_LOCK_WAIT_MS : 0,
      });
      try {
        if (values['mirror-index']?.length) {
          const closed = await closeMirrored(store, (n) => mirrored.has(n));
          if (closed.length) io.stderr.write(`closed as mirrored: ${escapeControls(closed.join(', '))}\n`);
        }
        const entries = await listQueue(
          store,
          statuses.length ? { status: statuses as RequestStatus[] } : {},
        );
        io.stdout.write(render(entries, values.format!));
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    if (!positionals.length) throw new UsageError(`${verb}: name at least one package`);
    const store = await UsageStore.open(values.db, { lockWaitMs: WRITER_LOCK_WAIT_MS }); // a dashboard query may be reading it
    try {
      const status: RequestStatus =
        verb === 'approve' ? 'approved' : verb === 'reject' ? 'rejected' : 'mirrored';
      let names: string[];
      try {
        names = await setStatus(store, positionals, status, {
          note: values.note ?? null,
          allowUnrequested: values.force,
        });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      io.stdout.write(`${status}: ${escapeControls(names.join(', '))}\n`);
    } finally {
      store.close();
    }
    return EXIT.ok;
  },
};
