/**
 * Every `pyrats` subcommand, in the order `pyrats --help` lists them. Each is loaded only when
 * it runs (a dynamic import keeps the bundle's modules lazy), so `pyrats deps` does not pay for
 * DuckDB, the language server or the dashboard.
 */
import type { CliCommand } from '../command';

export const commandLoaders: Record<string, () => Promise<CliCommand>> = {
  deps: async () => (await import('./deps')).depsCommand,
  imports: async () => (await import('./imports')).importsCommand,
  check: async () => (await import('./check')).checkCommand,
  pin: async () => (await import('./pin')).pinCommand,
  baseline: async () => (await import('./baseline')).baselineCommand,
  mirror: async () => (await import('./mirror')).mirrorCommand,
  emit: async () => (await import('./emit')).emitCommand,
  request: async () => (await import('./request')).requestCommand,
  graph: async () => (await import('./graph')).graphCommand,
  lsp: async () => (await import('./lsp')).lspCommand,
  ingest: async () => (await import('./ingest')).ingestCommand,
  report: async () => (await import('./report')).reportCommand,
  export: async () => (await import('./export')).exportCommand,
  requests: async () => (await import('./requests')).requestsCommand,
  'mirror-lists': async () => (await import('./mirror-lists')).mirrorListsCommand,
  'mirror-page': async () => (await import('./mirror-page')).mirrorPageCommand,
  dashboard: async () => (await import('./dashboard')).dashboardCommand,
  config: async () => (await import('./config')).configCommand,
  doctor: async () => (await import('./doctor')).doctorCommand,
};

/** Every command, loaded (for the overall help and for tests). */
export function loadAllCommands(): Promise<CliCommand[]> {
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
