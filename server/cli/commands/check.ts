/**
 * `pyrats check SCRIPT|DIR... --baseline SPEC --mirror URL...` — will these scripts run on the
 * centre's baseline Python, and where do the missing packages come from? One verdict per import,
 * as a readable table, JSON or SARIF 2.1.0.
 */
import { writeFileSync } from 'node:fs';
import { Checker, type CheckerOptions } from '../../../analyzer/check/checker';
import { unguardedMissing, type CheckReport } from '../../../analyzer/check/report/checkReport';
import { formatJson } from '../../../analyzer/check/report/json';
import { formatSarif, toSarif } from '../../../analyzer/check/report/sarif';
import { formatText } from '../../../analyzer/check/report/text';
import { collectPythonFiles } from '../../../analyzer/check/scripts';
import { checkBaselines, checkFiles } from '../../../analyzer/check/checkFiles';
import { buildMatrix, formatMatrixJson, formatMatrixText } from '../../../analyzer/check/report/matrix';
import { isModuleGlob } from '../../../analyzer/baseline/environmentModule';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';
import {
  durationFlag,
  flagOverrides,
  loadCliConfig,
  SOURCE_OPTIONS,
  SOURCE_OPTIONS_HELP,
} from '../cliConfig';

const HELP = `Usage: pyrats check SCRIPT|DIR... [--baseline SPEC] [--mirror URL]... [--format text|json|sarif]
                    [--python P] [--offline] [--cache-dir DIR] [--module-use DIR]... [-o FILE]

For every import of the scripts and Jupyter notebooks (directories: every .py and .ipynb below
them; a notebook's place is "cell N:line M"), says whether it is standard
library, built in, local, provided by the baseline (distribution and version), only on the mirror
(which conda channel or PyPI index, which versions) or missing everywhere, and what to do.

Every option below except --format, -o, --refresh, --no-cache, --subdir and --quiet has a default
in the configuration (pyrats config shows it): the site and user config.toml, [tool.pyrats] in the
nearest pyproject.toml and PYRATS_* variables; a flag wins over all of them.

Baseline (--baseline SPEC; default: the configured baseline, else the --python interpreter itself):
  module:NAME[?use=DIR&init=F&timeout=S]
                                   an environment module (Lmod or Environment Modules 4/5): its
                                   'module help' requirements, then 'module load' and the python it
                                   puts on PATH, introspected (run in a login shell: bash -l)
  file:PATH[?format=F]             requirements.txt / pip freeze, pip list --format=json, conda
                                   environment.yml, conda list --json / --explicit, Spack spack.lock
                                   or spack.yaml, a modulefile or saved 'module help' text, an
                                   environment snapshot (pyrats deps --save-env); detected from content
  python:PATH                      a live interpreter's installed distributions

Several baselines: --baseline is repeatable, and a module NAME may end in a glob
(module:PythonEnv-noaa/* = every version 'module avail' lists). The report is then a matrix of
imports × baselines (✓ version, ✗, conflict), each baseline 'satisfied' when every (not optional)
third-party import is in it and none conflicts with the declaration, and a recommendation: the
satisfying baselines, newest first ("module load PythonEnv-noaa/3.11"). JSON: baselines[] with spec,
name, pythonVersion, imports and satisfied; SARIF: one run per baseline. Exit 0 when one satisfies.

Declarations: the script's PEP 723 block (# /// script), else the nearest requirements*.txt,
environment.yml or pyproject.toml above it (up to the repository root). Verdicts 'conflict' (the
baseline's version is outside the declared specifiers; also requires-python) and 'undeclared', and
'unused' declared distributions, each with the requirement's file and line.

Mirror (--mirror, repeatable; default: the configured mirrors, else channels from .condarc and
indexes from pip.conf):
  conda:URL   a conda channel (<URL>/<subdir>/repodata.json for the platform subdir and noarch)
  pypi:URL    a PyPI simple index (PEP 691 JSON, PEP 503 HTML), asked per project
  URL         classified by shape: a path with a 'simple' segment is a PyPI index, else a channel
  URLs may be http://, https:// or file:// (or a local path).

Options:
  --format F          text (default): a table grouped by verdict; json: for tools; sarif: SARIF 2.1.0
  -o, --output FILE   write the report to FILE instead of stdout
  --python P          interpreter deciding standard-library/local imports when the baseline has none
                      (default python3 on PATH)
  --refresh           re-check every cached mirror answer now (ignore the cache TTL) and run the
                      module command again (its result is otherwise reused for an hour)
  --no-cache          no disk cache at all
  --no-mirror         ignore .condarc / pip.conf: check against the baseline only
  --module-use DIR    extra MODULEPATH directory for module: baselines (repeatable; also
                      $PYRATS_MODULE_USE, colon-separated)
  --module-init FILE  shell script defining 'module' (e.g. Environment Modules' init/bash), sourced
                      after the login profile (also $PYRATS_MODULE_INIT)
  --module-timeout T  give up on the module command after T (seconds or 500ms, 2s, 1m; default 60)
${SOURCE_OPTIONS_HELP} (default 15)
  --subdir S          conda subdir to read (repeatable; default the platform's and noarch)
  --quiet             text format: do not list standard-library, built-in and local imports

Imports guarded by try/except ImportError are marked [optional]; they never fail the check.

Exit status: 0 nothing missing, 1 something (not optional) is missing everywhere or conflicts with
its declaration, 2 usage error,
3 the baseline could not be loaded, the --python interpreter could not be run (the report is still
written, but standard-library and local imports cannot be told from missing ones) or no file could
be read.

Examples:
  pyrats check analyse.py --baseline module:PythonEnv-noaa/3.11 --mirror https://mirror.example/conda/main
  pyrats check src/ --baseline file:requirements.txt --mirror pypi:https://mirror.example/simple --format sarif -o check.sarif
`;

const FORMATS = ['text', 'json', 'sarif'] as const;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'per-import verdict against the baseline and the mirror (text, JSON, SARIF)',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        baseline: { type: 'string', multiple: true },
        mirror: { type: 'string', multiple: true },
        format: { type: 'string', default: 'text' },
        output: { type: 'string', short: 'o' },
        python: { type: 'string' },
        ...SOURCE_OPTIONS,
        refresh: { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        'no-mirror': { type: 'boolean', default: false },
        'module-use': { type: 'string', multiple: true },
        'module-init': { type: 'string' },
        'module-timeout': { type: 'string' },
        subdir: { type: 'string', multiple: true },
        quiet: { type: 'boolean', default: false },
      },
    });
    const v = parsed.values;
    refuseEmptyValues(v);
    const format = v.format as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`unknown format '${v.format}' (text, json or sarif)`);
    if (!parsed.positionals.length) throw new UsageError('name at least one script or directory');
    // '' is no path: resolved, it would stand for the working directory (an unset shell variable)
    if (parsed.positionals.includes('')) throw new UsageError("an empty SCRIPT argument ''");
    if (v['no-mirror'] && v.mirror?.length)
      throw new UsageError('--no-mirror and --mirror exclude each other');
    if (v.offline && v.refresh) throw new UsageError('--offline and --refresh exclude each other');
    const moduleTimeoutMs = durationFlag(v['module-timeout'], '--module-timeout');
    // several --baseline make a matrix; the configuration layer knows one baseline
    const flags = { ...v, baseline: v.baseline?.[0] };
    const config = loadCliConfig(io, 'check', flagOverrides(flags), parsed.positionals).values;

    const { files, problems: pathProblems } = collectPythonFiles(parsed.positionals);
    for (const p of pathProblems) io.stderr.write(`pyrats check: ${p.path}: ${p.message}\n`);
    if (!files.length) {
      io.stderr.write('pyrats check: no Python files to check\n');
      return EXIT.failure;
    }
    const options: Omit<CheckerOptions, 'baseline'> = {
      mirrors: config.mirrors ?? [],
      python: config.python ?? undefined,
      cacheDir: v['no-cache'] ? false : (config.cache_dir ?? undefined),
      offline: v.refresh ? false : config.offline,
      moduleUse: config.module_use,
      moduleInit: config.module_init ?? undefined,
      moduleTimeoutMs,
      mirrorTimeoutMs: config.timeout ?? undefined,
      mirrorTtlMs: v.refresh ? 0 : undefined,
      refresh: v.refresh,
      subdirs: v.subdir,
    };
    const specs = v.baseline?.length ? v.baseline : config.baseline ? [config.baseline] : [];
    if (
      specs.length > 1 ||
      specs.some((s) => s.startsWith('module:') && isModuleGlob(s.replace(/\?.*$/s, '')))
    )
      return checkMatrix(specs, files, options, { format, output: v.output }, io);
    const checker = await Checker.create({ ...options, baseline: specs[0] });
    try {
      if (checker.fatal) {
        for (const p of checker.problems.filter((x) => x.area === 'baseline')) {
          io.stderr.write(`pyrats check: baseline ${p.source}: ${p.message}\n`);
        }
        return EXIT.failure;
      }
      const report: CheckReport = await checkFiles(checker, files, process.cwd());
      const results = report.files;
      let text: string;
      if (format === 'json') text = formatJson(report);
      else if (format === 'sarif') text = formatSarif(report, process.env.PYRATS_VERSION ?? '0.1.0');
      else {
        text = formatText(report, { hide: v.quiet ? ['stdlib', 'builtin', 'local'] : [] });
      }
      if (!writeReport(text, v.output, io)) return EXIT.failure;
      if (format !== 'text') {
        for (const p of checker.problems)
          io.stderr.write(`pyrats check: ${p.area} ${p.source}: ${p.message}\n`);
      }
      const unreadable = results.filter((r) =>
        r.problems.some((p) => ['io', 'binary', 'too-large', 'decode'].includes(p.kind)),
      );
      if (unreadable.length === results.length) return EXIT.failure;
      // without the interpreter, standard-library and local imports look missing: nothing to act on
      if (!checker.environment) return EXIT.failure;
      const conflicts =
        results.some((r) => r.verdicts.some((x) => x.kind === 'conflict')) ||
        report.findings?.some((f) => f.kind === 'conflict');
      return unguardedMissing(report).length || conflicts ? EXIT.findings : EXIT.ok;
    } finally {
      checker.dispose();
    }
  },
};

/** Writes the report to `output` (or stdout); false after saying why it could not. */
function writeReport(text: string, output: string | undefined, io: CliIO): boolean {
  if (!output) {
    io.stdout.write(text);
    return true;
  }
  try {
    writeFileSync(output, text);
    return true;
  } catch (err) {
    io.stderr.write(`pyrats check: cannot write ${output}: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * Several baselines (repeated --baseline, or a module glob): the matrix of imports × baselines and
 * the recommendation (SARIF: one run per baseline). Exit 0 when some baseline satisfies the scripts,
 * 1 when none does, 3 when no baseline could be loaded at all.
 */
async function checkMatrix(
  specs: string[],
  files: string[],
  options: Omit<CheckerOptions, 'baseline'>,
  out: { format: string; output?: string },
  io: CliIO,
): Promise<number> {
  const cwd = process.cwd();
  const { columns, problems } = await checkBaselines(specs, files, { ...options, cwd });
  for (const p of problems) io.stderr.write(`pyrats check: baseline ${p.spec}: ${p.message}\n`);
  if (!columns.length) return EXIT.failure;
  const matrix = buildMatrix(columns);
  let text: string;
  if (out.format === 'json') text = formatMatrixJson(matrix, files, problems);
  else if (out.format === 'sarif') {
    const version = process.env.PYRATS_VERSION ?? '0.1.0';
    const sarifs = columns.flatMap((c) => (c.report ? [toSarif(c.report, version)] : []));
    const runs = sarifs.flatMap((s) => s.runs as unknown[]);
    text = `${JSON.stringify({ ...(sarifs[0] ?? {}), runs }, null, 2)}\n`;
  } else text = formatMatrixText(matrix, cwd);
  if (!writeReport(text, out.output, io)) return EXIT.failure;
  if (columns.every((c) => !c.report)) return EXIT.failure;
  return matrix.recommendation.length ? EXIT.ok : EXIT.findings;
}
