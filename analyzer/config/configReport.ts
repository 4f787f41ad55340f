/**
 * The two output formats of the effective configuration (`pyrats config`, *PyRats: Show
 * Configuration*): a readable table of key, value and origin, and JSON for tools. Pure formatting.
 */
import { formatDuration } from './duration';
import { KEY_SPECS, type ConfigKey, type ConfigValues } from './keys';
import { describeOrigin, type ConfigOrigin, type ResolvedConfig } from './resolveConfig';

export interface ConfigEntryJson {
  key: ConfigKey;
  value: ConfigValues[ConfigKey];
  /** default, file (a configuration file), tool (.condarc / pip.conf), env, flag or setting. */
  origin: ConfigOrigin['kind'];
  /** The file the value came from (file and tool origins). */
  file?: string;
  line?: number;
  /** The variable, flag or editor setting it came from. */
  name?: string;
  /** The origin as text: file:line, $VARIABLE, --flag, setting NAME or default. */
  source: string;
}

export interface ConfigJson {
  settings: ConfigEntryJson[];
  files: ResolvedConfig['files'];
  warnings: string[];
}

function shown(key: ConfigKey, v: ConfigValues[ConfigKey]): string {
  if (v === null) return '(not set)';
  if (key === 'timeout' && typeof v === 'number') return formatDuration(v);
  if (Array.isArray(v)) return v.length ? v.join(' ') : '(none)';
  return String(v);
}

export function configWarnings(c: ResolvedConfig): string[] {
  return c.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`);
}

export function configJson(c: ResolvedConfig): ConfigJson {
  return {
    settings: KEY_SPECS.map(({ key }) => {
      const o = c.origins[key];
      return {
        key,
        value: c.values[key],
        origin: o.kind,
        ...(o.kind === 'file' ? { file: o.file, line: o.line } : {}),
        ...(o.kind === 'tool' ? { file: o.file } : {}),
        ...(o.kind === 'env' || o.kind === 'flag' || o.kind === 'setting' ? { name: o.name } : {}),
        source: describeOrigin(o),
      };
    }),
    files: c.files,
    warnings: configWarnings(c),
  };
}

export function formatConfigText(c: ResolvedConfig): string {
  const rows = KEY_SPECS.map(({ key }) => [key, shown(key, c.values[key]), describeOrigin(c.origins[key])]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.min(60, Math.max(...rows.map((r) => r[1].length)));
  const lines = rows.map(([k, v, o]) => `${k.padEnd(w0)}  ${v.padEnd(w1)}  ${o}`);
  const files = c.files.map((f) => `  ${f.layer.padEnd(7)} ${f.file} (${f.state})`);
  const warnings = configWarnings(c).map((w) => `  ${w}`);
  return [
    ...lines,
    '',
    'Files:',
    ...files,
    ...(warnings.length ? ['', 'Warnings:', ...warnings] : []),
    '',
  ].join('\n');
}
