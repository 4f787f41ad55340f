/**
 * Notebooks in `pyrats imports`, `deps` and `emit --dry-run`: places as cell N:line M, `%run` followed
 * like an import (kernel reading), and the records of a notebook equal to those of its code exported
 * as a script the way `jupyter nbconvert --to script` does it — the export made here by IPython's own
 * input transformer (Debian's python3-ipython, /usr/bin/python3), so `%%time` bodies, `%run` and
 * shell lines become `get_ipython()` calls exactly as IPython writes them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../server/cli/main';
import { captureCli } from '../../support/cliCapture';

const hasIPython = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import IPython'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let tmp: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;
const cells: [string, string][] = [
  ['markdown', '# Notebook\nimport not_code'],
  ['code', '%matplotlib inline\nimport json\nimport helper'],
  ['code', '%%time\nimport csv\nimport fractions'],
  ['code', '%%bash\nimport not_python'],
  ['code', '!pip install --quiet seaborn\nfrom os import path\n%run other.py\nx = !ls\nhelper?'],
];

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-nbcmd-')));
  process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
    cells: cells.map(([type, source], i) => ({
      cell_type: type,
      id: `c${i}`,
      metadata: {},
      source,
      ...(type === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  };
  writeFileSync(path.join(tmp, 'nb.ipynb'), JSON.stringify(nb, null, 1));
  writeFileSync(path.join(tmp, 'helper.py'), 'import decimal\n');
  writeFileSync(path.join(tmp, 'other.py'), 'import statistics\n');
});
afterAll(() => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => captureCli((io) => main(args, io));

describe('notebooks in imports, deps and emit', () => {
  it('imports: every import of the code cells, placed as cell N:line M', async () => {
    const r = await cli(['imports', path.join(tmp, 'nb.ipynb')]);
    expect(r.code).toBe(0);
    const nb = path.join(tmp, 'nb.ipynb');
    expect(r.out.split('\n').filter(Boolean)).toEqual([
      `${nb}:cell 2:line 2  import   json`,
      `${nb}:cell 2:line 3  import   helper`,
      `${nb}:cell 3:line 2  import   csv`,
      `${nb}:cell 3:line 3  import   fractions`,
      `${nb}:cell 5:line 2  from     os  path`,
    ]);
    const j = JSON.parse((await cli(['imports', tmp, '--format', 'json'])).out);
    const files = j.files ?? j;
    const entry = files.find((f: { file: string }) => f.file.endsWith('nb.ipynb'));
    expect(entry.notebook.runs).toEqual([{ target: 'other.py', line: 2, cell: 4 }]);
    expect(entry.imports[0]).toMatchObject({ module: 'json', cell: 1, cellId: 'c1', line: 2 });
  });

  it('deps and graph: the notebook is a source (a notebook node); %run other.py is followed like an import', async () => {
    const r = await cli(['deps', path.join(tmp, 'nb.ipynb')]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter(Boolean);
    expect(lines).toContain(`(('${tmp}', 'nb.ipynb'), ('${tmp}', 'helper.py'))`);
    expect(lines).toContain(`(('${tmp}', 'nb.ipynb'), ('${tmp}', 'other.py'))`);
    expect(lines).toContain(`(('${tmp}', 'other.py'), (None, None))`);
    const graph = await cli(['graph', path.join(tmp, 'nb.ipynb'), '--format', 'json', '--no-check']);
    expect(graph.code).toBe(0);
    const nodes = (JSON.parse(graph.out).graph ?? JSON.parse(graph.out)).nodes as {
      rel: string;
      notebook?: true;
    }[];
    expect(nodes.filter((n) => n.notebook).map((n) => n.rel)).toEqual(['nb.ipynb']);
  });

  it.skipIf(!hasIPython)(
    'records: what PyRats sends for the notebook exported as a script (IPython transforms)',
    async () => {
      const exportScript = [
        'import json, sys',
        'from IPython.core.inputtransformer2 import TransformerManager',
        'nb = json.load(open(sys.argv[1]))',
        't = TransformerManager()',
        "code = [t.transform_cell(''.join(c['source'])) for c in nb['cells'] if c['cell_type'] == 'code']",
        "open(sys.argv[2], 'w').write('\\n\\n'.join(code))",
      ].join('\n');
      const exported = path.join(tmp, 'nb_export.py');
      execFileSync('/usr/bin/python3', ['-c', exportScript, path.join(tmp, 'nb.ipynb'), exported]);
      expect(readFileSync(exported, 'utf8')).toContain(
        "get_ipython().run_cell_magic('time', '', 'import csv",
      );
      const ofNotebook = await cli(['deps', path.join(tmp, 'nb.ipynb'), '--format', 'records']);
      const ofScript = await cli(['deps', exported, '--format', 'records']);
      expect(ofNotebook.code).toBe(0);
      expect(ofNotebook.out).toBe(ofScript.out.replaceAll('nb_export.py', 'nb.ipynb'));
      expect(ofNotebook.out).not.toMatch(/other\.py|csv/);
      const emitted = await cli(['emit', path.join(tmp, 'nb.ipynb'), '--dry-run']);
      expect(emitted.code).toBe(0);
      expect(emitted.out).toContain(`('${tmp}', 'nb.ipynb')`);
      expect(emitted.out).not.toMatch(/other\.py/);
    },
  );
});
