/**
 * The bundled CLI (dist/cli.js, built by `npm test` before vitest runs) starts, lists every
 * subcommand, and answers `--help` for each; unknown commands and bad usage exit with status 2.
 */
import { spawnSync } from 'node:child_process';
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
});
