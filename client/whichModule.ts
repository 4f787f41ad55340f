/**
 * *PyRats: Which Module Runs This Script?*: checks the active script (or notebook) against every
 * version of the configured baseline module (or the specs the user types), shows the matrix as a
 * Markdown preview, and offers to switch the workspace's `pyrats.baseline` to a satisfying one.
 * The check runs in the bundled CLI (`pyrats check --baseline … --format json`).
 */
import * as vscode from 'vscode';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';
import { defaultMatrixSpec, matrixMarkdown, parseMatrixJson } from './moduleMatrix';

function activeScript(): vscode.Uri | undefined {
  const nb = vscode.window.activeNotebookEditor?.notebook.uri;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === 'python' && doc.uri.scheme === 'file') return doc.uri;
  return nb?.scheme === 'file' ? nb : undefined;
}

/** `pyrats.whichModule`. */
export async function whichModule(ctx: Ctx): Promise<void> {
  const script = activeScript();
  if (!script) {
    void vscode.window.showInformationMessage('PyRats: open a Python script or notebook first.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'PyRats: Which Module Runs This Script? loads modules and runs their Python; trust the workspace first.',
    );
    return;
  }
  const configured = vscode.workspace.getConfiguration('pyrats', script).get<string>('baseline') ?? '';
  const typed = await vscode.window.showInputBox({
    title: 'PyRats: Which Module Runs This Script?',
    prompt: 'Baselines to compare, separated by spaces (a module name may end in a glob)',
    value: defaultMatrixSpec(configured) || 'module:',
    ignoreFocusOut: true,
  });
  const specs = typed?.split(/\s+/).filter(Boolean) ?? [];
  if (!specs.length) return;
  const folder = vscode.workspace.getWorkspaceFolder(script);
  const args = ['check', script.fsPath, ...specs.flatMap((s) => ['--baseline', s]), '--format', 'json'];
  args.push('--python', ctx.interpreter(script));
  const run = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `PyRats: checking against ${specs.join(', ')}`,
    },
    () => runPyratsCli(ctx.extension, args, { cwd: folder?.uri.fsPath, timeoutMs: 300_000 }),
  );
  if (run.stderr.trim()) ctx.output.info(`pyrats check (matrix): ${run.stderr.trim()}`);
  const matrix = parseMatrixJson(run.stdout);
  if (typeof matrix === 'string') {
    const why = run.error ?? (run.stderr.trim().split('\n').at(-1) || matrix);
    void vscode.window.showErrorMessage(`PyRats: Which Module Runs This Script? ${why}`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: matrixMarkdown(vscode.workspace.asRelativePath(script), matrix),
  });
  await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  const picks = matrix.recommendation.map((r) => ({ label: r.name, description: r.command, spec: r.spec }));
  if (!picks.length) return;
  const pick = await vscode.window.showQuickPick(picks, {
    title: 'Use a satisfying baseline for this workspace?',
    placeHolder: `current: ${configured || 'none'}`,
  });
  if (!pick) return;
  const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('pyrats', script).update('baseline', pick.spec, target);
  ctx.output.info(`pyrats.baseline set to ${pick.spec}`);
}
