/**
 * `pyrats pin SCRIPT --baseline SPEC` — writes or updates the script's PEP 723 block so that it
 * declares what it imports at the versions the chosen baseline has (`>=`), plus `requires-python`.
 * Every byte outside the block is kept; the file is replaced atomically with its mode kept.
 */
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Checker } from '../../../analyzer/check/checker';
import { readDeclarations } from '../../../analyzer/declarations/declarations';
import { writeScriptBlock } from '../../../analyzer/declarations/pep723';
import { planPin } from '../../../analyzer/check/pin';
import { parseDuration } from '../../../analyzer/config/duration';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';
import { flagOverrides, loadCliConfig } from '../cliConfig';

const HELP = `Usage: pyrats pin SCRIPT --baseline SPEC [--dry-run] [--python P] [--module-use DIR]...
                  [--module-init FILE] [--module-timeout T] [--cache-dir DIR] [--no-cache]

Writes (or updates) the script's PEP 723 block ('# /// script') from a check against SPEC: its
third-party imports as distributions with '>=' the baseline's versions (imports the baseline lacks
without a version), entries of an existing block that no import accounts for kept as written, and
requires-python '>=X.Y' of the baseline's Python. Imports guarded by try/except ImportError are
optional and not added. Every other byte of the file stays as it was. With the block the script
also runs under 'uv run' or 'pipx run' elsewhere. SPEC as for pyrats check (default: the
configured baseline).

Options:
  --dry-run           print the new block, do not write the file
  --python P          interpreter for standard-library decisions when the baseline has none
  --module-use DIR    extra MODULEPATH directory for module: baselines (repeatable)
  --module-init FILE  shell script defining 'module', sourced after the login profile
  --module-timeout T  give up on the module command after T (seconds or 500ms, 2s, 1m; default 60)
  --cache-dir DIR     cache root;  --no-cache  no disk cache at all

Exit status: 0 written (or unchanged), 2 usage error, 3 the baseline could not be loaded or the
script could not be read, parsed or written.

Example:
  pyrats pin analyse.py --baseline module:PythonEnv-noaa/3.11
`;

function readScript(file: string): string {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error('not UTF-8 (PEP 723 blocks need UTF-8)');
  return text;
}

function replaceFile(file: string, text: string): void {
  const mode = statSync(file).mode & 0o7777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.pyrats-pin-${process.pid}`);
  try {
    writeFileSync(tmp, text);
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export const pinCommand: CliCommand = {
  name: 'pin',
  summary: "write the script's PEP 723 block from what a baseline provides",
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        baseline: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        python: { type: 'string' },
        'module-use': { type: 'string', multiple: true },
        'module-init': { type: 'string' },
        'module-timeout': { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
      },
    });
    const v = parsed.values;
    refuseEmptyValues(v);
    if (parsed.positionals.length !== 1 || !parsed.positionals[0])
      throw new UsageError('name exactly one SCRIPT');
    const script = path.resolve(parsed.positionals[0]);
    let moduleTimeoutMs: number | undefined;
    try {
      moduleTimeoutMs = v['module-timeout']
        ? parseDuration(v['module-timeout'], '--module-timeout')
        : undefined;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const config = loadCliConfig(io, 'pin', flagOverrides(v), [script]).values;
    if (!config.baseline) throw new UsageError('name the baseline to pin against: --baseline SPEC');
    let text: string;
    try {
      text = readScript(script);
    } catch (err) {
      io.stderr.write(`pyrats pin: ${script}: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    const checker = await Checker.create({
      baseline: config.baseline,
      mirrors: [],
      python: config.python ?? undefined,
      cacheDir: v['no-cache'] ? false : (config.cache_dir ?? undefined),
      moduleUse: config.module_use,
      moduleInit: config.module_init ?? undefined,
      moduleTimeoutMs,
    });
    try {
      return await pin(checker, script, text, v['dry-run'] === true, io);
    } finally {
      checker.dispose();
    }
  },
};

async function pin(
  checker: Checker,
  script: string,
  text: string,
  dryRun: boolean,
  io: CliIO,
): Promise<number> {
  if (checker.fatal) {
    for (const p of checker.problems.filter((x) => x.area === 'baseline'))
      io.stderr.write(`pyrats pin: baseline ${p.source}: ${p.message}\n`);
    return EXIT.failure;
  }
  const checked = await checker.checkFileDetailed(script);
  const broken = checked.problems.find((p) =>
    ['io', 'binary', 'too-large', 'decode', 'syntax'].includes(p.kind),
  );
  if (broken && !checked.verdicts.length) {
    io.stderr.write(`pyrats pin: ${script}: ${broken.message}\n`);
    return EXIT.failure;
  }
  const declarations = readDeclarations(script, text);
  const bad = declarations.problems.find((p) => p.file === script);
  if (bad) {
    io.stderr.write(`pyrats pin: ${script}${bad.line ? `:${bad.line}` : ''}: ${bad.message}\n`);
    return EXIT.failure;
  }
  const plan = planPin(checked.verdicts, declarations, checker.pythonVersion);
  let updated: string;
  try {
    updated = writeScriptBlock(text, plan.dependencies, plan.requiresPython);
  } catch (err) {
    io.stderr.write(`pyrats pin: ${script}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const shown = `requires-python ${plan.requiresPython ?? '(unknown)'}; dependencies: ${plan.dependencies.join(', ') || 'none'}`;
  if (dryRun) {
    io.stdout.write(`${shown}\n`);
    return EXIT.ok;
  }
  if (updated === text) {
    io.stdout.write(`${script}: already pinned (${shown})\n`);
    return EXIT.ok;
  }
  try {
    replaceFile(script, updated);
  } catch (err) {
    io.stderr.write(`pyrats pin: cannot write ${script}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  io.stdout.write(`${script}: pinned against ${checker.baselineName} (${shown})\n`);
  return EXIT.ok;
}
