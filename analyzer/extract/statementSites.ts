/**
 * The import statements of a parsed module as import sites: `import a.b as c`, `from ..m import x`,
 * star imports, each name with its exact range, its guard (inside `try: … except ImportError`, or
 * under an `if`) and whether it is inside a function. Python's own spelling of names (NFKC).
 */
import type { Node } from 'web-tree-sitter';
import type { ImportSite, SourceRange } from './importSite';

/** Exceptions whose handler makes a failing import harmless. */
const IMPORT_ERROR_CATCHERS = new Set(['ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException']);

export function rangeOf(node: Node): SourceRange {
  const s = node.startPosition;
  const e = node.endPosition;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}

/** An identifier as Python reads it: NFKC-normalised (`ｎｕｍｐｙ` is `numpy`, NFD accents composed). */
export function identifierText(node: Node): string {
  const t = node.text;
  return /[^\x00-\x7f]/.test(t) ? t.normalize('NFKC') : t;
}

/** `a . b` → `a.b`: the identifiers of a dotted_name, without spaces or comments. */
function dottedText(node: Node): string {
  if (node.type !== 'dotted_name') return identifierText(node);
  const parts: string[] = [];
  for (const c of node.namedChildren) if (c && c.type === 'identifier') parts.push(identifierText(c));
  return parts.join('.');
}

/** Names of exception classes named by an `except` expression (`(A, mod.B)` → A, B). */
function exceptionNames(expr: Node, out: string[]): void {
  switch (expr.type) {
    case 'identifier':
      out.push(expr.text);
      break;
    case 'attribute': {
      const attr = expr.childForFieldName('attribute');
      if (attr) out.push(attr.text);
      break;
    }
    case 'tuple':
    case 'parenthesized_expression':
    case 'expression_list':
    case 'as_pattern':
      for (const c of expr.namedChildren) if (c) exceptionNames(c, out);
      break;
    default:
      break;
  }
}

/** True when one of the try statement's handlers would catch ImportError. */
function catchesImportError(tryNode: Node): boolean {
  for (const clause of tryNode.namedChildren) {
    if (!clause || (clause.type !== 'except_clause' && clause.type !== 'except_group_clause')) continue;
    const values = clause.childrenForFieldName('value').filter((v): v is Node => v !== null);
    if (values.length === 0) return true; // bare `except:`
    const names: string[] = [];
    for (const v of values) exceptionNames(v, names);
    if (names.some((n) => IMPORT_ERROR_CATCHERS.has(n))) return true;
  }
  return false;
}

/**
 * The guard and scope of a statement. `try` wins over `if` when both enclose it; guards outside the
 * enclosing function do not count (the function body runs later, outside that try or if).
 */
export function contextOf(node: Node): { guarded: ImportSite['guarded']; inFunction: boolean } {
  let inTry = false;
  let inIf = false;
  let inFunction = false;
  let child = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (inFunction) {
      if (n.type === 'function_definition' || n.type === 'lambda') break;
      continue;
    }
    switch (n.type) {
      case 'try_statement':
        if (!inTry && child.type === 'block' && catchesImportError(n)) inTry = true;
        break;
      case 'if_statement':
      case 'elif_clause':
      case 'case_clause':
        if (child.type === 'block') inIf = true;
        break;
      case 'else_clause':
        if (n.parent?.type === 'if_statement') inIf = true;
        break;
      case 'function_definition':
      case 'lambda':
        inFunction = true;
        break;
      default:
        break;
    }
    if (inFunction) break;
  }
  return { guarded: inTry ? 'try' : inIf ? 'if' : null, inFunction };
}

/** An ImportSite with its fields in the documented order (stable JSON output). */
export function makeSite(
  kind: ImportSite['kind'],
  module: string | null,
  name: string | null,
  asname: string | null,
  level: number,
  range: SourceRange,
  statementRange: SourceRange,
  ctx: { guarded: ImportSite['guarded']; inFunction: boolean },
): ImportSite {
  return {
    module,
    name,
    asname,
    level,
    range,
    statementRange,
    kind,
    guarded: ctx.guarded,
    inFunction: ctx.inFunction,
  };
}

export interface PendingSite {
  at: number;
  site: ImportSite;
}

export function importStatementSites(stmt: Node, out: PendingSite[]): void {
  const ctx = contextOf(stmt);
  const statementRange = rangeOf(stmt);
  for (const item of stmt.childrenForFieldName('name')) {
    if (!item) continue;
    const dotted = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
    if (!dotted || dotted.isMissing) continue;
    const module = dottedText(dotted);
    if (!module) continue;
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias') : null;
    const asname = alias ? identifierText(alias) : null;
    out.push({
      at: stmt.startIndex,
      site: makeSite('import', module, null, asname, 0, rangeOf(dotted), statementRange, ctx),
    });
  }
}

export function fromStatementSites(stmt: Node, out: PendingSite[]): void {
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode) return;
  let module: string | null;
  let level = 0;
  if (moduleNode.type === 'relative_import') {
    module = null;
    for (const c of moduleNode.namedChildren) {
      if (!c) continue;
      if (c.type === 'import_prefix') level = c.text.replace(/[^.]/g, '').length;
      else if (c.type === 'dotted_name') module = dottedText(c);
    }
  } else {
    module = dottedText(moduleNode);
  }
  if (level === 0 && module === '__future__') return;
  const ctx = contextOf(stmt);
  const statementRange = rangeOf(stmt);
  let star: Node | undefined;
  for (const c of stmt.namedChildren) if (c?.type === 'wildcard_import') star = c;
  if (star) {
    out.push({
      at: stmt.startIndex,
      site: makeSite('star', module, null, null, level, rangeOf(star), statementRange, ctx),
    });
    return;
  }
  for (const item of stmt.childrenForFieldName('name')) {
    if (!item) continue;
    const dotted = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
    if (!dotted || dotted.isMissing) continue;
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias') : null;
    const asname = alias ? identifierText(alias) : null;
    out.push({
      at: stmt.startIndex,
      site: makeSite('from', module, dottedText(dotted), asname, level, rangeOf(dotted), statementRange, ctx),
    });
  }
}
