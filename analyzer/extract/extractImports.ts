/**
 * Finds every import in one Python source file with tree-sitter and returns ImportSites in source
 * order: `import`, `from … import`, star imports, relative levels, literal `__import__('x')` and
 * `importlib.import_module('x')` (kind `dynamic`), anywhere in the file, with guard flags and exact
 * LSP-style ranges. `from __future__ import …` is left out. It also says whether CPython's
 * `ast.parse` would accept the file (tree-sitter errors plus Python-2-only constructs and CPython's
 * nesting limits), decodes bytes per PEP 263, and refuses binary and over-large files with a problem.
 * For a file CPython has already compiled (a matching `__pycache__` pyc, see pycacheCertificate.ts)
 * the syntax is known to be valid and only the file's import skeleton (importSkeleton.ts) is parsed.
 *
 * It does not resolve modules, de-duplicate sites, follow imports or cache anything (see
 * batchExtract.ts and extractCache.ts for that).
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Query, type Language, type Parser, type Tree } from 'web-tree-sitter';
import { createPythonParser } from '../parse/pythonParser';
import type { ImportSite } from './importSite';
import type { SourceProblem } from './sourceProblem';
import { importSkeleton } from './importSkeleton';
import { findNestingProblem } from './nestingLimits';
import { compiledByCPython } from './pycacheCertificate';
import { dynamicSites, mayImportDynamically, type DynamicQuery } from './dynamicImports';
import { fromStatementSites, importStatementSites, type PendingSite } from './statementSites';
import { firstSyntaxError } from './syntaxProblems';
import { candidateRanges } from './queryRanges';
import { findPython2Lexical, isPython2Only, PYTHON2_QUERY_PATTERNS, python2Problem } from './python2Syntax';
import { decodePythonSource, findNulByte, SourceDecodeError } from './sourceText';
import { ioProblem } from '../ioErrors';
import { cellLine } from '../notebook/notebookModule';
import { sitesInCells } from './notebookSites';
import {
  isNotebookPath,
  notebookFacts,
  notebookModule,
  readNotebookBytes,
  type NotebookFacts,
  type NotebookReading,
} from '../notebook/readNotebook';

export { decodePythonSource } from './sourceText';

export type { SourceProblem } from './sourceProblem';

export interface ExtractResult {
  /** Every import in source order, dynamic ones included, `from __future__` excluded. */
  sites: ImportSite[];
  /**
   * False when CPython's `ast.parse` would reject the file (syntax errors, Python 2 constructs,
   * nesting limits), and also when the file could not be analysed at all (binary, decode, size, io).
   */
  syntaxOk: boolean;
  /** The source encoding (PEP 263): `utf-8`, `utf-8-sig` (BOM), or the cookie's codec. */
  encoding: string;
  /** Each problem once, most specific first. */
  problems: SourceProblem[];
  /**
   * Present (`pycache`) when syntaxOk was established by CPython itself: a matching `__pycache__`
   * bytecode file showed the source compiles, so only the file's import skeleton was parsed.
   */
  syntaxFrom?: 'pycache';
  /** Present for a Jupyter notebook: its sites and problems carry their cell. */
  notebook?: NotebookFacts;
}

export interface ExtractorOptions {
  /** Files (bytes) or texts (UTF-16 code units) above this size are refused. Default 5 MiB. */
  maxBytes?: number;
  /** A parse taking longer than this is abandoned with a `too-large` problem. Default 10 s. */
  timeoutMs?: number;
  /**
   * extractFile only: when a CPython 3 `__pycache__` file records this source's exact size and mtime,
   * take the file as valid Python and parse only its import skeleton (same sites, much faster).
   * Default true.
   */
  trustPycache?: boolean;
  /**
   * Notebooks: `kernel` (default) reads the code as the kernel runs it; `script` as
   * `jupyter nbconvert --to script` exports it (cell-magic bodies, `%%time` too, are strings).
   */
  notebookReading?: NotebookReading;
}

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** A notebook file may be this many times maxBytes (outputs are skipped); its code is held to maxBytes. */
export const NOTEBOOK_SIZE_FACTOR = 20;
export const DEFAULT_TIMEOUT_MS = 10_000;

const MAIN_QUERY = `
(import_statement) @import
(import_from_statement) @from
${PYTHON2_QUERY_PATTERNS}`;

const DYNAMIC_QUERY = `
(call function: (identifier) @fn arguments: (argument_list) @args) @call
(call function: (attribute object: (identifier) @obj attribute: (identifier) @fn)
      arguments: (argument_list) @args) @call
(assignment left: (identifier) @alias right: (identifier) @target) @assign
(assignment left: (identifier) @alias
            right: (attribute object: (identifier) @obj attribute: (identifier) @target)) @assign
`;

/**
 * The queries an extractor runs, one set per parser, deleted with it. Each is compiled on first use
 * (tree-sitter's query analysis costs tens of milliseconds per query, a large part of a short run's
 * start-up): the dynamic one only for a file that mentions `__import__` or `import_module`.
 */
export class ImportQueries {
  private mainQuery: Query | undefined;
  private dynamicQuery: Query | undefined;

  constructor(private readonly language: Language) {}

  /** Import statements and structural Python-2 constructs. */
  get main(): Query {
    return (this.mainQuery ??= new Query(this.language, MAIN_QUERY));
  }

  /** Calls (dynamic import candidates) and plain assignments (aliases of the import functions). */
  get dynamic(): Query {
    return (this.dynamicQuery ??= new Query(this.language, DYNAMIC_QUERY));
  }

  /** Frees the queries compiled so far. */
  delete(): void {
    this.mainQuery?.delete();
    this.dynamicQuery?.delete();
    this.mainQuery = this.dynamicQuery = undefined;
  }
}

/**
 * How long the queries over one tree may run. Ordinary files take milliseconds (a 5 MB file with a
 * syntax error, queried whole, about 0.3 s); a hostile one (tens of thousands of unclosed brackets, far
 * beyond CPython's limits) keeps tree-sitter's query cursor busy for seconds, so the queries stop there
 * and say so.
 */
export const QUERY_TIME_LIMIT_MS = 3000;

type TreeResult = Pick<ExtractResult, 'sites' | 'syntaxOk' | 'problems'>;

/** What a parsed tree yields; shared by the one-shot extractor and the language server's incremental documents. */
export function analyseTree(
  tree: Tree,
  text: string,
  queries: ImportQueries,
  checkSyntax = true,
  queryTimeLimitMs = QUERY_TIME_LIMIT_MS,
): TreeResult {
  return analyse(tree, text, queries, checkSyntax, queryTimeLimitMs).result;
}

/** analyseTree, and the names the text binds to the dynamic import functions (`im` of `im = __import__`). */
function analyse(
  tree: Tree,
  text: string,
  queries: ImportQueries,
  checkSyntax = true,
  queryTimeLimitMs = QUERY_TIME_LIMIT_MS,
): { result: TreeResult; importFunctionNames: string[] } {
  const problems: SourceProblem[] = [];
  const root = tree.rootNode;
  // one time budget for all the queries over this tree; a query that used up what was left was halted
  // by tree-sitter (it returns what it found until then)
  const deadline = performance.now() + queryTimeLimitMs;
  let stopped = false;
  const bounded = <T>(run: (timeoutMicros: number) => T): T => {
    const left = deadline - performance.now();
    const result = run(Math.max(1, Math.floor(left * 1000)));
    if (performance.now() >= deadline) stopped = true;
    return result;
  };
  if (checkSyntax) {
    // CPython's nesting limits come first: beyond them tree-sitter's own error is only a consequence
    const nesting = findNestingProblem(text);
    if (nesting) problems.push(nesting);
    else if (root.hasError) {
      const error = firstSyntaxError(root);
      if (error) problems.push(error);
    }
  }
  const pending: PendingSite[] = [];
  let py2: SourceProblem | undefined;
  let py2Start = Infinity;
  // A clean tree is queried only on the lines that can matter (every import statement contains the
  // text `import`; Python-2 constructs have tell-tale text); a tree with errors is queried whole.
  const ranges = root.hasError ? [undefined] : candidateRanges(text, checkSyntax);
  const seen = new Set<number>();
  let unordered = false;
  for (const range of ranges) {
    // query ranges are byte offsets into web-tree-sitter's UTF-16 copy of the text: 2 per code unit
    if (stopped) break;
    const captures = bounded((timeoutMicros) =>
      range
        ? queries.main.captures(root, { startIndex: range[0] * 2, endIndex: range[1] * 2, timeoutMicros })
        : queries.main.captures(root, { timeoutMicros }),
    );
    for (const cap of captures) {
      const at = cap.node.startIndex;
      if (cap.name === 'import' || cap.name === 'from') {
        if (seen.has(at)) continue; // a statement spanning two ranges
        seen.add(at);
        if (pending.length && pending[pending.length - 1].at > at) unordered = true;
        if (cap.name === 'import') importStatementSites(cap.node, pending);
        else fromStatementSites(cap.node, pending);
      } else if (checkSyntax && (!py2 || at < py2Start) && isPython2Only(cap.name, cap.node)) {
        py2 = python2Problem(cap.name, cap.node);
        py2Start = at;
      }
    }
  }
  if (unordered) pending.sort((a, b) => a.at - b.at);
  let importFunctionNames: string[] = [];
  if (!stopped && mayImportDynamically(text)) {
    const dynamic: PendingSite[] = [];
    const query: DynamicQuery = (range) =>
      stopped
        ? []
        : bounded((timeoutMicros) =>
            queries.dynamic.matches(
              root,
              range ? { startIndex: range[0] * 2, endIndex: range[1] * 2, timeoutMicros } : { timeoutMicros },
            ),
          );
    importFunctionNames = dynamicSites(text, pending, query, root.hasError, dynamic);
    if (dynamic.length) {
      for (const site of dynamic) pending.push(site); // one by one: a file may hold 100,000s
      pending.sort((a, b) => a.at - b.at);
    }
  }
  if (checkSyntax) {
    py2 ??= findPython2Lexical(root, text);
    if (py2) problems.push(py2);
  }
  if (stopped) {
    problems.push({
      kind: 'too-large',
      message: `finding imports took longer than ${queryTimeLimitMs / 1000} s (the file's structure is too complex): stopped, some imports may be missing`,
    });
  }
  return {
    result: { sites: pending.map((p) => p.site), syntaxOk: problems.length === 0, problems },
    importFunctionNames,
  };
}

/** The queries for a parser's language (compiled when first used). Callers delete them. */
export function createImportQueries(parser: Parser): ImportQueries {
  const language = parser.language;
  if (!language) throw new Error('parser has no language set');
  return new ImportQueries(language);
}

/**
 * The text as tree-sitter is given it (here and by the language server's incremental documents).
 * CPython (and LSP) end a line at `\r\n`, `\n` or a lone `\r`; tree-sitter-python only knows the
 * first two, so a lone `\r` (old Mac files, `\r\r\n` from a double conversion) would put every later
 * import on the wrong line. A lone `\r` becomes `\n`: same length, so offsets and LSP positions are
 * unchanged.
 */
export function parserText(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function failed(problem: SourceProblem, encoding = 'utf-8'): ExtractResult {
  return { sites: [], syntaxOk: false, encoding, problems: [problem] };
}

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}

/** Extracts ImportSites from Python source. One instance owns one parser; not shared across threads. */
export class ImportExtractor {
  readonly maxBytes: number;
  readonly trustPycache: boolean;
  readonly timeoutMs: number;
  readonly notebookReading: NotebookReading;
  private disposed = false;

  private constructor(
    readonly parser: Parser,
    readonly queries: ImportQueries,
    options: ExtractorOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.trustPycache = options.trustPycache ?? true;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.notebookReading = options.notebookReading ?? 'kernel';
  }

  /** Loads the grammar (once per process) and creates a parser and the queries. */
  static async create(options: ExtractorOptions = {}): Promise<ImportExtractor> {
    const parser = await createPythonParser();
    return new ImportExtractor(parser, createImportQueries(parser), options);
  }

  /**
   * Parses with the time limit; null when the limit was hit (the parser is then reset). The caller
   * owns the tree. `oldTree` (edited with `tree.edit`) makes the parse incremental.
   */
  parse(text: string, oldTree?: Tree | null): Tree | null {
    const deadline = performance.now() + this.timeoutMs;
    const tree = this.parser.parse(text, oldTree ?? null, {
      progressCallback: () => performance.now() > deadline,
    });
    if (!tree) this.parser.reset();
    return tree;
  }

  /** Parses text (already decoded). The tree is deleted before returning. */
  extractText(text: string, encoding = 'utf-8'): ExtractResult {
    if (this.disposed) throw new Error('ImportExtractor used after dispose()');
    text = parserText(text);
    if (text.length > this.maxBytes) {
      return failed(
        {
          kind: 'too-large',
          message: `too large: ${sizeText(text.length)} (limit ${sizeText(this.maxBytes)})`,
        },
        encoding,
      );
    }
    let tree: Tree | null = null;
    try {
      tree = this.parse(text);
      if (!tree) {
        const message = `parsing took longer than ${this.timeoutMs / 1000} s: gave up (time limit)`;
        return failed({ kind: 'too-large', message }, encoding);
      }
      return { ...analyseTree(tree, text, this.queries), encoding };
    } catch (err) {
      // a failure inside the wasm parser must not stop a batch: report it for this file only
      this.parser.reset();
      const message = err instanceof Error ? err.message : String(err);
      return failed({ kind: 'syntax', message: `the parser failed on this file: ${message}` }, encoding);
    } finally {
      tree?.delete();
    }
  }

  /**
   * Sites of a text already known to be valid Python (CPython compiled it): parses only the import
   * skeleton. Falls back to extractText when the skeleton cannot be made or does not parse cleanly.
   */
  private extractValidText(text: string, encoding: string): ExtractResult {
    if (text.length > this.maxBytes) return this.extractText(text, encoding);
    text = parserText(text);
    const dynamic = mayImportDynamically(text);
    if (!text.includes('import') && !dynamic)
      return { sites: [], syntaxOk: true, encoding, problems: [], syntaxFrom: 'pycache' };
    // An import function spelled with compatibility characters (`__ｉmport__`) may be on a line
    // without the text `import`: then the whole text is parsed (its syntax still vouched for by the
    // pyc). A dynamic import may also be called through a name bound to an import function (`im =
    // __import__`, then `im('x')`): the skeleton keeps the lines mentioning each such name too, and
    // is made again when parsing it reveals a new one.
    const whole = dynamic && /[^\x00-\x7f]/.test(text);
    const words = ['import'];
    for (;;) {
      const skeleton = whole ? text : importSkeleton(text, words);
      if (skeleton === undefined) return this.extractText(text, encoding);
      const tree = this.parse(skeleton);
      if (!tree) return this.extractText(text, encoding);
      try {
        if (tree.rootNode.hasError) return this.extractText(text, encoding);
        const { result, importFunctionNames } = analyse(tree, skeleton, this.queries, false);
        const fresh = importFunctionNames.filter((name) => !words.includes(name));
        if (whole || !fresh.length)
          return { sites: result.sites, syntaxOk: true, encoding, problems: [], syntaxFrom: 'pycache' };
        for (const name of fresh) words.push(name);
      } finally {
        tree.delete();
      }
    }
  }

  /** Decodes (PEP 263) and parses file content; binary, undecodable and over-large input is refused. */
  extractBytes(bytes: Uint8Array): ExtractResult {
    return this.extractBytesChecked(bytes, false);
  }

  private extractBytesChecked(bytes: Uint8Array, compiled: boolean): ExtractResult {
    if (bytes.length > this.maxBytes) {
      return failed({
        kind: 'too-large',
        message: `too large: ${sizeText(bytes.length)} (limit ${sizeText(this.maxBytes)})`,
      });
    }
    const nul = findNulByte(bytes);
    if (nul >= 0) {
      return failed({ kind: 'binary', message: `binary file: NUL byte at offset ${nul}` });
    }
    let decoded;
    try {
      decoded = decodePythonSource(bytes);
    } catch (err) {
      if (!(err instanceof SourceDecodeError)) throw err;
      const problem: SourceProblem = { kind: 'decode', message: err.message };
      if (err.line !== undefined) problem.line = err.line - 1;
      return failed(problem, err.encoding);
    }
    return compiled
      ? this.extractValidText(decoded.text, decoded.encoding)
      : this.extractText(decoded.text, decoded.encoding);
  }

  /** Reads and extracts a file; the size cap is checked with stat before reading. Never throws for I/O. */
  async extractFile(file: string): Promise<ExtractResult> {
    let st: Stats;
    try {
      st = await stat(file);
    } catch (err) {
      return failed({ kind: 'io', message: ioProblem(err) });
    }
    const notebook = isNotebookPath(file);
    const refused = this.refuse(factsOf(st), notebook);
    if (refused) return refused;
    const compiled = !notebook && this.trustPycache && compiledByCPython(file, st.size, st.mtimeMs);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      return failed({ kind: 'io', message: ioProblem(err) });
    }
    return notebook ? this.extractNotebookBytes(bytes) : this.extractBytesChecked(bytes, compiled);
  }

  /**
   * extractFile with synchronous I/O, for worker threads and batch loops where waiting on the
   * thread pool only costs time. `known` is what the caller already learnt from stat.
   */
  extractFileSync(file: string, known?: FileFacts): ExtractResult {
    let bytes: Uint8Array;
    let compiled: boolean;
    try {
      const st = known ?? factsOf(statSync(file));
      const refused = this.refuse(st, isNotebookPath(file));
      if (refused) return refused;
      compiled = !isNotebookPath(file) && this.trustPycache && compiledByCPython(file, st.size, st.mtimeMs);
      bytes = readFileSync(file);
    } catch (err) {
      return failed({ kind: 'io', message: ioProblem(err) });
    }
    return isNotebookPath(file)
      ? this.extractNotebookBytes(bytes)
      : this.extractBytesChecked(bytes, compiled);
  }

  /**
   * Extracts a Jupyter notebook (`.ipynb` bytes): its code cells as one module (see
   * notebook/notebookModule.ts), sites and problems placed in their cells. A file that is not a
   * notebook this reads gets a `decode` problem.
   */
  extractNotebookBytes(bytes: Uint8Array): ExtractResult {
    let nb;
    try {
      nb = readNotebookBytes(bytes);
    } catch (err) {
      return failed({ kind: 'decode', message: (err as Error).message });
    }
    const module = notebookModule(nb, this.notebookReading);
    const facts = notebookFacts(nb, module);
    if (!module.segments.length)
      return { sites: [], syntaxOk: true, encoding: 'utf-8', problems: [], notebook: facts };
    const result = this.extractText(module.text);
    const problems = result.problems.map((p) => {
      if (p.line === undefined) return p;
      const at = cellLine(module, p.line);
      return { ...p, line: at.line, cell: at.cell };
    });
    return { ...result, sites: sitesInCells(module, result.sites), problems, notebook: facts };
  }

  /** The result for a file that is not read at all (not a regular file, over the size cap). */
  private refuse(st: FileFacts, notebook = false): ExtractResult | undefined {
    if (!st.regular) return failed({ kind: 'io', message: 'not a regular file' });
    const limit = notebook ? this.maxBytes * NOTEBOOK_SIZE_FACTOR : this.maxBytes;
    if (st.size > limit) {
      return failed({
        kind: 'too-large',
        message: `too large: ${sizeText(st.size)} (limit ${sizeText(limit)}${notebook ? ' for a notebook' : ''})`,
      });
    }
    return undefined;
  }

  /** Frees the parser and queries. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.queries.delete();
    this.parser.delete();
  }
}

/** What extraction needs to know from `stat` (plain data: it crosses to worker threads). */
export interface FileFacts {
  size: number;
  mtimeMs: number;
  /** A regular file (not a directory, device, ...). */
  regular: boolean;
}

export function factsOf(st: Stats): FileFacts {
  return { size: st.size, mtimeMs: st.mtimeMs, regular: st.isFile() };
}
