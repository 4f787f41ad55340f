/**
 * The bundled CLI (dist/cli.js, built by `npm test` before vitest runs) starts, lists every
 * subcommand, and answers `--help` for each; unknown commands and bad usage exit with status 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLoaders, loadAllCommands } from '../../../server/cli/commands/index';

const cli = path.resolve(__dirname, '../../../dist/cli.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('dist/cli.js', () => {
  it('lists every subcommand in --help', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const name of Object.keys(commandLoaders)) expect(r.stdout).toContain(`  ${name}`);
  });

  it('registers each command under its own name', async () => {
    for (const c of await loadAllCommands()) expect(commandLoaders[c.name]).toBeDefined();
  });

  for (const name of Object.keys(commandLoaders)) {
    it(`pyrats ${name} --help prints its usage`, () => {
      const r = run(name, '--help');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: pyrats /);
    });
  }

  it('rejects an unknown command with status 2 and the command list', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 without a command', () => {
    expect(run().status).toBe(2);
  });

  it('pyrats lsp: a usage error ends the process (the LSP library keeps a timer running)', () => {
    for (const args of [['--stdio', '--frob'], [], ['--stdio', '--clientProcessId=abc']]) {
      const r = run('lsp', ...args);
      expect(r.error, `pyrats lsp ${args.join(' ')} did not end`).toBeUndefined();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/pyrats lsp: /);
    }
  });

  it('pyrats lsp --stdio accepts --clientProcessId as editors pass it, and ends on exit', async () => {
    const frame = (msg: object) => {
      const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
      return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    for (const extra of [[`--clientProcessId=${process.pid}`], ['--clientProcessId', String(process.pid)]]) {
      const child = spawn(process.execPath, [cli, 'lsp', '--stdio', ...extra], { stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const until = async (re: RegExp) => {
        for (let i = 0; i < 300 && !re.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
        expect(stdout, stderr).toMatch(re);
      };
      child.stdin.write(
        frame({
          id: 1,
          method: 'initialize',
          params: { processId: process.pid, rootUri: null, capabilities: {} },
        }),
      );
      await until(/"id":1,"result":\{"capabilities":/);
      child.stdin.write(frame({ method: 'initialized', params: {} }) + frame({ id: 2, method: 'shutdown' }));
      await until(/"id":2,"result":null/);
      child.stdin.write(frame({ method: 'exit' }));
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    }
  });

  it('ends quietly with status 0 when its reader goes away (pyrats … | head -0)', async () => {
    // the closure of the example script with Debian's python3 (matplotlib, pandas…) is long
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const example = path.resolve(__dirname, '../../fixtures/example/analyse.py');
    const child = spawn(process.execPath, [cli, 'deps', example, '--python', python], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // the reader is gone before the output comes, as with `pyrats deps … | head -0`
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
