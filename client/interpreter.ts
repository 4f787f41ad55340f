/**
 * Which Python interpreter the checks target, per workspace folder: the `pyrats.python` setting, else
 * the interpreter selected in the Python extension (its public `environments` API), else
 * `python.defaultInterpreterPath`, else `python3`. In an untrusted workspace, values that come from the
 * workspace (its settings, the Python extension's per-workspace choice) are not used.
 */
import * as vscode from 'vscode';

/** The subset of the Python extension's public API we use (ms-python.python `environments`). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): { id: string; path: string };
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

export type InterpreterSource = 'setting' | 'python-extension' | 'python.defaultInterpreterPath' | 'default';

export interface ResolvedInterpreter {
  path: string;
  source: InterpreterSource;
}

export class InterpreterResolver implements vscode.Disposable {
  private api: PythonExtensionApi | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  /** Fires when the Python extension's selection changes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Connects to the Python extension when it is installed; never fails activation. */
  async connect(): Promise<void> {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
    if (!ext) return;
    try {
      this.api = ext.isActive ? ext.exports : await ext.activate();
      const event = this.api?.environments?.onDidChangeActiveEnvironmentPath;
      if (event) this.subscriptions.push(event(() => this.changed.fire()));
    } catch (err) {
      this.log.warn(`Python extension API unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  resolve(scope: vscode.Uri | undefined): ResolvedInterpreter {
    const trusted = vscode.workspace.isTrusted;
    const pyrats = vscode.workspace.getConfiguration('pyrats', scope).inspect<string>('python');
    const own = trusted
      ? vscode.workspace.getConfiguration('pyrats', scope).get<string>('python')
      : pyrats?.globalValue;
    if (own && own.trim()) return { path: own.trim(), source: 'setting' };
    if (trusted && this.api?.environments) {
      try {
        const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : undefined;
        const p = this.api.environments.getActiveEnvironmentPath(folder ?? scope)?.path;
        if (p) return { path: p, source: 'python-extension' };
      } catch (err) {
        this.log.warn(`Python extension: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Only an explicitly set value counts (the Python extension's default is a bare `python`).
    const def = vscode.workspace.getConfiguration('python', scope).inspect<string>('defaultInterpreterPath');
    const value = trusted
      ? (def?.workspaceFolderValue ?? def?.workspaceValue ?? def?.globalValue)
      : def?.globalValue;
    if (value && value.trim()) return { path: value.trim(), source: 'python.defaultInterpreterPath' };
    return { path: 'python3', source: 'default' };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
