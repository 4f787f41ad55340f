/**
 * `pyrats imports FILE...` — every import in the given Python files (directories: their `.py` files),
 * with file:line, module, names, kind and the guarded / in-function flags, as text or JSON.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_MAX_BYTES,
  type ExtractResult,
  type SourceProblem,
} from '../../../analyzer/extract/extractImports';
import { extractFiles } from '../../../analyzer/extract/batchExtract';
import type { ImportSite } from '../../../analyzer/extract/importSite';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';

const HELP = `Usage: pyrats imports [options] FILE...

Lists every import in each Python FILE or Jupyter notebook (a directory stands for the .py and .ipynb
files below it; a notebook's code cells are one module, placed as cell N:line M): module level
or nested in def/class/try/if/with/loops, relative levels, star imports, and literal
__import__('x') / importlib.import_module('x') calls (kind "dynamic"). "from __future__" is left out.

Text output, one line per statement and module:
  FILE:LINE  KIND  MODULE  NAMES  [guarded:try|guarded:if] [in-function]
  KIND is import, from, star or dynamic; MODULE keeps its leading dots (..pkg, . for "from . import x");
  NAMES are the imported names ("a, b as c", "*"), or "as x" for "import m as x".

Options:
  --format text|json   output format (default text). json: an array with one object per file:
                       {file, encoding, syntaxOk, problems: [{kind, message, line}], imports: [ImportSite
                       + "line" (1-based)]}; ranges are zero-based line / UTF-16 character (LSP).
  --max-size BYTES     refuse files larger than this (default ${DEFAULT_MAX_BYTES}, 5 MiB)
  --jobs N             parallel parser threads, at most 64 (default: up to 2, fewer for few files)
  --no-pycache         always parse whole files; by default a file that CPython already compiled (a
                       __pycache__/*.cpython-3*.pyc recording its size and mtime) is taken as valid
                       Python and only its import lines and enclosing blocks are parsed
  --cache              reuse results of unchanged files from $XDG_CACHE_HOME/pyrats (path, size, mtime)
  -h, --help           this help

Problems go to stderr as FILE[:LINE]: KIND: MESSAGE. Syntax errors and Python 2 files still list the
imports that could be found.
Exit status: 0 when every file could be read, 3 when one could not (missing, unreadable, binary,
undecodable or over the size limit), 2 for usage errors.`;

/** Problems that mean the file could not be read as Python source at all. */
const UNREADABLE: ReadonlySet<SourceProblem['kind']> = new Set(['io', 'binary', 'decode', 'too-large']);

/** The files named on the command line, directories expanded to their `.py` and `.ipynb` files (sorted). */
function expandArguments(args: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      files.push(dir); // reported as an io problem when extracted
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__pycache__' && !e.name.startsWith('.')) walk(p);
      } else if (/\.(py|ipynb)$/.test(e.name)) {
        files.push(p);
      }
    }
  };
  for (const a of args) {
    let isDir = false;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      // missing: extraction reports it
    }
    if (isDir) walk(a);
    else files.push(a);
  }
  return files;
}

function dotted(site: ImportSite): string {
  return '.'.repeat(site.level) + (site.module ?? '');
}

function flags(site: ImportSite): string {
  const f: string[] = [];
  if (site.guarded) f.push(`guarded:${site.guarded}`);
  if (site.inFunction) f.push('in-function');
  return f.length ? `  ${f.join(' ')}` : '';
}

/** Text lines for one file: sites of one statement and module are shown together. */
function textLines(file: string, sites: ImportSite[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < sites.length;) {
    const s = sites[i];
    const group = [s];
    if (s.kind === 'from') {
      while (
        i + group.length < sites.length &&
        sites[i + group.length].kind === 'from' &&
        sites[i + group.length].cell === s.cell &&
        sites[i + group.length].statementRange.start.line === s.statementRange.start.line &&
        sites[i + group.length].statementRange.start.character === s.statementRange.start.character
      ) {
        group.push(sites[i + group.length]);
      }
    }
    i += group.length;
    let names = '';
    if (s.kind === 'from')
      names = group.map((g) => (g.asname ? `${g.name} as ${g.asname}` : g.name)).join(', ');
    else if (s.kind === 'star') names = '*';
    else if (s.asname) names = `as ${s.asname}`;
    const line = s.statementRange.start.line + 1;
    const where = s.cell === undefined ? `${file}:${line}` : `${file}:cell ${s.cell + 1}:line ${line}`;
    lines.push(`${where}  ${s.kind.padEnd(7)}  ${dotted(s)}${names ? `  ${names}` : ''}${flags(s)}`);
  }
  return lines;
}

function problemLine(file: string, p: SourceProblem): string {
  const where =
    p.line === undefined
      ? ''
      : p.cell !== undefined
        ? `:cell ${p.cell + 1}:line ${p.line + 1}`
        : `:${p.line + 1}`;
  return `${file}${where}: ${p.kind}: ${p.message}\n`;
}

const MAX_JOBS = 64;

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} needs a positive integer, not '${value}'`);
  return Number(value);
}

export const importsCommand: CliCommand = {
  name: 'imports',
  summary: 'list every import in Python files (file:line, module, names, kind, flags)',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        'max-size': { type: 'string' },
        jobs: { type: 'string' },
        cache: { type: 'boolean', default: false },
        'no-pycache': { type: 'boolean', default: false },
      },
    });
    const { values, positionals } = parsed;
    refuseEmptyValues(values);
    if (values.format !== 'text' && values.format !== 'json') {
      throw new UsageError(`--format must be text or json, not '${values.format}'`);
    }
    if (positionals.length === 0) throw new UsageError('no FILE given');
    // '' is no path: resolved, it would stand for the working directory (an unset shell variable)
    if (positionals.includes('')) throw new UsageError("an empty FILE argument ''");
    const maxBytes = positiveInteger(values['max-size'], '--max-size');
    const workers = positiveInteger(values.jobs, '--jobs');
    // each thread holds its own parser and wasm memory (tens of MB)
    if (workers !== undefined && workers > MAX_JOBS)
      throw new UsageError(`--jobs: at most ${MAX_JOBS} parser threads, not ${workers}`);
    const files = expandArguments(positionals);
    const results = await extractFiles(files, {
      maxBytes,
      workers,
      cache: values.cache,
      trustPycache: !values['no-pycache'],
    });

    let unreadable = false;
    const json: unknown[] = [];
    for (let i = 0; i < files.length; i++) {
      const file = files[i];
      const r: ExtractResult = results[i];
      for (const p of r.problems) {
        io.stderr.write(problemLine(file, p));
        if (UNREADABLE.has(p.kind)) unreadable = true;
      }
      if (values.format === 'json') {
        json.push({
          file,
          encoding: r.encoding,
          syntaxOk: r.syntaxOk,
          problems: r.problems,
          ...(r.notebook ? { notebook: r.notebook } : {}),
          imports: r.sites.map((s) => ({ line: s.statementRange.start.line + 1, ...s })),
        });
      } else {
        const lines = textLines(file, r.sites);
        if (lines.length) io.stdout.write(lines.join('\n') + '\n');
      }
    }
    if (values.format === 'json') io.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return unreadable ? EXIT.failure : EXIT.ok;
  },
};
