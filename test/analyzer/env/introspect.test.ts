/**
 * Interpreter introspection on the real interpreters of this machine (`python3` on PATH, Debian's
 * /usr/bin/python3), the on-disk cache, snapshots, and clear errors for missing or broken interpreters
 * (real scripts that fail, print garbage, hang, or claim to be Python 2).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment, saveEnvironment, type Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-env-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function py(exe: string, code: string): string {
  return execFileSync(exe, ['-c', code], { encoding: 'utf8' }).trim();
}

function fakeInterpreter(name: string, body: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

/** Whether `pid` is alive (a zombie no one has reaped yet counts as gone). */
function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('introspectInterpreter on real interpreters', () => {
  for (const exe of ['python3', '/usr/bin/python3']) {
    it.skipIf(exe.startsWith('/') && !existsSync(exe))(
      `${exe}: version, prefix, sys.path, builtin/frozen names, suffixes`,
      async () => {
        const env = await introspectInterpreter(exe, { cacheDir: false });
        expect(env.executable).toBe(py(exe, 'import sys; print(sys.executable)'));
        expect(env.version).toBe(py(exe, 'import platform; print(platform.python_version())'));
        expect(env.prefix).toBe(py(exe, 'import sys, os; print(os.path.realpath(sys.prefix))'));
        expect(env.sysPath).toEqual(JSON.parse(py(exe, 'import sys, json; print(json.dumps(sys.path[1:]))')));
        expect(env.sysPath).toContain(env.stdlibDir);
        expect(env.builtinModules).toEqual(
          JSON.parse(py(exe, 'import sys, json; print(json.dumps(sorted(sys.builtin_module_names)))')),
        );
        expect(env.builtinModules).toContain('sys');
        if (env.version.startsWith('3.11')) {
          expect(env.frozenModules).toEqual(
            expect.arrayContaining(['os', 'os.path', 'importlib.util', 'codecs']),
          );
        }
        expect(env.extensionSuffixes).toEqual(
          JSON.parse(
            py(exe, 'import json, importlib.machinery as m; print(json.dumps(m.EXTENSION_SUFFIXES))'),
          ),
        );
        expect(env.stdlibModules).toContain('json');
        expect(env.cacheTag).toMatch(/^cpython-3\d+$/);
      },
    );
  }

  it.skipIf(!existsSync('/usr/lib/python3/dist-packages/numpy'))(
    'Debian /usr/bin/python3: distributions with versions and the modules they provide',
    async () => {
      const env = await introspectInterpreter('/usr/bin/python3', { cacheDir: false });
      const numpy = env.distributions.find((d) => d.name === 'numpy');
      expect(numpy).toBeDefined();
      expect(numpy!.version).toBe(py('/usr/bin/python3', 'import numpy; print(numpy.__version__)'));
      expect(numpy!.location).toBe('/usr/lib/python3/dist-packages');
      expect(numpy!.modules).toContain('numpy');
      const mpl = env.distributions.find((d) => d.name === 'matplotlib');
      if (mpl) expect(mpl.modules).toEqual(expect.arrayContaining(['matplotlib', 'mpl_toolkits']));
      // one entry per distribution name
      const names = env.distributions.map((d) => d.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
    },
  );
});

describe('cache and snapshots', () => {
  it('caches by real path and mtime under the cache directory, answers from it while sys.path is unchanged', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const first = await introspectInterpreter('python3', { cacheDir });
    const files = readdirSync(path.join(cacheDir, 'env'));
    expect(files.length).toBe(1);
    // prove the second answer comes from the cache: mark the cached copy
    const file = path.join(cacheDir, 'env', files[0]);
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    cached.environment.version = `${cached.environment.version}+cached`;
    writeFileSync(file, JSON.stringify(cached));
    const second = await introspectInterpreter('python3', { cacheDir });
    expect(second.version).toBe(`${first.version}+cached`);
    // a changed sys.path directory (a distribution installed or removed) invalidates the entry
    const stampsChanged = JSON.parse(readFileSync(file, 'utf8'));
    const somePath = Object.keys(stampsChanged.stamps)[0];
    stampsChanged.stamps[somePath] = 1;
    writeFileSync(file, JSON.stringify(stampsChanged));
    expect((await introspectInterpreter('python3', { cacheDir })).version).toBe(first.version);
    // a corrupt cache entry is ignored and rewritten
    writeFileSync(file, '{not json');
    const third = await introspectInterpreter('python3', { cacheDir });
    expect(third.version).toBe(first.version);
    expect(JSON.parse(readFileSync(file, 'utf8')).environment.version).toBe(first.version);
  });

  it('saves and loads a snapshot; a bad snapshot is a clear error', async () => {
    const env = await introspectInterpreter('python3', { cacheDir: false });
    const snap = path.join(tmp, 'env.json');
    saveEnvironment(env, snap);
    expect(loadEnvironment(snap)).toEqual(env);
    writeFileSync(snap, JSON.stringify({ ...env, sysPath: 'oops' }));
    expect(() => loadEnvironment(snap)).toThrow(/field 'sysPath' must be a list of strings/);
    writeFileSync(snap, '[');
    expect(() => loadEnvironment(snap)).toThrow(/is not valid JSON/);
    expect(() => loadEnvironment(path.join(tmp, 'nope.json'))).toThrow(/cannot read environment snapshot/);
    expect(() => saveEnvironment(env, path.join(tmp, 'no/such/dir/env.json'))).toThrow(
      /cannot write environment snapshot .*env\.json/,
    );
  });
});

describe('one cache entry per environment', () => {
  const BASE = '/usr/bin/python3';
  const fixture = path.resolve(__dirname, '../../fixtures/venv-package');
  const buildWheel = path.resolve(__dirname, '../../support/buildWheel.py');
  const run = (exe: string, args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(exe, args, { encoding: 'utf8', timeout: 180_000 }, (err, out, errText) =>
        err ? reject(new Error(`${exe} ${args.join(' ')}: ${errText || err.message}`)) : resolve(out.trim()),
      ),
    );
  // Debian's pip (python3-pip, named in .ci/run) installs into venvs made without pip of their own
  const pipInstall = (venv: string, wheel: string) =>
    run(BASE, [
      '-m',
      'pip',
      '--python',
      path.join(venv, 'bin', 'python'),
      'install',
      '--no-index',
      '--no-deps',
      '--disable-pip-version-check',
      '--quiet',
      wheel,
    ]);
  const tinypkg = (env: Environment) => env.distributions.find((d) => d.name === 'tinypkg')?.version;

  it('two venvs of one base Python holding different versions get their own entries; pip install invalidates', async () => {
    const dir = path.join(tmp, 'venvs');
    mkdirSync(dir);
    const cacheDir = path.join(dir, 'cache');
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    const wheels = await Promise.all(
      ['1.0', '2.0'].map((v) => run('python3', [buildWheel, fixture, 'tinypkg', v, dir])),
    );
    await Promise.all([a, b].map((v) => run(BASE, ['-m', 'venv', '--without-pip', v])));
    // the premise: both pythons are links to one binary
    const [pa, pb] = [path.join(a, 'bin', 'python'), path.join(b, 'bin', 'python')];
    expect(realpathSync(pa)).toBe(realpathSync(pb));
    await Promise.all([pipInstall(a, wheels[0]), pipInstall(b, wheels[1])]);

    expect(tinypkg(await introspectInterpreter(pa, { cacheDir }))).toBe('1.0');
    expect(tinypkg(await introspectInterpreter(pb, { cacheDir }))).toBe('2.0');
    expect(readdirSync(path.join(cacheDir, 'env'))).toHaveLength(2);
    // the second answers come from the cache, each from its own entry
    const fromCache = [
      await introspectInterpreter(pa, { cacheDir }),
      await introspectInterpreter(pb, { cacheDir }),
    ];
    expect(fromCache.map(tinypkg)).toEqual(['1.0', '2.0']);
    expect(fromCache.map((e) => e.prefix)).toEqual([realpathSync(a), realpathSync(b)]);
    expect(readdirSync(path.join(cacheDir, 'env'))).toHaveLength(2);

    // installing into a venv changes its site-packages: its entry is renewed, the other one kept
    await pipInstall(a, wheels[1]);
    expect(tinypkg(await introspectInterpreter(pa, { cacheDir }))).toBe('2.0');
    expect(tinypkg(await introspectInterpreter(pb, { cacheDir }))).toBe('2.0');
    expect(readdirSync(path.join(cacheDir, 'env'))).toHaveLength(2);
    // the base interpreter itself is a third environment
    expect(tinypkg(await introspectInterpreter(BASE, { cacheDir }))).toBeUndefined();
    expect(readdirSync(path.join(cacheDir, 'env'))).toHaveLength(3);
  }, 300_000);
});

describe('missing and broken interpreters', () => {
  it('a command not on PATH', async () => {
    await expect(introspectInterpreter('python-does-not-exist-3.99', { cacheDir: false })).rejects.toThrow(
      /interpreter python-does-not-exist-3.99 not found on PATH/,
    );
  });

  it('a path that does not exist', async () => {
    await expect(introspectInterpreter(path.join(tmp, 'nope/python3'), { cacheDir: false })).rejects.toThrow(
      /not found/,
    );
  });

  it('a file that is not executable', async () => {
    const p = path.join(tmp, 'noexec');
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o644);
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(/is not executable/);
  });

  it('an interpreter that fails', async () => {
    const p = fakeInterpreter('failing', 'echo "Fatal Python error: init_fs_encoding" >&2; exit 1');
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(
      /failed \(exit status 1\): Fatal Python error: init_fs_encoding/,
    );
  });

  it('a wrapper that fails: the message keeps its first line (what failed), blank lines left out', async () => {
    // what a pyenv shim prints for a version that is not selected
    const p = fakeInterpreter(
      'shim',
      [
        `echo "pyenv: python2: command not found" >&2`,
        'echo >&2',
        `echo "The 'python2' command exists in these Python versions:" >&2`,
        `echo "  2.7.18" >&2`,
        'echo >&2',
        `echo "Note: See 'pyenv help global' for tips." >&2`,
        'exit 127',
      ].join('\n'),
    );
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(
      /failed \(exit status 127\): pyenv: python2: command not found \| … \| 2\.7\.18 \| Note: See 'pyenv help global' for tips\.$/,
    );
  });

  it('an interpreter that answers garbage', async () => {
    const p = fakeInterpreter('garbage', 'echo "hello, I am not python"');
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(
      /did not answer with introspection JSON \(got 'hello, I am not python/,
    );
  });

  it('an interpreter that hangs is killed after the timeout', async () => {
    const p = fakeInterpreter('hanging', 'exec sleep 30');
    await expect(introspectInterpreter(p, { cacheDir: false, timeoutMs: 300 })).rejects.toThrow(
      /did not answer within 300 ms/,
    );
  });

  it('a wrapper script that hangs in a child of its own: the child is killed too', async () => {
    // a pyenv shim or module wrapper runs the real interpreter as its child; killing only the wrapper
    // left the hanging child running for good
    const pidFile = path.join(tmp, 'hanging-child.pid');
    const p = fakeInterpreter('hanging-wrapper', `sleep 60 & echo $! > '${pidFile}'; wait`);
    await expect(introspectInterpreter(p, { cacheDir: false, timeoutMs: 500 })).rejects.toThrow(
      /did not answer within 500 ms/,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => processIsRunning(pid), { timeout: 10_000, interval: 50 }).toBe(false);
  });

  it('a timeout over 2^31-1 ms is a long wait, not an immediate kill', async () => {
    const env = await introspectInterpreter('python3', { cacheDir: false, timeoutMs: 1e10 });
    expect(env.version).toMatch(/^3\./);
  });

  it('an interpreter that prints too much', async () => {
    const p = fakeInterpreter('chatty', 'exec yes');
    await expect(introspectInterpreter(p, { cacheDir: false, maxOutputBytes: 100_000 })).rejects.toThrow(
      /printed more than 100000 bytes/,
    );
  });

  it('Python 2 is refused with a clear message', async () => {
    const p = fakeInterpreter('python2', `echo '{"error": "Python 2 is not supported"}'`);
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(
      /: Python 2 is not supported/,
    );
  });

  it('JSON of the wrong shape names the bad field', async () => {
    const p = fakeInterpreter('wrongshape', `echo '{"executable": 1}'`);
    await expect(introspectInterpreter(p, { cacheDir: false })).rejects.toThrow(
      /field 'executable' must be a string/,
    );
  });
});
