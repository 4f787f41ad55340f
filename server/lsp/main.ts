/**
 * Entry point of the bundled language server (dist/server.js). The transport comes from the command
 * line, as every LSP client passes it: `--stdio`, `--node-ipc` or `--socket=PORT`.
 */
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { PyratsLanguageServer } from './server';

/** Runs the server on a connection until the client says `exit`. */
export function runLanguageServer(connection: Connection): Promise<void> {
  const server = new PyratsLanguageServer();
  server.register(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}

if (require.main === module) {
  const connection = createConnection(ProposedFeatures.all);
  void runLanguageServer(connection).then(() => process.exit(0));
}
