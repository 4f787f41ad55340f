/**
 * `pyrats baseline SPEC` — what a baseline spec provides: its kind, Python version, every listed
 * distribution with its version and where it is listed, and the problems met while reading it.
 */
import { BaselineLookup } from '../../../analyzer/baseline/baseline';
import { loadBaseline } from '../../../analyzer/baseline/loadBaseline';
import { durationFlag, flagOverrides, loadCliConfig } from '../cliConfig';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';

const HELP = `Usage: pyrats baseline SPEC [--format text|json] [--module-use DIR]... [--module-timeout S]

Shows what the baseline SPEC provides (the same specs as 'pyrats check --baseline'):
  module:NAME[?use=DIR&init=F&timeout=S]
                                    an environment module (module help + module load + its python)
  file:PATH[?format=F]              requirements / pip freeze, pip list, conda environment.yml,
                                    conda list (--json, --explicit), spack.lock, spack.yaml,
                                    modulefile or saved 'module help' text, environment snapshot
  python:PATH                       a live interpreter

Options:
  --format F          text (default): one distribution per line; json: the whole Baseline object
  --module-use DIR    extra MODULEPATH directory for module: specs (repeatable)
  --module-init FILE  shell script defining 'module', sourced after the login profile
                      (also $PYRATS_MODULE_INIT)
  --module-timeout T  give up on the module command after T: seconds or 500ms, 2s, 1m (default 60)

Exit status: 0 read, 2 usage error, 3 the baseline could not be loaded.
`;

export const baselineCommand: CliCommand = {
  name: 'baseline',
  summary: 'show what a baseline spec (module:, file:, python:) provides',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        'module-use': { type: 'string', multiple: true },
        'module-init': { type: 'string' },
        'module-timeout': { type: 'string' },
      },
    });
    const { values, positionals } = parsed;
    refuseEmptyValues(values);
    if (positionals.length !== 1) throw new UsageError('name exactly one baseline SPEC');
    if (values.format !== 'text' && values.format !== 'json')
      throw new UsageError(`unknown format '${values.format}' (text or json)`);
    const timeout = durationFlag(values['module-timeout'], '--module-timeout');
    const config = loadCliConfig(io, 'baseline', flagOverrides(values)).values;
    let baseline;
    try {
      baseline = await loadBaseline(positionals[0], {
        moduleUse: config.module_use,
        moduleInit: config.module_init ?? undefined,
        moduleTimeoutMs: timeout,
      });
    } catch (err) {
      io.stderr.write(`pyrats baseline: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    if (values.format === 'json') {
      io.stdout.write(`${JSON.stringify(baseline, null, 2)}\n`);
      return EXIT.ok;
    }
    const lookup = new BaselineLookup(baseline);
    const lines = [
      `${baseline.spec}: ${baseline.kind}${baseline.pythonVersion ? `, Python ${baseline.pythonVersion}` : ''}, ${lookup.names().length} distributions`,
    ];
    if (baseline.environment) lines.push(`interpreter: ${baseline.environment.executable}`);
    if (baseline.channels.length) lines.push(`channels: ${baseline.channels.join(', ')}`);
    if (baseline.indexUrls.length) lines.push(`indexes: ${baseline.indexUrls.join(', ')}`);
    const entries = [...baseline.entries].sort((a, b) => a.normalized.localeCompare(b.normalized));
    const width = Math.min(40, Math.max(0, ...entries.map((e) => e.name.length)));
    for (const e of entries) {
      lines.push(
        `  ${e.name.padEnd(width)}  ${(e.version ?? e.specifier) || '-'}${e.editable ? '  (editable)' : ''}  [${e.origin}]`,
      );
    }
    for (const p of baseline.problems)
      io.stderr.write(`pyrats baseline: ${p.source}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};
