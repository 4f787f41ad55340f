/**
 * The PyRats VS Code extension's entry points. `activate` makes the context (ctx.ts: the language
 * client for dist/server.js, its settings, the output channel, the status bar), the features that
 * listen from the start (the PyRats view, the report and configuration documents, the graph panel's
 * serializer, the record triggers), registers the command table (commands.ts), and starts the server
 * without waiting for it. `deactivate` stops the server.
 */
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { Ctx, type FeatureClass } from './ctx';
import { GraphPanelHost } from './graphPanel';
import { PyratsView } from './pyratsView';
import { RecordFeatures } from './records';
import { ReportView } from './reportView';
import { announceWaitingRequests } from './requests';
import { ConfigurationView } from './showConfiguration';

/** What `activate` returns (the running client, the output channel); the `Ctx` itself. */
export interface PyratsContext {
  extension: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  /** The language client while it runs. */
  client(): LanguageClient | undefined;
}

/** This activation's context, for `deactivate`. */
let current: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PyratsContext> {
  const ctx = new Ctx(context);
  current = ctx;
  ctx.watchSettings();
  const listening: FeatureClass<vscode.Disposable>[] = [
    ReportView,
    PyratsView,
    ConfigurationView,
    GraphPanelHost,
    RecordFeatures,
  ];
  for (const feature of listening) ctx.feature(feature);
  registerCommands(ctx);
  announceWaitingRequests();

  // Neither the Python extension nor the server delays activation: both finish in the background.
  void ctx.interpreters.connect().then(() => ctx.notifySettingsChanged());
  ctx.startInBackground();
  return ctx;
}

export async function deactivate(): Promise<void> {
  const ctx = current;
  current = undefined;
  await ctx?.stop();
}
