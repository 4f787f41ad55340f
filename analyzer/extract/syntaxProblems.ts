/**
 * Where a tree says the file is not valid Python, as CPython would say it: the first real syntax
 * error (not tree-sitter's misreading of f-string format specs).
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
