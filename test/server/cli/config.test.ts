/**
 * One configuration for every command: a site file (through PYRATS_SITE_CONFIG) naming a baseline
 * and a mirror served from 127.0.0.1, a user file overriding one key, `[tool.pyrats]` in a
 * pyproject.toml, PYRATS_* variables and flags. `pyrats check` with no flags takes its verdicts from
 * them; `pyrats config --json` names each value's origin; broken files stop the command with exit 2
 * and file:line:column. Runs the bundled CLI (dist/cli.js) as a user would.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBundledCli } from '../../support/bundledCli';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

const fixtures = path.resolve(__dirname, '../../fixtures');
const freeze = path.join(fixtures, 'baseline/formats/pip/pip-freeze-debian-usr-bin-python3.txt');
const skip = existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3';

let server: MirrorServer;
let tmp: string;
let siteFile: string;
let userFile: string;
let script: string;

beforeAll(async () => {
  server = await startMirrorServer(path.join(fixtures, 'mirror/tree'));
});
afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-config-'));
  mkdirSync(path.join(tmp, 'site'));
  mkdirSync(path.join(tmp, 'home/.config/pyrats'), { recursive: true });
  mkdirSync(path.join(tmp, 'project'));
  siteFile = path.join(tmp, 'site/config.toml');
  userFile = path.join(tmp, 'home/.config/pyrats/config.toml');
  writeFileSync(path.join(tmp, 'site/old-baseline.txt'), 'numpy==1.0.0\n');
  cpSync(freeze, path.join(tmp, 'home/.config/pyrats/debian.txt'));
  writeFileSync(
    siteFile,
    [
      'baseline = "file:old-baseline.txt"  # relative to this file',
      `mirrors = ["conda:${server.url}/ok/conda/main", "${server.url}/ok/conda/conda-forge"]`,
      'python = "/usr/bin/python3"',
      'colour = "blue"',
      '[emit]',
      'to = "tcp://127.0.0.1:5514"',
      '',
    ].join('\n'),
  );
  writeFileSync(userFile, '# this account\nbaseline = "file:debian.txt"\n');
  script = path.join(tmp, 'project/analyse.py');
  writeFileSync(script, 'import numpy\nimport torch\nimport totally_absent_pkg\n');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** An environment with no PYRATS_* variables, this test's home, site file and cache. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PYRATS_') && !k.startsWith('XDG_') && !k.startsWith('PIP_') && k !== 'CONDARC')
      env[k] = v;
  }
  if (process.env.PYRATS_CLI) env.PYRATS_CLI = process.env.PYRATS_CLI;
  return {
    ...env,
    HOME: path.join(tmp, 'home'),
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
    PYRATS_SITE_CONFIG: siteFile,
    ...extra,
  };
}

/** runBundledCli adds process.env; these keys are cleared so only cleanEnv's values count. */
function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env = cleanEnv(extra);
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => !(k in env))
      .map((k) => [k, undefined]),
  );
  return runBundledCli(args, { env: { ...cleared, ...env } });
}

describe.skipIf(skip !== null)(`configuration files${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('check with no flags and no PYRATS_* takes the baseline and mirrors from the site and user files', async () => {
    const r = await run(['check', script, '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    // the user file's baseline replaces the site's; the site's mirrors stay
    expect(j.baseline).toMatchObject({ kind: 'requirements', name: 'debian.txt', distributions: 137 });
    expect(j.python).toMatchObject({ executable: '/usr/bin/python3' });
    expect(j.mirrors).toHaveLength(2);
    const byModule = Object.fromEntries(j.files[0].verdicts.map((v: { module: string }) => [v.module, v]));
    expect(byModule.numpy).toMatchObject({
      kind: 'baseline',
      baseline: { name: 'numpy', version: '1.24.2' },
    });
    expect(byModule.torch.kind).toBe('mirror');
    expect(byModule.torch.mirror[0]).toMatchObject({ kind: 'conda', name: 'pytorch' });
    expect(byModule.totally_absent_pkg.kind).toBe('missing');
    expect(r.stderr).toContain(`${siteFile}:4: unknown key 'colour'`);
  });

  it('config --json gives each value with the file and line it came from', async () => {
    const r = await run(['config', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const entry = (key: string) => j.settings.find((s: { key: string }) => s.key === key);
    expect(entry('baseline')).toMatchObject({
      value: `file:${path.join(tmp, 'home/.config/pyrats/debian.txt')}`,
      origin: 'file',
      file: userFile,
      line: 2,
      source: `${userFile}:2`,
    });
    expect(entry('mirrors')).toMatchObject({ origin: 'file', file: siteFile, line: 2 });
    expect(entry('mirrors').value).toEqual([
      `conda:${server.url}/ok/conda/main`,
      `${server.url}/ok/conda/conda-forge`,
    ]);
    expect(entry('python')).toMatchObject({ value: '/usr/bin/python3', file: siteFile, line: 3 });
    expect(entry('emit.to')).toMatchObject({ value: 'tcp://127.0.0.1:5514', file: siteFile, line: 6 });
    expect(entry('offline')).toMatchObject({ value: false, origin: 'default', source: 'default' });
    expect(j.settings).toHaveLength(11);
    expect(j.files).toEqual([
      { layer: 'site', file: siteFile, state: 'read' },
      { layer: 'user', file: userFile, state: 'read' },
    ]);
    expect(j.warnings).toHaveLength(1);
  });

  it('project [tool.pyrats], variables and flags override the files in that order', async () => {
    writeFileSync(
      path.join(tmp, 'project/pyproject.toml'),
      '[project]\nname = "x"\n\n[tool.pyrats]\ntimeout = "500ms"\nmodule_use = ["mods"]\n',
    );
    const r = await run(['config', '--json', path.join(tmp, 'project')], {
      PYRATS_OFFLINE: 'yes',
      PYRATS_REQUEST_TO: 'tcp://127.0.0.1:1, http://127.0.0.1:2/x',
    });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const entry = (key: string) => j.settings.find((s: { key: string }) => s.key === key);
    const pyproject = path.join(tmp, 'project/pyproject.toml');
    expect(entry('timeout')).toMatchObject({ value: 500, file: pyproject, line: 5 });
    expect(entry('module_use')).toMatchObject({ value: [path.join(tmp, 'project/mods')], line: 6 });
    expect(entry('offline')).toMatchObject({ value: true, origin: 'env', name: 'PYRATS_OFFLINE' });
    expect(entry('requests.to').value).toEqual(['tcp://127.0.0.1:1', 'http://127.0.0.1:2/x']);
    // a flag wins over everything: check --baseline, seen through the report
    const c = await run([
      'check',
      script,
      '--format',
      'json',
      '--baseline',
      `file:${path.join(tmp, 'site/old-baseline.txt')}`,
      '--offline',
    ]);
    expect(JSON.parse(c.stdout).baseline).toMatchObject({ name: 'old-baseline.txt', distributions: 1 });
  });

  it('broken TOML: exit 2 and file:line:column on stderr, before anything runs', async () => {
    writeFileSync(userFile, 'baseline = "file:debian.txt"\nmirrors = ["a",\n  oops\n');
    for (const args of [['check', script, '--format', 'json'], ['config']]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`${userFile.replace(/[.]/g, '\\.')}:3:3: invalid TOML`));
    }
  });

  it('a wrong type: exit 2 naming file:line:column and what was expected', async () => {
    writeFileSync(userFile, '\noffline = "no"\n');
    const r = await run(['config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${userFile}:2:11: offline must be true or false, not string "no"`);
    writeFileSync(userFile, '[requests]\nto = "tcp://x:1"\n');
    const r2 = await run(['config']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${userFile}:2:6: requests.to must be a list of strings`);
  });

  it('a malformed PYRATS_* variable is refused the same way', async () => {
    const r = await run(['config'], { PYRATS_TIMEOUT: 'soon' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("$PYRATS_TIMEOUT:1:1: timeout 'soon' is not a duration");
  });

  it('config --edit user writes a commented template when absent and checks the file after the editor', async () => {
    rmSync(userFile);
    const editor = path.join(tmp, 'editor.sh');
    // top-level keys go before the template's [emit] table: the editor puts the line first
    writeFileSync(editor, '#!/bin/sh\nsed -i "1i offline = true" "$1"\n', { mode: 0o755 });
    const r = await run(['config', '--edit', 'user'], { EDITOR: editor, VISUAL: '' });
    expect(r.code).toBe(0);
    const text = readFileSync(userFile, 'utf8');
    expect(text).toMatch(/^offline = true\n# pyrats-lens user configuration/);
    expect(text).toContain('# baseline = "module:PythonEnv-noaa/3.11"');
    expect(text).toContain('[requests]');
    const j = JSON.parse((await run(['config', '--json'])).stdout);
    expect(j.settings.find((s: { key: string }) => s.key === 'offline')).toMatchObject({
      value: true,
      file: userFile,
    });
    // an edit that breaks the file is reported at once
    writeFileSync(editor, '#!/bin/sh\nprintf \'offline = \\n\' >> "$1"\n', { mode: 0o755 });
    const broken = await run(['config', '--edit', 'user'], { EDITOR: editor });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/config\.toml:\d+:\d+: invalid TOML/);
  });

  it('doctor: ✓ for the baseline, the interpreter and the mirrors that answer, ✗ with a fix for a refused log host', async () => {
    // a port nothing listens on: bind one, then close it
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    writeFileSync(
      siteFile,
      readFileSync(siteFile, 'utf8').replace('tcp://127.0.0.1:5514', `tcp://127.0.0.1:${port}`),
    );
    const r = await run(['doctor', '--json']);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { check: string; ok: boolean; detail: string; fix?: string }[];
    expect(rows.map((x) => [x.check.split(' ')[0], x.ok])).toEqual([
      ['baseline', true],
      ['python', true],
      ['mirror', true],
      ['mirror', true],
      ['emit.to', false],
    ]);
    expect(rows[0].detail).toMatch(/^137 distributions/);
    expect(rows[4].detail).toContain('ECONNREFUSED');
    expect(rows[4].fix).toContain('emit.to');
    const text = await run(['doctor']);
    expect(text.stdout).toMatch(/^✓ baseline file:/m);
    expect(text.stdout).toMatch(/^✗ emit\.to tcp:\/\/127\.0\.0\.1:\d+ +connect ECONNREFUSED/m);
  });
});
