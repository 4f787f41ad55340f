/**
 * `pyrats lsp --stdio`: the language server for any editor (Neovim, Emacs, Helix, VS Code), speaking
 * LSP over standard input and output.
 */
import { parseArgs } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runLanguageServer } from '../../lsp/runLanguageServer';
import { EXIT, UsageError, type CliCommand } from '../command';

export const lspCommand: CliCommand = {
  name: 'lsp',
  summary: 'run the language server (LSP over stdio) for any editor',
  help: `Usage: pyrats lsp --stdio

Runs the pyrats language server: diagnostics for every import (missing, only on the mirror, in the
baseline), hovers and quick fixes. Settings come from the editor under the section "pyrats":
  baseline    baseline spec: module:NAME, file:PATH, python:PATH
  mirrors     list of conda channel / PyPI simple index URLs (http(s):// or file://)
  python      target interpreter (default python3)
  severity    {missing, missingGuarded, mirrorOnly, mirrorOnlyGuarded, baseline, stdlib, local}:
              error | warning | information | hint | none
  cacheDir    cache directory; debounceMs  quiet time after edits (default 50)

Clients that do not answer workspace/configuration pass the same object as initializationOptions
{"pyrats": {...}} (or push it with workspace/didChangeConfiguration {"settings": {"pyrats": {...}}}).

Example (Neovim 0.7):
  vim.lsp.start_client{cmd={'pyrats','lsp','--stdio'}, root_dir=vim.fn.getcwd(),
    init_options={pyrats={baseline='file:requirements.txt', mirrors={'https://mirror/conda-forge'}}}}

Options:
  --stdio   talk LSP on standard input/output (the only transport of this command)
`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { stdio: { type: 'boolean' } }, strict: true });
    if (!values.stdio) throw new UsageError('--stdio is required (LSP over standard input/output)');
    const connection = createConnection(
      ProposedFeatures.all,
      io.stdin as NodeJS.ReadableStream,
      io.stdout as NodeJS.WritableStream,
    );
    await runLanguageServer(connection);
    // LSP: the process ends on `exit`, even while the client keeps our stdin open.
    setImmediate(() => process.exit(EXIT.ok));
    return EXIT.ok;
  },
};
