/**
 * conda's descriptions of an environment: `environment.yml` (conda MatchSpecs plus a `pip:`
 * sub-list read as requirements lines, relative to the file), `conda list --json`, `conda list
 * --explicit` (`@EXPLICIT` + package URLs) and the plain `conda list` table. conda package names are
 * translated to PyPI names (`pytorch` → `torch`) for lookup; pip-installed rows stay PyPI names.
 * Does not contact channels or solve environments.
 */
import path from 'node:path';
import { pypiNameForConda } from '../names/nameMap';
import { pypiEntry, type BaselineEntry } from './baseline';
import { listJsonRows, readYaml } from './otherFiles';
import { parseRequirementsText, type RequirementsOptions, type RequirementsRead } from './requirementsFile';

export interface CondaRead extends RequirementsRead {
  channels: string[];
  pythonVersion: string | null;
}

function emptyRead(file: string): CondaRead {
  return {
    entries: [],
    excluded: [],
    indexUrls: [],
    files: [file],
    problems: [],
    channels: [],
    pythonVersion: null,
  };
}

function condaEntry(name: string, version: string | null, specifier: string, origin: string): BaselineEntry {
  return { name, normalized: pypiNameForConda(name), version, specifier, ecosystem: 'conda', origin };
}

/**
 * Parses one conda MatchSpec as written in environment.yml: `numpy`, `numpy=1.24`, `numpy==1.24.2`,
 * `numpy>=1.2,<2`, `numpy 1.24.* py311*`, `conda-forge::numpy=1.24=py311_0`, `numpy[version='>=1.2']`.
 */
export function parseMatchSpec(spec: string): {
  name: string;
  channel: string | null;
  version: string | null;
  specifier: string;
} {
  let s = spec.trim();
  let channel: string | null = null;
  const cm = /^([^\s:]+)::(.*)$/.exec(s);
  if (cm) {
    channel = cm[1];
    s = cm[2];
  }
  const bracket = /\[(.*)\]\s*$/.exec(s);
  let bracketVersion: string | null = null;
  if (bracket) {
    const v = /version\s*=\s*['"]?([^'",\]]+)/.exec(bracket[1]);
    bracketVersion = v ? v[1] : null;
    s = s.slice(0, bracket.index);
  }
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.+-]*)\s*(.*)$/.exec(s);
  if (!m) throw new Error(`not a conda package spec: ${spec}`);
  const name = m[1];
  let rest = (bracketVersion ?? m[2]).trim();
  let version: string | null = null;
  let specifier = '';
  if (rest.startsWith('==')) {
    version = rest.slice(2).split(/[=\s]/)[0];
  } else if (/^=[^=]/.test(rest)) {
    // `=1.24` is fuzzy (1.24.*); `=1.24.2=build` pins the version.
    const parts = rest.slice(1).split('=');
    if (parts.length > 1 || /\s/.test(parts[0])) version = parts[0].split(/\s/)[0];
    else specifier = `${parts[0]}.*`;
  } else if (/^[<>!~]/.test(rest)) {
    specifier = rest.split(/\s/)[0];
  } else if (rest) {
    // space form: `numpy 1.24.2 py311h…`
    rest = rest.split(/\s+/)[0];
    if (/[*]/.test(rest)) specifier = rest;
    else version = rest;
  }
  return { name, channel, version, specifier };
}

/** Reads an environment.yml text. */
export function parseEnvironmentYml(text: string, file: string, opts: RequirementsOptions = {}): CondaRead {
  const out = emptyRead(file);
  const yaml = readYaml(text, file, out.problems);
  if (!yaml) return out;
  const doc = yaml.doc;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    !Array.isArray((doc as { dependencies?: unknown }).dependencies)
  ) {
    out.problems.push({
      source: file,
      message: "not a conda environment file: no 'dependencies:' list",
      unreadable: true,
    });
    return out;
  }
  const d = doc as { channels?: unknown; dependencies: unknown[] };
  if (Array.isArray(d.channels)) out.channels = d.channels.filter((c): c is string => typeof c === 'string');
  d.dependencies.forEach((dep, i) => {
    const origin = `${file}: dependencies[${i}]`;
    if (typeof dep === 'string') {
      try {
        const ms = parseMatchSpec(dep);
        if (ms.name === 'python') out.pythonVersion = ms.version ?? out.pythonVersion;
        out.entries.push(condaEntry(ms.name, ms.version, ms.specifier, origin));
      } catch (err) {
        out.problems.push({ source: file, message: `dependencies[${i}]: ${(err as Error).message}` });
      }
    } else if (typeof dep === 'object' && dep !== null && Array.isArray((dep as { pip?: unknown }).pip)) {
      const lines = (dep as { pip: unknown[] }).pip.filter((l): l is string => typeof l === 'string');
      parseRequirementsText(lines.join('\n'), `${file} (pip:)`, path.dirname(file), opts, out);
    } else {
      out.problems.push({
        source: file,
        message: `dependencies[${i}]: neither a package spec nor a 'pip:' list`,
      });
    }
  });
  return out;
}

/** Reads `conda list --json` output. */
export function parseCondaListJson(data: unknown, file: string): CondaRead {
  const out = emptyRead(file);
  for (const { row: r, index: i } of listJsonRows(data, file, 'conda list --json', out.problems)) {
    const origin = `${file}: [${i}]`;
    if (r.name === 'python') out.pythonVersion = r.version;
    if (r.channel === 'pypi') {
      out.entries.push(pypiEntry(r.name, r.version, origin));
    } else {
      out.entries.push(condaEntry(r.name, r.version, '', origin));
      if (typeof r.channel === 'string' && !out.channels.includes(r.channel)) out.channels.push(r.channel);
    }
  }
  return out;
}

/** name, version, build from a conda archive file name (`numpy-1.24.2-py311h…_0.conda`). */
export function parseCondaArchiveName(
  fileName: string,
): { name: string; version: string; build: string } | null {
  const m = /^(.+)-([^-]+)-([^-]+)\.(conda|tar\.bz2)$/.exec(fileName);
  return m ? { name: m[1], version: m[2], build: m[3] } : null;
}

/** Reads `conda list --explicit` output (`@EXPLICIT` then one package URL per line, optional `#md5`). */
export function parseCondaExplicit(text: string, file: string): CondaRead {
  const out = emptyRead(file);
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#') || l === '@EXPLICIT') return;
    const url = l.split('#')[0];
    const base = decodeURIComponent(url.split('/').pop() ?? '');
    const p = parseCondaArchiveName(base);
    if (!p) {
      out.problems.push({ source: file, line: i + 1, message: `not a conda package URL: ${l}` });
      return;
    }
    const parts = url.split('/');
    if (parts.length >= 3) {
      const channel = parts.slice(0, -2).join('/');
      if (!out.channels.includes(channel)) out.channels.push(channel);
    }
    if (p.name === 'python') out.pythonVersion = p.version;
    out.entries.push(condaEntry(p.name, p.version, '', `${file}:${i + 1}`));
  });
  return out;
}

/** Reads the plain `conda list` table (`# Name  Version  Build  Channel`). */
export function parseCondaListText(text: string, file: string): CondaRead {
  const out = emptyRead(file);
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const cols = l.split(/\s+/);
    if (cols.length < 2) {
      out.problems.push({
        source: file,
        line: i + 1,
        message: `expected 'name version build [channel]': ${l}`,
      });
      return;
    }
    const [name, version, , channel] = cols;
    const origin = `${file}:${i + 1}`;
    if (name === 'python') out.pythonVersion = version;
    if (channel === 'pypi') {
      out.entries.push(pypiEntry(name, version, origin));
    } else out.entries.push(condaEntry(name, version, '', origin));
  });
  return out;
}
