/**
 * `pyrats check` as a command: text grouped by verdict, JSON for tools, SARIF 2.1.0 for code scanning,
 * exit statuses (0 nothing missing, 1 missing, 2 usage, 3 failure), against the fixture project, the
 * Debian pip freeze baseline with /usr/bin/python3, and a mirror served from 127.0.0.1.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type CliCommand } from '../../../server/cli/command';
import { baselineCommand } from '../../../server/cli/commands/baseline';
import { mirrorCommand } from '../../../server/cli/commands/mirror';
import { checkCommand } from '../../../server/cli/commands/check';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';
import { captureCli, type CliCapture } from '../../support/cliCapture';
import { tempDirForTest } from '../../support/tempDir';

const fixtures = path.resolve(__dirname, '../../fixtures');
const project = path.join(fixtures, 'check/project');
const baseline = `file:${path.join(fixtures, 'baseline/formats/pip/pip-freeze-debian-usr-bin-python3.txt')}`;
const skip = existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3';

let server: MirrorServer;
let cacheDir: string;
beforeAll(async () => {
  server = await startMirrorServer(path.join(fixtures, 'mirror/tree'));
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-cli-check-'));
});
afterAll(async () => {
  await server?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

const run = (args: string[]): Promise<CliCapture> => captureCli((io) => checkCommand.run(args, io));

const common = (): string[] => [
  '--baseline',
  baseline,
  '--python',
  '/usr/bin/python3',
  '--mirror',
  `conda:${server.url}/ok/conda/main`,
  '--mirror',
  `${server.url}/ok/conda/conda-forge`,
  '--mirror',
  `${server.url}/ok/simple`,
  '--subdir',
  'linux-64',
  '--subdir',
  'noarch',
  '--cache-dir',
  cacheDir,
];

describe.skipIf(skip !== null)(`pyrats check${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('prints a table grouped by verdict and exits 1 when something is missing everywhere', async () => {
    const r = await run([path.join(project, 'analyse.py'), ...common()]);
    expect(r.code).toBe(1);
    const sections = [...r.out.matchAll(/^([A-Z][A-Z ]+) \((\d+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(sections).toEqual([
      'MISSING EVERYWHERE 2',
      'ON THE MIRROR ONLY 7',
      'IN THE BASELINE 6',
      'LOCAL 1',
      'STANDARD LIBRARY 3',
      'BUILT INTO THE INTERPRETER 1',
    ]);
    expect(r.out).toMatch(/analyse\.py:\d+\s+another_absent_pkg \[optional\]/);
    expect(r.out).toMatch(/analyse\.py:\d+\s+numpy\s+numpy 1\.24\.2/);
    expect(r.out).toMatch(/conda main: cartopy 0\.22\.0/);
    expect(r.out).toMatch(
      /To install:\n(    .*\n)*    conda install -c http:\/\/127\.0\.0\.1:\d+\/ok\/conda\/conda-forge opencv=4\.8\.0 pytorch=2\.1\.2\n/,
    );
    expect(r.out).toMatch(
      /    pip install --index-url http:\/\/127\.0\.0\.1:\d+\/ok\/simple seaborn==0\.13\.0 scikit-learn==1\.4\.0 herbie-data==2024\.3\.0\n/,
    );
    const quiet = await run([path.join(project, 'analyse.py'), ...common(), '--quiet']);
    expect(quiet.out).not.toMatch(/^(LOCAL|STANDARD LIBRARY|BUILT INTO)/m);
    expect(quiet.out).toMatch(
      /20 import\(s\): 2 missing, 7 mirror only, 6 in baseline, 1 local, 4 standard library/,
    );
    expect(r.out).toMatch(
      /1 file\(s\), 20 import\(s\): 2 missing, 7 mirror only, 6 in baseline, 1 local, 4 standard library/,
    );
  });

  it('counts in its summary the rows it lists (`from m import a, b` is one row)', async () => {
    const example = path.join(fixtures, 'example/analyse.py');
    expect(readFileSync(example, 'utf8')).toMatch(/^from helpers import \w+, \w+$/m);
    const r = await run([example, ...common()]);
    const listed = [...r.out.matchAll(/^[A-Z][A-Z ]+ \((\d+)\)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const summary =
      /1 file\(s\), (\d+) import\(s\): (\d+) missing, (\d+) mirror only, (\d+) in baseline, (\d+) local, (\d+) standard library/.exec(
        r.out,
      );
    expect(summary).not.toBeNull();
    const [total, ...parts] = summary!.slice(1).map(Number);
    expect(total).toBe(listed);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(r.out).toMatch(/^LOCAL \(1\)$/m);
  });

  it('JSON: the verdicts for tools, with a summary', async () => {
    const r = await run([project, ...common(), '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.formatVersion).toBe(1);
    expect(j.baseline).toMatchObject({ kind: 'requirements', distributions: 137 });
    expect(j.summary).toMatchObject({ missing: 2, missingModules: ['totally_absent_pkg'] });
    expect(j.files.map((f: { file: string }) => path.relative(project, f.file))).toEqual([
      'analyse.py',
      'helper.py',
      'pkg/__init__.py',
      'pkg/core.py',
      'pkg/util.py',
    ]);
    const torch = j.files[0].verdicts.find((v: { module: string }) => v.module === 'torch');
    expect(torch).toMatchObject({ kind: 'mirror', code: 'pyrats.mirror-only', line: 15, column: 8 });
    expect(torch.mirror[0]).toMatchObject({ kind: 'conda', name: 'pytorch', versions: ['2.1.0', '2.1.2'] });
    expect(torch.resolution).toEqual({ status: 'unresolved', reason: "no module named 'torch'" });
  });

  it('SARIF 2.1.0: rules, results with levels and physical locations', async () => {
    const out = path.join(cacheDir, 'check.sarif');
    const r = await run([path.join(project, 'analyse.py'), ...common(), '--format', 'sarif', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.version).toBe('2.1.0');
    expect(s.$schema).toMatch(/sarif-2\.1\.0/);
    expect(s.runs).toHaveLength(1);
    const run0 = s.runs[0];
    expect(run0.tool.driver.name).toBe('pyrats');
    expect(run0.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual([
      'pyrats.missing',
      'pyrats.mirror-only',
      'pyrats.conflict',
      'pyrats.undeclared',
      'pyrats.unused',
    ]);
    expect(run0.results).toHaveLength(9);
    for (const res of run0.results) {
      expect(res.ruleId).toBe(run0.tool.driver.rules[res.ruleIndex].id);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/analyse\.py$/);
      expect(loc.region.startLine).toBeGreaterThan(0);
      expect(loc.region.startColumn).toBeGreaterThan(0);
      expect(loc.region.endColumn).toBeGreaterThan(loc.region.startColumn);
    }
    const absent = run0.results.find(
      (x: { properties: { module: string } }) => x.properties.module === 'totally_absent_pkg',
    );
    expect(absent).toMatchObject({ ruleId: 'pyrats.missing', level: 'error' });
    expect(absent.locations[0].physicalLocation.region).toEqual({
      startLine: 19,
      startColumn: 8,
      endLine: 19,
      endColumn: 26,
    });
    const optional = run0.results.find(
      (x: { properties: { module: string } }) => x.properties.module === 'another_absent_pkg',
    );
    expect(optional.level).toBe('warning');
    const seaborn = run0.results.find(
      (x: { properties: { module: string } }) => x.properties.module === 'seaborn',
    );
    expect(seaborn).toMatchObject({ ruleId: 'pyrats.mirror-only', level: 'warning' });
  });

  it('exits 0 when nothing is missing, and works offline from the cache', async () => {
    const ok = path.join(cacheDir, 'ok.py');
    writeFileSync(
      ok,
      'import numpy\nimport cartopy\ntry:\n    import not_there\nexcept ImportError:\n    pass\n',
    );
    const warm = await run([ok, ...common()]);
    expect(warm.code).toBe(0);
    server.requests.length = 0;
    const offline = await run([ok, ...common(), '--offline', '--format', 'json']);
    expect(offline.code).toBe(0);
    expect(server.requests).toEqual([]);
    expect(JSON.parse(offline.out).files[0].verdicts.map((v: { kind: string }) => v.kind)).toEqual([
      'baseline',
      'mirror',
      'missing',
    ]);
  });

  it('takes the baseline and mirrors from PYRATS_BASELINE / PYRATS_MIRRORS when no option names them', async () => {
    process.env.PYRATS_BASELINE = baseline;
    process.env.PYRATS_MIRRORS = `conda:${server.url}/ok/conda/main pypi:${server.url}/ok/simple`;
    try {
      const r = await run([
        path.join(project, 'analyse.py'),
        '--python',
        '/usr/bin/python3',
        '--cache-dir',
        cacheDir,
        '--subdir',
        'linux-64',
        '--subdir',
        'noarch',
        '--format',
        'json',
      ]);
      const j = JSON.parse(r.out);
      expect(j.baseline.spec).toBe(baseline);
      expect(j.mirrors).toHaveLength(2);
    } finally {
      delete process.env.PYRATS_BASELINE;
      delete process.env.PYRATS_MIRRORS;
    }
  });

  it('exit 3 when the --python interpreter cannot be run: the report is written, but xml.dom is not a finding', async () => {
    const tmp = tempDirForTest('pyrats-check-nopython-');
    const fake = path.join(tmp, 'python3');
    writeFileSync(fake, '#!/bin/sh\necho "not a python"\n');
    chmodSync(fake, 0o755);
    const script = path.join(tmp, 'uses_stdlib.py');
    writeFileSync(script, 'import numpy\nfrom xml.dom import minidom\n');
    const r = await run([script, '--python', fake, '--baseline', baseline, '--no-mirror', '--no-cache']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/python .*python3: interpreter .* did not answer with introspection JSON/);
    expect(r.out).toMatch(/standard-library and local imports cannot be told apart/);
  });

  it('exit 3 for a baseline that cannot be loaded or nothing readable; usage errors throw UsageError', async () => {
    const bad = await run([project, '--baseline', 'file:/nonexistent.txt', '--no-mirror']);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/baseline file:\/nonexistent\.txt: .*no such file/);
    const none = await run(['/nonexistent/dir', '--no-mirror', '--baseline', baseline]);
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/\/nonexistent\/dir: no such file or directory/);
    await expect(run([project, '--format', 'xml'])).rejects.toThrow(UsageError);
    await expect(run([])).rejects.toThrow(/name at least one script or directory/);
    await expect(run([project, '--timeout=0'])).rejects.toThrow(/positive number of seconds/);
    await expect(run([project, '--no-mirror', '--mirror', 'x'])).rejects.toThrow(/exclude each other/);
  });
});

describe('pyrats baseline and pyrats mirror', () => {
  const runCmd = (cmd: CliCommand, args: string[]): Promise<CliCapture> =>
    captureCli((io) => cmd.run(args, io));

  it('pyrats baseline lists what a spec provides, with origins and problems', async () => {
    const r = await runCmd(baselineCommand, [
      `file:${path.join(fixtures, 'baseline/formats/conda/environment-docs-conda.yml')}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^file:.*environment-docs-conda\.yml: conda-environment, \d+ distributions/);
    expect(r.out).toMatch(/channels: conda-forge/);
    expect(r.out).toMatch(/ {2}Pillow +12\.3\.0 +\[.*dependencies\[0\]\]/);
    const json = await runCmd(baselineCommand, [
      `file:${path.join(fixtures, 'baseline/formats/spack/v3-py-yt-ipython/spack.lock')}`,
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.out)).toMatchObject({ kind: 'spack-lock' });
    const missing = await runCmd(baselineCommand, ['file:/nonexistent/env.yml']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/no such file/);
    await expect(runCmd(baselineCommand, [])).rejects.toThrow(/exactly one baseline SPEC/);
  });

  it('pyrats mirror checks the sources and looks import names up', async () => {
    const args = [
      '--mirror',
      `conda:${server.url}/ok/conda/conda-forge`,
      '--mirror',
      `pypi:${server.url}/ok/simple`,
      '--subdir',
      'linux-64',
      '--subdir',
      'noarch',
      '--cache-dir',
      cacheDir,
    ];
    const r = await runCmd(mirrorCommand, ['cv2', 'sklearn', ...args]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/conda-forge: linux-64 \d+ packages, noarch \d+ packages/);
    expect(r.out).toMatch(
      /cv2 \(opencv-python, opencv-python-headless, opencv-contrib-python, cv2\):\n {2}conda conda-forge: opencv 4\.8\.0 \[linux-64\]/,
    );
    expect(r.out).toMatch(/sklearn \(scikit-learn, sklearn\):\n {2}pypi .*: scikit-learn 1\.3\.2, 1\.4\.0/);
    const none = await runCmd(mirrorCommand, ['definitely_not_there', ...args]);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/not on the mirror/);
    const broken = await runCmd(mirrorCommand, [
      '--mirror',
      `conda:${server.url}/fail500/conda/main`,
      '--subdir',
      'noarch',
      '--cache-dir',
      cacheDir,
    ]);
    expect(broken.code).toBe(3);
    expect(broken.err).toMatch(/HTTP 500/);
  });
});
