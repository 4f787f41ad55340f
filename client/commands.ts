/**
 * Every command of the extension, one entry each: the id (package.json `contributes.commands`) and
 * its handler, which gets the extension's context (ctx.ts) and the command's arguments. Registered
 * in one loop at activation. The work is done by the feature modules; only the mirror-index refresh,
 * a single request to the server, is written here.
 */
import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';
import {
  RefreshMirrorIndexRequest,
  type InstallFromMirrorArgs,
  type RefreshMirrorIndexResult,
  type RequestPackagesArgs,
  type ShowDependencyGraphArgs,
} from '../server/protocol';
import type { Ctx } from './ctx';
import { openDashboard } from './dashboardPanel';
import { GraphPanelHost } from './graphPanel';
import { installFromMirror } from './installFromMirror';
import { PyratsView } from './pyratsView';
import { RecordFeatures } from './records';
import { ReportView } from './reportView';
import { requestPackages, retryPackageRequests } from './requests';
import { selectBaseline } from './selectBaseline';
import { ConfigurationView } from './showConfiguration';
import { whichModule } from './whichModule';

/** A command's handler: the context, then what the caller passed (palette: nothing). */
type Command = (ctx: Ctx, ...args: never[]) => unknown;

/** *PyRats: Refresh Mirror Index*: the server refetches the indexes (cancellable) and says what it did. */
async function refreshMirrorIndex(ctx: Ctx): Promise<void> {
  const client = ctx.client();
  if (!client) return;
  let result: RefreshMirrorIndexResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'PyRats: refreshing the mirror index',
        cancellable: true,
      },
      (_progress, token) => client.sendRequest(RefreshMirrorIndexRequest.type, {}, token),
    );
  } catch (err) {
    // cancelled: the server stops waiting for us but finishes the refresh and re-checks open files
    const cancelled = err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled;
    const message = cancelled
      ? 'PyRats: stopped waiting; the mirror index refresh goes on in the background'
      : `PyRats: the mirror index could not be refreshed: ${err instanceof Error ? err.message : String(err)}`;
    if (cancelled) ctx.output.info(message);
    else ctx.output.error(message);
    if (cancelled) void vscode.window.showInformationMessage(message);
    else void vscode.window.showErrorMessage(message);
    return;
  }
  for (const m of result.messages) ctx.output.info(m);
  void vscode.window.showInformationMessage(`PyRats: ${result.messages.join('; ') || 'nothing to refresh'}`);
}

export const commands: Readonly<Record<string, Command>> = {
  'pyrats.checkWorkspace': (ctx) => ctx.feature(ReportView).checkWorkspace(),
  'pyrats.showDependencyGraph': (ctx, arg?: ShowDependencyGraphArgs | vscode.Uri) =>
    ctx.feature(GraphPanelHost).show(arg),
  'pyrats.requestPackages': (ctx, args?: RequestPackagesArgs) => requestPackages(ctx, args),
  'pyrats.selectBaseline': () => selectBaseline(),
  'pyrats.refreshMirrorIndex': (ctx) => refreshMirrorIndex(ctx),
  'pyrats.showOutput': (ctx) => ctx.output.show(true),
  'pyrats.restartServer': (ctx) => ctx.restart(),
  'pyrats.runAndRecord': (ctx, uri?: vscode.Uri) => ctx.feature(RecordFeatures).runAndRecord(uri),
  'pyrats.previewRecords': (ctx, uri?: vscode.Uri) => ctx.feature(RecordFeatures).previewRecords(uri),
  'pyrats.resetRecordsConsent': (ctx) => ctx.feature(RecordFeatures).resetConsent(),
  'pyrats.retryPackageRequests': (ctx) => retryPackageRequests(ctx),
  'pyrats.openUsageDashboard': (ctx) => openDashboard(ctx),
  'pyrats.installFromMirror': (ctx, args?: InstallFromMirrorArgs) => installFromMirror(ctx, args),
  'pyrats.whichModule': (ctx) => whichModule(ctx),
  'pyrats.showConfiguration': (ctx) => ctx.feature(ConfigurationView).show(),
  'pyrats.view.refresh': (ctx) => ctx.feature(PyratsView).refresh(),
  'pyrats.view.filter': (ctx) => ctx.feature(PyratsView).filter(),
  'pyrats.view.clearFilter': (ctx) => ctx.feature(PyratsView).clearFilter(),
  'pyrats.view.checkWithBaseline': (ctx) => ctx.feature(PyratsView).checkWithBaseline(),
  'pyrats.view.openReport': (ctx) => ctx.feature(PyratsView).openReport(),
  'pyrats.view.exportSarif': (ctx) => ctx.feature(PyratsView).exportAs('sarif'),
  'pyrats.view.exportJson': (ctx) => ctx.feature(PyratsView).exportAs('json'),
};

/** Registers every entry of `commands` for `ctx`. */
export function registerCommands(ctx: Ctx): void {
  for (const [id, handler] of Object.entries(commands)) {
    ctx.push(vscode.commands.registerCommand(id, (...args: never[]) => handler(ctx, ...args)));
  }
}
