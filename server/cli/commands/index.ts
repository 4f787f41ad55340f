/** Every `pyrats` subcommand, in the order `pyrats --help` lists them. */
import type { CliCommand } from '../command';
import { baselineCommand } from './baseline';
import { checkCommand } from './check';
import { dashboardCommand } from './dashboard';
import { depsCommand } from './deps';
import { emitCommand } from './emit';
import { graphCommand } from './graph';
import { importsCommand } from './imports';
import { exportCommand } from './export';
import { ingestCommand } from './ingest';
import { lspCommand } from './lsp';
import { mirrorCommand } from './mirror';
import { mirrorListsCommand } from './mirror-lists';
import { mirrorPageCommand } from './mirror-page';
import { reportCommand } from './report';
import { requestCommand } from './request';
import { requestsCommand } from './requests';

export const commands: CliCommand[] = [
  depsCommand,
  importsCommand,
  checkCommand,
  baselineCommand,
  mirrorCommand,
  emitCommand,
  requestCommand,
  graphCommand,
  lspCommand,
  ingestCommand,
  reportCommand,
  exportCommand,
  requestsCommand,
  mirrorListsCommand,
  mirrorPageCommand,
  dashboardCommand,
];
