/**
 * The commented template `pyrats config --edit user|site` writes when the file does not exist yet:
 * every key, commented out, with what it means. Text only.
 */
import { KEY_SPECS } from './keys';

const EXAMPLES: Record<string, string> = {
  baseline: '"module:PythonEnv-noaa/3.11"',
  mirrors: '["conda:https://mirror.example/conda/main", "pypi:https://mirror.example/simple"]',
  python: '"/usr/bin/python3"',
  module_use: '["/apps/modulefiles"]',
  module_init: '"/usr/share/lmod/lmod/init/bash"',
  offline: 'false',
  cache_dir: '"/scratch/pyrats-cache"',
  timeout: '"15s"',
  'emit.to': '"tcp://loghost.example:514"',
  'emit.redact': '"home"',
  'requests.to': '["tcp://loghost.example:514"]',
};

/** The template for the `layer` file (site: the whole centre; user: this account). */
export function configTemplate(layer: 'site' | 'user'): string {
  const lines = [
    `# pyrats-lens ${layer} configuration (TOML). Every key is optional; uncomment what you need.`,
    '# Precedence, lowest first: site file, user file, [tool.pyrats] in pyproject.toml,',
    '# PYRATS_* environment variables, command-line flags. `pyrats config` shows the result.',
    '# Relative paths are relative to this file.',
    '',
  ];
  let table = '';
  for (const spec of KEY_SPECS) {
    const [head, tail] = spec.key.includes('.') ? spec.key.split('.') : ['', spec.key];
    if (head !== table) {
      lines.push('', `[${head}]`);
      table = head;
    }
    lines.push(`# ${spec.doc} (also $${spec.env})`, `# ${tail} = ${EXAMPLES[spec.key]}`);
  }
  return `${lines.join('\n')}\n`;
}
