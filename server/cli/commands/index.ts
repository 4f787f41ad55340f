/** Every `pyrats` subcommand, in the order `pyrats --help` lists them. */
import type { CliCommand } from '../command';
import { depsCommand } from './deps';
import { lspCommand } from './lsp';
import { requestCommand } from './request';

export const commands: CliCommand[] = [depsCommand, requestCommand, lspCommand];
