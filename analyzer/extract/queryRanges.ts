/**
 * Which lines of a clean tree a query needs to see. Querying only the lines that can hold a match
 * finds what a whole-tree query finds, at a fraction of its time and memory (a whole-tree query over a
 * 1.5 MB file of nested calls builds hundreds of thousands of matches). A query over a range still
 * sees the whole of every node that crosses it, so a statement or call spread over several lines is
 * found from any of its lines.
 *
 * It only searches text; the queries themselves are run by extractImports.ts and dynamicImports.ts.
 */

/** Lines that may hold a Python-2-only construct (a superset; the query decides). */
const PYTHON2_CANDIDATE =
  /\b(?:print|exec)\b(?![ \t]*[(=.,)\]:;]|$)|<>|\bexcept\b[^:\n]*,|\braise\b[^\n]*,|\b(?:def|lambda)\b[^\n]*[(,][ \t]*\(/gm;

/** A parenthesis opening a continuation line after `(` or `,` (a tuple parameter of a multi-line def). */
const PYTHON2_CONTINUATION = /[(,][ \t]*(?:#[^\n]*)?\r?\n[ \t]*\(/g;

const NON_ASCII = /[^\x00-\x7f]/g;
const HAS_NON_ASCII = /[^\x00-\x7f]/;

/**
 * Sorted, merged [start, end) offsets of the lines holding the text `import` (and, when checking
 * syntax, the Python 2 candidates). Queries over these ranges find exactly the import statements
 * (and Python 2 constructs) a whole-tree query finds.
 */
export function candidateRanges(text: string, withPython2: boolean): [number, number][] {
  const starts: number[] = [];
  occurrences(text, 'import', starts);
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
  return lineRanges(text, starts);
}

/**
 * Sorted, merged [start, end) offsets of the lines that mention one of `words`, as Python reads an
 * identifier: a line with non-ASCII characters counts when its NFKC form holds the word (`__ｉmport__`
 * is `__import__`). Strings and comments count too: the query decides.
 */
export function wordRanges(text: string, words: Iterable<string>): [number, number][] {
  const list = [...words];
  const starts: number[] = [];
  for (const w of list) occurrences(text, w, starts);
  NON_ASCII.lastIndex = 0;
  for (let m = NON_ASCII.exec(text); m; m = NON_ASCII.exec(text)) {
    const [lineStart, lineEnd] = lineAround(text, m.index);
    const line = text.slice(lineStart, lineEnd).normalize('NFKC');
    if (list.some((w) => line.includes(w))) starts.push(lineStart);
    NON_ASCII.lastIndex = lineEnd;
  }
  starts.sort((a, b) => a - b);
  return lineRanges(text, starts);
}

/** Whether any line of `text` mentions one of `words` as wordRanges reads them. */
export function mentionsAny(text: string, words: readonly string[]): boolean {
  if (words.some((w) => text.includes(w))) return true;
  return HAS_NON_ASCII.test(text) && wordRanges(text, words).length > 0;
}

/** Appends the offsets of `word` in `text` to `into` (one by one: a one-letter alias can occur a million times). */
function occurrences(text: string, word: string, into: number[]): void {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + word.length)) into.push(i);
}

function lineAround(text: string, at: number): [number, number] {
  const end = text.indexOf('\n', at);
  return [text.lastIndexOf('\n', at - 1) + 1, end < 0 ? text.length : end];
}

/** The lines holding the sorted offsets `starts`, adjacent lines merged into one range. */
function lineRanges(text: string, starts: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const at of starts) {
    const last = ranges[ranges.length - 1];
    if (last && at < last[1]) continue;
    const [lineStart, lineEnd] = lineAround(text, at);
    if (last && lineStart <= last[1] + 1) last[1] = lineEnd;
    else ranges.push([lineStart, lineEnd]);
  }
  return ranges;
}
