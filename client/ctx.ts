/**
 * The extension's context for one activation (after rust-analyzer's editors/code `Ctx`): it owns the
 * pyrats language client (start, restart, stop; dist/server.js over IPC), the settings the server
 * gets (the target interpreter and the workspace's trust filled in here, and telling the server when
 * they change), the output channel, the status bar, the interpreter resolver and the disposables.
 * Commands (commands.ts) and features get it instead of separate arguments; a feature that keeps
 * state for the whole activation (a panel host, the PyRats view) is made once by `feature()`.
 * It knows no command and no feature module.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  State,
  TransportKind,
  type ConfigurationParams,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { FileSummaryNotification } from '../server/protocol';
import { InterpreterResolver } from './interpreter';
import { PyratsStatusBar } from './statusBar';

/** A feature kept for the whole activation, made from the context. */
export type FeatureClass<T extends vscode.Disposable> = new (ctx: Ctx) => T;

function serverOptions(extension: vscode.ExtensionContext): ServerOptions {
  const module = extension.asAbsolutePath('dist/server.js');
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

export class Ctx {
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: PyratsStatusBar;
  readonly interpreters: InterpreterResolver;
  private languageClient: LanguageClient | undefined;
  private readonly features = new Map<FeatureClass<vscode.Disposable>, vscode.Disposable>();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('PyRats', { log: true });
    this.statusBar = new PyratsStatusBar();
    this.interpreters = new InterpreterResolver(this.output);
    this.push(this.output, this.statusBar, this.interpreters, { dispose: () => void this.stop() });
  }

  /** The language client while it runs. */
  client(): LanguageClient | undefined {
    return this.languageClient;
  }

  /** The target interpreter for a file (`pyrats.python`, the Python extension's choice, ...). */
  interpreter(uri?: vscode.Uri): string {
    return this.interpreters.resolve(uri).path;
  }

  /** Disposes `disposables` with the extension. */
  push(...disposables: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...disposables);
  }

  /** The one instance of `kind` for this activation: made (and pushed) on first use. */
  feature<T extends vscode.Disposable>(kind: FeatureClass<T>): T {
    let made = this.features.get(kind) as T | undefined;
    if (!made) {
      made = new kind(this);
      this.features.set(kind, made);
      this.push(made);
    }
    return made;
  }

  /** Tells the running server to read its settings again when what this context adds to them changes. */
  watchSettings(): void {
    const notify = () => this.notifySettingsChanged();
    this.push(
      vscode.workspace.onDidGrantWorkspaceTrust(notify),
      this.interpreters.onDidChange(notify),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('python.defaultInterpreterPath')) notify();
      }),
    );
  }

  notifySettingsChanged(): void {
    if (this.languageClient?.isRunning()) {
      void this.languageClient.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  /** Starts a new language client (the status bar follows its state and the files' summaries). */
  async start(): Promise<void> {
    const client = new LanguageClient(
      'pyrats',
      'PyRats',
      serverOptions(this.extension),
      clientOptions(this.output, this.interpreters),
    );
    client.onDidChangeState((e) => {
      this.statusBar.setState(
        e.newState === State.Running ? 'running' : e.newState === State.Stopped ? 'stopped' : 'starting',
      );
    });
    client.onNotification(FileSummaryNotification.type, (summary) => this.statusBar.update(summary));
    this.languageClient = client;
    await client.start();
  }

  /** Starts without waiting (activation does not wait for the server); a failure is logged. */
  startInBackground(): void {
    this.start().catch((err: unknown) => {
      this.output.error(
        `PyRats language server failed to start: ${err instanceof Error ? err.message : String(err)}`,
      );
      this.statusBar.setState('stopped');
    });
  }

  async restart(): Promise<void> {
    await this.languageClient?.stop();
    this.languageClient = undefined;
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.languageClient;
    this.languageClient = undefined;
    if (client) await client.stop();
  }
}
