/**
 * PEP 508 dependency specifiers: `name[extra,...] (specifier | @ url) ; marker`, and evaluation of
 * environment markers against a target environment (unknown variables make a clause count as true,
 * so nothing is dropped on a guess). Also PEP 503 name normalisation and names from archive file
 * names (wheels, sdists, `#egg=`).
 * Does not read files (see requirementsFile.ts) and does not install or resolve anything.
 */
import { normalizeName } from '../names/nameMap';
import { compareVersions, satisfies } from './pep440';

export { normalizeName };

export interface Requirement {
  /** The name as written. */
  name: string;
  extras: string[];
  /** PEP 440 specifier set as written (`>=1.2,<2`), or ''. */
  specifier: string;
  /** Direct reference (`name @ url`), or null. */
  url: string | null;
  /** Environment marker text after `;`, or null. */
  marker: string | null;
}

const namePattern = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/** A line as quoted in a message: control characters as `?`, at most 80 characters. */
function shown(text: string): string {
  const t = text.trim().replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > 80 ? `${t.slice(0, 80)}…` : t;
}

/** Parses one PEP 508 requirement; throws an Error with a specific message when it is not one. */
export function parseRequirement(text: string): Requirement {
  let rest = text.trim();
  const nameMatch = namePattern.exec(rest);
  if (!nameMatch) throw new Error(`not a requirement (no distribution name at the start): ${shown(text)}`);
  const name = nameMatch[1];
  rest = rest.slice(name.length).trimStart();
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new Error(`unclosed '[' in extras: ${shown(text)}`);
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    rest = rest.slice(close + 1).trimStart();
  }
  let url: string | null = null;
  let specifier = '';
  let marker: string | null = null;
  if (rest.startsWith('@')) {
    rest = rest.slice(1).trimStart();
    // The URL ends at whitespace; a marker must then follow after ` ;`.
    const m = /^(\S+)(?:\s+;\s*(.*))?\s*$/.exec(rest);
    if (!rest) throw new Error(`'@' without a URL: ${shown(text)}`);
    if (!m) throw new Error(`unexpected text after the URL (a marker needs ' ; '): ${shown(text)}`);
    url = m[1];
    marker = m[2]?.trim() || null;
  } else {
    const semi = rest.indexOf(';');
    let spec = semi >= 0 ? rest.slice(0, semi) : rest;
    if (semi >= 0) marker = rest.slice(semi + 1).trim() || null;
    spec = spec.trim();
    if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
    if (
      spec &&
      !/^(===|==|!=|~=|<=|>=|<|>)\s*[^\s,]+(\s*,\s*(===|==|!=|~=|<=|>=|<|>)\s*[^\s,]+)*$/.test(spec)
    ) {
      throw new Error(`bad version specifier '${spec}' in: ${shown(text)}`);
    }
    specifier = spec.replace(/\s+/g, '');
  }
  return { name, extras, specifier, url, marker };
}

/** The pinned version of `==X` / `===X` (a single clause), else null. */
export function pinnedVersion(specifier: string): string | null {
  const m = /^={2,3}([^,*]+)$/.exec(specifier);
  return m ? m[1] : null;
}

/** Values of marker variables for the target; absent ones are unknown. */
export type MarkerEnvironment = Partial<
  Record<
    | 'python_version'
    | 'python_full_version'
    | 'os_name'
    | 'sys_platform'
    | 'platform_system'
    | 'platform_machine'
    | 'platform_python_implementation'
    | 'implementation_name'
    | 'implementation_version'
    | 'platform_release'
    | 'platform_version'
    | 'extra',
    string
  >
>;

/** Marker values of a Linux CPython of the given version (the usual HPC target). */
export function linuxMarkers(pythonVersion?: string, machine = 'x86_64'): MarkerEnvironment {
  const env: MarkerEnvironment = {
    os_name: 'posix',
    sys_platform: 'linux',
    platform_system: 'Linux',
    platform_machine: machine,
    platform_python_implementation: 'CPython',
    implementation_name: 'cpython',
  };
  if (pythonVersion) {
    const parts = pythonVersion.split('.');
    env.python_version = parts.slice(0, 2).join('.');
    env.python_full_version = pythonVersion;
    env.implementation_version = pythonVersion;
  }
  return env;
}

type Token = { t: 'str' | 'var' | 'op' | '(' | ')' | 'and' | 'or'; v: string };

function tokenizeMarker(text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\()|(\))|'([^']*)'|"([^"]*)"|(===|==|!=|~=|<=|>=|<|>|not\s+in\b|in\b)|(and\b|or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read marker at '${text.slice(pos)}'`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ t: '(', v: '(' });
    else if (m[2]) tokens.push({ t: ')', v: ')' });
    else if (m[3] !== undefined || m[4] !== undefined) tokens.push({ t: 'str', v: m[3] ?? m[4] });
    else if (m[5]) tokens.push({ t: 'op', v: m[5].replace(/\s+/, ' ') });
    else if (m[6]) tokens.push({ t: m[6] as 'and' | 'or', v: m[6] });
    else tokens.push({ t: 'var', v: m[7] });
  }
  return tokens;
}

/**
 * Evaluates a PEP 508 marker. Returns true/false, or throws for a marker it cannot read. Comparisons
 * that involve a variable missing from `env` count as true (the requirement is kept).
 */
export function evaluateMarker(marker: string, env: MarkerEnvironment): boolean {
  const tokens = tokenizeMarker(marker);
  let i = 0;
  const value = (): { known: boolean; v: string; isVar: string | null } => {
    const tok = tokens[i++];
    if (!tok) throw new Error(`marker ends early: ${marker}`);
    if (tok.t === 'str') return { known: true, v: tok.v, isVar: null };
    if (tok.t === 'var') {
      const v = (env as Record<string, string | undefined>)[tok.v];
      return { known: v !== undefined, v: v ?? '', isVar: tok.v };
    }
    throw new Error(`expected a value in marker at '${tok.v}': ${marker}`);
  };
  const comparison = (): boolean => {
    if (tokens[i]?.t === '(') {
      i++;
      const r = orExpr();
      if (tokens[i++]?.t !== ')') throw new Error(`missing ')' in marker: ${marker}`);
      return r;
    }
    const left = value();
    const op = tokens[i++];
    if (!op || op.t !== 'op') throw new Error(`expected a comparison operator in marker: ${marker}`);
    const right = value();
    if (!left.known || !right.known) return true;
    const versionVar = /version$/.test(left.isVar ?? right.isVar ?? '');
    switch (op.v) {
      case 'in':
        return right.v.includes(left.v);
      case 'not in':
        return !right.v.includes(left.v);
      default:
        if (versionVar) {
          if (left.isVar) {
            const r = satisfies(left.v, `${op.v}${right.v}`);
            if (r !== null) return r;
          } else {
            const c = compareVersions(left.v, right.v);
            return op.v === '=='
              ? c === 0
              : op.v === '!='
                ? c !== 0
                : op.v === '<'
                  ? c < 0
                  : op.v === '<='
                    ? c <= 0
                    : op.v === '>'
                      ? c > 0
                      : c >= 0;
          }
        }
        if (op.v === '==' || op.v === '===') return left.v === right.v;
        if (op.v === '!=') return left.v !== right.v;
        {
          const c = compareVersions(left.v, right.v);
          return op.v === '<' ? c < 0 : op.v === '<=' ? c <= 0 : op.v === '>' ? c > 0 : c >= 0;
        }
    }
  };
  const andExpr = (): boolean => {
    let r = comparison();
    while (tokens[i]?.t === 'and') {
      i++;
      const next = comparison();
      r = r && next;
    }
    return r;
  };
  const orExpr = (): boolean => {
    let r = andExpr();
    while (tokens[i]?.t === 'or') {
      i++;
      const next = andExpr();
      r = r || next;
    }
    return r;
  };
  const result = orExpr();
  if (i !== tokens.length) throw new Error(`unexpected '${tokens[i].v}' in marker: ${marker}`);
  return result;
}

/** Name and version from a wheel / sdist / conda archive file name, or null. */
export function nameFromArchive(fileName: string): { name: string; version: string | null } | null {
  const base = decodeURIComponent(fileName.split(/[?#]/)[0].split('/').pop() ?? '');
  let m = /^([^-]+)-([^-]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/i.exec(base);
  if (m) return { name: m[1], version: m[2] };
  m = /^(.+?)-(\d[^-]*?)\.(tar\.gz|tar\.bz2|tar\.xz|zip|tgz|tar)$/i.exec(base);
  if (m) return { name: m[1], version: m[2] };
  m = /^(.+?)-(\d[^-]*?)-py[\d.]+\.egg$/i.exec(base);
  if (m) return { name: m[1], version: m[2] };
  return null;
}

/** `#egg=name[extras]` from a URL, name only. */
export function eggName(url: string): string | null {
  const m = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url);
  return m ? m[1] : null;
}
