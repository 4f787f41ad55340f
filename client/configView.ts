/**
 * *PyRats: Show Configuration* as Markdown: every effective setting, its value and where it came
 * from (a file and line, an environment variable, a flag, a tool's file, or the default), then the
 * configuration files and whether each exists, then the warnings — from `pyrats config --json`.
 * Also reads the configured request destinations from the same JSON. Pure (no `vscode`).
 */

export interface ConfigSetting {
  key: string;
  value: unknown;
  origin: string;
  source: string;
}

export interface ConfigJson {
  settings: ConfigSetting[];
  files: { layer: string; file: string; state: string }[];
  warnings: string[];
}

/** The JSON of `pyrats config --json`, or a sentence saying why it is not that. */
export function parseConfigJson(stdout: string): ConfigJson | string {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    return 'pyrats config printed no JSON';
  }
  const d = data as Partial<ConfigJson> | null;
  if (!d || !Array.isArray(d.settings)) return 'pyrats config printed JSON without settings';
  return {
    settings: d.settings.filter((s): s is ConfigSetting => typeof s?.key === 'string'),
    files: Array.isArray(d.files) ? d.files : [],
    warnings: Array.isArray(d.warnings) ? d.warnings.map(String) : [],
  };
}

/** A Markdown table cell: pipes escaped, line breaks flattened, code spans for values. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function shownValue(value: unknown): string {
  if (value === null || value === undefined) return '*(not set)*';
  if (Array.isArray(value))
    return value.length ? value.map((v) => `\`${cell(String(v))}\``).join(', ') : '*(none)*';
  return `\`${cell(String(value))}\``;
}

/** The page: a settings table, the files, the warnings. */
export function configMarkdown(folder: string, config: ConfigJson): string {
  const lines = [
    `# PyRats configuration for ${folder}`,
    '',
    'What `pyrats` (CLI, language server, extension) uses when no flag or VS Code setting says otherwise.',
    '',
    '| Setting | Value | From |',
    '| --- | --- | --- |',
    ...config.settings.map((s) => `| \`${s.key}\` | ${shownValue(s.value)} | ${cell(s.source)} |`),
    '',
    '## Files',
    '',
    ...config.files.map((f) => `- ${f.layer}: \`${cell(f.file)}\` (${f.state})`),
  ];
  if (config.warnings.length)
    lines.push('', '## Warnings', '', ...config.warnings.map((w) => `- ${cell(w)}`));
  lines.push('', 'Edit with `pyrats config --edit user` (or `site`); changes apply without a restart.');
  return `${lines.join('\n')}\n`;
}

/** `[requests] to` of the configuration (empty when not configured). */
export function configuredRequestDestinations(config: ConfigJson): string[] {
  const to = config.settings.find((s) => s.key === 'requests.to')?.value;
  return Array.isArray(to) ? to.map(String).filter(Boolean) : typeof to === 'string' && to ? [to] : [];
}
