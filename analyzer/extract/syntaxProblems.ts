/**
 * Where a tree says the file is not valid Python, as CPython would say it: the first real syntax
 * error (not tree-sitter's misreading of f-string format specs), and the lines worth checking for
 * Python-2-only constructs.
 */
import type { Node } from 'web-tree-sitter';
import type { SourceProblem } from './sourceProblem';

/**
 * tree-sitter-python reads `f"{x:=}"` / `f"{x:=^10}"` as a walrus, where CPython sees the format
 * spec `=`/`=^10` (an unparenthesised `:=` cannot start an f-string expression). Errors inside such an
 * interpolation are the grammar's, not the file's.
 */
function isGrammarMisreadOfFormatSpec(error: Node): boolean {
  for (let n = error.parent; n; n = n.parent) {
    if (n.type === 'interpolation') return n.childForFieldName('expression')?.type === 'named_expression';
    if (n.type === 'string' || n.type === 'block' || n.type === 'module') return false;
  }
  return false;
}

/** At most this many error nodes are looked at before the first one is taken as real. */
const MAX_ERRORS_EXAMINED = 200;

/**
 * The first real ERROR or MISSING node in source order (descending only into subtrees that contain
 * one), or undefined when every error is a known grammar misreading.
 */
export function firstSyntaxError(root: Node): SourceProblem | undefined {
  const stack: Node[] = [root];
  let examined = 0;
  while (stack.length) {
    const node = stack.pop()!;
    if (node.isMissing || node.isError) {
      if (++examined <= MAX_ERRORS_EXAMINED && isGrammarMisreadOfFormatSpec(node)) continue;
      return syntaxProblemAt(node);
    }
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c && (c.isError || c.isMissing || c.hasError)) stack.push(c);
    }
  }
  return undefined;
}

function syntaxProblemAt(node: Node): SourceProblem {
  const line = node.startPosition.row;
  const where = `line ${line + 1}, column ${node.startPosition.column + 1}`;
  if (node.isMissing) {
    return { kind: 'syntax', message: `syntax error at ${where}: missing '${node.type}'`, line };
  }
  const snippet = node.text.split('\n')[0].slice(0, 40);
  return {
    kind: 'syntax',
    message: snippet
      ? `syntax error at ${where}: unexpected '${snippet}'`
      : `syntax error at ${where}: invalid syntax`,
    line,
  };
}

/** Lines that may hold a Python-2-only construct (a superset; the query decides). */
const PYTHON2_CANDIDATE =
  /\b(?:print|exec)\b(?![ \t]*[(=.,)\]:;]|$)|<>|\bexcept\b[^:\n]*,|\braise\b[^\n]*,|\b(?:def|lambda)\b[^\n]*[(,][ \t]*\(/gm;

/** A parenthesis opening a continuation line after `(` or `,` (a tuple parameter of a multi-line def). */
const PYTHON2_CONTINUATION = /[(,][ \t]*(?:#[^\n]*)?\r?\n[ \t]*\(/g;

/**
 * Sorted, merged [start, end) offsets of the lines holding the text `import` (and, when checking
 * syntax, the Python 2 candidates). Queries over these ranges find exactly the import statements
 * (and Python 2 constructs) a whole-tree query finds, at a fraction of the cost.
 */
export function candidateRanges(text: string, withPython2: boolean): [number, number][] {
  const starts: number[] = [];
  for (let at = text.indexOf('import'); at >= 0; at = text.indexOf('import', at + 6)) starts.push(at);
  if (withPython2) {
    PYTHON2_CANDIDATE.lastIndex = 0;
    for (let m = PYTHON2_CANDIDATE.exec(text); m; m = PYTHON2_CANDIDATE.exec(text)) {
      starts.push(m.index);
      if (m[0].length === 0) PYTHON2_CANDIDATE.lastIndex++;
    }
    PYTHON2_CONTINUATION.lastIndex = 0;
    for (let m = PYTHON2_CONTINUATION.exec(text); m; m = PYTHON2_CONTINUATION.exec(text)) {
      starts.push(m.index + m[0].length - 1);
    }
    starts.sort((a, b) => a - b);
  }
  const ranges: [number, number][] = [];
  for (const at of starts) {
    const last = ranges[ranges.length - 1];
    if (last && at < last[1]) continue;
    const lineStart = text.lastIndexOf('\n', at) + 1;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    if (last && lineStart <= last[1] + 1) last[1] = lineEnd;
    else ranges.push([lineStart, lineEnd]);
  }
  return ranges;
}
