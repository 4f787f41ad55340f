/** Every `pyrats` subcommand, in the order `pyrats --help` lists them. */
import type { CliCommand } from '../command';

export const commands: CliCommand[] = [];
