/**
 * Runs the bundled `pyrats` CLI (`dist/cli.js`) with VS Code's own Node (`process.execPath` with
 * `ELECTRON_RUN_AS_NODE=1`): the record and request features compute and send through it, so the
 * client never imports the analyzer. Bounded in time and output; never rejects.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type * as vscode from 'vscode';

export interface CliRun {
  /** Exit status, or null when it was killed (timeout) or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to the end, when it did not. */
  error?: string;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

export function runPyratsCli(
  context: vscode.ExtensionContext,
  args: string[],
  options: { stdin?: string; timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const cli = context.asAbsolutePath('dist/cli.js');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    let child;
    // A working directory that does not exist makes spawn fail with a misleading ENOENT for the program.
    if (options.cwd && !existsSync(options.cwd)) {
      resolve({ code: null, stdout, stderr, error: `working directory ${options.cwd} does not exist` });
      return;
    }
    try {
      child = spawn(process.execPath, [cli, ...args], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve({ code: null, stdout, stderr, error: `could not start ${cli}: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      error = `pyrats ${args[0]} took longer than ${timeoutMs} ms and was stopped`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += c.toString('utf8');
    });
    child.on('error', (err) => {
      error ??= `could not start ${cli}: ${err.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: error ? null : code, stdout, stderr, ...(error ? { error } : {}) });
    });
    child.stdin.on('error', () => {
      // the CLI exited before reading stdin: its exit status says why
    });
    child.stdin.end(options.stdin ?? '');
  });
}
