/**
 * CPython's tokenizer limits that tree-sitter does not have: at most 200 nested brackets
 * ("too many nested parentheses") and at most 99 indentation levels ("too many levels of
 * indentation"). A file over either limit is rejected by `ast.parse`, so it is not syntax-OK.
 *
 * A cheap pre-check skips the scan for ordinary files; the scan itself skips strings and comments.
 * It does not check anything else about the source.
 */
import type { SourceProblem } from './sourceProblem';

export const MAX_BRACKET_DEPTH = 200;
export const MAX_INDENT_LEVELS = 99;

const DEEP_INDENT = new RegExp(`^[ \\t\\f]{${MAX_INDENT_LEVELS + 1},}\\S`, 'm');

function countOpenBrackets(text: string, atLeast: number): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 40 || c === 91 || c === 123) && ++n >= atLeast) return true;
  }
  return false;
}

/** The first nesting-limit violation, or undefined. Lines in the problem are zero-based. */
export function findNestingProblem(text: string): SourceProblem | undefined {
  const deepBrackets = countOpenBrackets(text, MAX_BRACKET_DEPTH + 1);
  const deepIndent = DEEP_INDENT.test(text);
  if (!deepBrackets && !deepIndent) return undefined;
  return scan(text);
}

function scan(text: string): SourceProblem | undefined {
  const indents: number[] = [0];
  let depth = 0;
  let line = 0;
  let atLineStart = true;
  let continued = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      let col = 0;
      let j = i;
      for (; j < n; j++) {
        const c = text[j];
        if (c === ' ') col++;
        else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
        else if (c === '\f') col = 0;
        else break;
      }
      const c = text[j];
      const blank = j >= n || c === '\n' || c === '\r' || c === '#';
      if (depth === 0 && !continued && !blank) {
        if (col > indents[indents.length - 1]) {
          indents.push(col);
          if (indents.length - 1 > MAX_INDENT_LEVELS) {
            return {
              kind: 'syntax',
              message: `too many levels of indentation at line ${line + 1} (CPython allows ${MAX_INDENT_LEVELS})`,
              line,
            };
          }
        } else {
          while (indents.length > 1 && col < indents[indents.length - 1]) indents.pop();
        }
      }
      continued = false;
      i = j;
      continue;
    }
    const c = text[i];
    if (c === '\n') {
      line++;
      atLineStart = true;
      i++;
    } else if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '\\') {
      if (text[i + 1] === '\n') {
        continued = true;
        line++;
        atLineStart = true;
        i += 2;
      } else if (text[i + 1] === '\r' && text[i + 2] === '\n') {
        continued = true;
        line++;
        atLineStart = true;
        i += 3;
      } else {
        i++;
      }
    } else if (c === '"' || c === "'") {
      const triple = text[i + 1] === c && text[i + 2] === c;
      const close = triple ? c + c + c : c;
      i += triple ? 3 : 1;
      while (i < n) {
        const d = text[i];
        if (d === '\\') {
          if (text[i + 1] === '\n') line++;
          i += 2;
        } else if (text.startsWith(close, i)) {
          i += close.length;
          break;
        } else if (d === '\n') {
          line++;
          i++;
          if (!triple) break;
        } else {
          i++;
        }
      }
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > MAX_BRACKET_DEPTH) {
        return {
          kind: 'syntax',
          message: `too many nested parentheses at line ${line + 1} (CPython allows ${MAX_BRACKET_DEPTH})`,
          line,
        };
      }
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth > 0) depth--;
      i++;
    } else {
      i++;
    }
  }
  return undefined;
}
