/**
 * stopProcessGroup with real bash process groups: a shell's EXIT trap runs (as pyenv's rehash
 * lock release needs), and a group that ignores SIGTERM is killed after the grace period.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopProcessGroup } from '../../analyzer/processGroup';
import { tempDirForTest } from '../support/tempDir';

function startGroup(script: string): { pid: number; closed: Promise<string | null> } {
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  const closed = new Promise<string | null>((resolve) =>
    child.on('close', (_code, signal) => resolve(signal)),
  );
  return { pid: child.pid!, closed };
}

/** Whether anything of the group is left, after up to 2 s for the killed members to be reaped. */
async function groupLeft(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(-pid, 0);
    } catch {
      return false;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('stopProcessGroup', () => {
  it("lets a shell run its EXIT trap (a lock file like pyenv's is removed) and stops its children", async () => {
    const dir = tempDirForTest('pyrats-pgroup-');
    const lock = path.join(dir, '.lock');
    const g = startGroup(`echo > '${lock}'; trap "rm -f '${lock}'" EXIT; sleep 60`);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(lock)).toBe(true);
    stopProcessGroup(g.pid);
    expect(await g.closed).toBe('SIGTERM');
    expect(existsSync(lock)).toBe(false);
    expect(await groupLeft(g.pid)).toBe(false);
  });

  it('kills a group that ignores SIGTERM once the grace period is over', async () => {
    const g = startGroup(`trap '' TERM; while :; do sleep 0.05; done`);
    await new Promise((r) => setTimeout(r, 300));
    stopProcessGroup(g.pid, 300);
    expect(await g.closed).toBe('SIGKILL');
    expect(await groupLeft(g.pid)).toBe(false);
  });

  it('does nothing for a group that is already gone', async () => {
    const g = startGroup('exit 0');
    await g.closed;
    expect(() => stopProcessGroup(g.pid)).not.toThrow();
    expect(() => stopProcessGroup(undefined)).not.toThrow();
  });
});
