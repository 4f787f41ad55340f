/**
 * The remaining file descriptions of an environment: `pip list --format=json` (and the plain
 * `pip list` table), Spack `spack.lock` (lockfile versions 1–6: `concrete_specs` keyed by hash;
 * `py-*` packages become PyPI names, `python` gives the interpreter version) and `spack.yaml`
 * (abstract specs), and the requirement lines of an environment module's help text (Lmod `help([[…]])`
 * / Tcl `ModulesHelp` bodies and `module help` output).
 * Does not run pip, Spack or the module system (see environmentModule.ts for that).
 */
import { load as loadYaml } from 'js-yaml';
import { pypiNameForSpack } from '../names/nameMap';
import { pypiEntry, type BaselineEntry, type BaselineProblem } from './baseline';
import { normalizeName, parseRequirement, pinnedVersion } from './pep508';

export interface FileRead {
  entries: BaselineEntry[];
  problems: BaselineProblem[];
  pythonVersion: string | null;
}

/** Parses YAML text; a syntax error is a problem (`not valid YAML: <its first line>`) and gives undefined. */
export function readYaml(
  text: string,
  file: string,
  problems: BaselineProblem[],
): { doc: unknown } | undefined {
  try {
    return { doc: loadYaml(text) };
  } catch (err) {
    problems.push({
      source: file,
      message: `not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      unreadable: true,
    });
    return undefined;
  }
}

/** A row of a `pip list --format=json` / `conda list --json` array that has a name and a version. */
export interface ListJsonRow {
  row: Record<string, unknown> & { name: string; version: string };
  index: number;
}

/**
 * The rows of `what`'s JSON output (`data`, which must be a list) that have a string name and version;
 * a non-list and each row without them are problems in `problems`.
 */
export function listJsonRows(
  data: unknown,
  file: string,
  what: string,
  problems: BaselineProblem[],
): ListJsonRow[] {
  if (!Array.isArray(data)) {
    problems.push({ source: file, message: `${what} output must be a list`, unreadable: true });
    return [];
  }
  const rows: ListJsonRow[] = [];
  data.forEach((row, i) => {
    const r = row as Record<string, unknown>;
    if (typeof r?.name !== 'string' || typeof r.version !== 'string') {
      problems.push({ source: file, message: `entry ${i} has no name/version` });
      return;
    }
    rows.push({ row: r as ListJsonRow['row'], index: i });
  });
  return rows;
}

/** Reads `pip list --format=json` output. */
export function parsePipListJson(data: unknown, file: string): FileRead {
  const out: FileRead = { entries: [], problems: [], pythonVersion: null };
  for (const { row: r, index: i } of listJsonRows(data, file, 'pip list --format=json', out.problems)) {
    const editable =
      typeof r.editable_project_location === 'string' ? r.editable_project_location : undefined;
    out.entries.push(
      pypiEntry(r.name, r.version, `${file}: [${i}]`, editable ? { url: editable, editable: true } : {}),
    );
  }
  return out;
}

/** Reads the plain `pip list` table (`Package Version [Editable project location]`). */
export function parsePipListText(text: string, file: string): FileRead {
  const out: FileRead = { entries: [], problems: [], pythonVersion: null };
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || /^-+(\s+-+)*$/.test(l) || /^Package\s+Version/.test(l)) return;
    const [name, version] = l.split(/\s+/);
    if (!version) {
      out.problems.push({ source: file, line: i + 1, message: `expected 'name version': ${l}` });
      return;
    }
    out.entries.push(pypiEntry(name, version, `${file}:${i + 1}`));
  });
  return out;
}

/** Reads a Spack lockfile (already parsed JSON). */
export function parseSpackLock(data: unknown, file: string): FileRead {
  const out: FileRead = { entries: [], problems: [], pythonVersion: null };
  const d = data as {
    _meta?: { 'file-type'?: string; 'lockfile-version'?: number };
    concrete_specs?: unknown;
  };
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.concrete_specs !== 'object' ||
    d.concrete_specs === null
  ) {
    out.problems.push({
      source: file,
      message: "not a Spack lockfile: no 'concrete_specs'",
      unreadable: true,
    });
    return out;
  }
  const pythons = new Set<string>();
  for (const [hash, spec] of Object.entries(d.concrete_specs as Record<string, unknown>)) {
    const s = spec as { name?: unknown; version?: unknown };
    if (typeof s?.name !== 'string' || typeof s.version !== 'string') {
      out.problems.push({ source: file, message: `concrete spec ${hash} has no name/version` });
      continue;
    }
    if (s.name === 'python') {
      pythons.add(s.version);
      continue;
    }
    const pypi = pypiNameForSpack(s.name);
    if (!pypi) continue;
    out.entries.push({
      name: s.name,
      normalized: pypi,
      version: s.version,
      specifier: '',
      ecosystem: 'spack',
      origin: `${file}: ${s.name}/${hash.slice(0, 7)}`,
    });
  }
  const list = [...pythons];
  if (list.length === 1) out.pythonVersion = list[0];
  else if (list.length > 1) {
    out.pythonVersion = list[0];
    out.problems.push({
      source: file,
      message: `the lockfile holds ${list.length} pythons (${list.join(', ')}); using ${list[0]}`,
    });
  }
  return out;
}

/** Reads a `spack.yaml` environment's abstract specs (`py-numpy@1.24:`, `py-yt@4.0.3%gcc`). */
export function parseSpackYaml(text: string, file: string): FileRead {
  const out: FileRead = { entries: [], problems: [], pythonVersion: null };
  const yaml = readYaml(text, file, out.problems);
  if (!yaml) return out;
  const doc = yaml.doc;
  const specs = (doc as { spack?: { specs?: unknown } })?.spack?.specs;
  if (!Array.isArray(specs)) {
    out.problems.push({
      source: file,
      message: "not a Spack environment: no 'spack: specs:' list",
      unreadable: true,
    });
    return out;
  }
  specs.forEach((spec, i) => {
    if (typeof spec !== 'string') return; // matrices: not expanded
    const m = /^([a-z0-9][a-z0-9_-]*)(?:@=?([^%+~^\s:,/]+)(:?))?/.exec(spec.trim());
    if (!m) {
      out.problems.push({ source: file, message: `specs[${i}]: cannot read '${spec}'` });
      return;
    }
    const [, name, version, range] = m;
    if (name === 'python') {
      out.pythonVersion = version && !range ? version : out.pythonVersion;
      return;
    }
    const pypi = pypiNameForSpack(name);
    if (!pypi) return;
    out.entries.push({
      name,
      normalized: pypi,
      version: version && !range ? version : null,
      specifier: version && range ? `>=${version}` : '',
      ecosystem: 'spack',
      origin: `${file}: specs[${i}]`,
    });
  });
  return out;
}

/** The body of `help([[ … ]])` in an Lmod .lua modulefile, or of `proc ModulesHelp` in a Tcl one. */
export function modulefileHelpText(text: string): string | null {
  const lua = /\bhelp\s*\(\s*\[(=*)\[([\s\S]*?)\]\1\]\s*\)/.exec(text);
  if (lua) return lua[2];
  const tcl = /proc\s+ModulesHelp\s*\{[^}]*\}\s*\{([\s\S]*?)\n\}/.exec(text);
  if (!tcl) return null;
  return [...tcl[1].matchAll(/puts\s+(?:stderr\s+)?(?:"((?:[^"\\]|\\.)*)"|\{([^}]*)\})/g)]
    .map((m) => (m[1] ?? m[2]).replace(/\\t/g, '\t').replace(/\\(.)/g, '$1'))
    .join('\n');
}

/**
 * Requirement lines in free help text: `name==version` (any PEP 440 operator, pip freeze style),
 * `name @ url`, Spack style `py-name@version`, and two-column `name  version` rows. Prose is skipped.
 */
export function parseHelpRequirements(text: string, source: string): FileRead {
  const out: FileRead = { entries: [], problems: [], pythonVersion: null };
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim().replace(/^[-*•]\s+/, '');
    const origin = `${source}:${i + 1}`;
    if (!l || l.startsWith('#')) return;
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(===|==|>=|<=|~=|!=|<|>|@\s)/.test(l)) {
      try {
        const r = parseRequirement(l.replace(/\s#.*$/, ''));
        const spack = /^py-/.test(r.name) && r.url === null ? null : r;
        if (spack) {
          out.entries.push({
            name: r.name,
            normalized: normalizeName(r.name),
            version: pinnedVersion(r.specifier),
            specifier: pinnedVersion(r.specifier) ? '' : r.specifier,
            ecosystem: 'pypi',
            origin,
            ...(r.url ? { url: r.url } : {}),
          });
          return;
        }
      } catch {
        // fall through to the other forms
      }
    }
    let m = /^(py-[a-z0-9][a-z0-9_-]*|python)@=?([0-9][^\s%+~^:]*)/.exec(l);
    if (m) {
      if (m[1] === 'python') out.pythonVersion = m[2];
      else
        out.entries.push({
          name: m[1],
          normalized: pypiNameForSpack(m[1]) ?? m[1],
          version: m[2],
          specifier: '',
          ecosystem: 'spack',
          origin,
        });
      return;
    }
    m = /^([A-Za-z][A-Za-z0-9._-]*)\s+v?(\d+(?:\.\d+)+[A-Za-z0-9.+!-]*)$/.exec(l);
    if (m) {
      if (m[1].toLowerCase() === 'python') out.pythonVersion = m[2];
      else out.entries.push(pypiEntry(m[1], m[2], origin));
    }
  });
  return out;
}
