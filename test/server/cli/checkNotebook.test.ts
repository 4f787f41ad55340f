/**
 * `pyrats check` on Jupyter notebooks: code cells as one module with IPython syntax masked, verdicts
 * placed by cell and line (text, JSON, SARIF), notebooks found in directories, requirements the
 * notebook installs itself, nbformat 3, non-Python kernels, and broken notebooks (exit 3 when nothing
 * could be read). Against the Debian pip freeze baseline with /usr/bin/python3 and a mirror served
 * from 127.0.0.1.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../server/cli/commands/check';
import { main } from '../../../server/cli/main';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';
import { captureCli, type CliCapture } from '../../support/cliCapture';

const fixtures = path.resolve(__dirname, '../../fixtures');
const notebooks = path.join(fixtures, 'notebooks');
const analysis = path.join(notebooks, 'project/analysis.ipynb');
const baseline = `file:${path.join(fixtures, 'baseline/formats/pip/pip-freeze-debian-usr-bin-python3.txt')}`;
const skip = existsSync('/usr/bin/python3') ? null : 'no /usr/bin/python3';

let server: MirrorServer;
let tmp: string;
beforeAll(async () => {
  server = await startMirrorServer(path.join(fixtures, 'mirror/tree'));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-check-nb-'));
});
afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const run = (args: string[]): Promise<CliCapture> => captureCli((io) => checkCommand.run(args, io));
const common = (): string[] => [
  ...['--baseline', baseline, '--python', '/usr/bin/python3', '--no-cache'],
  ...['--mirror', `conda:${server.url}/ok/conda/main`, '--mirror', `${server.url}/ok/simple`],
  ...['--subdir', 'linux-64', '--subdir', 'noarch'],
];

interface JsonVerdict {
  module: string;
  kind: string;
  cell: number;
  cellId?: string;
  line: number;
  column: number;
  explanation: string;
  installedBy?: { text: string; cell: number; line: number };
}

describe.skipIf(skip !== null)(`pyrats check NOTEBOOK${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('JSON: the three imports of cells 2 and 4 with their cell, cell id and line; exit 1', async () => {
    const r = await run([analysis, ...common(), '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    const [file] = j.files;
    expect(file.problems).toEqual([]);
    const verdicts = file.verdicts.map((v: JsonVerdict) => ({
      module: v.module,
      kind: v.kind,
      cell: v.cell,
      cellId: v.cellId,
      line: v.line,
      column: v.column,
    }));
    expect(verdicts).toEqual([
      { module: 'numpy', kind: 'baseline', cell: 1, cellId: 'load', line: 2, column: 8 },
      { module: 'cartopy.crs', kind: 'mirror', cell: 1, cellId: 'load', line: 3, column: 8 },
      { module: 'absent_pkg_xyz', kind: 'missing', cell: 3, cellId: 'plot', line: 3, column: 8 },
    ]);
    expect(j.summary).toMatchObject({
      missing: 1,
      mirror: 1,
      baseline: 1,
      missingModules: ['absent_pkg_xyz'],
    });
    expect(file.notebook).toMatchObject({ nbformat: '4.5', language: 'python', cells: 5 });
    expect(file.notebook.notes).toEqual(['cell 5: %%bash cell skipped (not Python)']);
    expect(file.notebook.installs).toEqual([
      { name: 'seaborn', specifier: '', text: '!pip install --quiet seaborn', line: 0, via: 'pip', cell: 3 },
    ]);
  });

  it('text: places as analysis.ipynb:cell N:line M, counted from 1 among all cells', async () => {
    const r = await run([analysis, ...common()]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/analysis\.ipynb:cell 4:line 3\s+absent_pkg_xyz\s+Request absent_pkg_xyz/);
    expect(r.out).toMatch(/analysis\.ipynb:cell 2:line 2\s+numpy\s+numpy 1\.24\.2/);
    expect(r.out).toMatch(/NOTES\n {2}.*analysis\.ipynb: cell 5: %%bash cell skipped \(not Python\)/);
    expect(r.out).toMatch(/1 file\(s\), 3 import\(s\): 1 missing, 1 mirror only, 1 in baseline, 0 local/);
  });

  it('SARIF: the region within the cell and the cell as a property', async () => {
    const r = await run([analysis, ...common(), '--format', 'sarif']);
    const results = JSON.parse(r.out).runs[0].results;
    expect(results).toHaveLength(2);
    const missing = results.find((x: { ruleId: string }) => x.ruleId === 'pyrats.missing');
    expect(missing.locations[0].physicalLocation.region).toEqual({
      startLine: 3,
      startColumn: 8,
      endLine: 3,
      endColumn: 22,
    });
    expect(missing.properties).toMatchObject({ cell: 3, cellId: 'plot', module: 'absent_pkg_xyz' });
  });

  it('a directory: notebooks are checked beside .py files; checkpoints are not', async () => {
    const dir = path.join(tmp, 'dir');
    cpSync(path.join(notebooks, 'project'), dir, { recursive: true });
    cpSync(analysis, path.join(dir, '.ipynb_checkpoints/analysis-checkpoint.ipynb'));
    writeFileSync(path.join(dir, 'helper.py'), 'import json\n');
    const r = await run([dir, ...common(), '--format', 'json']);
    expect(r.code).toBe(1);
    const files = JSON.parse(r.out).files.map((f: { file: string }) => path.relative(dir, f.file));
    expect(files).toEqual(['analysis.ipynb', 'helper.py']);
  });

  it('requirements the notebook installs itself: said so, and not missing (exit 0)', async () => {
    const r = await run([path.join(notebooks, 'installs.ipynb'), ...common(), '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const byModule = Object.fromEntries(j.files[0].verdicts.map((v: JsonVerdict) => [v.module, v]));
    expect(Object.keys(byModule)).toEqual(['seaborn', 'absent_pkg_xyz', 'cartopy']);
    expect(byModule.seaborn).toMatchObject({ kind: 'mirror', cell: 0, line: 2 });
    expect(byModule.seaborn.cellId).toBeUndefined();
    expect(byModule.seaborn.installedBy).toEqual({
      name: 'seaborn',
      text: '%pip install -q seaborn==0.13.0',
      cell: 0,
      line: 1,
    });
    expect(byModule.seaborn.explanation).toMatch(
      /^'seaborn' is installed by the notebook itself \(cell 1, line 1: %pip install -q seaborn==0\.13\.0\); not in the baseline; on the mirror as seaborn 0\.13\.0/,
    );
    expect(byModule.absent_pkg_xyz).toMatchObject({ kind: 'missing', cell: 1, line: 3 });
    expect(byModule.absent_pkg_xyz.explanation).toMatch(
      /installed by the notebook itself \(cell 2, line 1: .*-m pip install absent-pkg-xyz --index-url .*\); neither in the baseline nor on the mirror/,
    );
    expect(byModule.cartopy).toMatchObject({ kind: 'mirror', cell: 2, line: 2 });
    expect(j.summary.missingModules).toEqual([]);
    const text = await run([path.join(notebooks, 'installs.ipynb'), ...common()]);
    expect(text.out).toMatch(/installs\.ipynb:cell 1:line 2\s+seaborn \[installed by the notebook\]/);
  });

  it('nbformat 3 (worksheets, input) is read; a non-Python kernel is skipped with a note', async () => {
    const r = await run([
      path.join(notebooks, 'nbformat3.ipynb'),
      path.join(notebooks, 'r-kernel.ipynb'),
      ...common(),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const [v3, rk] = JSON.parse(r.out).files;
    expect(v3.notebook).toMatchObject({ nbformat: '3.0', cells: 2 });
    expect(v3.verdicts.map((v: JsonVerdict) => [v.module, v.kind, v.cell, v.line])).toEqual([
      ['numpy', 'baseline', 1, 2],
      ['absent_pkg_xyz', 'missing', 1, 3],
    ]);
    expect(rk.verdicts).toEqual([]);
    expect(rk.notebook.notes).toEqual(["the kernel's language is r, not Python: the notebook is skipped"]);
  });

  it('broken notebooks: a clear problem each, the rest checked; exit 3 when none could be read', async () => {
    const bad = path.join(tmp, 'bad');
    cpSync(path.join(notebooks, 'installs.ipynb'), path.join(bad, 'good.ipynb'));
    const broken: Record<string, string> = {
      'v2.ipynb': JSON.stringify({ nbformat: 2, nbformat_minor: 0, worksheets: [] }),
      'truncated.ipynb': readFileSync(analysis, 'utf8').slice(0, 900),
      'not-json.ipynb': 'import os\n',
      'latin1.ipynb': '{"nbformat": 4, "cells": [], "metadata": {"x": "\xe9"}}',
      'no-cells.ipynb': '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
      'bad-source.ipynb': '{"nbformat": 4, "cells": [{"cell_type": "code", "source": 42}]}',
    };
    for (const [name, text] of Object.entries(broken))
      writeFileSync(path.join(bad, name), name === 'latin1.ipynb' ? Buffer.from(text, 'latin1') : text);
    const r = await run([bad, ...common(), '--format', 'json']);
    expect(r.code).toBe(0);
    const files = JSON.parse(r.out).files as {
      file: string;
      problems: { kind: string; message: string }[];
    }[];
    const messages = Object.fromEntries(
      files.map((f) => [path.basename(f.file), f.problems.map((p) => p.message)]),
    );
    expect(messages).toEqual({
      'bad-source.ipynb': ['not a Jupyter notebook this reads: the source of cell 1 is not text'],
      'good.ipynb': [],
      'latin1.ipynb': ['not a Jupyter notebook: the file is not UTF-8 text'],
      'no-cells.ipynb': ['not a Jupyter notebook this reads: nbformat 4 without a cells list'],
      'not-json.ipynb': [expect.stringMatching(/^not a Jupyter notebook: invalid JSON \(.+\)$/)],
      'truncated.ipynb': [expect.stringMatching(/^not a Jupyter notebook: invalid JSON \(.+\)$/)],
      'v2.ipynb': [
        "unsupported notebook format: nbformat 2 (this reads nbformat 4 and 3; convert it with 'jupyter nbconvert --to notebook')",
      ],
    });
    const only = await run([path.join(bad, 'v2.ipynb'), ...common()]);
    expect(only.code).toBe(3);
    expect(only.out).toMatch(/v2\.ipynb: unsupported notebook format: nbformat 2/);
  });
  it('request --script: evidence from the cell; what the notebook installs itself is not requested', async () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
    try {
      const request = async (notebook: string) => {
        const r = await captureCli((io) =>
          main(
            [
              ...['request', '--script', notebook, '--baseline', baseline, '--python', '/usr/bin/python3'],
              ...['--mirror', `conda:${server.url}/ok/conda/main`, '--mirror', `${server.url}/ok/simple`],
              ...['--to', 'udp://127.0.0.1:9', '--dry-run', '--json', '--redact', 'none'],
            ],
            io,
          ),
        );
        expect(r.code, r.err).toBe(0);
        return JSON.parse(r.out).request.packages as { name: string; evidence: unknown[] }[];
      };
      const packages = await request(analysis);
      expect(packages.map((p) => p.name).sort()).toEqual(['absent_pkg_xyz', 'cartopy']);
      expect(packages.find((p) => p.name === 'absent_pkg_xyz')!.evidence).toEqual([
        { file: analysis, line: 3, text: 'import absent_pkg_xyz' },
      ]);
      const installs = await request(path.join(notebooks, 'installs.ipynb'));
      expect(installs.map((p) => p.name)).toEqual(['cartopy']);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
