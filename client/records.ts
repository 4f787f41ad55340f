/**
 * PyRats records from VS Code (opt-in): when the user *runs* a Python file — a Python debug session
 * (with or without debugging), a task whose command line runs `python SCRIPT`, the same command run in
 * the integrated terminal (the Python extension's *Run Python File*, when VS Code's shell integration
 * reports it), or *PyRats: Run and Record* — the records PyRats would send for that script go to
 * `pyrats.records.server`. Never on
 * edit or save, so counts still mean runs. *PyRats: Preview Records* shows the exact payload.
 *
 * Off unless `pyrats.records.enabled`; `PYRATS_DISABLE=1` in VS Code's environment turns it off too;
 * the first send asks once for consent (kept in globalState). Sending runs the bundled CLI
 * (`pyrats emit`) in the background, bounded in time; an unreachable log host gives one warning per
 * session, later failures go to the output channel only.
 */
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';
import {
  scriptFromCommandLine,
  scriptFromDebugConfiguration,
  shellWords,
  substituteVariables,
  type StartedScript,
  type TaskVariables,
} from './recordTriggers';

const CONSENT_KEY = 'pyrats.records.consent';
const PREVIEW_SCHEME = 'pyrats-records';

interface RecordSettings {
  enabled: boolean;
  server: string;
  redact: string;
  pathName: string;
}

function settings(scope?: vscode.Uri): RecordSettings {
  const c = vscode.workspace.getConfiguration('pyrats.records', scope);
  return {
    enabled: c.get<boolean>('enabled', false),
    server: c.get<string>('server', '').trim(),
    redact: c.get<string>('redact', 'none'),
    pathName: c.get<string>('pathName', '').trim(),
  };
}

function disabledByEnvironment(): boolean {
  return process.env.PYRATS_DISABLE === '1';
}

/** The part of VS Code's terminal shell-integration API (1.93+) we use; absent on older hosts. */
interface ShellExecutionStart {
  execution: { commandLine: { value: string }; cwd?: vscode.Uri };
}

/** Calls `listener` with each command line the integrated terminal runs, when VS Code reports them. */
function onTerminalCommand(listener: (commandLine: string, cwd?: string) => void): vscode.Disposable[] {
  const event = (
    vscode.window as unknown as { onDidStartTerminalShellExecution?: vscode.Event<ShellExecutionStart> }
  ).onDidStartTerminalShellExecution;
  if (!event) return [];
  return [event((e) => listener(e.execution.commandLine.value, e.execution.cwd?.fsPath))];
}

function absolute(run: StartedScript, folder?: vscode.WorkspaceFolder): StartedScript {
  const base =
    run.cwd ?? folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return { ...run, script: path.resolve(base, run.script), cwd: run.cwd ?? base };
}

/** The script a task runs (`python SCRIPT` in its command line), with the task's folder. */
function scriptOfTask(task: vscode.Task): { run: StartedScript; folder?: vscode.WorkspaceFolder } | null {
  const exec = task.execution;
  let argv: string[] = [];
  let cwd: string | undefined;
  if (exec instanceof vscode.ProcessExecution) {
    argv = [exec.process, ...exec.args];
    cwd = exec.options?.cwd;
  } else if (exec instanceof vscode.ShellExecution) {
    argv = exec.commandLine
      ? shellWords(exec.commandLine)
      : [exec.command, ...exec.args].map((a) => (typeof a === 'string' ? a : a.value));
    cwd = exec.options?.cwd;
  }
  const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
  const vars: TaskVariables = {
    workspaceFolder: folder?.uri.fsPath,
    folders: Object.fromEntries((vscode.workspace.workspaceFolders ?? []).map((f) => [f.name, f.uri.fsPath])),
    file: vscode.window.activeTextEditor?.document.uri.fsPath,
    userHome: os.homedir(),
    env: process.env,
  };
  const run = scriptFromCommandLine(argv.map((a) => substituteVariables(a, vars)));
  const dir = cwd ? substituteVariables(cwd, vars) : undefined;
  return run ? { run: { ...run, ...(dir ? { cwd: dir } : {}) }, folder } : null;
}

/**
 * The record triggers (debug sessions, tasks, terminal commands; listening from activation) and the
 * commands *Run and Record*, *Preview Records* and *Reset Records Consent*.
 */
export class RecordFeatures implements vscode.Disposable {
  private warnedUnreachable = false;
  private warnedNoServer = false;
  private asking: Promise<boolean> | undefined;
  private readonly previews = new Map<string, string>();
  private previewCount = 0;
  // Run and Record types its command into a terminal; when shell integration reports that execution,
  // it must not be counted a second time.
  private readonly typedRuns = new Map<string, number>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
        provideTextDocumentContent: (uri) => this.previews.get(uri.toString()) ?? '',
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.previews.delete(doc.uri.toString())),
      vscode.debug.onDidStartDebugSession((session) => {
        const run = scriptFromDebugConfiguration(session.configuration);
        if (run) void this.recordRun(absolute(run, session.workspaceFolder), `debug session ${session.name}`);
      }),
      vscode.tasks.onDidStartTaskProcess((e) => {
        const found = scriptOfTask(e.execution.task);
        if (found) void this.recordRun(absolute(found.run, found.folder), `task ${e.execution.task.name}`);
      }),
      ...onTerminalCommand((commandLine, cwd) => {
        const run = scriptFromCommandLine(shellWords(commandLine));
        if (!run) return;
        const full = absolute({ ...run, ...(cwd ? { cwd } : {}) });
        const typed = this.typedRuns.get(full.script);
        if (typed !== undefined && Date.now() - typed < 30_000) {
          this.typedRuns.delete(full.script);
          return;
        }
        void this.recordRun(full, 'terminal');
      }),
    ];
  }

  private interpreterFor(uri?: vscode.Uri): string {
    return this.ctx.interpreter(uri);
  }

  private emitArgs(run: StartedScript, s: RecordSettings, dryRun: boolean): string[] {
    const args = [
      'emit',
      run.script,
      '--python',
      run.python ?? this.interpreterFor(vscode.Uri.file(run.script)),
    ];
    if (s.server) args.push('--to', s.server);
    if (s.pathName) args.push('--path-name', s.pathName);
    args.push('--redact', s.redact);
    if (dryRun) args.push('--dry-run');
    return args;
  }

  private async preview(run: StartedScript): Promise<void> {
    const s = settings(vscode.Uri.file(run.script));
    this.ctx.output.info(`PyRats: computing the records of ${run.script}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'PyRats: computing records' },
      () => runPyratsCli(this.ctx.extension, this.emitArgs(run, s, true), { cwd: run.cwd }),
    );
    if (result.code !== 0) {
      this.ctx.output.error(
        `PyRats: records of ${run.script} failed: ${result.error ?? result.stderr.trim()}`,
      );
      void vscode.window.showErrorMessage(
        `PyRats: could not compute the records of ${path.basename(run.script)}: ${result.error ?? result.stderr.trim()}`,
      );
      return;
    }
    const header = [
      `# PyRats records for ${run.script}`,
      `# destination: ${s.server || '(pyrats.records.server is not set)'}; sending is ${
        disabledByEnvironment()
          ? 'disabled by PYRATS_DISABLE=1'
          : s.enabled
            ? 'enabled'
            : 'off (pyrats.records.enabled)'
      }`,
      '# one line per record, exactly as sent (each datagram also ends with a NUL byte, not shown)',
      '',
    ].join('\n');
    // A read-only virtual document: nothing to save, closes without a prompt.
    const uri = vscode.Uri.from({
      scheme: PREVIEW_SCHEME,
      path: `/PyRats records of ${path.basename(run.script)}.log`,
      query: String(++this.previewCount),
    });
    this.previews.set(uri.toString(), header + result.stdout);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'log');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** True when the user allowed sending (asked once; the answer is kept). */
  private async consent(run: StartedScript, server: string): Promise<boolean> {
    const stored = this.ctx.extension.globalState.get<string>(CONSENT_KEY);
    if (stored === 'granted') return true;
    if (stored === 'denied') return false;
    this.asking ??= (async () => {
      for (;;) {
        const choice = await vscode.window.showInformationMessage(
          `PyRats Lens can send a record of each script's imports to ${server} when you run it, as your centre's ` +
            'PyRats does (the same lines, nothing else). Allow it?',
          'Allow',
          'Preview',
          "Don't Allow",
        );
        if (choice === 'Preview') {
          await this.preview(run);
          continue;
        }
        if (choice === 'Allow' || choice === "Don't Allow") {
          await this.ctx.extension.globalState.update(CONSENT_KEY, choice === 'Allow' ? 'granted' : 'denied');
          this.ctx.output.info(
            `PyRats records: consent ${choice === 'Allow' ? 'granted' : 'refused'} (kept)`,
          );
        }
        return choice === 'Allow';
      }
    })().finally(() => (this.asking = undefined));
    return this.asking;
  }

  /** Sends the records of a run in the background. Never throws, never blocks the run. */
  private async recordRun(run: StartedScript, origin: string): Promise<void> {
    const scope = vscode.Uri.file(run.script);
    const s = settings(scope);
    if (disabledByEnvironment()) {
      this.ctx.output.debug(`PyRats records: not sent for ${run.script} (PYRATS_DISABLE=1)`);
      return;
    }
    if (!s.enabled) return;
    if (!s.server) {
      if (!this.warnedNoServer) {
        this.warnedNoServer = true;
        void vscode.window.showWarningMessage(
          'PyRats: records are enabled but pyrats.records.server is not set.',
        );
      }
      return;
    }
    if (!(await this.consent(run, s.server))) return;
    const result = await runPyratsCli(this.ctx.extension, this.emitArgs(run, s, false), {
      cwd: run.cwd,
      timeoutMs: 30_000,
    });
    const detail = (result.error ?? result.stderr).trim();
    if (result.code === 0) {
      this.ctx.output.info(
        `PyRats records for ${run.script} (${origin}) sent to ${s.server}${detail ? `: ${detail}` : ''}`,
      );
      return;
    }
    this.ctx.output.warn(`PyRats records for ${run.script} (${origin}) not sent: ${detail}`);
    if (!this.warnedUnreachable) {
      this.warnedUnreachable = true;
      void vscode.window.showWarningMessage(
        `PyRats: records could not be sent to ${s.server} (${detail.split('\n')[0]}). Further failures go to the PyRats output only.`,
      );
    }
  }

  /** *PyRats: Run and Record* (`pyrats.runAndRecord`): the file (default: the active one) in a terminal. */
  async runAndRecord(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showErrorMessage('PyRats: open a saved Python file to run it.');
      return;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (doc?.isDirty) await doc.save();
    const python = this.interpreterFor(target);
    const cwd = path.dirname(target.fsPath);
    const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
    const terminal = vscode.window.createTerminal({ name: `PyRats: ${path.basename(target.fsPath)}`, cwd });
    terminal.show();
    this.typedRuns.set(target.fsPath, Date.now());
    terminal.sendText(`${quote(python)} ${quote(target.fsPath)}`);
    await this.recordRun({ script: target.fsPath, python, cwd }, 'Run and Record');
  }

  /** *PyRats: Preview Records* (`pyrats.previewRecords`). */
  async previewRecords(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showErrorMessage('PyRats: open a saved Python file to preview its records.');
      return;
    }
    await this.preview({
      script: target.fsPath,
      python: this.interpreterFor(target),
      cwd: path.dirname(target.fsPath),
    });
  }

  /** *PyRats: Reset Records Consent* (`pyrats.resetRecordsConsent`). */
  async resetConsent(): Promise<void> {
    await this.ctx.extension.globalState.update(CONSENT_KEY, undefined);
    void vscode.window.showInformationMessage('PyRats: you will be asked again before records are sent.');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
