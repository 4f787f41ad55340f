/**
 * One typed settings object from every configuration layer, with the origin of each value. Lowest
 * to highest precedence: defaults; the mirrors of .condarc / pip.conf (mirror/mirrorConfig); the site
 * file (/etc/pyrats/config.toml or $PYRATS_SITE_CONFIG); the user file
 * ($XDG_CONFIG_HOME/pyrats/config.toml); `[tool.pyrats]` in the nearest pyproject.toml (keys that run
 * a program only when the project is trusted); PYRATS_* variables; and the caller's overrides
 * (command-line flags, editor settings the user set). The CLI, the language server and the extension
 * all take this object. Reads files and the environment given; contacts nothing, runs nothing.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configuredMirrors } from '../mirror/mirrorConfig';
import { ConfigFileError, readConfigFile, type ConfigWarning, type FileLayer } from './configFile';
import {
  absolutePaths,
  coerceValue,
  EMPTY_VALUES,
  envRaw,
  KEY_SPECS,
  keySpec,
  type ConfigKey,
  type ConfigValues,
} from './keys';

export type ConfigLayerName = 'site' | 'user' | 'project';

export type ConfigOrigin =
  | { kind: 'default' }
  | { kind: 'file'; layer: ConfigLayerName; file: string; line: number }
  | { kind: 'tool'; file: string }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string }
  | { kind: 'setting'; name: string };

export interface ConfigFileStatus {
  layer: ConfigLayerName;
  file: string;
  /** read: it exists and was used; absent; ignored: exists but holds no `[tool.pyrats]`. */
  state: 'read' | 'absent' | 'ignored';
}

export interface ResolvedConfig {
  values: ConfigValues;
  origins: Record<ConfigKey, ConfigOrigin>;
  files: ConfigFileStatus[];
  warnings: ConfigWarning[];
}

/** Values the caller sets above every file and variable: flags (`--baseline`) or editor settings. */
export interface ConfigOverride {
  key: ConfigKey;
  value: ConfigValues[ConfigKey];
  origin: ConfigOrigin;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Where the nearest pyproject.toml is looked for (the script's or workspace's folder); none: no project layer. */
  projectDir?: string;
  /** False: a project's keys that run a program are ignored (untrusted workspace). Default true. */
  trustedProject?: boolean;
  overrides?: ConfigOverride[];
}

const SITE_FILE = '/etc/pyrats/config.toml';

export function siteConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYRATS_SITE_CONFIG ? path.resolve(env.PYRATS_SITE_CONFIG) : SITE_FILE;
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(home, '.config');
  return path.join(base, 'pyrats', 'config.toml');
}

/** The nearest pyproject.toml at or above `dir`, or null. */
export function nearestPyproject(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'pyproject.toml');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return null;
  }
}

function fileLayer(
  layer: ConfigLayerName,
  file: string,
  section: string[],
): [ConfigFileStatus, FileLayer | null] {
  if (!existsSync(file)) return [{ layer, file, state: 'absent' }, null];
  const read = readConfigFile(file, section);
  return [{ layer, file, state: read ? 'read' : 'ignored' }, read];
}

function applyFile(config: ResolvedConfig, layer: ConfigLayerName, read: FileLayer, trusted: boolean): void {
  config.warnings.push(...read.warnings);
  for (const [key, entry] of Object.entries(read.values) as [ConfigKey, { value: never; line: number }][]) {
    if (!trusted && keySpec(key).runsProgram) {
      config.warnings.push({
        file: read.file,
        line: entry.line,
        message: `${key} is ignored: the workspace is not trusted and it names a program to run`,
      });
      continue;
    }
    set(config, key, entry.value, { kind: 'file', layer, file: read.file, line: entry.line });
  }
}

function set<K extends ConfigKey>(
  c: ResolvedConfig,
  key: K,
  value: ConfigValues[K],
  origin: ConfigOrigin,
): void {
  c.values[key] = value;
  c.origins[key] = origin;
}

/** PYRATS_* variables; a malformed one throws (the variable named as the "file"). */
function applyEnv(config: ResolvedConfig, env: NodeJS.ProcessEnv): void {
  for (const spec of KEY_SPECS) {
    const text = env[spec.env];
    if (text === undefined || !text.trim()) continue;
    try {
      // relative paths in a variable are relative to the working directory, as in a shell
      const value = absolutePaths(spec, coerceValue(spec, envRaw(spec, text)), process.cwd());
      set(config, spec.key, value, { kind: 'env', name: spec.env });
    } catch (err) {
      throw new ConfigFileError(`$${spec.env}`, 1, 1, (err as Error).message);
    }
  }
}

/** Every layer folded into one settings object. Throws ConfigFileError for a file or variable that cannot be used. */
export function resolveConfig(opts: ResolveOptions = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  const home = opts.home ?? os.homedir();
  const config: ResolvedConfig = {
    values: structuredClone(EMPTY_VALUES),
    origins: Object.fromEntries(
      KEY_SPECS.map((s) => [s.key, { kind: 'default' }]),
    ) as ResolvedConfig['origins'],
    files: [],
    warnings: [],
  };
  const mirrors = configuredMirrors(env, home);
  if (mirrors.length) {
    set(
      config,
      'mirrors',
      mirrors.map((m) => `${m.kind}:${m.url}`),
      { kind: 'tool', file: mirrors[0].from },
    );
  }
  const layers: [ConfigLayerName, string | null, string[]][] = [
    ['site', siteConfigPath(env), []],
    ['user', userConfigPath(env, home), []],
    ['project', opts.projectDir ? nearestPyproject(opts.projectDir) : null, ['tool', 'pyrats']],
  ];
  for (const [layer, file, section] of layers) {
    if (!file) continue;
    const [status, read] = fileLayer(layer, file, section);
    config.files.push(status);
    if (read) applyFile(config, layer, read, layer !== 'project' || opts.trustedProject !== false);
  }
  applyEnv(config, env);
  for (const o of opts.overrides ?? []) set(config, o.key, o.value, o.origin);
  return config;
}

/** How an origin is shown: `/etc/pyrats/config.toml:3`, `$PYRATS_BASELINE`, `--baseline`, `default`. */
export function describeOrigin(o: ConfigOrigin): string {
  switch (o.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${o.file}:${o.line}`;
    case 'tool':
      return o.file.includes('/') ? o.file : `$${o.file}`;
    case 'env':
      return `$${o.name}`;
    case 'flag':
      return o.name;
    case 'setting':
      return `setting ${o.name}`;
  }
}
