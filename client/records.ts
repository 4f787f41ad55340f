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
import {
  scriptFromCommandLine,
  scriptFromDebugConfiguration,
  shellWords,
  substituteVariables,
  type StartedScript,
  type TaskVariables,
} from './recordTriggers';

export interface RecordFeatureDeps {
  output: vscode.LogOutputChannel;
  /** The target interpreter for a file (the extension's interpreter resolver); default `python3`. */
  interpreter?: (uri?: vscode.Uri) => string;
}

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

export function registerRecordFeatures(
  context: vscode.ExtensionContext,
  deps: RecordFeatureDeps,
): vscode.Disposable {
  const { output } = deps;
  let warnedUnreachable = false;
  let warnedNoServer = false;
  let asking: Promise<boolean> | undefined;

  const interpreterFor = (uri?: vscode.Uri): string => deps.interpreter?.(uri) ?? 'python3';
  const previews = new Map<string, string>();
  let previewCount = 0;

  function emitArgs(run: StartedScript, s: RecordSettings, dryRun: boolean): string[] {
    const args = ['emit', run.script, '--python', run.python ?? interpreterFor(vscode.Uri.file(run.script))];
    if (s.server) args.push('--to', s.server);
    if (s.pathName) args.push('--path-name', s.pathName);
    args.push('--redact', s.redact);
    if (dryRun) args.push('--dry-run');
    return args;
  }

  async function preview(run: StartedScript): Promise<void> {
    const s = settings(vscode.Uri.file(run.script));
    output.info(`PyRats: computing the records of ${run.script}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'PyRats: computing records' },
      () => runPyratsCli(context, emitArgs(run, s, true), { cwd: run.cwd }),
    );
    if (result.code !== 0) {
      output.error(`PyRats: records of ${run.script} failed: ${result.error ?? result.stderr.trim()}`);
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
      query: String(++previewCount),
    });
    previews.set(uri.toString(), header + result.stdout);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'log');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** True when the user allowed sending (asked once; the answer is kept). */
  async function consent(run: StartedScript, server: string): Promise<boolean> {
    const stored = context.globalState.get<string>(CONSENT_KEY);
    if (stored === 'granted') return true;
    if (stored === 'denied') return false;
    asking ??= (async () => {
      for (;;) {
        const choice = await vscode.window.showInformationMessage(
          `PyRats Lens can send a record of each script's imports to ${server} when you run it, as your centre's ` +
            'PyRats does (the same lines, nothing else). Allow it?',
          'Allow',
          'Preview',
          "Don't Allow",
        );
        if (choice === 'Preview') {
          await preview(run);
          continue;
        }
        if (choice === 'Allow' || choice === "Don't Allow") {
          await context.globalState.update(CONSENT_KEY, choice === 'Allow' ? 'granted' : 'denied');
          output.info(`PyRats records: consent ${choice === 'Allow' ? 'granted' : 'refused'} (kept)`);
        }
        return choice === 'Allow';
      }
    })().finally(() => (asking = undefined));
    return asking;
  }

  /** Sends the records of a run in the background. Never throws, never blocks the run. */
  async function recordRun(run: StartedScript, origin: string): Promise<void> {
    const scope = vscode.Uri.file(run.script);
    const s = settings(scope);
    if (disabledByEnvironment()) {
      output.debug(`PyRats records: not sent for ${run.script} (PYRATS_DISABLE=1)`);
      return;
    }
    if (!s.enabled) return;
    if (!s.server) {
      if (!warnedNoServer) {
        warnedNoServer = true;
        void vscode.window.showWarningMessage(
          'PyRats: records are enabled but pyrats.records.server is not set.',
        );
      }
      return;
    }
    if (!(await consent(run, s.server))) return;
    const result = await runPyratsCli(context, emitArgs(run, s, false), { cwd: run.cwd, timeoutMs: 30_000 });
    const detail = (result.error ?? result.stderr).trim();
    if (result.code === 0) {
      output.info(
        `PyRats records for ${run.script} (${origin}) sent to ${s.server}${detail ? `: ${detail}` : ''}`,
      );
      return;
    }
    output.warn(`PyRats records for ${run.script} (${origin}) not sent: ${detail}`);
    if (!warnedUnreachable) {
      warnedUnreachable = true;
      void vscode.window.showWarningMessage(
        `PyRats: records could not be sent to ${s.server} (${detail.split('\n')[0]}). Further failures go to the PyRats output only.`,
      );
    }
  }

  function absolute(run: StartedScript, folder?: vscode.WorkspaceFolder): StartedScript {
    const base =
      run.cwd ?? folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    return { ...run, script: path.resolve(base, run.script), cwd: run.cwd ?? base };
  }

  // Run and Record types its command into a terminal; when shell integration reports that execution,
  // it must not be counted a second time.
  const typedRuns = new Map<string, number>();

  const disposables: vscode.Disposable[] = [
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
      provideTextDocumentContent: (uri) => previews.get(uri.toString()) ?? '',
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => previews.delete(doc.uri.toString())),
    vscode.debug.onDidStartDebugSession((session) => {
      const run = scriptFromDebugConfiguration(session.configuration);
      if (run) void recordRun(absolute(run, session.workspaceFolder), `debug session ${session.name}`);
    }),
    vscode.tasks.onDidStartTaskProcess((e) => {
      const task = e.execution.task;
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
        folders: Object.fromEntries(
          (vscode.workspace.workspaceFolders ?? []).map((f) => [f.name, f.uri.fsPath]),
        ),
        file: vscode.window.activeTextEditor?.document.uri.fsPath,
        userHome: os.homedir(),
        env: process.env,
      };
      const run = scriptFromCommandLine(argv.map((a) => substituteVariables(a, vars)));
      const dir = cwd ? substituteVariables(cwd, vars) : undefined;
      if (run)
        void recordRun(absolute({ ...run, ...(dir ? { cwd: dir } : {}) }, folder), `task ${task.name}`);
    }),
    ...onTerminalCommand((commandLine, cwd) => {
      const run = scriptFromCommandLine(shellWords(commandLine));
      if (!run) return;
      const full = absolute({ ...run, ...(cwd ? { cwd } : {}) });
      const typed = typedRuns.get(full.script);
      if (typed !== undefined && Date.now() - typed < 30_000) {
        typedRuns.delete(full.script);
        return;
      }
      void recordRun(full, 'terminal');
    }),
    vscode.commands.registerCommand('pyrats.runAndRecord', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || target.scheme !== 'file') {
        void vscode.window.showErrorMessage('PyRats: open a saved Python file to run it.');
        return;
      }
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
      if (doc?.isDirty) await doc.save();
      const python = interpreterFor(target);
      const cwd = path.dirname(target.fsPath);
      const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
      const terminal = vscode.window.createTerminal({ name: `PyRats: ${path.basename(target.fsPath)}`, cwd });
      terminal.show();
      typedRuns.set(target.fsPath, Date.now());
      terminal.sendText(`${quote(python)} ${quote(target.fsPath)}`);
      await recordRun({ script: target.fsPath, python, cwd }, 'Run and Record');
    }),
    vscode.commands.registerCommand('pyrats.previewRecords', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || target.scheme !== 'file') {
        void vscode.window.showErrorMessage('PyRats: open a saved Python file to preview its records.');
        return;
      }
      await preview({
        script: target.fsPath,
        python: interpreterFor(target),
        cwd: path.dirname(target.fsPath),
      });
    }),
    vscode.commands.registerCommand('pyrats.resetRecordsConsent', async () => {
      await context.globalState.update(CONSENT_KEY, undefined);
      void vscode.window.showInformationMessage('PyRats: you will be asked again before records are sent.');
    }),
  ];
  return vscode.Disposable.from(...disposables);
}
