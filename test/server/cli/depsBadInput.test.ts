/**
 * `pyrats deps`, `graph`, `check` and `emit --dry-run` given paths that are not scripts: a named
 * pipe, a device, a symbolic-link loop, a path through a file; and `--env` given a named pipe or a
 * device. Each must end at once with a message that says what the path really is (deps, graph and
 * emit said "no such file or directory" for all of them, check printed Node's 'ELOOP: too many
 * symbolic links encountered, stat …'; `--env` on a pipe or on /dev/zero never returned) and the
 * documented exit status (3; check: 0 while one file could be checked).
 * Runs the built CLI (dist/cli.js) as a child process, killed if it has not ended after 60 s.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../support/bundledCli';

let tmp: string;
beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-deps-bad-')));
  execFileSync('mkfifo', [path.join(tmp, 'pipe.py')]);
  symlinkSync('loop-b.py', path.join(tmp, 'loop-a.py'));
  symlinkSync('loop-a.py', path.join(tmp, 'loop-b.py'));
  writeFileSync(path.join(tmp, 'script.py'), 'import json\n');
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `node dist/cli.js ARGS` in `tmp`; `hung` when it had to be killed. */
function run(args: string[]): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      cwd: tmp,
      env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'cache') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      p.kill('SIGKILL');
    }, 60_000);
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, hung });
    });
  });
}

const cases: [string, string][] = [
  ['pipe.py', 'pipe.py: not a regular file or directory (a named pipe)'],
  ['/dev/null', '/dev/null: not a regular file or directory (a device)'],
  ['loop-a.py', 'loop-a.py: too many levels of symbolic links'],
  ['script.py/x.py', 'script.py/x.py: a component of the path is not a directory'],
];

describe('scripts that are not files', () => {
  for (const command of [['deps'], ['graph', '--no-check', '--format', 'json']]) {
    it(`${command[0]}: each bad path is named with what it is, exit 3`, async () => {
      const r = await run([...command, ...cases.map((c) => c[0]), 'script.py', '--python', 'python3']);
      expect(r.hung).toBe(false);
      expect(r.code).toBe(3);
      for (const [, message] of cases) expect(r.stderr).toContain(`pyrats ${command[0]}: ${message}\n`);
      expect(r.stderr).not.toMatch(/no such file or directory\n/);
    }, 90_000);
  }

  it('check: each bad path is named with what it is; the good script is still checked', async () => {
    const r = await run(['check', ...cases.map((c) => c[0]), 'script.py', '--no-mirror', '--format', 'json']);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(0);
    for (const [, message] of cases) expect(r.stderr).toContain(`pyrats check: ${message}\n`);
    expect(r.stderr).not.toMatch(/ELOOP|ENOTDIR|not a file or directory/);
  }, 90_000);

  it('emit --dry-run (one script): the bad path is named with what it is, exit 3', async () => {
    for (const [script, message] of cases) {
      const r = await run(['emit', '--dry-run', script, '--python', 'python3']);
      expect(r.hung).toBe(false);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`pyrats emit: ${message}\n`);
    }
  }, 90_000);
});

describe('--env that is not a regular file', () => {
  it('a named pipe (nothing writes to it) is refused at once', async () => {
    const r = await run(['deps', 'script.py', '--env', 'pipe.py']);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('pyrats deps: cannot read environment snapshot pipe.py: not a regular file\n');
  }, 90_000);

  it('/dev/zero (endless) is refused at once', async () => {
    const r = await run(['deps', 'script.py', '--env', '/dev/zero']);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('pyrats deps: cannot read environment snapshot /dev/zero: not a regular file\n');
  }, 90_000);

  it('a directory and a missing file say so', async () => {
    const dir = await run(['deps', 'script.py', '--env', '.']);
    expect(dir.stderr).toBe('pyrats deps: cannot read environment snapshot .: is a directory\n');
    const missing = await run(['deps', 'script.py', '--env', 'nope.json']);
    expect(missing.stderr).toBe(
      'pyrats deps: cannot read environment snapshot nope.json: no such file or directory\n',
    );
    expect([dir.code, missing.code]).toEqual([3, 3]);
  }, 90_000);
});

describe('graph --from-json that is not a regular file', () => {
  it('/dev/zero is read up to the 256 MiB limit, then refused; a directory and a missing file are named', async () => {
    const zero = await run(['graph', '--from-json', '/dev/zero', '--format', 'json']);
    expect(zero.hung).toBe(false);
    expect(zero.code).toBe(3);
    expect(zero.stderr).toBe('pyrats graph: /dev/zero: more than 268435456 bytes\n');
    const dir = await run(['graph', '--from-json', '.', '--format', 'json']);
    expect(dir.stderr).toBe('pyrats graph: .: is a directory\n');
    const missing = await run(['graph', '--from-json', 'nope.json', '--format', 'json']);
    expect(missing.stderr).toBe('pyrats graph: nope.json: no such file or directory\n');
    expect([dir.code, missing.code]).toEqual([3, 3]);
  }, 90_000);

  it('a named pipe is still read (--from-json <(pyrats graph ... --format json))', async () => {
    const fifo = path.join(tmp, 'graph.fifo');
    execFileSync('mkfifo', [fifo]);
    const result = run(['graph', '--from-json', fifo, '--format', 'dot', '-o', 'from-pipe.dot']);
    const doc = { nodes: [{ id: '/a/x.py', label: 'x' }], edges: [] };
    await new Promise<void>((resolve, reject) => {
      const w = createWriteStream(fifo);
      w.on('error', reject);
      w.end(JSON.stringify(doc), resolve);
    });
    const r = await result;
    expect(r).toMatchObject({ hung: false, code: 0, stderr: '' });
    expect(readFileSync(path.join(tmp, 'from-pipe.dot'), 'utf8')).toContain('label="a.x"');
  }, 90_000);
});

describe("an empty argument ('', an unset shell variable)", () => {
  it('is a usage error in every command, not the working directory analysed whole', async () => {
    for (const [command, what] of [
      [['deps'], 'SCRIPT'],
      [['graph', '--no-check'], 'SCRIPT'],
      [['check', '--no-mirror'], 'SCRIPT'],
      [['emit', '--dry-run'], 'SCRIPT'],
      [['imports'], 'FILE'],
    ] as const) {
      const r = await run([...command, '']);
      expect(r.code, command[0]).toBe(2);
      expect(r.stderr, command[0]).toBe(
        `pyrats ${command[0]}: an empty ${what} argument ''\nTry 'pyrats ${command[0]} --help'.\n`,
      );
    }
  }, 90_000);
});

describe('an option given an empty value (--baseline "$UNSET")', () => {
  it('is a usage error, not the option silently left out (default baseline, standard output, ...)', async () => {
    const cases: string[][] = [
      ['deps', 'script.py', '--env', ''],
      ['deps', 'script.py', '--python', ''],
      ['deps', 'script.py', '--save-env', ''],
      ['check', 'script.py', '--baseline', ''],
      ['check', 'script.py', '--mirror', 'pypi:http://127.0.0.1:9/simple', '--mirror', ''],
      ['check', 'script.py', '--no-mirror', '-o', ''],
      ['graph', 'script.py', '--no-check', '--output', ''],
      ['emit', 'script.py', '--to', ''],
      ['mirror', '--mirror', ''],
      ['baseline', 'file:x', '--module-use', ''],
      ['imports', 'script.py', '--max-size', ''],
    ];
    for (const args of cases) {
      const option = args[args.length - 2].replace(/^-o$/, '--output');
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(
        `pyrats ${args[0]}: ${option} needs a value, not ''\nTry 'pyrats ${args[0]} --help'.\n`,
      );
    }
  }, 90_000);
});

describe('a file whose name is not valid UTF-8', () => {
  it('imports, deps and check say so instead of "no such file" for a file that is there', async () => {
    const dir = path.join(tmp, 'latin1-names');
    mkdirSync(dir);
    // 'caf\xe9.py' written by a Latin-1 system: listed as 'caf\ufffd.py', which cannot be opened
    writeFileSync(
      Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.py')]),
      'import json\n',
    );
    const shown = `${dir}/caf\ufffd.py`;
    const message = 'no such file: its name is not valid UTF-8 (rename it to read it)';
    const imports = await run(['imports', dir]);
    expect(imports.stderr).toBe(`${shown}: io: ${message}\n`);
    const deps = await run(['deps', dir, '--python', 'python3']);
    expect(deps.stderr).toContain(`pyrats deps: ${shown}: ${message}\n`);
    const report = path.join(tmp, 'latin1-check.json');
    const check = await run(['check', dir, '--no-mirror', '--format', 'json', '-o', report]);
    const files = JSON.parse(readFileSync(report, 'utf8')).files as { problems: { message: string }[] }[];
    expect(files.map((f) => f.problems.map((p) => p.message))).toEqual([[message]]);
    expect([imports.code, deps.code, check.code]).toEqual([3, 0, 3]);
  }, 90_000);
});
