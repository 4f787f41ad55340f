/**
 * One configuration file read as a layer: the site or user `config.toml`, or the `[tool.pyrats]`
 * table of a pyproject.toml. Parses with smol-toml, checks every key against the key table, and
 * finds the line of each key in the text (TOML parsers keep no positions) so that values, warnings
 * and errors can name file:line. Invalid TOML or a wrong type throws a ConfigFileError with
 * file:line:column; an unknown key is a warning. Reads the one file; never runs anything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { absolutePaths, coerceValue, KEY_NAMES, keySpec, type ConfigKey, type ConfigValues } from './keys';

/** A configuration file that cannot be used: exit status 2 before anything runs. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

export interface ConfigWarning {
  file: string;
  line: number;
  message: string;
}

export interface FileLayer {
  file: string;
  values: Partial<{ [K in ConfigKey]: { value: ConfigValues[K]; line: number } }>;
  warnings: ConfigWarning[];
}

/** Larger than any real configuration; a bigger file is refused instead of read. */
const MAX_CONFIG_BYTES = 1_000_000;

interface KeyPosition {
  line: number;
  column: number;
}

/** Where each dotted key (`emit.to`, `tool.pyrats.baseline`) is written: its line and value column. */
export function keyPositions(text: string): Map<string, KeyPosition> {
  const out = new Map<string, KeyPosition>();
  let table = '';
  const clean = (k: string) =>
    k
      .split('.')
      .map((p) => p.trim().replace(/^["']|["']$/g, ''))
      .join('.');
  text.split(/\r?\n/).forEach((raw, i) => {
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(raw);
    if (header) {
      table = clean(header[1]);
      if (!out.has(table)) out.set(table, { line: i + 1, column: raw.indexOf('[') + 1 });
      return;
    }
    const kv =
      /^(\s*)([A-Za-z0-9_-]+|"[^"]*"|'[^']*')((?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=\s*/.exec(
        raw,
      );
    if (!kv) return;
    const full = [table, clean(kv[2] + kv[3])].filter(Boolean).join('.');
    if (!out.has(full)) out.set(full, { line: i + 1, column: kv[0].length + 1 });
  });
  return out;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(file, 1, 1, `cannot read: ${(err as Error).message}`);
  }
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ConfigFileError(file, 1, 1, `larger than ${MAX_CONFIG_BYTES} bytes; not a configuration file`);
  }
  return text;
}

function parseDocument(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0].replace(/^Invalid TOML document: /, 'invalid TOML: ');
      throw new ConfigFileError(file, err.line, err.column, reason);
    }
    throw new ConfigFileError(file, 1, 1, `invalid TOML: ${(err as Error).message}`);
  }
}

/** The settings of `table` (flattened to dotted keys) with the line each is written on. */
function collectKeys(table: Record<string, unknown>, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(table)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isTable(v) && (k === 'emit' || k === 'requests') && !prefix) out.push(...collectKeys(v, k));
    else out.push([key, v]);
  }
  return out;
}

/**
 * Reads `file` as a layer. `section` is the table that holds the settings (`tool.pyrats` in a
 * pyproject.toml); null when the file has no such table (the file names no settings).
 */
export function readConfigFile(file: string, section: string[] = []): FileLayer | null {
  const text = readText(file);
  const doc = parseDocument(file, text);
  let table: unknown = doc;
  for (const part of section) table = isTable(table) ? table[part] : undefined;
  if (table === undefined) return null;
  const positions = keyPositions(text);
  const prefix = section.join('.');
  const at = (key: string): KeyPosition =>
    positions.get(prefix ? `${prefix}.${key}` : key) ??
    positions.get(prefix ? `${prefix}.${key.split('.')[0]}` : key.split('.')[0]) ??
    positions.get(prefix) ?? { line: 1, column: 1 };
  if (!isTable(table))
    throw new ConfigFileError(file, at('').line, at('').column, `${prefix} must be a table`);
  const layer: FileLayer = { file, values: {}, warnings: [] };
  const dir = path.dirname(file);
  for (const [key, raw] of collectKeys(table, '')) {
    const pos = at(key);
    if (!(KEY_NAMES as readonly string[]).includes(key)) {
      layer.warnings.push({
        file,
        line: pos.line,
        message: `unknown key '${key}' (known: ${KEY_NAMES.join(', ')}); ignored`,
      });
      continue;
    }
    const spec = keySpec(key as ConfigKey);
    let value: ConfigValues[ConfigKey];
    try {
      value = absolutePaths(spec, coerceValue(spec, raw), dir);
    } catch (err) {
      throw new ConfigFileError(file, pos.line, pos.column, (err as Error).message);
    }
    (layer.values as Record<string, unknown>)[key] = { value, line: pos.line };
  }
  return layer;
}
