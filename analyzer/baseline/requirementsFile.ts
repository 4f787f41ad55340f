/**
 * pip requirements files and `pip freeze` output: comments, line continuations, `${VAR}` expansion,
 * global options (`--index-url`, `--extra-index-url`, ...), per-requirement options (`--hash`),
 * `-r` / `-c` includes relative to the including file (with a depth limit and cycle detection),
 * PEP 508 requirements with extras and markers, direct URLs, archives and the three editable forms.
 * Each line becomes one classified item (`parseRequirementLine`); `readRequirementsFile` turns a file
 * and its includes into baseline entries. Markers are evaluated against the target when known.
 * Does not download anything or read the projects behind local paths except their pyproject.toml name.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pypiEntry, type BaselineEntry, type BaselineProblem } from './baseline';
import {
  eggName,
  evaluateMarker,
  nameFromArchive,
  normalizeName,
  parseRequirement,
  pinnedVersion,
  type MarkerEnvironment,
} from './pep508';
import { ioProblem } from '../ioErrors';

export type RequirementLine =
  | {
      kind: 'requirement';
      name: string;
      extras: string[];
      specifier: string;
      marker: string | null;
      url: string | null;
      hashes: string[];
    }
  | { kind: 'editable'; name: string | null; version: string | null; target: string }
  | { kind: 'include'; file: string }
  | { kind: 'constraint'; file: string }
  | { kind: 'index-url' | 'extra-index-url' | 'find-links' | 'trusted-host'; value: string }
  | { kind: 'option'; option: string; value: string | null }
  | { kind: 'comment'; text: string }
  | { kind: 'empty' };

const valueOptions: Record<string, RequirementLine['kind'] | 'option'> = {
  '-r': 'include',
  '--requirement': 'include',
  '-c': 'constraint',
  '--constraint': 'constraint',
  '-e': 'editable',
  '--editable': 'editable',
  '-i': 'index-url',
  '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links',
  '--find-links': 'find-links',
  '--trusted-host': 'trusted-host',
  '--no-binary': 'option',
  '--only-binary': 'option',
  '--use-feature': 'option',
  '--config-settings': 'option',
  '--global-option': 'option',
};
const flagOptions = new Set(['--no-index', '--pre', '--prefer-binary', '--require-hashes']);

/** Expands `${NAME}` (upper-case letters, digits, `_`) from `env`; unknown names are left as written. */
export function expandVariables(line: string, env: NodeJS.ProcessEnv): string {
  return line.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole);
}

function looksLikeUrlOrPath(s: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ||
    /^(git|hg|svn|bzr)\+/i.test(s) ||
    /^(\.{1,2}\/|\/|~)/.test(s) ||
    /\.(whl|tar\.gz|tar\.bz2|tar\.xz|zip|tgz)$/i.test(s.split(/[#?]/)[0])
  );
}

function editableName(target: string): { name: string | null; version: string | null } {
  const egg = eggName(target);
  if (egg) return { name: egg, version: null };
  const archive = nameFromArchive(target);
  if (archive) return archive;
  return { name: null, version: null };
}

/**
 * Classifies one logical line (continuations already joined, comments kept for the caller to strip).
 * Throws an Error with a specific message for a line that is not valid requirements syntax.
 */
export function parseRequirementLine(raw: string): RequirementLine {
  const commentless = raw.replace(/(^|\s)#.*$/, '').trim();
  if (!commentless) {
    const c = raw.trim();
    return c.startsWith('#') ? { kind: 'comment', text: c.replace(/^#\s?/, '') } : { kind: 'empty' };
  }
  if (commentless.startsWith('-')) {
    const m = /^(--?[A-Za-z][A-Za-z-]*)(?:=|\s+)?(.*)$/.exec(commentless);
    if (!m) throw new Error(`cannot read option: ${commentless}`);
    const [, opt, valueRaw] = m;
    const value = valueRaw.trim();
    if (flagOptions.has(opt)) return { kind: 'option', option: opt, value: null };
    const kind = valueOptions[opt];
    if (!kind) throw new Error(`unknown option ${opt}`);
    if (!value) throw new Error(`option ${opt} needs a value`);
    if (kind === 'editable') {
      const { name, version } = editableName(value);
      return { kind: 'editable', name, version, target: value };
    }
    if (kind === 'include' || kind === 'constraint') return { kind, file: value };
    if (kind === 'option') return { kind: 'option', option: opt, value };
    return { kind, value } as RequirementLine;
  }
  // Per-requirement options follow the requirement after whitespace: --hash=..., --config-settings ...
  const optStart = commentless.search(/\s--?[a-z]/);
  const reqText = optStart >= 0 ? commentless.slice(0, optStart).trim() : commentless;
  const optText = optStart >= 0 ? commentless.slice(optStart) : '';
  const hashes = [...optText.matchAll(/--hash[=\s]+(\S+)/g)].map((m) => m[1]);
  const unknown = [...optText.matchAll(/\s(--?[a-z][a-z-]*)/g)]
    .map((m) => m[1])
    .filter((o) => o !== '--hash' && o !== '--config-settings' && o !== '--global-option');
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} after requirement`);
  if (looksLikeUrlOrPath(reqText) && !/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(reqText)) {
    const [target, marker] = reqText.split(/\s+;\s*/);
    const { name } = editableName(target);
    if (!name)
      throw new Error(`cannot tell the distribution name of ${target} (add #egg=NAME or use NAME @ URL)`);
    const archive = nameFromArchive(target);
    return {
      kind: 'requirement',
      name,
      extras: [],
      specifier: archive?.version ? `==${archive.version}` : '',
      marker: marker?.trim() || null,
      url: target,
      hashes,
    };
  }
  const r = parseRequirement(reqText);
  return { kind: 'requirement', ...r, hashes };
}

export interface RequirementsOptions {
  /** Marker values of the target; absent variables keep the requirement. */
  markers?: MarkerEnvironment;
  /** Variables for `${VAR}`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Largest file read; default 16 MB. */
  maxBytes?: number;
  /** Deepest `-r` nesting; default 10. */
  maxDepth?: number;
}

export interface RequirementsRead {
  entries: BaselineEntry[];
  /** Entries whose marker is false for the target (kept for display, not in the baseline). */
  excluded: { entry: BaselineEntry; marker: string }[];
  indexUrls: string[];
  files: string[];
  problems: BaselineProblem[];
}

/** Joins backslash continuations; returns [first line number (1-based), text] pairs. */
function logicalLines(text: string): [number, string][] {
  const out: [number, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let buf = '';
  let start = 0;
  lines.forEach((line, i) => {
    if (!buf) start = i + 1;
    if (/(^|[^\\])\\$/.test(line) && !/(^|\s)#/.test(line)) {
      buf += `${line.slice(0, -1)} `;
      return;
    }
    out.push([start, buf + line]);
    buf = '';
  });
  if (buf) out.push([start, buf]);
  return out;
}

function pyprojectName(dir: string): string | null {
  try {
    const text = readFileSync(path.join(dir, 'pyproject.toml'), 'utf8');
    const section = /^\[project\]\s*$([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text);
    const m = section && /^\s*name\s*=\s*["']([^"']+)["']/m.exec(section[1]);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/** Reads the lines of one requirements text (the content of `source`, relative paths against `baseDir`). */
export function parseRequirementsText(
  text: string,
  source: string,
  baseDir: string,
  opts: RequirementsOptions = {},
  into?: RequirementsRead,
  depth = 0,
  seen: Set<string> = new Set(),
): RequirementsRead {
  const out: RequirementsRead = into ?? { entries: [], excluded: [], indexUrls: [], files: [], problems: [] };
  const env = opts.env ?? process.env;
  let freezeComment: { name: string; version: string } | null = null;
  for (const [lineNo, raw] of logicalLines(text)) {
    const origin = `${source}:${lineNo}`;
    let item: RequirementLine;
    try {
      item = parseRequirementLine(expandVariables(raw, env));
    } catch (err) {
      out.problems.push({ source, line: lineNo, message: (err as Error).message });
      continue;
    }
    switch (item.kind) {
      case 'comment': {
        // pip freeze: "# Editable install with no version control (jdoe-utils==0.3.1)"
        const m = /\(([A-Za-z0-9][A-Za-z0-9._-]*)==([^)\s]+)\)\s*$/.exec(item.text);
        freezeComment = m && /editable/i.test(item.text) ? { name: m[1], version: m[2] } : null;
        continue;
      }
      case 'empty':
        continue;
      case 'index-url':
      case 'extra-index-url':
        out.indexUrls.push(item.value);
        break;
      case 'include':
      case 'constraint': {
        const file = path.resolve(baseDir, item.file);
        if (item.kind === 'constraint') {
          // Constraints only narrow versions; they add nothing to the environment.
          break;
        }
        if (/^[a-z]+:\/\//i.test(item.file)) {
          out.problems.push({ source, line: lineNo, message: `remote include ${item.file} is not fetched` });
        } else if (depth >= (opts.maxDepth ?? 10)) {
          out.problems.push({
            source,
            line: lineNo,
            message: `includes nested deeper than ${opts.maxDepth ?? 10}: ${item.file}`,
          });
        } else if (seen.has(file)) {
          out.problems.push({
            source,
            line: lineNo,
            message: `include cycle: ${item.file} is already being read`,
          });
        } else {
          readInto(file, opts, out, depth + 1, seen, `${source}:${lineNo}`);
        }
        break;
      }
      case 'editable': {
        let { name, version } = item;
        if (!name && freezeComment) ({ name, version } = freezeComment);
        if (!name && !/^[a-z+]+:/i.test(item.target))
          name = pyprojectName(path.resolve(baseDir, item.target));
        if (!name) {
          out.problems.push({
            source,
            line: lineNo,
            message: `editable ${item.target}: cannot tell its distribution name (no #egg=, no pyproject.toml name)`,
          });
          break;
        }
        out.entries.push(pypiEntry(name, version, origin, { url: item.target, editable: true }));
        break;
      }
      case 'requirement': {
        const fromUrl = item.url && !item.specifier ? nameFromArchive(item.url) : null;
        const entry: BaselineEntry = {
          name: item.name,
          normalized: normalizeName(item.name),
          version: pinnedVersion(item.specifier) ?? fromUrl?.version ?? null,
          specifier: pinnedVersion(item.specifier) ? '' : item.specifier,
          ecosystem: 'pypi',
          origin,
          ...(item.url ? { url: item.url } : {}),
        };
        if (item.marker) {
          let applies = true;
          try {
            applies = evaluateMarker(item.marker, opts.markers ?? {});
          } catch (err) {
            out.problems.push({
              source,
              line: lineNo,
              message: `${(err as Error).message}; kept the requirement`,
            });
          }
          if (!applies) {
            out.excluded.push({ entry, marker: item.marker });
            break;
          }
        }
        out.entries.push(entry);
        break;
      }
      default:
        break;
    }
    freezeComment = null;
  }
  return out;
}

/**
 * The text of a file describing an environment: UTF-8 (a leading BOM dropped) or, after its
 * byte-order mark, UTF-16 — what `pip freeze > requirements.txt` writes in Windows PowerShell 5.
 * Throws for a binary file (a NUL byte), which no description format contains.
 */
export function decodeDescriptionFile(bytes: Buffer): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const be = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    text = be.swap16().toString('utf16le');
  } else {
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new Error(`a binary file (NUL byte at offset ${nul}), not a text file`);
    return bytes.toString('utf8').replace(/^\uFEFF/, '');
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) throw new Error(`a binary file (NUL character at UTF-16 offset ${nul}), not a text file`);
  return text;
}

function readInto(
  file: string,
  opts: RequirementsOptions,
  out: RequirementsRead,
  depth: number,
  seen: Set<string>,
  from?: string,
): void {
  const where = from ? ` (included from ${from})` : '';
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    const max = opts.maxBytes ?? 16 * 1024 * 1024;
    if (st.size > max) throw new Error(`larger than ${max} bytes`);
    text = decodeDescriptionFile(readFileSync(file));
  } catch (err) {
    out.problems.push({
      source: file,
      message: `cannot read requirements file${where}: ${ioProblem(err)}`,
    });
    return;
  }
  out.files.push(file);
  seen.add(file);
  parseRequirementsText(text, file, path.dirname(file), opts, out, depth, seen);
  seen.delete(file);
}

/** Reads a requirements / pip freeze file and everything it includes. */
export function readRequirementsFile(file: string, opts: RequirementsOptions = {}): RequirementsRead {
  const out: RequirementsRead = { entries: [], excluded: [], indexUrls: [], files: [], problems: [] };
  readInto(path.resolve(file), opts, out, 0, new Set());
  return out;
}
