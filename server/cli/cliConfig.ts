/**
 * The configuration as every `pyrats` command takes it: the command's flags become the top layer
 * over PYRATS_* variables, `[tool.pyrats]`, the user and the site file (analyzer/config). Also the
 * option set shared by every command that reads the mirror or the baseline (--cache-dir, --offline,
 * --timeout in one unit), so that they spell and parse them alike.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigFileError } from '../../analyzer/config/configFile';
import { parseDuration, parseLegacyDuration } from '../../analyzer/config/duration';
import type { ConfigKey, ConfigValues } from '../../analyzer/config/keys';
import { configWarnings } from '../../analyzer/config/configReport';
import { resolveConfig, type ConfigOverride, type ResolvedConfig } from '../../analyzer/config/resolveConfig';
import { ConfigError, UsageError, type CliIO } from './command';

/** The options every command that reads the mirror or the baseline accepts (parseArgs config). */
export const SOURCE_OPTIONS = {
  offline: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** Help lines for SOURCE_OPTIONS, the same in every command. */
export const SOURCE_OPTIONS_HELP = `  --offline           use only cached mirror data (says how old it is)
  --cache-dir DIR     cache root (default $XDG_CACHE_HOME/pyrats, i.e. ~/.cache/pyrats)
  --timeout T         bound for each network request: seconds (15, 1.5) or 500ms, 2s, 1m`;

type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Which flag sets which key (only flags the command has and the user gave count). */
const FLAG_KEYS: [flag: string, key: ConfigKey][] = [
  ['baseline', 'baseline'],
  ['mirror', 'mirrors'],
  ['python', 'python'],
  ['module-use', 'module_use'],
  ['module-init', 'module_init'],
  ['offline', 'offline'],
  ['cache-dir', 'cache_dir'],
  ['timeout', 'timeout'],
];

/** A duration flag (`--module-timeout 90`, `2m`) in milliseconds; undefined when absent. */
export function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function flagValue(key: ConfigKey, flag: string, v: string | boolean | string[]): ConfigValues[ConfigKey] {
  if (key === 'timeout') return durationFlag(v as string, `--${flag}`)!;
  if (key === 'cache_dir' || key === 'module_init') return path.resolve(v as string);
  if (key === 'module_use') return (v as string[]).map((d) => path.resolve(d));
  if (key === 'emit.redact' && v !== 'none' && v !== 'home' && v !== 'hash') {
    throw new UsageError(`--${flag}: '${String(v)}' is not a redaction mode: use one of none, home, hash`);
  }
  return v;
}

/** The command-line layer from parsed flags; `extra` maps command-specific flags (`to`) to keys. */
export function flagOverrides(values: FlagValues, extra: [string, ConfigKey][] = []): ConfigOverride[] {
  const out: ConfigOverride[] = [];
  for (const [flag, key] of [...FLAG_KEYS, ...extra]) {
    const v = values[flag];
    if (v === undefined || (Array.isArray(v) && !v.length) || (flag === 'offline' && v === false)) continue;
    out.push({ key, value: flagValue(key, flag, v), origin: { kind: 'flag', name: `--${flag}` } });
  }
  if (values['no-mirror'] === true)
    out.push({ key: 'mirrors', value: [], origin: { kind: 'flag', name: '--no-mirror' } });
  return out;
}

/** `emit`'s and `request`'s own flags for the keys of their tables. */
export const EMIT_FLAGS: [string, ConfigKey][] = [
  ['to', 'emit.to'],
  ['redact', 'emit.redact'],
];
export const REQUEST_FLAGS: [string, ConfigKey][] = [['to', 'requests.to']];

/**
 * `--timeout` of `request` and `emit`, which took milliseconds before the unit became seconds: an old
 * bare `--timeout 5000` still means 5 s (said on stderr). Undefined when the flag is absent.
 */
export function legacyTimeout(text: string | undefined, io: CliIO, command: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    const { ms, note } = parseLegacyDuration(text, '--timeout');
    if (note) io.stderr.write(`pyrats ${command}: note: ${note}\n`);
    return ms;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The folder whose nearest pyproject.toml is the project layer: the first input's, else the working directory. */
export function projectDirFor(inputs: string[]): string {
  const first = inputs.find(Boolean);
  if (!first) return process.cwd();
  try {
    return statSync(first).isDirectory() ? path.resolve(first) : path.dirname(path.resolve(first));
  } catch {
    return path.dirname(path.resolve(first));
  }
}

/**
 * Resolves the configuration for a command: warnings go to stderr, a broken file or variable is a
 * ConfigError (exit status 2, before the command does anything).
 */
export function loadCliConfig(
  io: CliIO,
  command: string,
  overrides: ConfigOverride[],
  inputs: string[] = [],
): ResolvedConfig {
  let config: ResolvedConfig;
  try {
    config = resolveConfig({ projectDir: projectDirFor(inputs), overrides });
  } catch (err) {
    if (err instanceof ConfigFileError) throw new ConfigError(err.message);
    throw err;
  }
  for (const w of configWarnings(config)) io.stderr.write(`pyrats ${command}: warning: ${w}\n`);
  return config;
}
