/**
 * *PyRats: Select Baseline*: picks how the centre's baseline is described (an environment module, a
 * requirements / environment / lock file, an interpreter, or any spec typed in) and stores it in the
 * `pyrats.baseline` setting of the workspace (user settings when no folder is open).
 */
import * as vscode from 'vscode';

interface BaselineChoice extends vscode.QuickPickItem {
  id: 'module' | 'file' | 'python' | 'spec' | 'none';
}

async function pickFile(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    openLabel: 'Use as baseline',
  });
  return picked?.[0]?.fsPath;
}

export async function selectBaseline(): Promise<void> {
  const config = vscode.workspace.getConfiguration('pyrats');
  const current = config.get<string>('baseline') ?? '';
  const choices: BaselineChoice[] = [
    {
      id: 'module',
      label: 'Environment module…',
      description: 'module:NAME, e.g. module:PythonEnv-noaa/3.11',
    },
    {
      id: 'file',
      label: 'Requirements or environment file…',
      description: 'file:PATH (requirements.txt, environment.yml, spack.lock, …)',
    },
    { id: 'python', label: 'Interpreter…', description: 'python:PATH' },
    { id: 'spec', label: 'Type a baseline spec…', description: current ? `current: ${current}` : undefined },
    { id: 'none', label: 'No baseline', description: 'check against the mirror only' },
  ];
  const choice = await vscode.window.showQuickPick(choices, {
    title: 'PyRats: Select Baseline',
    placeHolder: current ? `Current baseline: ${current}` : 'No baseline configured',
  });
  if (!choice) return;
  let spec: string | undefined;
  switch (choice.id) {
    case 'module': {
      const name = await vscode.window.showInputBox({
        title: 'Environment module of the baseline',
        prompt: 'As given to `module load`',
        value: current.startsWith('module:') ? current.slice('module:'.length) : '',
        validateInput: (v) => (v.trim() ? undefined : 'A module name, e.g. PythonEnv-noaa/3.11'),
      });
      spec = name ? `module:${name.trim()}` : undefined;
      break;
    }
    case 'file': {
      const file = await pickFile('Requirements, environment or lock file of the baseline');
      spec = file ? `file:${file}` : undefined;
      break;
    }
    case 'python': {
      const file = await pickFile('Interpreter of the baseline');
      spec = file ? `python:${file}` : undefined;
      break;
    }
    case 'spec':
      spec = await vscode.window.showInputBox({
        title: 'Baseline spec',
        prompt: 'module:NAME, file:PATH or python:PATH',
        value: current,
      });
      break;
    case 'none':
      spec = '';
      break;
  }
  if (spec === undefined) return;
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update('baseline', spec, target);
  void vscode.window.showInformationMessage(spec ? `PyRats baseline: ${spec}` : 'PyRats: no baseline');
}
