/**
 * Which mirror to ask: explicit mirror specs (`conda:URL`, `pypi:URL`, or a bare URL classified by its
 * shape), or, by default, what the user's own tools are configured with: conda channels from
 * `.condarc` (`channels`, `channel_alias`, `default_channels`, `custom_channels`) and pip indexes from
 * `pip.conf` (`index-url`, `extra-index-url` in `[global]` / `[install]`, plus PIP_INDEX_URL /
 * PIP_EXTRA_INDEX_URL / PIP_CONFIG_FILE / CONDARC). Only configured sources are returned: no public
 * default (pypi.org, anaconda.org) is ever added on the user's behalf.
 * Reads config files only; does not contact anything.
 */
import { load as loadYaml } from 'js-yaml';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface MirrorSource {
  kind: 'conda' | 'pypi';
  /** conda: the channel URL (`<base>/<channel>`); pypi: the simple index URL. */
  url: string;
  /** Where this source was configured (`--mirror`, `~/.condarc`, `/etc/pip.conf`). */
  from: string;
}

/** Turns a local path into a file:// URL; keeps URLs. */
function asUrl(s: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  return pathToFileURL(path.resolve(s)).toString();
}

/**
 * Classifies one `--mirror` value. `conda:URL` and `pypi:URL` are explicit. Otherwise a URL whose path
 * has a `simple` segment (or ends in `/pypi`, `/pypi/`) is a PyPI simple index, and anything else is
 * a conda channel (`<base>/<channel>`, with `<subdir>/repodata.json` under it).
 */
export function parseMirrorSpec(spec: string, from = '--mirror'): MirrorSource {
  const m = /^(conda|pypi):(?!\/\/)(.*)$/.exec(spec);
  if (m) {
    if (!m[2]) throw new Error(`mirror '${spec}': nothing after '${m[1]}:'`);
    return { kind: m[1] as 'conda' | 'pypi', url: asUrl(m[2]).replace(/\/+$/, ''), from };
  }
  const url = asUrl(spec).replace(/\/+$/, '');
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    throw new Error(`mirror '${spec}': not a URL or path`);
  }
  if (!/^(https?|file):$/.test(new URL(url).protocol)) {
    throw new Error(`mirror '${spec}': only http://, https:// and file:// are supported`);
  }
  const segs = pathname.split('/').filter(Boolean);
  const pypi = segs.includes('simple') || segs[segs.length - 1] === 'pypi';
  return { kind: pypi ? 'pypi' : 'conda', url, from };
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Parses pip.conf (INI) values of `index-url` / `extra-index-url` from [global] and [install]. */
export function parsePipConf(text: string): { indexUrl: string | null; extraIndexUrls: string[] } {
  let section = '';
  let indexUrl: string | null = null;
  const extra: string[] = [];
  let continuing: 'index' | 'extra' | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) {
      continuing = null;
      continue;
    }
    const sec = /^\s*\[([^\]]+)\]/.exec(raw);
    if (sec) {
      section = sec[1].trim().toLowerCase();
      continuing = null;
      continue;
    }
    if (/^\s/.test(raw) && continuing) {
      const v = raw.trim();
      if (continuing === 'extra') extra.push(...v.split(/\s+/));
      continue;
    }
    continuing = null;
    const kv = /^\s*([A-Za-z_-]+)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv || (section !== 'global' && section !== 'install')) continue;
    const key = kv[1].toLowerCase().replace(/_/g, '-');
    const value = kv[2].trim();
    if (key === 'index-url') {
      indexUrl = value || null;
      continuing = 'index';
    } else if (key === 'extra-index-url') {
      extra.push(...value.split(/\s+/).filter(Boolean));
      continuing = 'extra';
    }
  }
  return { indexUrl, extraIndexUrls: extra };
}

/** Channel URLs from a .condarc document (names resolved with channel_alias / custom_channels). */
export function parseCondarc(text: string): string[] {
  const doc = (loadYaml(text) ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object') return [];
  const alias =
    typeof doc.channel_alias === 'string'
      ? doc.channel_alias.replace(/\/+$/, '')
      : 'https://conda.anaconda.org';
  const custom = (typeof doc.custom_channels === 'object' && doc.custom_channels) || {};
  const defaults = Array.isArray(doc.default_channels)
    ? (doc.default_channels as unknown[]).filter((c): c is string => typeof c === 'string')
    : ['https://repo.anaconda.com/pkgs/main', 'https://repo.anaconda.com/pkgs/r'];
  const channels = Array.isArray(doc.channels)
    ? (doc.channels as unknown[]).filter((c): c is string => typeof c === 'string')
    : [];
  const out: string[] = [];
  const resolve = (c: string): string => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c)) return c.replace(/\/+$/, '');
    if (c.startsWith('/') || c.startsWith('~')) return asUrl(c.replace(/^~/, os.homedir()));
    const base = (custom as Record<string, unknown>)[c];
    if (typeof base === 'string') return `${base.replace(/\/+$/, '')}/${c}`;
    return `${alias}/${c}`;
  };
  for (const c of channels) {
    if (c === 'defaults') out.push(...defaults.map(resolve));
    else out.push(resolve(c));
  }
  return [...new Set(out)];
}

/** The mirror sources configured for this user by .condarc and pip.conf (possibly none). */
export function configuredMirrors(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): MirrorSource[] {
  const out: MirrorSource[] = [];
  const condarcs = [
    '/etc/conda/.condarc',
    '/etc/conda/condarc',
    env.CONDA_ROOT ? path.join(env.CONDA_ROOT, '.condarc') : '',
    path.join(home, '.config/conda/.condarc'),
    path.join(home, '.conda/.condarc'),
    path.join(home, '.condarc'),
    env.CONDARC ?? '',
  ].filter(Boolean);
  // The most specific file that names channels wins (conda merges, but channel lists override).
  let channels: { urls: string[]; from: string } | null = null;
  for (const f of condarcs) {
    const text = readIfExists(f);
    if (text === null) continue;
    try {
      const urls = parseCondarc(text);
      if (urls.length) channels = { urls, from: f };
    } catch {
      // an unreadable .condarc names no channels
    }
  }
  for (const u of channels?.urls ?? []) out.push({ kind: 'conda', url: u, from: channels!.from });
  const pipConfs = [
    '/etc/pip.conf',
    '/etc/xdg/pip/pip.conf',
    path.join(home, '.pip/pip.conf'),
    path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'pip/pip.conf'),
    env.VIRTUAL_ENV ? path.join(env.VIRTUAL_ENV, 'pip.conf') : '',
    env.PIP_CONFIG_FILE ?? '',
  ].filter(Boolean);
  let indexUrl: { url: string; from: string } | null = null;
  const extra: { url: string; from: string }[] = [];
  for (const f of pipConfs) {
    const text = readIfExists(f);
    if (text === null) continue;
    const c = parsePipConf(text);
    if (c.indexUrl) indexUrl = { url: c.indexUrl, from: f };
    for (const u of c.extraIndexUrls) extra.push({ url: u, from: f });
  }
  if (env.PIP_INDEX_URL) indexUrl = { url: env.PIP_INDEX_URL, from: 'PIP_INDEX_URL' };
  for (const u of (env.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/).filter(Boolean))
    extra.push({ url: u, from: 'PIP_EXTRA_INDEX_URL' });
  for (const i of [...(indexUrl ? [indexUrl] : []), ...extra]) {
    const url = i.url.replace(/\/+$/, '');
    if (!out.some((o) => o.url === url)) out.push({ kind: 'pypi', url, from: i.from });
  }
  return out;
}
