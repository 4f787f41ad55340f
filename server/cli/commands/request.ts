/**
 * `pyrats request NAME...` — ask the centre for missing distributions: builds a `pyrats-request/1`,
 * sends it to every destination (syslog record, webhook, mailto link), keeps failed deliveries in the
 * outbox and retries them with `--retry`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checker } from '../../../analyzer/check/checker';
import { readCellLines } from '../../../analyzer/notebook/readNotebook';
import type { Verdict } from '../../../analyzer/check/verdict';
import { ImportExtractor } from '../../../analyzer/extract/extractImports';
import { NameMap, condaNameFor, normalizeName } from '../../../analyzer/names/nameMap';
import {
  defaultHomes,
  parseRedactMode,
  redactPath,
  type RedactOptions,
} from '../../../analyzer/pyrats/redactPath';
import {
  RequestOutbox,
  defaultOutboxDir,
  type OutboxListing,
  retryOutbox,
  submitRequest,
} from '../../../analyzer/requests/outbox';
import {
  DISTRIBUTION_NAME,
  PREFERRED_SOURCE,
  createPackageRequest,
  requestToJson,
  type PackageRequest,
  type RequestedPackage,
} from '../../../analyzer/pyrats/packageRequest';
import {
  parseRequestSink,
  requestDatagram,
  type DeliveryOptions,
  type DeliveryResult,
  type RequestSink,
} from '../../../analyzer/requests/requestSinks';
import { bundlePath } from '../bundle';
import { flagOverrides, legacyTimeout, loadCliConfig, REQUEST_FLAGS } from '../cliConfig';
import { EXIT, UsageError, type CliCommand, type CliIO, parseCommandArgs } from '../command';

const HELP = `Usage: pyrats request NAME... [--reason TEXT] [--to SINK]... [options]
       pyrats request --script FILE --baseline SPEC [--mirror URL]... --to SINK   (what FILE misses)
       pyrats request --retry | --list [--outbox DIR]

Asks the centre to provide the Python distributions NAME... (PyPI or conda names). The request
(format pyrats-request/1, documented in the README) carries the packages, the import lines that need
them, the baseline name, what the mirror has, your user name, host and (redacted) script path.

Destinations (SINK; repeat --to, or set PYRATS_REQUEST_TO to a comma-separated list, or [requests] to
in the configuration: see 'pyrats config'):
  udp://HOST:PORT, tcp://HOST:PORT  a syslog record (loggerName=PyRatsRequest, JSON message)
  http://URL, https://URL           a webhook: POST of the JSON (2xx = accepted)
  mailto:ADDRESS                    an e-mail link to open in your mail program (the fallback)

A request leaves the outbox only when its delivery is confirmed: a webhook answered 2xx, or a TCP log
host read the records and closed the connection cleanly. UDP cannot be confirmed: such a delivery is
reported "sent, unconfirmed" (use tcp:// or a webhook for requests). A delivery that fails is reported
and kept in the outbox with the reason and the next attempt's time; --retry sends it again (same
request id), each destination's entries one at a time over one connection. A malformed outbox entry
is moved to <outbox>/bad/ with a .reason file, and named.

Options:
  --reason TEXT          why you need them
  --source SRC           preferred source: pypi or conda:CHANNEL
  --to SINK              destination (repeatable)
  --script FILE          the script that needs them: its import lines become the evidence
  --baseline SPEC        the baseline (module:NAME, file:PATH, python:PATH); with --script, the script
                         is checked against it: evidence, the baseline's versions and the mirror's
                         offer come from the check, and without NAMEs everything missing is requested
  --mirror URL           mirror to consult with --script (conda channel or PyPI index; repeatable)
  --python P             interpreter named in the syslog record (default python3)
  --packages-json FILE   packages with evidence and mirror data as JSON ('-' = stdin; used by the editor)
  --redact MODE          paths: home (default, home dir -> ~), hash, or none
  --header 'NAME: VALUE' extra HTTP header for webhooks (repeatable), e.g. an Authorization token
  --timeout T            bound for each delivery: name lookup, connect, send; seconds (5, 0.5) or
                         500ms, 2s (default 5s, or the configured timeout); a bare number above 120
                         is read as milliseconds, the old unit
  --outbox DIR           outbox directory (default $PYRATS_OUTBOX or ~/.local/state/pyrats/outbox)
  --dry-run              print the request and what would be sent where; send nothing
  --retry                send every waiting request again
  --list                 list the waiting requests
  --json                 machine-readable output

Exit status: 0 everything delivered (or sent unconfirmed), 2 usage error, 3 a delivery failed (kept
in the outbox) or a malformed outbox entry was set aside.
`;

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}

interface PackagesInput {
  script?: string | null;
  baseline?: string | null;
  packages: RequestedPackage[];
}

function readPackagesJson(file: string, io: CliIO): Promise<PackagesInput> {
  const parse = (text: string): PackagesInput => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--packages-json ${file}: not JSON (${(err as Error).message})`);
    }
    const v = value as PackagesInput;
    if (!v || typeof v !== 'object' || !Array.isArray(v.packages)) {
      throw new UsageError(`--packages-json ${file}: expected {"packages": [...]}`);
    }
    return v;
  };
  if (file !== '-') {
    try {
      return Promise.resolve(parse(readFileSync(file, 'utf8')));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new Error(`--packages-json ${file}: ${(err as Error).message}`);
    }
  }
  return new Promise((resolve, reject) => {
    let text = '';
    io.stdin.setEncoding?.('utf8');
    io.stdin.on('data', (c: string | Buffer) => {
      text += c.toString();
      if (text.length > 4 * 1024 * 1024)
        reject(new UsageError('--packages-json -: more than 4 MiB on stdin'));
    });
    io.stdin.on('end', () => {
      try {
        resolve(parse(text));
      } catch (err) {
        reject(err);
      }
    });
    io.stdin.on('error', reject);
  });
}

/** Import lines of `script` that need distribution `name` (matched through the import-name table). */
async function evidenceFromScript(
  script: string,
  names: string[],
  redact: RedactOptions,
): Promise<{ packages: RequestedPackage[]; problems: string[] }> {
  const extractor = await ImportExtractor.create();
  try {
    const result = await extractor.extractFile(script);
    const problems = result.problems.map((p) => `${script}: ${p.message}`);
    let lines: string[] = [];
    try {
      lines = readFileSync(script, 'utf8').split(/\r?\n/);
    } catch {
      // the extractor already reported it
    }
    const nameMap = new NameMap();
    const packages = names.map((name) => {
      const wanted = normalizeName(name);
      const conda = condaNameFor(name).toLowerCase();
      const sites = result.sites.filter((s) => {
        if (!s.module || s.level > 0) return false;
        return nameMap
          .candidates(s.module)
          .some((c) => c.normalized === wanted || c.conda.toLowerCase() === conda);
      });
      return {
        name,
        imports: [...new Set(sites.map((s) => s.module!.split('.')[0]))],
        evidence: sites.map((s) => ({
          file: redactPath(path.resolve(script), redact),
          line: s.statementRange.start.line + 1,
          text: lines[s.statementRange.start.line] ?? '',
        })),
        baselineVersion: null,
        mirror: [],
      } satisfies RequestedPackage;
    });
    return { packages, problems };
  } finally {
    extractor.dispose();
  }
}

/**
 * With a baseline or mirror named: checks `script` (analyzer/check) and takes from its verdicts the
 * evidence, the baseline's version and what the mirror has. Without NAMEs, every distribution the
 * check finds missing from the baseline (missing everywhere, or only on the mirror) is requested.
 */
async function packagesFromCheck(
  script: string,
  names: string[],
  options: { baseline?: string; mirrors: string[]; python?: string },
  redact: RedactOptions,
): Promise<{ packages: RequestedPackage[]; problems: string[] }> {
  const checker = await Checker.create({
    baseline: options.baseline,
    mirrors: options.mirrors,
    python: options.python,
  });
  try {
    const problems = checker.problems.map((p) => `${p.area} ${p.source}: ${p.message}`);
    const check = await checker.checkFileDetailed(script);
    problems.push(...check.problems.map((p) => `${script}: ${p.message}`));
    let lines: string[] = [];
    try {
      lines = readFileSync(script, 'utf8').split(/\r?\n/);
    } catch {
      // reported by the check
    }
    // a notebook: evidence lines are read from the cell (v.site.cell), not from the JSON
    const cellLines = check.notebook ? readCellLines(script) : [];
    const wantedNames = names.length
      ? names
      : [
          ...new Map(
            check.verdicts
              // what a notebook installs itself (`%pip install`) is not requested
              .filter(
                (v) => (v.kind === 'missing' || v.kind === 'mirror') && v.candidates.length && !v.installedBy,
              )
              .map((v) => [normalizeName(v.candidates[0].pypi), v.candidates[0].pypi] as const),
          ).values(),
        ];
    const matches = (v: Verdict, name: string): boolean => {
      const wanted = normalizeName(name);
      return v.candidates.some(
        (c) => normalizeName(c.pypi) === wanted || c.conda.toLowerCase() === name.toLowerCase(),
      );
    };
    const packages = wantedNames.map((name) => {
      const verdicts = check.verdicts.filter((v) => matches(v, name));
      const withMirror = verdicts.find((v) => v.mirror.some((m) => m.provides !== false));
      return {
        name,
        imports: [...new Set(verdicts.map((v) => v.topLevel))],
        evidence: verdicts.map((v) => ({
          file: redactPath(check.file, redact),
          line: v.site.statementRange.start.line + 1,
          text:
            (v.site.cell !== undefined ? cellLines[v.site.cell] : lines)?.[
              v.site.statementRange.start.line
            ] ?? '',
        })),
        baselineVersion: verdicts.find((v) => v.baseline?.version)?.baseline?.version ?? null,
        mirror: (withMirror?.mirror ?? [])
          .filter((m) => m.provides !== false)
          .map((m) => ({
            kind: m.kind,
            source: m.kind === 'conda' ? m.label : m.source,
            versions: [...m.versions].reverse(),
          })),
      } satisfies RequestedPackage;
    });
    return { packages, problems };
  } finally {
    checker.dispose();
  }
}

function printResults(io: CliIO, results: DeliveryResult[], outboxDir: string): void {
  for (const r of results) {
    if (r.status === 'delivered') io.stdout.write(`delivered: ${r.detail}\n`);
    else if (r.status === 'unconfirmed') {
      io.stdout.write(`sent, unconfirmed: ${r.detail}\n`);
      if (r.kind === 'syslog')
        io.stdout.write('  UDP cannot confirm arrival; use tcp:// or a webhook for requests\n');
    } else {
      const next = r.nextAttempt ? `; next attempt after ${r.nextAttempt}` : '';
      io.stdout.write(
        `FAILED: ${r.error ?? r.detail}\n  kept in the outbox (${outboxDir})${next}; retry with: pyrats request --retry\n`,
      );
    }
    if (r.link) io.stdout.write(`  open this link to send the e-mail:\n  ${r.link}\n`);
  }
}

/** One line per malformed entry set aside, one per unreadable file left in place. */
function reportBadEntries(io: CliIO, listing: Pick<OutboxListing, 'bad' | 'unreadable'>): void {
  for (const b of listing.bad) {
    io.stderr.write(
      `pyrats request: malformed outbox entry ${b.file} (${b.reason}); moved to ${b.movedTo}\n`,
    );
  }
  for (const u of listing.unreadable) {
    io.stderr.write(`pyrats request: ${u.file}: unreadable outbox entry, left in place: ${u.error}\n`);
  }
}

function printListing(io: CliIO, listing: OutboxListing, outboxDir: string): void {
  const { entries, sending, unconfirmed } = listing;
  io.stdout.write(`${entries.length} request delivery(ies) waiting in ${outboxDir}\n`);
  if (sending.length) io.stdout.write(`${sending.length} being delivered right now by another process\n`);
  for (const e of entries) {
    io.stdout.write(
      `  ${e.request.id} ${e.request.packages.map((p) => p.name).join(', ')} -> ${e.sink} ` +
        `(${e.attempts} attempt(s); last error: ${e.lastError ?? 'none'}` +
        `${e.nextAttempt ? `; next attempt after ${e.nextAttempt}` : ''})\n`,
    );
  }
  if (unconfirmed.length) io.stdout.write(`${unconfirmed.length} sent, unconfirmed (UDP):\n`);
  for (const e of unconfirmed) {
    io.stdout.write(
      `  ${e.request.id} ${e.request.packages.map((p) => p.name).join(', ')} -> ${e.sink} (sent ${e.lastAttempt})\n`,
    );
  }
}

function parseRequestArgs(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      source: { type: 'string' },
      to: { type: 'string', multiple: true },
      script: { type: 'string' },
      baseline: { type: 'string' },
      mirror: { type: 'string', multiple: true },
      python: { type: 'string' },
      'packages-json': { type: 'string' },
      redact: { type: 'string' },
      header: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      outbox: { type: 'string' },
      'dry-run': { type: 'boolean' },
      retry: { type: 'boolean' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
}

type RequestFlags = ReturnType<typeof parseRequestArgs>['values'];

/** `--header 'Name: value'` for webhooks. */
function webhookHeaders(headers: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(h);
    if (!m) throw new UsageError(`--header '${h}': expected 'Name: value'`);
    out[m[1]] = m[2];
  }
  return out;
}

function redactOptions(o: RequestFlags): RedactOptions {
  try {
    return { mode: parseRedactMode(o.redact ?? 'home'), homes: defaultHomes() };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--list`: what waits in the outbox; exit 1 when an entry was malformed. */
function listOutbox(io: CliIO, outbox: RequestOutbox, outboxDir: string, json: boolean): number {
  const listing = outbox.list();
  if (json) io.stdout.write(`${JSON.stringify({ outbox: outboxDir, ...listing }, null, 1)}\n`);
  else printListing(io, listing, outboxDir);
  reportBadEntries(io, listing);
  return listing.bad.length ? EXIT.failure : EXIT.ok;
}

/** `--retry`: delivers what waits; exit 1 while anything is still waiting or was malformed. */
async function retryDeliveries(
  io: CliIO,
  outbox: RequestOutbox,
  outboxDir: string,
  delivery: DeliveryOptions,
  json: boolean,
): Promise<number> {
  const result = await retryOutbox(outbox, delivery);
  if (json) io.stdout.write(`${JSON.stringify({ outbox: outboxDir, ...result }, null, 1)}\n`);
  else {
    if (!result.results.length) io.stdout.write(`nothing waiting in ${outboxDir}\n`);
    printResults(io, result.results, outboxDir);
    if (result.results.length) io.stdout.write(`${result.remaining} still waiting\n`);
  }
  reportBadEntries(io, result);
  return result.remaining || result.bad.length ? EXIT.failure : EXIT.ok;
}

/** Checks what a new request names; returns whether the packages come from checking a script. */
function checkNewRequest(o: RequestFlags, positionals: string[], input: PackagesInput | null): boolean {
  for (const n of positionals) {
    if (!DISTRIBUTION_NAME.test(n)) throw new UsageError(`'${n}' is not a distribution name`);
  }
  const checking = Boolean(o.script && (o.baseline || o.mirror?.length));
  if (!positionals.length && !input?.packages.length && !checking) {
    throw new UsageError(
      'name at least one package (or give --script with --baseline/--mirror to request what is missing)',
    );
  }
  if (o.source && !PREFERRED_SOURCE.test(o.source)) {
    throw new UsageError(`--source ${o.source}: use pypi or conda:CHANNEL`);
  }
  return checking;
}

/** Where the request goes: `--to`, PYRATS_REQUEST_TO or the configuration. */
function requestSinks(sinkTexts: string[]): RequestSink[] {
  if (!sinkTexts.length) {
    throw new UsageError(
      'no destination: give --to SINK or set PYRATS_REQUEST_TO (or [requests] to in the configuration)',
    );
  }
  try {
    return sinkTexts.map(parseRequestSink);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * The packages of a new request: from `--packages-json`, then the names given, with evidence from
 * `--script` (checked against a baseline or mirror when one is given). Null: nothing to request.
 */
async function requestedPackages(
  io: CliIO,
  o: RequestFlags,
  positionals: string[],
  input: PackagesInput | null,
  checking: boolean,
  redact: RedactOptions,
): Promise<RequestedPackage[] | null> {
  const packages: RequestedPackage[] = (input?.packages ?? []).map((p) => ({
    ...p,
    evidence: (p.evidence ?? []).map((e) => ({ ...e, file: redactPath(e.file, redact) })),
    imports: p.imports ?? [],
    mirror: p.mirror ?? [],
    baselineVersion: p.baselineVersion ?? null,
  }));
  const given = new Set(packages.map((p) => normalizeName(p.name)));
  const names = positionals.filter((n) => !given.has(normalizeName(n)));
  if (checking) {
    const found = await packagesFromCheck(
      o.script!,
      names,
      { baseline: o.baseline, mirrors: o.mirror ?? [], python: o.python },
      redact,
    );
    for (const p of found.problems) io.stderr.write(`pyrats request: ${p}\n`);
    if (!found.packages.length) {
      io.stdout.write(`nothing to request: every import of ${o.script} is provided by the baseline\n`);
      return null;
    }
    packages.push(...found.packages);
  } else if (o.script) {
    const { packages: found, problems } = await evidenceFromScript(o.script, names, redact);
    for (const p of problems) io.stderr.write(`pyrats request: ${p}\n`);
    packages.push(...found);
  } else {
    for (const name of names) {
      packages.push({ name, imports: [], evidence: [], baselineVersion: null, mirror: [] });
    }
  }
  return packages;
}

/** `--dry-run`: the request and what each destination would get, nothing sent. */
function printDryRun(
  io: CliIO,
  request: PackageRequest,
  sinks: RequestSink[],
  delivery: DeliveryOptions,
  json: boolean,
): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ request, destinations: sinks.map((s) => s.url) }, null, 1)}\n`);
    return;
  }
  io.stdout.write(`request (not sent):\n${JSON.stringify(request, null, 2)}\n\nwould send to:\n`);
  for (const s of sinks) {
    if (s.kind === 'syslog') {
      const line = requestDatagram(request, delivery.recordHeader).toString('utf8').replace(/\0$/, '');
      io.stdout.write(`  ${s.url}: ${line}\n`);
    } else if (s.kind === 'webhook')
      io.stdout.write(`  ${s.url}: POST application/json ${requestToJson(request)}\n`);
    else io.stdout.write(`  ${s.url}: an e-mail link with the request\n`);
  }
}

/** Writes the request to the outbox, delivers it and says how it went; exit 1 when some is queued. */
async function submitAndReport(
  io: CliIO,
  request: PackageRequest,
  sinks: RequestSink[],
  outbox: RequestOutbox,
  outboxDir: string,
  delivery: DeliveryOptions,
  json: boolean,
): Promise<number> {
  let submitted;
  try {
    submitted = await submitRequest(request, sinks, outbox, delivery);
  } catch (err) {
    throw new Error(`could not write the outbox ${outboxDir} (nothing was sent): ${(err as Error).message}`);
  }
  if (json) {
    io.stdout.write(`${JSON.stringify({ request, outbox: outboxDir, ...submitted }, null, 1)}\n`);
  } else {
    io.stdout.write(`request ${request.id} for ${request.packages.map((p) => p.name).join(', ')}\n`);
    printResults(io, submitted.results, outboxDir);
  }
  const listing = outbox.list();
  reportBadEntries(io, listing);
  const waiting = listing.entries.filter((e) => e.request.id !== request.id).length;
  if (waiting && !json) {
    io.stdout.write(
      `${waiting} earlier delivery(ies) still waiting; send them with: pyrats request --retry\n`,
    );
  }
  return submitted.queued ? EXIT.failure : EXIT.ok;
}

export const requestCommand: CliCommand = {
  name: 'request',
  summary: 'ask the centre for missing packages (syslog record, webhook or e-mail)',
  help: HELP,
  async run(args, io) {
    const { values: o, positionals } = parseRequestArgs(args);
    const outboxDir = o.outbox ? path.resolve(o.outbox) : defaultOutboxDir();
    const outbox = new RequestOutbox(outboxDir);
    const config = loadCliConfig(
      io,
      'request',
      flagOverrides({ to: o.to }, REQUEST_FLAGS),
      o.script ? [o.script] : [],
    );
    const timeoutMs = legacyTimeout(o.timeout, io, 'request') ?? config.values.timeout ?? 5000;
    const headers = webhookHeaders(o.header);
    const redact = redactOptions(o);
    const delivery: DeliveryOptions = {
      recordHeader: {
        pathName: redactPath(bundlePath(), redact),
        python: redactPath(o.python ?? 'python3', redact),
      },
      timeoutMs,
      webhookHeaders: headers,
    };
    if (o.list) return listOutbox(io, outbox, outboxDir, Boolean(o.json));
    if (o.retry) return retryDeliveries(io, outbox, outboxDir, delivery, Boolean(o.json));

    // A new request.
    const input = o['packages-json'] ? await readPackagesJson(o['packages-json'], io) : null;
    const checking = checkNewRequest(o, positionals, input);
    const sinks = requestSinks(config.values['requests.to']);
    const packages = await requestedPackages(io, o, positionals, input, checking, redact);
    if (!packages) return EXIT.ok;
    const scriptPath = o.script ?? input?.script ?? null;
    let request: PackageRequest;
    try {
      request = createPackageRequest({
        user: currentUser(),
        host: os.hostname(),
        script: scriptPath ? redactPath(path.resolve(scriptPath), redact) : null,
        baseline: o.baseline ?? input?.baseline ?? null,
        packages,
        reason: o.reason ?? null,
        preferredSource: o.source ?? null,
        client: `pyrats-lens ${process.env.PYRATS_VERSION ?? '0.1.0'} cli`,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (o['dry-run']) {
      printDryRun(io, request, sinks, delivery, Boolean(o.json));
      return EXIT.ok;
    }
    return submitAndReport(io, request, sinks, outbox, outboxDir, delivery, Boolean(o.json));
  },
};
