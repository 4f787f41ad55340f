/**
 * `pyrats deps SCRIPT...` — the dependency closure of scripts as PyRats computes it (compat profile)
 * or as the interpreter resolves it (python profile), printed as snakefood lines, PyRats record
 * messages, JSON, Graphviz dot or Mermaid.
 */
import { deferredWritesDone } from '../../../analyzer/deferredWrites';
import { saveEnvironment, type Environment } from '../../../analyzer/env/environment';
import type { FollowResult } from '../../../analyzer/graph/follow';
import { toDot, toJson, toMermaid, toRecords, toSfood } from '../../../analyzer/graph/formats';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';
import { followForCli } from '../followClosure';

const FORMATS = ['sfood', 'records', 'json', 'dot', 'mermaid'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: pyrats deps SCRIPT... [--python P] [--profile compat|python] [--no-follow]
                        [--internal | --external] [--format sfood|records|json|dot|mermaid]

Finds every import of SCRIPT (a .py file, an extension-less file with a python shebang, or a directory
run as 'python DIR'), resolves it against the target interpreter and follows the resolved files, the
way NOAA PyRats (snakefood's algorithm) does before it sends its records.

Options:
  --python P        target interpreter (command on PATH or path; default python3). Its sys.path,
                    builtin and frozen modules and extension suffixes decide the resolution.
  --env FILE        use a saved environment snapshot instead of running an interpreter
  --save-env FILE   write the target interpreter's environment snapshot to FILE
  --profile NAME    compat (default): PyRats' records, quirks included, data-losing bugs fixed;
                    python: modern import semantics (script dir first, namespace packages, strict
                    relative imports); packages are followed, the standard library is not.
  --no-follow       only the scripts' own imports
  --internal        only dependencies inside the input roots (snakefood -i)
  --external        only dependencies outside the input roots, no (None, None) lines (snakefood -e)
  --format F        sfood (default): one repr(((root, file), (root, file))) per line, including the
                      (None, None) line of every source, as snakefood prints;
                    records: the message of each PyRats record, one per line, in send order —
                      exactly the text after 'message=' (messages of 65220+ characters are split);
                    json: roots, sources, edges (with status and distribution), problems, unresolved;
                    dot: Graphviz digraph, one cluster per root;  mermaid: Mermaid flowchart
  --quiet           do not report unreadable or unparseable files on stderr
  --no-cache        do not use or write the caches of interpreters, extracted imports and
                    closures ($XDG_CACHE_HOME/pyrats, default ~/.cache/pyrats). A saved closure
                    is used only when every directory, file and link it rests on is unchanged.

Files that cannot be read or parsed (syntax errors, Python 2, binary, undecodable) are reported on
stderr (file: problem) and contribute no imports of their own, as in PyRats.

Exit status: 0 ok, 2 usage error, 3 a script is missing or the interpreter could not be introspected.

Examples:
  pyrats deps analyse.py --format records
  pyrats deps analyse.py --python /usr/bin/python3 --external
  pyrats deps analyse.py --format dot | dot -Tsvg > deps.svg
`;

function render(result: FollowResult, format: Format, io: CliIO): void {
  let text: string;
  switch (format) {
    case 'records': {
      const { records, dropped } = toRecords(result);
      for (const d of dropped) {
        io.stderr.write(
          `pyrats deps: edge ${d.from.join('/')} -> ${d.to.join('/')} alone exceeds the record limit; left out\n`,
        );
      }
      text = records.map((r) => `${r.message}\n`).join('');
      break;
    }
    case 'sfood':
      text = toSfood(result)
        .map((l) => `${l}\n`)
        .join('');
      break;
    case 'json':
      text = toJson(result);
      break;
    case 'dot':
      text = toDot(result);
      break;
    case 'mermaid':
      text = toMermaid(result);
      break;
  }
  io.stdout.write(text);
}

export const depsCommand: CliCommand = {
  name: 'deps',
  summary: 'dependency closure of scripts: snakefood lines, PyRats record messages, JSON, dot, Mermaid',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        python: { type: 'string' },
        env: { type: 'string' },
        'save-env': { type: 'string' },
        profile: { type: 'string', default: 'compat' },
        'no-follow': { type: 'boolean', default: false },
        internal: { type: 'boolean', default: false },
        external: { type: 'boolean', default: false },
        format: { type: 'string', default: 'sfood' },
        quiet: { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
      },
    });
    const { values, positionals } = parsed;
    refuseEmptyValues(values);
    if (!positionals.length) throw new UsageError('no SCRIPT given');
    // '' is no path: resolved, it would stand for the working directory (an unset shell variable)
    if (positionals.includes('')) throw new UsageError("an empty SCRIPT argument ''");
    const format = values.format as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`unknown format '${values.format}' (use ${FORMATS.join(', ')})`);
    if (values.profile !== 'compat' && values.profile !== 'python') {
      throw new UsageError(`unknown profile '${values.profile}' (use compat or python)`);
    }
    if (values.internal && values.external)
      throw new UsageError('--internal and --external exclude each other');
    if (values.env && values.python) throw new UsageError('--env and --python exclude each other');

    try {
      let result: FollowResult;
      try {
        let env: Environment;
        ({ result, env } = await followForCli(positionals, values, {
          profile: values.profile,
          follow: !values['no-follow'],
          internal: values.internal,
          external: values.external,
          // records are what PyRats sends for a notebook exported as a script (nbconvert --to script)
          extraction: format === 'records' ? { notebookReading: 'script' } : {},
        }));
        if (values['save-env']) saveEnvironment(env, values['save-env']);
      } catch (err) {
        io.stderr.write(`pyrats deps: ${(err as Error).message}\n`);
        return EXIT.failure;
      }
      let status: number = EXIT.ok;
      for (const p of result.problems) {
        const fatal = p.kind === 'missing' || p.kind === 'not-python';
        if (fatal) status = EXIT.failure;
        if (fatal || !values.quiet) {
          io.stderr.write(
            `pyrats deps: ${p.file}${p.line !== undefined ? `:${p.line + 1}` : ''}: ${p.message}\n`,
          );
        }
      }
      render(result, format, io);
      return status;
    } finally {
      // the caches are written after the output
      await deferredWritesDone();
    }
  },
};
