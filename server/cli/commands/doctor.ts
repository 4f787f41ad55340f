/**
 * `pyrats doctor` — checks everything the configuration names and prints a ✓/✗ table with the fix
 * for each ✗ (analyzer/config/doctor.ts). The first thing a support person asks for.
 */
import { runDoctor } from '../../../analyzer/config/doctor';
import { EXIT, parseCommandArgs, type CliCommand, type CliIO } from '../command';
import { loadCliConfig } from '../cliConfig';

const HELP = `Usage: pyrats doctor [DIR] [--json]

Checks what the configuration ('pyrats config') names: the baseline loads (for a module: baseline,
the module loads and its python runs), the interpreter runs, each mirror answers, the log host
(emit.to) and each request destination (requests.to) accept a connection. Prints one row per check,
✓ or ✗, with the fix for each ✗. Each network check is bounded by the configured timeout (15 s).

Options:
  --json   the rows as JSON: [{check, ok, detail, fix}]

Exit status: 0 every check passed, 1 some check failed, 2 usage error or a broken configuration file.
`;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary:
    'check the baseline, interpreter, mirrors, log host and request destinations the configuration names',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false } },
    });
    const config = loadCliConfig(io, 'doctor', [], positionals);
    const rows = await runDoctor(config.values);
    if (values.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      const width = Math.max(...rows.map((r) => r.check.length));
      for (const r of rows) {
        io.stdout.write(`${r.ok ? '✓' : '✗'} ${r.check.padEnd(width)}  ${r.detail}\n`);
        if (r.fix) io.stdout.write(`  ${' '.repeat(width)}  fix: ${r.fix}\n`);
      }
    }
    return rows.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
  },
};
