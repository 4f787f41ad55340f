/**
 * The import skeleton of a Python source: the same text, line for line and column for column, in
 * which only the logical lines that matter for imports survive: every logical line containing the
 * text `import` (or another of the words given, such as a name bound to a dynamic import function),
 * the headers of the blocks enclosing them (def, class, if/elif/else, try/except/else/finally with
 * all handlers of a kept try, for, while, with, match/case), and a `pass` where a kept header would
 * otherwise have an empty body. Everything else becomes empty lines. Parsing the
 * skeleton gives the same ImportSites (and ranges) as parsing the whole file, at a fraction of the
 * cost — but says nothing about the syntax of what was dropped, so it is only used when the file is
 * already known to be valid (see extractImports.ts, `trustPycache`).
 *
 * It does not parse Python; it splits logical lines (strings, comments, brackets, backslash
 * continuations, indentation). If a string is left open it gives up and returns undefined.
 */

const enum Kind {
  Simple = 0,
  /** if, try, for, while, with, def, class, match, async … (opens a compound statement) */
  Opener = 1,
  /** elif, else, except, finally (continues the compound statement before it) */
  Clause = 2,
  /** case (inside a match block) */
  Case = 3,
  Decorator = 4,
}

const WORD = /[A-Za-z_]+/y;
const OPENERS = new Set(['def', 'async', 'class', 'if', 'for', 'while', 'with', 'match']);
const CLAUSES = new Set(['elif', 'else', 'except', 'finally']);

function kindOf(text: string, at: number): { kind: Kind; isTry: boolean } {
  if (text.charCodeAt(at) === 64) return { kind: Kind.Decorator, isTry: false };
  WORD.lastIndex = at;
  const m = WORD.exec(text);
  if (!m) return { kind: Kind.Simple, isTry: false };
  const after = text.charCodeAt(at + m[0].length);
  // a keyword must end at a non-identifier character (ASCII check suffices for these words)
  if ((after >= 48 && after <= 57) || after > 127) return { kind: Kind.Simple, isTry: false };
  const w = m[0];
  if (w === 'try') return { kind: Kind.Opener, isTry: true };
  if (OPENERS.has(w)) return { kind: Kind.Opener, isTry: false };
  if (CLAUSES.has(w)) return { kind: Kind.Clause, isTry: false };
  if (w === 'case') return { kind: Kind.Case, isTry: false };
  return { kind: Kind.Simple, isTry: false };
}

/** The skeleton text, or undefined when the source cannot be split safely. */
export function importSkeleton(text: string, words: readonly string[] = ['import']): string | undefined {
  const n = text.length;
  // per logical line: start (physical line start), code start, end (after its last newline), indent
  const starts: number[] = [];
  const codeStarts: number[] = [];
  const ends: number[] = [];
  const indents: number[] = [];
  const kinds: Kind[] = [];
  const isTry: boolean[] = [];
  const opensBlock: boolean[] = [];
  const hasImport: boolean[] = [];

  // the next occurrence of each word at or after the current logical line (-1: none left)
  const nextAt = words.map((w) => text.indexOf(w));
  const mentions = (codeStart: number, end: number): boolean => {
    let found = false;
    for (let w = 0; w < words.length; w++) {
      if (nextAt[w] >= 0 && nextAt[w] < codeStart) nextAt[w] = text.indexOf(words[w], codeStart);
      if (nextAt[w] >= 0 && nextAt[w] < end) found = true;
    }
    return found;
  };
  let i = 0;
  while (i < n) {
    const start = i;
    let col = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 32) col++;
      else if (c === 9) col = (Math.floor(col / 8) + 1) * 8;
      else if (c === 12) col = 0;
      else break;
    }
    const codeStart = j;
    const first = text.charCodeAt(codeStart);
    if (codeStart >= n || first === 10 || first === 13 || first === 35) {
      let e = codeStart;
      while (e < n && text.charCodeAt(e) !== 10) e++;
      i = e + 1;
      continue;
    }
    let depth = 0;
    let end = n;
    let lastCode = -1; // last character outside comments and whitespace
    let k = codeStart;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 10) {
        if (depth === 0) {
          end = k + 1;
          break;
        }
        k++;
      } else if (c === 32 || c === 9 || c === 13 || c === 12) {
        k++;
      } else if (c === 35) {
        while (k < n && text.charCodeAt(k) !== 10) k++;
      } else if (c === 92) {
        // a backslash continues the line over its end: \n, \r\n (CRLF files) or a lone \r
        k += text.charCodeAt(k + 1) === 13 && text.charCodeAt(k + 2) === 10 ? 3 : 2;
      } else if (c === 34 || c === 39) {
        const triple = text.charCodeAt(k + 1) === c && text.charCodeAt(k + 2) === c;
        k += triple ? 3 : 1;
        let closed = false;
        while (k < n) {
          const d = text.charCodeAt(k);
          if (d === 92) {
            k += text.charCodeAt(k + 1) === 13 && text.charCodeAt(k + 2) === 10 ? 3 : 2;
          } else if (d === c && (!triple || (text.charCodeAt(k + 1) === c && text.charCodeAt(k + 2) === c))) {
            k += triple ? 3 : 1;
            closed = true;
            break;
          } else if (d === 10 && !triple) {
            break;
          } else {
            k++;
          }
        }
        if (!closed) return undefined;
        lastCode = k - 1;
      } else {
        if (c === 40 || c === 91 || c === 123) depth++;
        else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
        lastCode = k;
        k++;
      }
    }
    const kind = kindOf(text, codeStart);
    starts.push(start);
    codeStarts.push(codeStart);
    ends.push(end);
    indents.push(col);
    kinds.push(kind.kind);
    isTry.push(kind.isTry);
    opensBlock.push(kind.kind !== Kind.Simple && lastCode >= 0 && text.charCodeAt(lastCode) === 58);
    hasImport.push(mentions(codeStart, end));
    i = end;
  }

  const count = starts.length;
  // block structure: parent = the enclosing header, prev/next = siblings under the same parent
  const parent = new Int32Array(count).fill(-1);
  const prev = new Int32Array(count).fill(-1);
  const next = new Int32Array(count).fill(-1);
  const lastChild = new Map<number, number>();
  const stack: number[] = [];
  for (let r = 0; r < count; r++) {
    while (stack.length && indents[stack[stack.length - 1]] >= indents[r]) stack.pop();
    const p = stack.length ? stack[stack.length - 1] : -1;
    parent[r] = p;
    const before = lastChild.get(p);
    if (before !== undefined) {
      prev[r] = before;
      next[before] = r;
    }
    lastChild.set(p, r);
    if (opensBlock[r]) stack.push(r);
  }

  const keep = new Uint8Array(count);
  const mark = (start: number): void => {
    const todo = [start];
    while (todo.length) {
      const r = todo.pop()!;
      if (r < 0 || keep[r]) continue;
      keep[r] = 1;
      todo.push(parent[r]);
      // a clause needs the clauses and the opener before it
      if (kinds[r] === Kind.Clause) todo.push(prev[r]);
      // a decorator needs what it decorates
      if (kinds[r] === Kind.Decorator && r + 1 < count) todo.push(r + 1);
      // a kept try keeps all its handlers (they decide whether the try guards an import)
      if (isTry[r]) for (let s = next[r]; s >= 0 && kinds[s] === Kind.Clause; s = next[s]) todo.push(s);
    }
  };
  for (let r = 0; r < count; r++) if (hasImport[r]) mark(r);

  // kept block headers without a kept child get `pass` on their first body line
  const hasKeptChild = new Uint8Array(count);
  for (let r = 0; r < count; r++) if (keep[r] && parent[r] >= 0) hasKeptChild[parent[r]] = 1;
  const passAt = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    if (keep[r] && opensBlock[r] && !hasKeptChild[r] && r + 1 < count && parent[r + 1] === r)
      passAt[r + 1] = 1;
  }

  const out: string[] = [];
  let pos = 0;
  const newlinesUpTo = (to: number): void => {
    for (let m = text.indexOf('\n', pos); m >= 0 && m < to; m = text.indexOf('\n', m + 1)) out.push('\n');
    pos = to;
  };
  for (let r = 0; r < count; r++) {
    if (keep[r]) {
      newlinesUpTo(starts[r]);
      out.push(text.slice(starts[r], ends[r]));
      pos = ends[r];
    } else if (passAt[r]) {
      newlinesUpTo(starts[r]);
      out.push(text.slice(starts[r], codeStarts[r]), 'pass');
      pos = codeStarts[r];
      newlinesUpTo(ends[r]);
    }
  }
  newlinesUpTo(n);
  return out.join('');
}
