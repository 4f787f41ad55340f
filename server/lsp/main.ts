/**
 * Entry point of the bundled language server (dist/server.js). The transport comes from the command
 * line, as every LSP client passes it: `--stdio`, `--node-ipc` or `--socket=PORT`.
 * (An entry point, not a library: `require.main === module` cannot tell bundled modules apart.)
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runLanguageServer } from './runLanguageServer';

const connection = createConnection(ProposedFeatures.all);
void runLanguageServer(connection).then(() => process.exit(0));
