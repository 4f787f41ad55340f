/**
 * `pyrats` — the command line: dispatches to one subcommand module per verb (see
 * `commands/index.ts`, each loaded only when it runs); prints errors on stderr and returns the
 * documented exit status. The process entry point is bin.ts.
 */
import { commandLoaders, loadAllCommands } from './commands/index';
import { ConfigError, EXIT, UsageError, type CliIO } from './command';

async function topHelp(): Promise<string> {
  const commands = await loadAllCommands();
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'pyrats — Python import dependencies, PyRats records, baseline/mirror checks and usage analytics',
    '',
    'Usage: pyrats COMMAND [options]   (pyrats COMMAND --help for details)',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit status: 0 ok, 1 findings (e.g. missing packages), 2 usage error, 3 input or program failure.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await topHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${process.env.PYRATS_VERSION ?? '0.1.0'}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(commandLoaders, name) ? commandLoaders[name] : undefined;
  if (!load) {
    io.stderr.write(`pyrats: unknown command '${name}'\n\n${await topHelp()}`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`pyrats ${name}: ${err.message}\nTry 'pyrats ${name} --help'.\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`pyrats ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`pyrats ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
