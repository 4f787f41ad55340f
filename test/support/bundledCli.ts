/**
 * The CLI under test as a child process: the built bundle `dist/cli.js`, or another build named by
 * PYRATS_CLI. Resolves with the exit status and everything written to stdout and stderr.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const CLI = process.env.PYRATS_CLI ?? path.join(path.resolve(__dirname, '..', '..'), 'dist', 'cli.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The program and arguments that run `node CLI ...args`; with `umask` (e.g. '022') through sh, which
 * sets it and then becomes the CLI (exec), so the pid is the CLI's.
 */
export function cliCommand(args: string[], umask?: string): [string, string[]] {
  const argv = [CLI, ...args];
  return umask
    ? ['/bin/sh', ['-c', `umask ${umask} && exec "$@"`, 'sh', process.execPath, ...argv]]
    : [process.execPath, argv];
}

/**
 * Runs `node CLI ...args` with `input` on stdin (none: stdin is closed), `env` over this process's,
 * and `umask` (e.g. '022', set by sh before it becomes the CLI) when given.
 */
export function runBundledCli(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; umask?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const [command, rest] = cliCommand(args, options.umask);
    const p = spawn(command, rest, {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(options.input);
  });
}
