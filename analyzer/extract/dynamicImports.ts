/**
 * Literal dynamic imports as Python would make them: `__import__('x')` (also `name='x'`,
 * `builtins.__import__`, `importlib.__import__`), `importlib.import_module('x')`, and names bound to
 * those functions by an import or an assignment. A name too dynamic to read is flagged, never dropped.
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import type { SourceRange } from './importSite';
import { stringLiteralValue } from './pythonLiteral';
import { contextOf, identifierText, makeSite, rangeOf, type PendingSite } from './statementSites';
import { mentionsAny, wordRanges } from './queryRanges';

/** The text every dynamic import call, and every binding of an alias to an import function, holds. */
const IMPORT_FUNCTIONS: readonly string[] = ['__import__', 'import_module'];

const DOTTED_LITERAL =
  /^(\.*)((?:[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)(?:\.[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)*)?$/u;

/** What a name called as a function is: `import_module` (relative names allowed) or `__import__`. */
type ImportFunction = 'import_module' | '__import__';

interface DynamicNames {
  /** Local names bound to the modules importlib / builtins (`import importlib as il`). */
  modules: Map<string, string>;
  /** Local names bound to the import functions (`from importlib import import_module as im`, `f = __import__`). */
  functions: Map<string, ImportFunction>;
}

/** The import function `obj.fn` or `fn` stands for under `names`, if any. */
function importFunction(
  names: DynamicNames,
  fn: string,
  obj: string | undefined,
): ImportFunction | undefined {
  if (obj === undefined) return fn === '__import__' ? '__import__' : names.functions.get(fn);
  const module = names.modules.get(obj);
  if (module === 'importlib' && (fn === 'import_module' || fn === '__import__')) return fn;
  if (module === 'builtins' && fn === '__import__') return '__import__';
  return undefined;
}

/** Names bound by the static imports, then by plain assignments (`im = importlib.import_module`). */
function dynamicNames(matches: QueryMatch[], static_: PendingSite[]): DynamicNames {
  const names: DynamicNames = { modules: new Map([['importlib', 'importlib']]), functions: new Map() };
  for (const { site } of static_) {
    if (site.level !== 0 || (site.module !== 'importlib' && site.module !== 'builtins')) continue;
    if (site.kind === 'import') names.modules.set(site.asname ?? site.module, site.module);
    const fn = site.name;
    if (
      site.kind === 'from' &&
      (fn === '__import__' || (fn === 'import_module' && site.module === 'importlib'))
    )
      names.functions.set(site.asname ?? fn, fn);
  }
  for (const match of matches) {
    const cap = (name: string): Node | undefined => match.captures.find((c) => c.name === name)?.node;
    const alias = cap('alias');
    const target = cap('target');
    if (!alias || !target) continue;
    const obj = cap('obj');
    const fn = importFunction(names, identifierText(target), obj && identifierText(obj));
    if (fn) names.functions.set(identifierText(alias), fn);
  }
  return names;
}

/** The argument naming the module: the first positional one, else the keyword `name=`. */
function moduleArgument(args: Node): Node | undefined {
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      if (a.childForFieldName('name')?.text === 'name') return a.childForFieldName('value') ?? undefined;
      continue;
    }
    return a.type === 'list_splat' || a.type === 'dictionary_splat' ? undefined : a;
  }
  return undefined;
}

/** Where to point for a literal: the content of one plain string, else the whole argument. */
function literalRange(arg: Node): SourceRange {
  if (arg.type === 'string') {
    const contents = arg.namedChildren.filter((c) => c?.type === 'string_content');
    if (contents.length === 1 && contents[0]) return rangeOf(contents[0]);
  }
  return rangeOf(arg);
}

/** Whether `text` can hold a dynamic import at all (identifiers read as Python reads them, NFKC). */
export function mayImportDynamically(text: string): boolean {
  return mentionsAny(text, IMPORT_FUNCTIONS);
}

/** Runs the dynamic query over [start, end) of the text, or over the whole tree. */
export type DynamicQuery = (range: [number, number] | undefined) => QueryMatch[];

/**
 * The literal dynamic imports of a tree, pushed to `out`. On a clean tree the query runs only over
 * the lines that mention an import function or a name bound to one; a binding found there (`load =
 * importlib.import_module`, then `f = load`) widens the lines to its name, until no new name turns up.
 * The result equals a whole-tree query's. `whole` (a tree with errors) queries the whole tree once.
 * Returns the names bound to an import function (an import's `as` name or an assignment's target).
 */
export function dynamicSites(
  text: string,
  static_: PendingSite[],
  query: DynamicQuery,
  whole: boolean,
  out: PendingSite[],
): string[] {
  const words = new Set([...IMPORT_FUNCTIONS, ...dynamicNames([], static_).functions.keys()]);
  for (;;) {
    const matches = whole ? query(undefined) : rangedMatches(text, words, query);
    const names = dynamicNames(matches, static_);
    const fresh = [...names.functions.keys()].filter((name) => !words.has(name));
    if (whole || !fresh.length) {
      callSites(matches, names, out);
      return [...names.functions.keys()];
    }
    for (const name of fresh) words.add(name);
  }
}

/** The matches over the lines mentioning `words`, each once, in source order. */
function rangedMatches(text: string, words: Set<string>, query: DynamicQuery): QueryMatch[] {
  const seen = new Set<string>();
  const all: { at: number; match: QueryMatch }[] = [];
  for (const range of wordRanges(text, words)) {
    for (const match of query(range)) {
      const node = match.captures.find((c) => c.name === 'call' || c.name === 'assign')?.node;
      const at = node?.startIndex ?? -1;
      const key = `${match.patternIndex}:${at}`;
      if (seen.has(key)) continue; // a call or assignment crossing two ranges
      seen.add(key);
      all.push({ at, match });
    }
  }
  return all.sort((a, b) => a.at - b.at).map((m) => m.match);
}

function callSites(matches: QueryMatch[], names: DynamicNames, out: PendingSite[]): void {
  for (const match of matches) {
    const cap = (name: string): Node | undefined => match.captures.find((c) => c.name === name)?.node;
    const fn = cap('fn');
    const args = cap('args');
    const call = cap('call');
    if (!fn || !args || !call) continue;
    const obj = cap('obj');
    const kind = importFunction(names, identifierText(fn), obj && identifierText(obj));
    if (!kind) continue;
    const arg = moduleArgument(args);
    const value = arg ? stringLiteralValue(arg) : null;
    if (!arg || value === null) continue;
    const m = DOTTED_LITERAL.exec(value);
    if (!m) continue;
    const level = m[1].length;
    const module = m[2] ?? null;
    if ((level > 0 && kind === '__import__') || (level === 0 && !module)) continue;
    out.push({
      at: call.startIndex,
      site: makeSite('dynamic', module, null, null, level, literalRange(arg), rangeOf(call), contextOf(call)),
    });
  }
}
