/**
 * *Install from the mirror*: the quick fix on a mirror-only import. It finds the selected
 * interpreter's environment (conda or not), shows the exact command and runs it in a terminal only
 * after the user confirms. The command line comes from installCommand.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { InstallFromMirrorArgs } from '../server/protocol';
import type { Ctx } from './ctx';
import { planInstall, type TargetEnvironment } from './installCommand';

/** The conda prefix of an interpreter path (`PREFIX/bin/python`, `PREFIX\python.exe`), or null. */
function condaPrefixOf(python: string): string | null {
  if (!path.isAbsolute(python)) return null;
  const dir = path.dirname(python);
  for (const prefix of [path.dirname(dir), dir]) {
    if (existsSync(path.join(prefix, 'conda-meta'))) return prefix;
  }
  return null;
}

/** `pyrats.installFromMirror` with the quick fix's arguments. */
export async function installFromMirror(ctx: Ctx, args?: InstallFromMirrorArgs): Promise<void> {
  if (!args || !Array.isArray(args.packages) || args.packages.length === 0) {
    void vscode.window.showInformationMessage(
      'PyRats: Install from the mirror is offered as a quick fix on an import only the mirror has.',
    );
    return;
  }
  const python = ctx.interpreter(args.uri ? vscode.Uri.parse(args.uri) : undefined);
  const env: TargetEnvironment = { python, condaPrefix: condaPrefixOf(python) };
  const plan = planInstall(args.packages, env);
  if ('problem' in plan) {
    ctx.output.warn(`install from the mirror: ${plan.problem}`);
    void vscode.window.showWarningMessage(`PyRats: cannot install from the mirror: ${plan.problem}`);
    return;
  }
  const { candidate } = plan;
  const choice = await vscode.window.showInformationMessage(
    `Install ${candidate.name}${candidate.version ? ` ${candidate.version}` : ''} from ${candidate.label} into ${env.condaPrefix ?? python}?`,
    { modal: true, detail: plan.commandLine },
    'Install',
  );
  if (choice !== 'Install') return;
  ctx.output.info(`install from the mirror: ${plan.commandLine}`);
  const terminal = vscode.window.createTerminal({ name: `PyRats: install ${candidate.name}` });
  terminal.show();
  terminal.sendText(plan.commandLine, true);
}
