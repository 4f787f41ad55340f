/**
 * Python-2-only constructs that tree-sitter-python accepts but CPython 3's `ast.parse` rejects:
 * print and exec statements, `except X, e`, `raise E, V`, `<>`, tuple parameters (structural, found
 * by query patterns merged into the extractor's main query), and backtick repr, `ur''` strings,
 * `0777` octals and `10L` longs (lexical, found by a regex pre-scan confirmed against the tree so
 * that strings and comments never count).
 *
 * It only detects; it does not parse Python 2 or extract anything.
 */
import type { Node } from 'web-tree-sitter';
import type { SourceProblem } from './sourceProblem';

/** Query patterns; each capture name is `py2.<what>`. */
export const PYTHON2_QUERY_PATTERNS = `
(print_statement) @py2.print
(exec_statement) @py2.exec
(except_clause "," @py2.except)
(comparison_operator "<>" @py2.ne)
(raise_statement (expression_list) @py2.raise)
(parameters (tuple_pattern) @py2.tuple)
(lambda_parameters (tuple_pattern) @py2.tuple)
`;

const DESCRIPTIONS: Record<string, string> = {
  'py2.print': 'print statement',
  'py2.exec': 'exec statement',
  'py2.except': "'except X, name' clause",
  'py2.ne': "'<>' operator",
  'py2.raise': "'raise E, V' statement",
  'py2.tuple': 'tuple parameter',
  backtick: 'backtick repr',
  ur: "ur'' string prefix",
  octal: "octal literal without '0o'",
  long: "long integer suffix 'L'",
};

/**
 * Whether a query capture really is Python-2-only. `print >>f, x` and `print (a), b` are also valid
 * Python 3 expressions (a shift and a tuple), so those print statements do not count.
 */
export function isPython2Only(what: string, node: Node): boolean {
  if (what !== 'py2.print') return true;
  let first: Node | undefined;
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'chevron') return false;
    first ??= c;
  }
  return !first || !first.text.startsWith('(');
}

/** The problem for a Python-2 construct found at a node. */
export function python2Problem(what: string, node: Node): SourceProblem {
  const line = node.startPosition.row;
  return {
    kind: 'python2',
    message: `Python 2 syntax at line ${line + 1}: ${DESCRIPTIONS[what] ?? what}`,
    line,
  };
}

const LEXICAL =
  /`|\b[uU][rR]['"]|(?<![\w.])0\d+[lL]?\b|(?<![\w.])(?:0[xX][0-9a-fA-F]+|0[oObB]?\d+|\d+)[lL]\b/g;

/**
 * The first lexical Python-2 construct (backticks, `ur''`, `0777`, `10L`) that the tree confirms is
 * code, not text inside a string or comment.
 */
export function findPython2Lexical(root: Node, text: string): SourceProblem | undefined {
  LEXICAL.lastIndex = 0;
  for (let m = LEXICAL.exec(text); m; m = LEXICAL.exec(text)) {
    const lexeme = m[0];
    const node = root.descendantForIndex(m.index, m.index + lexeme.length - 1);
    if (!node) continue;
    if (lexeme === '`') {
      if (node.type === 'string_start' && node.text === '`') return python2Problem('backtick', node);
    } else if (/^[uU][rR]/.test(lexeme)) {
      if (node.type === 'string_start' && /^[uU][rR]/.test(node.text)) return python2Problem('ur', node);
    } else if (node.type === 'integer') {
      const t = node.text;
      if (/[lL]$/.test(t)) return python2Problem('long', node);
      if (/^0\d*[1-9]/.test(t) && !/^0[xXoObB]/.test(t)) return python2Problem('octal', node);
    }
  }
  return undefined;
}
