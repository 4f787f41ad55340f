/**
 * `pyrats lsp --stdio`: the language server for any editor (Neovim, Emacs, Helix, VS Code), speaking
 * LSP over standard input and output.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runLanguageServer } from '../../lsp/runLanguageServer';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

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
  --stdio                talk LSP on standard input/output (the only transport of this command)
  --clientProcessId=PID  end when that process ends (editors such as VS Code pass it themselves)
`,
  async run(args, io) {
    try {
      const { values } = parseCommandArgs({
        args,
        options: { stdio: { type: 'boolean' }, clientProcessId: { type: 'string' } },
        strict: true,
      });
      if (!values.stdio) throw new UsageError('--stdio is required (LSP over standard input/output)');
      if (values.clientProcessId !== undefined && !/^\d+$/.test(values.clientProcessId))
        throw new UsageError(`--clientProcessId: '${values.clientProcessId}' is not a process id`);
    } catch (err) {
      // vscode-languageserver starts its --clientProcessId watchdog timer as soon as it is loaded, so
      // the process would stay alive after the usage error is printed: end it once that is done.
      setImmediate(() => process.exit(EXIT.usage));
      throw err;
    }
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
