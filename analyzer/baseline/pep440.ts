/**
 * Version strings: PEP 440 parsing and ordering (with a tolerant fallback for the non-PEP 440 strings
 * that real indexes and conda channels hold, e.g. `2022.12.1+dfsg`, `1.1.1w`, `9e`), and evaluation
 * of PEP 440 specifier sets (`>=1.2,<2`, `~=2.8`, `==1.*`).
 * Does not resolve dependencies or pick releases; it only compares strings.
 */

interface ParsedVersion {
  epoch: number;
  release: number[];
  /** Pre-release: [rank a=0,b=1,rc=2, number], or null. */
  pre: [number, number] | null;
  post: number | null;
  dev: number | null;
  local: (number | string)[];
}

const pep440 =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const preRank: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parseVersion(text: string): ParsedVersion | null {
  const m = pep440.exec(text);
  if (!m) return null;
  const [, epoch, release, preL, preN, postImplicit, postL, postN, devL, devN, local] = m;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release.split('.').map(Number),
    pre: preL ? [preRank[preL.toLowerCase()], preN ? Number(preN) : 0] : null,
    post: postImplicit !== undefined ? Number(postImplicit) : postL ? Number(postN ?? 0) : null,
    dev: devL ? Number(devN ?? 0) : null,
    local: local ? local.split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p.toLowerCase())) : [],
  };
}

const PRE_NAMES = ['a', 'b', 'rc'];

/** The normalised spelling (`1.0-1` → `1.0.post1`, `v1.0RC1` → `1.0rc1`). */
function normalizedText(v: ParsedVersion): string {
  return (
    (v.epoch ? `${v.epoch}!` : '') +
    v.release.join('.') +
    (v.pre ? `${PRE_NAMES[v.pre[0]]}${v.pre[1]}` : '') +
    (v.post !== null ? `.post${v.post}` : '') +
    (v.dev !== null ? `.dev${v.dev}` : '') +
    (v.local.length ? `+${v.local.join('.')}` : '')
  );
}

/** Same epoch and release (trailing zeros ignored): `1.0.post1` and `1.0a1` share `1.0`. */
function sameBase(a: ParsedVersion, b: ParsedVersion): boolean {
  return a.epoch === b.epoch && cmpRelease(a.release, b.release) === 0;
}

/**
 * `<V` admits no pre-release of V and `>V` no post-release or local version of V, unless V is
 * itself one (PEP 440, exclusive ordered comparison).
 */
function exclusiveOk(op: '<' | '>', version: string, target: string): boolean {
  const v = parseVersion(version);
  const t = parseVersion(target);
  if (!v || !t || !sameBase(v, t)) return true;
  if (op === '<') return !((v.pre !== null || v.dev !== null) && t.pre === null && t.dev === null);
  return !((v.post !== null && t.post === null) || v.local.length > 0);
}

/** True when `text` is a valid PEP 440 version. */
export function isPep440(text: string): boolean {
  return parseVersion(text) !== null;
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpRelease(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmpNum(a[i] ?? 0, b[i] ?? 0);
    if (c) return c;
  }
  return 0;
}

function cmpParsed(a: ParsedVersion, b: ParsedVersion): number {
  let c = cmpNum(a.epoch, b.epoch) || cmpRelease(a.release, b.release);
  if (c) return c;
  // Pre-release key: dev-only releases sort before pre-releases, final releases after.
  const preKey = (v: ParsedVersion): [number, number, number] =>
    v.pre ? [1, v.pre[0], v.pre[1]] : v.post === null && v.dev !== null ? [0, 0, 0] : [2, 0, 0];
  const pa = preKey(a);
  const pb = preKey(b);
  c = cmpNum(pa[0], pb[0]) || cmpNum(pa[1], pb[1]) || cmpNum(pa[2], pb[2]);
  if (c) return c;
  c = cmpNum(a.post ?? -1, b.post ?? -1);
  if (c) return c;
  c = cmpNum(a.dev ?? Infinity, b.dev ?? Infinity);
  if (c) return c;
  for (let i = 0; i < Math.max(a.local.length, b.local.length); i++) {
    const x = a.local[i];
    const y = b.local[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') c = cmpNum(x, y);
    else if (typeof x === 'number') c = 1;
    else if (typeof y === 'number') c = -1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return 0;
}

/** Fallback ordering for non-PEP 440 strings: numeric runs compare as numbers, other runs as text. */
function cmpLoose(a: string, b: string): number {
  const pa = a.toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  const pb = b.toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    const c = nx && ny ? cmpNum(Number(x), Number(y)) : nx ? 1 : ny ? -1 : x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return 0;
}

/** Orders two version strings (PEP 440 when both parse, else a tolerant segment-wise order). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa && pb) return cmpParsed(pa, pb);
  return cmpLoose(a, b);
}

/** Sorts ascending and removes duplicates. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareVersions);
}

/** True for dev and pre-releases. */
export function isPrerelease(version: string): boolean {
  const v = parseVersion(version);
  return v !== null && (v.pre !== null || v.dev !== null);
}

/**
 * Does `version` satisfy the PEP 440 specifier set (comma-separated clauses)? An empty set matches
 * everything. Returns null when the specifier cannot be understood.
 */
export function satisfies(version: string, specifier: string): boolean | null {
  const clauses = specifier
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const clause of clauses) {
    const m = /^(===|==|!=|~=|<=|>=|<|>)\s*(\S+)$/.exec(clause);
    if (!m) return null;
    const [, op, target] = m;
    if (op === '===') {
      const parsed = parseVersion(version);
      const written = parsed ? normalizedText(parsed) : version.trim();
      if (written.toLowerCase() !== target.toLowerCase()) return false;
      continue;
    }
    if (target.endsWith('.*')) {
      if (op !== '==' && op !== '!=') return null;
      const prefix = parseVersion(target.slice(0, -2));
      const v = parseVersion(version);
      if (!prefix || !v) return null;
      const same = v.epoch === prefix.epoch && prefix.release.every((n, i) => (v.release[i] ?? 0) === n);
      if ((op === '==') !== same) return false;
      continue;
    }
    const c = compareVersions(version.split('+')[0], target);
    let ok: boolean;
    switch (op) {
      case '==':
        ok = target.includes('+') ? compareVersions(version, target) === 0 : c === 0;
        break;
      case '!=':
        ok = c !== 0;
        break;
      case '<=':
        ok = c <= 0;
        break;
      case '>=':
        ok = c >= 0;
        break;
      case '<':
        ok = c < 0 && exclusiveOk('<', version, target);
        break;
      case '>':
        ok = c > 0 && exclusiveOk('>', version, target);
        break;
      default: {
        // ~=X.Y.Z means >=X.Y.Z, ==X.Y.*
        const t = parseVersion(target);
        const v = parseVersion(version);
        if (!t || !v || t.release.length < 2) return null;
        const prefix = t.release.slice(0, -1);
        ok = c >= 0 && v.epoch === t.epoch && prefix.every((n, i) => (v.release[i] ?? 0) === n);
      }
    }
    if (!ok) return false;
  }
  return true;
}
