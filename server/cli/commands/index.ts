/** Every `pyrats` subcommand, in the order `pyrats --help` lists them. */
import type { CliCommand } from '../command';
import { requestCommand } from './request';

export const commands: CliCommand[] = [requestCommand];
