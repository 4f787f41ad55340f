/**
 * Declared requirements of a script: what it says it needs, with the line each requirement is on.
 * Sources, in this order of precedence:
 *   1. the script's own PEP 723 block (`# /// script`: `dependencies`, `requires-python`); a script
 *      with one is self-contained (as uv and pipx run it), so project files are not read;
 *   2. else the nearest folder at or above the script holding `requirements*.txt`,
 *      `environment.yml` / `environment.yaml` or `pyproject.toml` (`[project] dependencies`,
 *      `requires-python`): every such file of that folder. The search stops at the repository
 *      root (a folder with `.git`) and at the home folder, which are still searched.
 * Unreadable files and bad lines become problems; the requirements that could be read are kept.
 * Pure reading: no baseline, no verdicts (analyzer/check/declared.ts compares), no writing (pep723.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseMatchSpec } from '../baseline/condaFiles';
import type { BaselineProblem } from '../baseline/baseline';
import { readYaml } from '../baseline/otherFiles';
import { normalizeName, parseRequirement } from '../baseline/pep508';
import { decodeDescriptionFile, parseRequirementLine } from '../baseline/requirementsFile';
import { pypiNameForConda } from '../names/nameMap';
import { readScriptMetadata } from './pep723';

export type DeclarationKind = 'pep723' | 'requirements' | 'conda-environment' | 'pyproject';

export interface DeclaredRequirement {
  /** The distribution name as written. */
  name: string;
  /** PEP 503-normalised PyPI name (conda names translated by the baseline readers' rules). */
  normalized: string;
  /** PEP 440 specifier set (`>=1.24`), '' for any version. */
  specifier: string;
  extras: string[];
  /** PEP 508 marker text, or null. */
  marker: string | null;
  /** The requirement as written. */
  text: string;
  file: string;
  /** 1-based line in `file`. */
  line: number;
  kind: DeclarationKind;
}

export interface DeclarationProblem {
  file: string;
  line?: number;
  message: string;
}

export interface Declarations {
  /** The files read (empty: the script declares nothing anywhere). */
  files: string[];
  requirements: DeclaredRequirement[];
  requiresPython: { specifier: string; file: string; line: number } | null;
  problems: DeclarationProblem[];
}

const MAX_BYTES = 4 * 1024 * 1024;

function readSmall(file: string): string {
  const st = statSync(file);
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
  return decodeDescriptionFile(readFileSync(file));
}

function requirementFrom(
  text: string,
  file: string,
  line: number,
  kind: DeclarationKind,
): DeclaredRequirement {
  const r = parseRequirement(text);
  return {
    name: r.name,
    normalized: normalizeName(r.name),
    specifier: r.specifier,
    extras: r.extras,
    marker: r.marker,
    text: text.trim(),
    file,
    line,
    kind,
  };
}

/** Reads a script's PEP 723 block into `out`; false when the text has none. */
function readPep723(scriptText: string, file: string, out: Declarations): boolean {
  let meta;
  try {
    meta = readScriptMetadata(scriptText);
  } catch (err) {
    out.files.push(file);
    out.problems.push({ file, message: (err as Error).message });
    return true;
  }
  if (!meta) return false;
  out.files.push(file);
  for (const d of meta.dependencies) {
    try {
      out.requirements.push(requirementFrom(d.text, file, d.line + 1, 'pep723'));
    } catch (err) {
      out.problems.push({ file, line: d.line + 1, message: (err as Error).message });
    }
  }
  if (meta.requiresPython)
    out.requiresPython = {
      specifier: meta.requiresPython.specifier,
      file,
      line: meta.requiresPython.line + 1,
    };
  return true;
}

function readRequirementsTxt(file: string, text: string, out: Declarations): void {
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    let item;
    try {
      item = parseRequirementLine(raw);
    } catch (err) {
      out.problems.push({ file, line: i + 1, message: (err as Error).message });
      return;
    }
    if (item.kind !== 'requirement') return;
    out.requirements.push({
      name: item.name,
      normalized: normalizeName(item.name),
      specifier: item.specifier,
      extras: item.extras,
      marker: item.marker,
      text: raw.replace(/(^|\s)#.*$/, '').trim(),
      file,
      line: i + 1,
      kind: 'requirements',
    });
  });
}

/** 1-based line of the first line at or after `from` (0-based) containing `needle`, else `fallback`. */
function findLine(lines: string[], needle: string, from: number, fallback: number): number {
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  return fallback;
}

function readEnvironmentYml(file: string, text: string, out: Declarations): void {
  const problems: BaselineProblem[] = [];
  const yaml = readYaml(text, file, problems);
  for (const p of problems) out.problems.push({ file, line: p.line, message: p.message });
  const deps = (yaml?.doc as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps)) {
    if (yaml) out.problems.push({ file, message: "no 'dependencies:' list" });
    return;
  }
  const lines = text.split(/\r\n|\n|\r/);
  let cursor = 0;
  const add = (spec: string, conda: boolean): void => {
    const line = findLine(lines, spec, cursor, cursor + 1);
    cursor = line - 1;
    try {
      if (!conda) {
        out.requirements.push(requirementFrom(spec, file, line, 'conda-environment'));
        return;
      }
      const ms = parseMatchSpec(spec);
      // conda's fuzzy `=3.11` (read as `3.11.*`) is PEP 440's `==3.11.*`
      const fuzzy = ms.specifier && !/^[<>=!~]/.test(ms.specifier);
      const specifier = ms.version ? `==${ms.version}` : fuzzy ? `==${ms.specifier}` : ms.specifier;
      if (ms.name === 'python') {
        if (specifier) out.requiresPython = { specifier, file, line };
        return;
      }
      out.requirements.push({
        name: ms.name,
        normalized: pypiNameForConda(ms.name),
        specifier,
        extras: [],
        marker: null,
        text: spec,
        file,
        line,
        kind: 'conda-environment',
      });
    } catch (err) {
      out.problems.push({ file, line, message: (err as Error).message });
    }
  };
  for (const d of deps) {
    if (typeof d === 'string') add(d, true);
    else if (d && typeof d === 'object' && Array.isArray((d as { pip?: unknown }).pip))
      for (const p of (d as { pip: unknown[] }).pip) if (typeof p === 'string') add(p, false);
  }
}

function readPyproject(file: string, text: string, out: Declarations): void {
  let doc: { project?: { dependencies?: unknown; 'requires-python'?: unknown } };
  try {
    doc = parseToml(text) as typeof doc;
  } catch (err) {
    out.problems.push({ file, message: `not valid TOML: ${(err as Error).message.split('\n')[0]}` });
    return;
  }
  const project = doc.project;
  if (!project) return;
  const lines = text.split(/\r\n|\n|\r/);
  const projectLine = findLine(lines, '[project]', 0, 1) - 1;
  const deps = project.dependencies ?? [];
  if (!Array.isArray(deps)) out.problems.push({ file, message: '[project] dependencies is not an array' });
  else {
    let cursor = findLine(lines, 'dependencies', projectLine, projectLine + 1) - 1;
    for (const d of deps) {
      if (typeof d !== 'string') continue;
      const line = findLine(lines, d, cursor, cursor + 1);
      cursor = line - 1;
      try {
        out.requirements.push(requirementFrom(d, file, line, 'pyproject'));
      } catch (err) {
        out.problems.push({ file, line, message: (err as Error).message });
      }
    }
  }
  const rp = project['requires-python'];
  if (typeof rp === 'string')
    out.requiresPython ??= { specifier: rp, file, line: findLine(lines, 'requires-python', projectLine, 1) };
}

/** Project declaration files in `dir` (sorted), or [] when it has none. */
function declarationFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter(
      (n) =>
        /^requirements.*\.txt$/i.test(n) ||
        n === 'environment.yml' ||
        n === 'environment.yaml' ||
        n === 'pyproject.toml',
    )
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
}

function isBoundary(dir: string, home: string | undefined): boolean {
  if (dir === home || path.dirname(dir) === dir) return true;
  try {
    statSync(path.join(dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

/** The project files nearest above `script` (one folder's worth, up to the repository root), or []. */
export function nearestDeclarationFiles(script: string, home = process.env.HOME): string[] {
  for (let dir = path.dirname(path.resolve(script)); ; dir = path.dirname(dir)) {
    const files = declarationFilesIn(dir);
    if (files.length) return files;
    if (isBoundary(dir, home && path.resolve(home))) return [];
  }
}

/**
 * What `script` declares. `scriptText` is the script's current text (an unsaved editor buffer);
 * default: read from disk.
 */
export function readDeclarations(script: string, scriptText?: string): Declarations {
  const file = path.resolve(script);
  const out: Declarations = { files: [], requirements: [], requiresPython: null, problems: [] };
  let text = scriptText;
  if (text === undefined) {
    try {
      text = readSmall(file);
    } catch {
      text = ''; // the extractor reports unreadable scripts
    }
  }
  if (readPep723(text, file, out)) return out;
  for (const f of nearestDeclarationFiles(file)) {
    let content: string;
    try {
      content = readSmall(f);
    } catch (err) {
      out.problems.push({ file: f, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    out.files.push(f);
    const base = path.basename(f);
    if (base === 'pyproject.toml') readPyproject(f, content, out);
    else if (base.startsWith('environment.')) readEnvironmentYml(f, content, out);
    else readRequirementsTxt(f, content, out);
  }
  return out;
}

/** The declared requirement for any of `distributions` (PyPI names, any spelling), or undefined. */
export function findDeclared(
  declarations: Declarations,
  distributions: string[],
): DeclaredRequirement | undefined {
  const wanted = new Set(distributions.map(normalizeName));
  return declarations.requirements.find((r) => wanted.has(r.normalized));
}
