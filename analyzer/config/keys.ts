/**
 * The configuration keys: one table naming each key as it is written in every layer (TOML files,
 * `[tool.pyrats]`, PYRATS_* variables), its type, whether it runs a program (and so is refused from an
 * untrusted project), and how a value is checked and made absolute. Pure: no file or process access.
 */
import path from 'node:path';
import { parseDuration } from './duration';

export type ConfigKey =
  | 'baseline'
  | 'mirrors'
  | 'python'
  | 'module_use'
  | 'module_init'
  | 'offline'
  | 'cache_dir'
  | 'timeout'
  | 'emit.to'
  | 'emit.redact'
  | 'requests.to';

/** The typed value of each key; null = not configured anywhere (the commands' own default applies). */
export interface ConfigValues {
  baseline: string | null;
  mirrors: string[] | null;
  python: string | null;
  module_use: string[];
  module_init: string | null;
  offline: boolean;
  cache_dir: string | null;
  /** Milliseconds; null: each operation's own default (mirror 15 s, module 60 s, request 5 s, emit 3 s). */
  timeout: number | null;
  'emit.to': string | null;
  'emit.redact': 'none' | 'home' | 'hash' | null;
  'requests.to': string[];
}

type Kind = 'string' | 'strings' | 'boolean' | 'duration' | 'redact';

export interface KeySpec {
  key: ConfigKey;
  kind: Kind;
  /** The environment variable, and how a list is split in it. */
  env: string;
  envSeparator?: RegExp;
  /** True: its value names a program to run (refused from an untrusted project). */
  runsProgram: boolean;
  /** How relative paths in the value are made absolute against the naming file's folder. */
  paths?: 'path' | 'baseline' | 'mirror';
  doc: string;
}

export const KEY_SPECS: readonly KeySpec[] = [
  {
    key: 'baseline',
    kind: 'string',
    env: 'PYRATS_BASELINE',
    runsProgram: true,
    paths: 'baseline',
    doc: 'baseline spec: module:NAME, file:PATH, python:PATH',
  },
  {
    key: 'mirrors',
    kind: 'strings',
    env: 'PYRATS_MIRRORS',
    envSeparator: /\s+/,
    runsProgram: false,
    paths: 'mirror',
    doc: 'conda channels and PyPI simple indexes (conda:URL, pypi:URL, URL)',
  },
  {
    key: 'python',
    kind: 'string',
    env: 'PYRATS_PYTHON',
    runsProgram: true,
    paths: 'path',
    doc: 'interpreter deciding standard-library and local imports (default python3)',
  },
  {
    key: 'module_use',
    kind: 'strings',
    env: 'PYRATS_MODULE_USE',
    envSeparator: /:/,
    runsProgram: true,
    paths: 'path',
    doc: 'extra MODULEPATH directories for module: baselines',
  },
  {
    key: 'module_init',
    kind: 'string',
    env: 'PYRATS_MODULE_INIT',
    runsProgram: true,
    paths: 'path',
    doc: "shell script defining 'module' (e.g. /usr/share/lmod/lmod/init/bash)",
  },
  {
    key: 'offline',
    kind: 'boolean',
    env: 'PYRATS_OFFLINE',
    runsProgram: false,
    doc: 'use only cached mirror data',
  },
  {
    key: 'cache_dir',
    kind: 'string',
    env: 'PYRATS_CACHE_DIR',
    runsProgram: false,
    paths: 'path',
    doc: 'cache root (default $XDG_CACHE_HOME/pyrats)',
  },
  {
    key: 'timeout',
    kind: 'duration',
    env: 'PYRATS_TIMEOUT',
    runsProgram: false,
    doc: 'bound for each network request (mirror, log host, request delivery): seconds, or 500ms, 2s',
  },
  {
    key: 'emit.to',
    kind: 'string',
    env: 'PYRATS_EMIT_TO',
    runsProgram: false,
    doc: 'log host for PyRats records: udp://HOST:PORT or tcp://HOST:PORT',
  },
  {
    key: 'emit.redact',
    kind: 'redact',
    env: 'PYRATS_EMIT_REDACT',
    runsProgram: false,
    doc: 'paths in records: none, home or hash',
  },
  {
    key: 'requests.to',
    kind: 'strings',
    env: 'PYRATS_REQUEST_TO',
    envSeparator: /\s*,\s*/,
    runsProgram: false,
    doc: 'where package requests go (syslog, webhook or mailto: sinks)',
  },
];

export const KEY_NAMES: readonly ConfigKey[] = KEY_SPECS.map((s) => s.key);

export function keySpec(key: ConfigKey): KeySpec {
  return KEY_SPECS.find((s) => s.key === key)!;
}

export const EMPTY_VALUES: ConfigValues = {
  baseline: null,
  mirrors: null,
  python: null,
  module_use: [],
  module_init: null,
  offline: false,
  cache_dir: null,
  timeout: null,
  'emit.to': null,
  'emit.redact': null,
  'requests.to': [],
};

const TYPE_NAMES: Record<Kind, string> = {
  string: 'a string',
  strings: 'a list of strings, e.g. ["a", "b"]',
  boolean: 'true or false',
  duration: 'a number of seconds or a string such as "500ms", "2s"',
  redact: 'one of "none", "home", "hash"',
};

/** The checked value of `raw` for `spec`; throws an Error saying what was expected. */
export function coerceValue(spec: KeySpec, raw: unknown): ConfigValues[ConfigKey] {
  const wrong = (): never => {
    throw new Error(`${spec.key} must be ${TYPE_NAMES[spec.kind]}, not ${describe(raw)}`);
  };
  switch (spec.kind) {
    case 'string':
      return typeof raw === 'string' && raw.trim() ? raw.trim() : wrong();
    case 'strings':
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string' || !x.trim())) return wrong();
      return [...new Set((raw as string[]).map((x) => x.trim()))];
    case 'boolean':
      return typeof raw === 'boolean' ? raw : wrong();
    case 'duration':
      if (typeof raw !== 'number' && typeof raw !== 'string') return wrong();
      return parseDuration(raw as string | number, spec.key);
    case 'redact':
      return raw === 'none' || raw === 'home' || raw === 'hash' ? raw : wrong();
  }
}

/** An environment variable's text as the value `coerceValue` expects. */
export function envRaw(spec: KeySpec, text: string): unknown {
  if (spec.kind === 'strings') return text.split(spec.envSeparator ?? /\s+/).filter((s) => s.trim());
  if (spec.kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(text.trim())) return true;
    if (/^(0|false|no|off)$/i.test(text.trim())) return false;
  }
  return text;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (v === null || v === undefined) return 'nothing';
  return typeof v === 'object' ? 'a table' : `${typeof v} ${JSON.stringify(v)}`;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `value` with its relative paths made absolute against `dir` (the folder of the naming file). */
export function absolutePaths<K extends ConfigKey>(
  spec: KeySpec,
  value: ConfigValues[K],
  dir: string,
): ConfigValues[K] {
  if (!spec.paths || value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  const one = (s: string): string => {
    if (spec.paths === 'baseline') {
      const m = /^(file|python):([^?]*)(\?.*)?$/s.exec(s);
      if (m && m[2] && (m[1] === 'file' || m[2].includes('/'))) {
        return `${m[1]}:${path.resolve(dir, m[2])}${m[3] ?? ''}`;
      }
      return s;
    }
    if (spec.paths === 'mirror') {
      const m = /^(conda:|pypi:)?(.*)$/s.exec(s)!;
      return URL_LIKE.test(m[2]) ? s : `${m[1] ?? ''}${path.resolve(dir, m[2])}`;
    }
    // a bare command name (python3) is looked up on PATH, not in the folder
    if (spec.key === 'python' && !s.includes('/')) return s;
    return path.resolve(dir, s);
  };
  return (Array.isArray(value) ? value.map(one) : one(value as string)) as ConfigValues[K];
}
