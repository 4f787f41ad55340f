/**
 * The PyRats VS Code extension: starts the pyrats language server (dist/server.js) for Python files,
 * feeds it the settings (with the target interpreter resolved and the workspace's trust), shows the
 * status bar, and registers the palette commands. Panels and the request flow live in their own
 * modules (graphPanel.ts, dashboardPanel.ts, requests.ts, records.ts) and are registered from here.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LSPErrorCodes,
  ResponseError,
  State,
  TransportKind,
  type ConfigurationParams,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  FileSummaryNotification,
  RefreshMirrorIndexRequest,
  type RefreshMirrorIndexResult,
} from '../server/protocol';
import { registerDashboardPanel } from './dashboardPanel';
import { registerGraphPanel } from './graphPanel';
import { registerInstallFromMirror } from './installFromMirror';
import { InterpreterResolver } from './interpreter';
import { registerShowConfiguration } from './showConfiguration';
import { registerPyratsView } from './pyratsView';
import { registerWhichModule } from './whichModule';
import { registerRecordFeatures } from './records';
import { registerRequestFeatures } from './requests';
import { ReportView } from './reportView';
import { selectBaseline } from './selectBaseline';
import { PyratsStatusBar } from './statusBar';

/** What other client modules get from the extension (the running client, the output channel). */
export interface PyratsContext {
  extension: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  /** The language client while it runs. */
  client(): LanguageClient | undefined;
}

let languageClient: LanguageClient | undefined;

function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const module = context.asAbsolutePath('dist/server.js');
  return {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
}

function clientOptions(
  output: vscode.LogOutputChannel,
  interpreters: InterpreterResolver,
): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Jupyter cells (the server resolves a cell's imports from its notebook's folder)
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ],
    outputChannel: output,
    middleware: {
      workspace: {
        // Fill in what only VS Code knows: the interpreter (Python extension) and the workspace's trust.
        configuration: async (params: ConfigurationParams, token, next) => {
          const results = await next(params, token);
          if (!Array.isArray(results)) return results;
          return results.map((value, i) => {
            const item = params.items[i];
            if (item?.section !== 'pyrats' || typeof value !== 'object' || value === null) return value;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const settings = { ...(value as Record<string, unknown>) };
            settings.python = interpreters.resolve(scope).path;
            settings.trusted = vscode.workspace.isTrusted;
            return settings;
          });
        },
      },
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<PyratsContext> {
  const output = vscode.window.createOutputChannel('PyRats', { log: true });
  const statusBar = new PyratsStatusBar();
  const interpreters = new InterpreterResolver(output);
  const reportView = new ReportView(() => languageClient);
  context.subscriptions.push(output, statusBar, interpreters, reportView);

  const pyrats: PyratsContext = { extension: context, output, client: () => languageClient };

  const notifySettingsChanged = () => {
    if (languageClient?.isRunning()) {
      void languageClient.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  };

  const start = async () => {
    const client = new LanguageClient(
      'pyrats',
      'PyRats',
      serverOptions(context),
      clientOptions(output, interpreters),
    );
    client.onDidChangeState((e) => {
      statusBar.setState(
        e.newState === State.Running ? 'running' : e.newState === State.Stopped ? 'stopped' : 'starting',
      );
    });
    client.onNotification(FileSummaryNotification.type, (summary) => statusBar.update(summary));
    languageClient = client;
    await client.start();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('pyrats.checkWorkspace', () => reportView.checkWorkspace()),
    vscode.commands.registerCommand('pyrats.selectBaseline', () => selectBaseline()),
    vscode.commands.registerCommand('pyrats.refreshMirrorIndex', async () => {
      if (!languageClient) return;
      let result: RefreshMirrorIndexResult;
      try {
        result = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: 'PyRats: refreshing the mirror index',
            cancellable: true,
          },
          (_progress, token) => languageClient!.sendRequest(RefreshMirrorIndexRequest.type, {}, token),
        );
      } catch (err) {
        // cancelled: the server stops waiting for us but finishes the refresh and re-checks open files
        const cancelled = err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled;
        const message = cancelled
          ? 'PyRats: stopped waiting; the mirror index refresh goes on in the background'
          : `PyRats: the mirror index could not be refreshed: ${err instanceof Error ? err.message : String(err)}`;
        if (cancelled) output.info(message);
        else output.error(message);
        if (cancelled) void vscode.window.showInformationMessage(message);
        else void vscode.window.showErrorMessage(message);
        return;
      }
      for (const m of result.messages) output.info(m);
      void vscode.window.showInformationMessage(
        `PyRats: ${result.messages.join('; ') || 'nothing to refresh'}`,
      );
    }),
    vscode.commands.registerCommand('pyrats.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('pyrats.restartServer', async () => {
      await languageClient?.stop();
      languageClient = undefined;
      await start();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(notifySettingsChanged),
    interpreters.onDidChange(notifySettingsChanged),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('python.defaultInterpreterPath')) notifySettingsChanged();
    }),
    { dispose: () => void languageClient?.stop() },
  );

  const interpreter = (uri?: vscode.Uri) => interpreters.resolve(uri).path;
  context.subscriptions.push(
    registerRequestFeatures(context, { output, client: () => languageClient, interpreter }),
    registerRecordFeatures(context, { output, interpreter }),
    registerGraphPanel(context, () => languageClient, { output, interpreter }),
    registerInstallFromMirror(output, interpreter),
    registerWhichModule(context, output, interpreter),
    registerShowConfiguration(context),
    registerPyratsView({ context, client: () => languageClient, reportView }),
  );
  registerDashboardPanel(context);

  // Neither the Python extension nor the server delays activation: both finish in the background.
  void interpreters.connect().then(notifySettingsChanged);
  start().catch((err: unknown) => {
    output.error(
      `PyRats language server failed to start: ${err instanceof Error ? err.message : String(err)}`,
    );
    statusBar.setState('stopped');
  });
  return pyrats;
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  if (client) await client.stop();
}
