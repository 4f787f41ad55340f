/**
 * Runs the pyrats language server on a connection until the client says `exit`. Shared by the
 * bundled server entry point (dist/server.js) and `pyrats lsp --stdio`.
 */
import type { Connection } from 'vscode-languageserver/node';
import { PyratsLanguageServer } from './server';

export function runLanguageServer(connection: Connection): Promise<void> {
  const server = new PyratsLanguageServer();
  server.register(connection);
  // A failed background task (a mirror fetch, an interpreter) is logged, not fatal to the editor session.
  process.on('unhandledRejection', (reason) => {
    connection.console.error(
      `pyrats: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}
