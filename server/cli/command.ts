/**
 * The shape of one `pyrats` subcommand. Each subcommand lives in its own module under
 * `server/cli/commands/` and is listed once in `server/cli/commands/index.ts`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface CliCommand {
  name: string;
  /** One line for `pyrats --help`. */
  summary: string;
  /** Full `pyrats NAME --help` text. */
  help: string;
  /** Runs the command; resolves to the process exit status. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Thrown for bad command-line usage; printed with the command's help hint, exit status 2. */
export class UsageError extends Error {}

/** A configuration file or PYRATS_* variable that cannot be used: printed as is, exit status 2. */
export class ConfigError extends Error {}

/** Exit statuses shared by all subcommands. */
export const EXIT = {
  ok: 0,
  /** The command ran and found something the user must act on (e.g. a missing package). */
  findings: 1,
  usage: 2,
  /** An input could not be read or a needed program failed. */
  failure: 3,
} as const;

/** `node:util` parseArgs, with its errors (unknown option, missing value...) turned into UsageErrors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Refuses an option given an empty value (`--baseline "$UNSET"`): it would silently mean the option
 * was not given (the default baseline, standard output, the default interpreter).
 */
export function refuseEmptyValues(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw new UsageError(`--${name} needs a value, not ''`);
  }
}
