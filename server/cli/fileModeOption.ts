/**
 * `--mode` for the commands that create private files (the usage store, Parquet exports): its
 * parsing, and the warning when an existing store may be read by other users.
 */
import { formatMode, parseFileMode, readableByOthers } from '../../analyzer/privateFiles';
import { UsageError, type CliIO } from './command';

/** Help text line for `--mode`. */
export const MODE_OPTION_HELP =
  '  --mode MODE         mode of the files made (default 0600, directories 0700); e.g. 0640 lets the\n' +
  "                      file's group read them";

/** The mode of `--mode MODE`, or undefined when absent; a bad one is a usage error. */
export function modeOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseFileMode(text);
  } catch (err) {
    throw new UsageError(`--mode: ${(err as Error).message}`);
  }
}

/** Warns on stderr when the existing store `file` may be read by others and no --mode was given. */
export function warnIfStoreReadable(
  file: string,
  mode: number | undefined,
  command: string,
  io: CliIO,
): void {
  if (mode !== undefined) return;
  const open = readableByOthers(file);
  if (open === null) return;
  io.stderr.write(
    `pyrats ${command}: warning: ${file} is readable by other users (mode ${formatMode(open)}): ` +
      `chmod 600 ${file}, or pass --mode ${formatMode(open)} to keep that on purpose\n`,
  );
}
