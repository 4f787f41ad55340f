/**
 * PEP 723 inline script metadata: finding the `# /// script` block in a Python file's text, reading
 * its TOML (`dependencies`, `requires-python`) with the line of each entry, and writing a block back
 * (`pyrats pin`): a new block is inserted after the shebang / coding lines, an existing one has only
 * its `requires-python` and `dependencies` keys replaced; every other byte of the file is kept.
 * Does not evaluate requirements (see declarations.ts) and does not touch any other block type.
 */
import { parse as parseToml } from 'smol-toml';

/** Where the `script` block is: 0-based line numbers of its `# /// script` and `# ///` lines. */
export interface ScriptBlockSpan {
  startLine: number;
  endLine: number;
  /** The TOML inside, comment prefixes removed. */
  toml: string;
}

export interface ScriptMetadata {
  span: ScriptBlockSpan;
  /** `dependencies` entries with their 0-based file lines. */
  dependencies: { text: string; line: number }[];
  requiresPython: { specifier: string; line: number } | null;
}

const OPEN = /^# \/\/\/ ([a-zA-Z0-9-]+)[ \t]*$/;
const CLOSE = /^# \/\/\/[ \t]*$/;
const CONTENT = /^#( .*)?$/;

function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * The `script` block of `text`, or null when it has none. Throws an Error for more than one
 * `script` block and for a block that is opened but never closed (what PEP 723 calls an error).
 */
export function findScriptBlock(text: string): ScriptBlockSpan | null {
  const lines = splitLines(text);
  const found: ScriptBlockSpan[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) continue;
    // the block ends at the last `# ///` line before the first line that is not a comment
    let end = -1;
    let j = i + 1;
    for (; j < lines.length && CONTENT.test(lines[j]); j++) if (CLOSE.test(lines[j])) end = j;
    if (open[1] !== 'script') {
      if (end > 0) i = end;
      continue;
    }
    if (end < 0) throw new Error(`line ${i + 1}: '# /// script' is never closed by a '# ///' line`);
    const toml = lines
      .slice(i + 1, end)
      .map((l) => l.slice(l.startsWith('# ') ? 2 : 1))
      .join('\n');
    found.push({ startLine: i, endLine: end, toml });
    i = end;
  }
  if (found.length > 1)
    throw new Error(
      `${found.length} '# /// script' blocks (lines ${found.map((b) => b.startLine + 1).join(', ')}); PEP 723 allows one`,
    );
  return found[0] ?? null;
}

/** 0-based line (in the file) of the first TOML line at or after `from` that holds `needle`. */
function lineOf(span: ScriptBlockSpan, needle: string, from: number): number {
  const lines = span.toml.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i;
  return -1;
}

/** Reads the script block of `text`; null when there is none. Throws for bad TOML or wrong types. */
export function readScriptMetadata(text: string): ScriptMetadata | null {
  const span = findScriptBlock(text);
  if (!span) return null;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(span.toml) as Record<string, unknown>;
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new Error(`the '# /// script' block (line ${span.startLine + 1}) is not valid TOML: ${first}`);
  }
  const deps = doc.dependencies ?? [];
  if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string'))
    throw new Error(`'dependencies' in the '# /// script' block must be an array of strings`);
  const rp = doc['requires-python'];
  if (rp !== undefined && typeof rp !== 'string')
    throw new Error(`'requires-python' in the '# /// script' block must be a string`);
  const depsKey = Math.max(0, lineOf(span, 'dependencies', 0));
  let cursor = depsKey;
  const dependencies = (deps as string[]).map((d) => {
    const at = lineOf(span, JSON.stringify(d).slice(1, -1), cursor);
    const inBlock = at >= 0 ? at : cursor;
    cursor = inBlock;
    return { text: d, line: span.startLine + 1 + inBlock };
  });
  const rpLine = lineOf(span, 'requires-python', 0);
  return {
    span,
    dependencies,
    requiresPython:
      typeof rp === 'string' ? { specifier: rp, line: span.startLine + 1 + Math.max(0, rpLine) } : null,
  };
}

/** The TOML lines of a table body without its top-level `requires-python` and `dependencies` keys. */
function withoutPinnedKeys(toml: string): string[] {
  const lines = toml.split('\n');
  const kept: string[] = [];
  let inTable = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*\[/.test(line)) inTable = true;
    const key = /^\s*(requires-python|dependencies)\s*=/.exec(line);
    if (inTable || !key) {
      kept.push(line);
      continue;
    }
    // skip the value: up to the line where its brackets balance (strings hold no brackets we care about)
    let depth = 0;
    for (let j = i; j < lines.length; j++) {
      const code = lines[j].replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '').replace(/#.*$/, '');
      depth += (code.match(/\[/g) ?? []).length - (code.match(/\]/g) ?? []).length;
      if (depth <= 0) {
        i = j;
        break;
      }
    }
  }
  while (kept.length && !kept[0].trim()) kept.shift();
  return kept;
}

function blockLines(dependencies: string[], requiresPython: string | null, rest: string[]): string[] {
  const toml = [
    ...(requiresPython ? [`requires-python = ${JSON.stringify(requiresPython)}`] : []),
    'dependencies = [',
    ...dependencies.map((d) => `    ${JSON.stringify(d)},`),
    ']',
    ...rest,
  ];
  return ['# /// script', ...toml.map((l) => (l ? `# ${l}` : '#')), '# ///'];
}

/**
 * `text` with its script block set to `dependencies` and `requiresPython` (other keys of an
 * existing block kept). The block's lines end like the file's first line; all lines outside the
 * block are unchanged.
 */
export function writeScriptBlock(
  text: string,
  dependencies: string[],
  requiresPython: string | null,
): string {
  // the first line's terminator (a file with mixed endings keeps each of its own)
  const eol = /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
  const span = findScriptBlock(text);
  // Keep every line terminator as it was: split with the terminators attached.
  const parts = text.match(/[^\r\n]*(\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
  if (span) {
    const block = blockLines(dependencies, requiresPython, withoutPinnedKeys(span.toml));
    const terminator = /(\r\n|\n|\r)$/.exec(parts[span.endLine])?.[1] ?? '';
    const before = parts.slice(0, span.startLine).join('');
    const after = parts.slice(span.endLine + 1).join('');
    return before + block.join(eol) + terminator + after;
  }
  // A new block goes after a shebang and a coding line, followed by one blank line.
  let at = 0;
  if (parts[0]?.startsWith('#!')) at = 1;
  if (parts[at] !== undefined && /^[ \t\f]*#.*?coding[:=]/.test(parts[at]) && at < 2) at++;
  const before = parts.slice(0, at).join('');
  const needsEol = before && !/(\r\n|\n|\r)$/.test(before) ? eol : '';
  const block = blockLines(dependencies, requiresPython, []).join(eol) + eol;
  const after = parts.slice(at).join('');
  return before + needsEol + block + (after ? eol : '') + after;
}
