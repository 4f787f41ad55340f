/**
 * `pyrats config [--json] [DIR]` — every effective setting, its value and where it came from
 * (file:line, $VARIABLE, --flag, .condarc/pip.conf or default). `pyrats config --edit user|site`
 * opens the user or site file in $VISUAL/$EDITOR, writing a commented template first when it is absent,
 * and checks the file when the editor exits.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readConfigFile } from '../../../analyzer/config/configFile';
import { configJson, formatConfigText } from '../../../analyzer/config/configReport';
import { siteConfigPath, userConfigPath } from '../../../analyzer/config/resolveConfig';
import { configTemplate } from '../../../analyzer/config/template';
import { ConfigError, EXIT, UsageError, parseCommandArgs, type CliCommand, type CliIO } from '../command';
import { loadCliConfig } from '../cliConfig';

const HELP = `Usage: pyrats config [DIR] [--json]
       pyrats config --edit user|site

Prints every setting pyrats uses, its value and where it came from: a file and line, an environment
variable, .condarc / pip.conf (mirrors only) or the default. DIR (default: the working directory)
is where the nearest pyproject.toml with [tool.pyrats] is looked for.

Layers, lowest precedence first:
  default
  .condarc channels and pip.conf indexes          (mirrors only)
  site file  /etc/pyrats/config.toml              ($PYRATS_SITE_CONFIG names another path)
  user file  $XDG_CONFIG_HOME/pyrats/config.toml  (default ~/.config/pyrats/config.toml)
  project    [tool.pyrats] in the nearest pyproject.toml
  variables  PYRATS_BASELINE, PYRATS_MIRRORS, PYRATS_PYTHON, PYRATS_MODULE_USE, PYRATS_MODULE_INIT,
             PYRATS_OFFLINE, PYRATS_CACHE_DIR, PYRATS_TIMEOUT, PYRATS_EMIT_TO, PYRATS_EMIT_REDACT,
             PYRATS_REQUEST_TO
  flags      of each command (--baseline, --mirror, --timeout, ...)

Options:
  --json            the same as JSON: {settings: [{key, value, origin, file, line, name, source}],
                    files, warnings}
  --edit user|site  open that file in $VISUAL or $EDITOR (default vi); a commented template is
                    written first when it does not exist; the file is checked when the editor exits

Exit status: 0 ok, 2 usage error or a configuration file that cannot be used (file:line:column on
stderr), 3 the editor failed.
`;

function runEditor(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const editor = env.VISUAL || env.EDITOR || 'vi';
  return new Promise((resolve) => {
    // the editor variable may carry arguments (`code --wait`): the shell splits it, the file stays one word
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function edit(layer: string, io: CliIO): Promise<number> {
  if (layer !== 'user' && layer !== 'site') throw new UsageError(`--edit ${layer}: use user or site`);
  const file = layer === 'user' ? userConfigPath() : siteConfigPath();
  if (!existsSync(file)) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, configTemplate(layer));
    } catch (err) {
      io.stderr.write(`pyrats config: cannot create ${file}: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    io.stderr.write(`pyrats config: wrote a commented template to ${file}\n`);
  }
  const status = await runEditor(file, process.env);
  if (status !== 0) {
    io.stderr.write(`pyrats config: the editor exited with status ${status}\n`);
    return EXIT.failure;
  }
  try {
    const read = readConfigFile(file);
    for (const w of read?.warnings ?? [])
      io.stderr.write(`pyrats config: warning: ${w.file}:${w.line}: ${w.message}\n`);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return EXIT.ok;
}

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'every effective setting with its origin (file:line, variable, flag, default); --edit a file',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, edit: { type: 'string' } },
    });
    if (positionals.length > 1) throw new UsageError('at most one DIR');
    if (values.edit !== undefined) {
      if (values.json || positionals.length) throw new UsageError('--edit takes no DIR and no --json');
      return edit(values.edit, io);
    }
    const config = loadCliConfig(io, 'config', [], positionals);
    io.stdout.write(
      values.json ? `${JSON.stringify(configJson(config), null, 2)}\n` : formatConfigText(config),
    );
    return EXIT.ok;
  },
};
