/**
 * `pyrats graph SCRIPT... -o graph.html` — the dependency graph of scripts (or of a whole folder) as
 * one self-contained HTML page (the same interactive view as in VS Code, d3 and data inlined), or
 * as Graphviz dot, Mermaid or JSON. `--from-json FILE` draws a saved graph instead of following.
 */
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Environment } from '../../../analyzer/env/environment';
import { Checker } from '../../../analyzer/check/checker';
import { unusableInput } from '../../../analyzer/graph/follow';
import { FsCache } from '../../../analyzer/resolve/fsCache';
import type { ResolutionProfile } from '../../../analyzer/resolve/resolution';
import { buildGraphPayload } from '../../graphData';
import { parseGraphDocument, payloadToDot, payloadToMermaid } from '../../graphFormats';
import { graphPageHtml, loadGraphAssets } from '../../graphPage';
import type { GraphPayload } from '../../protocol';
import { flagOverrides, loadCliConfig, SOURCE_OPTIONS } from '../cliConfig';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';
import { targetEnvironment } from '../followClosure';
import { ioProblem } from '../../../analyzer/ioErrors';

const FORMATS = ['html', 'dot', 'mermaid', 'json'] as const;
type Format = (typeof FORMATS)[number];
const MAX_JSON_BYTES = 256 * 1024 * 1024;

const HELP = `Usage: pyrats graph SCRIPT... [-o FILE] [--format html|dot|mermaid|json] [--workspace]
                         [--python P | --env FILE] [--profile compat|python] [--title TEXT]
       pyrats graph --from-json FILE [-o FILE] [--format ...]

Draws what SCRIPT really pulls in: its follow closure (what PyRats records), each module coloured by
its verdict (local, standard library, in the baseline, mirror only, missing), packages as clusters
that collapse and expand, import cycles highlighted.

The html format is ONE self-contained file (the graph view's script, d3 and the data inlined) that
opens in any browser without a server: search, filters (hide stdlib, only third party, only
missing), depth, collapse/expand packages, zoom and pan, keyboard navigation, and export of the
current view as SVG, PNG, dot, Mermaid or JSON.

Options:
  -o, --output FILE  write to FILE (default: standard output); the format follows its extension
                     (.html, .dot/.gv, .mmd, .json) unless --format says otherwise
  --format F         html (default), dot (Graphviz, one cluster per package), mermaid, json (the
                     graph: nodes, edges, roots; readable again with --from-json)
  --workspace        treat each argument as a folder and graph every Python file below it
  --from-json FILE   draw a saved graph: a {nodes, edges} dependency graph, the json format of this
                     command or the graph view's JSON export ('-' reads standard input)
  --python P         target interpreter (default python3); --env FILE: a saved environment snapshot
  --profile NAME     compat (default, PyRats' closure) or python (modern import semantics)

Verdicts (as 'pyrats check' decides them, for every third-party and unresolved package):
  --baseline SPEC    module:NAME, file:PATH or python:PATH (default: the configured baseline, see
                     'pyrats config', else the --python interpreter)
  --mirror URL       a conda channel or PyPI simple index (repeatable; default: the configured
                     mirrors, else .condarc, pip.conf)
  --no-mirror        check against the baseline only
  --offline          use only cached mirror data
  --cache-dir DIR    cache root (default $XDG_CACHE_HOME/pyrats, i.e. ~/.cache/pyrats)
  --timeout T        bound for each mirror request: seconds (15, 1.5) or 500ms, 2s, 1m (default 15)
  --no-check         no verdicts: third-party packages stay 'not checked'
  --title TEXT       the page title (default: the script names)
  --no-cache         do not use the interpreter cache

Exit status: 0 ok, 2 usage error, 3 an input or the --baseline could not be read (bad graph entries
are reported on stderr and skipped; the rest is drawn, without verdicts when the baseline failed).

Examples:
  pyrats graph analyse.py -o graph.html
  pyrats graph --workspace . -o workspace.html
  pyrats graph analyse.py --format dot | dot -Tsvg > graph.svg
`;

function formatFor(output: string | undefined, given: string | undefined): Format {
  if (given) {
    if (given === 'svg' || given === 'png') {
      throw new UsageError(`${given} needs the page's layout: write html and use its Export buttons`);
    }
    if (!FORMATS.includes(given as Format))
      throw new UsageError(`unknown format '${given}' (use ${FORMATS.join(', ')})`);
    return given as Format;
  }
  const ext = output?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (ext === 'dot' || ext === 'gv') return 'dot';
  if (ext === 'mmd' || ext === 'mermaid') return 'mermaid';
  if (ext === 'json') return 'json';
  return 'html';
}

async function readAll(stream: NodeJS.ReadableStream, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > MAX_JSON_BYTES) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new Error(`${where}: more than ${MAX_JSON_BYTES} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readGraphFile(file: string, io: CliIO): Promise<GraphPayload> {
  const where = file === '-' ? 'standard input' : file;
  let text: string;
  if (file === '-') text = await readAll(io.stdin, where);
  else {
    let st;
    try {
      st = statSync(file);
    } catch (err) {
      throw new Error(`${file}: ${ioProblem(err)}`);
    }
    if (st.isDirectory()) throw new Error(`${file}: is a directory`);
    if (st.size > MAX_JSON_BYTES)
      throw new Error(`${file}: ${st.size} bytes is more than the ${MAX_JSON_BYTES}-byte limit`);
    // a pipe (--from-json <(pyrats graph ... --format json)) or a device is read up to the same limit
    text = st.isFile() ? readFileSync(file, 'utf8') : await readAll(createReadStream(file), file);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const { payload, problems } = parseGraphDocument(doc, where);
  for (const p of problems) io.stderr.write(`pyrats graph: ${p}\n`);
  return payload;
}

function parseGraphArgs(args: string[]) {
  return parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      workspace: { type: 'boolean', default: false },
      'from-json': { type: 'string' },
      python: { type: 'string' },
      env: { type: 'string' },
      profile: { type: 'string', default: 'compat' },
      title: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      mirror: { type: 'string', multiple: true },
      'no-mirror': { type: 'boolean', default: false },
      ...SOURCE_OPTIONS,
      'no-check': { type: 'boolean', default: false },
    },
  });
}

type GraphFlags = ReturnType<typeof parseGraphArgs>['values'];

/** Refuses contradictory options; returns the output format and whether verdicts are checked. */
function checkGraphArgs(values: GraphFlags, positionals: string[]): { format: Format; checking: boolean } {
  refuseEmptyValues(values);
  const format = formatFor(values.output, values.format);
  if (values['from-json'] && positionals.length)
    throw new UsageError('give SCRIPTs or --from-json, not both');
  if (!values['from-json'] && !positionals.length) throw new UsageError('no SCRIPT given');
  // '' is no path: resolved, it would stand for the working directory (an unset shell variable)
  if (positionals.includes('')) throw new UsageError("an empty SCRIPT argument ''");
  if (values.profile !== 'compat' && values.profile !== 'python') {
    throw new UsageError(`unknown profile '${values.profile}' (use compat or python)`);
  }
  if (values.env && values.python) throw new UsageError('--env and --python exclude each other');
  if (values['no-mirror'] && values.mirror?.length)
    throw new UsageError('--no-mirror and --mirror exclude each other');
  const checking = !values['no-check'] && !values['from-json'];
  if (!checking && (values.baseline || values.mirror?.length)) {
    throw new UsageError('--baseline and --mirror need the check (not with --no-check or --from-json)');
  }
  return { format, checking };
}

/** The graph from --from-json, or the interpreter for the scripts; null once it said why neither. */
async function graphInput(
  io: CliIO,
  values: GraphFlags,
): Promise<{ payload: GraphPayload } | { env: Environment } | null> {
  try {
    if (values['from-json']) {
      const payload = await readGraphFile(values['from-json'], io);
      if (values.title) payload.title = values.title;
      return { payload };
    }
    return { env: await targetEnvironment(values) };
  } catch (err) {
    io.stderr.write(`pyrats graph: ${(err as Error).message}\n`);
    return null;
  }
}

/**
 * The graph of the scripts' follow closure, with verdicts when checking. `status` is 1 when an input
 * was unusable or the baseline asked for could not be loaded (the graph is still drawn).
 */
async function scriptsPayload(
  io: CliIO,
  values: GraphFlags,
  positionals: string[],
  checking: boolean,
  env: Environment,
): Promise<{ payload: GraphPayload; status: number }> {
  const config = checking
    ? loadCliConfig(io, 'graph', flagOverrides({ ...values, python: undefined }), positionals).values
    : null;
  const checker = config
    ? await Checker.create({
        baseline: config.baseline ?? undefined,
        mirrors: config.mirrors ?? [],
        python: values.python ?? env.executable,
        offline: config.offline,
        cacheDir: values['no-cache'] ? false : (config.cache_dir ?? undefined),
        moduleUse: config.module_use,
        moduleInit: config.module_init ?? undefined,
        mirrorTimeoutMs: config.timeout ?? undefined,
      })
    : undefined;
  let payload: GraphPayload;
  try {
    for (const p of checker?.problems ?? []) io.stderr.write(`pyrats graph: ${p.area}: ${p.message}\n`);
    payload = await buildGraphPayload({
      inputs: positionals,
      env,
      scope: values.workspace ? 'workspace' : 'script',
      profile: values.profile as ResolutionProfile,
      ...(checker && !checker.fatal ? { checker } : {}),
      ...(values.title ? { title: values.title } : {}),
    });
  } finally {
    checker?.dispose();
  }
  for (const p of payload.problems ?? []) io.stderr.write(`pyrats graph: ${p}\n`);
  const fs = new FsCache();
  // the graph is drawn without verdicts when the baseline asked for could not be loaded
  const failed = positionals.some((p) => unusableInput(fs, p)) || checker?.fatal;
  return { payload, status: failed ? EXIT.failure : EXIT.ok };
}

/** The payload in the output format. */
function renderGraphAs(format: Format, payload: GraphPayload): string {
  switch (format) {
    case 'html':
      return graphPageHtml(payload, loadGraphAssets());
    case 'dot':
      return payloadToDot(payload);
    case 'mermaid':
      return payloadToMermaid(payload);
    case 'json':
      return `${JSON.stringify(payload, null, 2)}\n`;
  }
}

export const graphCommand: CliCommand = {
  name: 'graph',
  summary: 'dependency graph of scripts as a self-contained interactive HTML page, dot, Mermaid or JSON',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseGraphArgs(args);
    const { format, checking } = checkGraphArgs(values, positionals);
    const input = await graphInput(io, values);
    if (!input) return EXIT.failure;
    const { payload, status } =
      'payload' in input
        ? { payload: input.payload, status: EXIT.ok as number }
        : await scriptsPayload(io, values, positionals, checking, input.env);
    let text: string;
    try {
      text = renderGraphAs(format, payload);
    } catch (err) {
      io.stderr.write(`pyrats graph: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    if (values.output) {
      try {
        writeFileSync(values.output, text);
      } catch (err) {
        io.stderr.write(`pyrats graph: ${values.output}: ${(err as Error).message}\n`);
        return EXIT.failure;
      }
    } else io.stdout.write(text);
    return status;
  },
};
