/**
 * What reading a notebook costs beyond its code: a 5 MB Jupyter notebook (40 code cells of typical
 * analysis code, markdown between them, a base64 PNG plot and text outputs after each code cell)
 * checked with `Checker.checkFileDetailed`, against the same code saved as a .py file, in the same
 * run, with Debian's /usr/bin/python3 as baseline and no mirror. Budget: ≤ 1.5× the .py time —
 * outputs are skipped from quote to quote, never decoded (analyzer/notebook/notebookJson.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checker } from '../../analyzer/check/checker';
import type { BenchRow, BenchSuite } from './benchmark';

const PYTHON = '/usr/bin/python3';
const ROUNDS = 15;
const TARGET_BYTES = 5 * 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One code cell of plausible analysis code (imports, a function, a loop), numbered. */
function codeCell(i: number): string {
  return [
    `import numpy as np`,
    `import json, os.path`,
    `from collections import defaultdict as dd${i}`,
    i % 5 === 0 ? `%matplotlib inline` : `# step ${i}`,
    `def step_${i}(data, scale=${i}):`,
    `    """Scale and summarise block ${i}."""`,
    `    out = dd${i}(list)`,
    `    for k, v in sorted(data.items()):`,
    `        out[k].append(np.mean(v) * scale if v else 0.0)`,
    `    return {k: sum(x) / len(x) for k, x in out.items()}`,
    ``,
    `result_${i} = step_${i}({"a": [1, 2, 3], "b": [${i}, ${i + 1}]})`,
    `print(json.dumps(result_${i}))`,
  ].join('\n');
}

/** The notebook JSON and its code as a script. */
function makeNotebook(): { notebook: string; script: string } {
  const cells = 40;
  const png = Buffer.alloc(Math.floor(TARGET_BYTES / cells / 1.34), 7).toString('base64');
  const code: string[] = [];
  const nbCells: unknown[] = [];
  for (let i = 0; i < cells; i++) {
    const src = codeCell(i);
    code.push(src.replace(/^%.*$/m, 'pass'));
    nbCells.push({ cell_type: 'markdown', id: `m${i}`, metadata: {}, source: [`## Step ${i}\n`, 'Notes.'] });
    nbCells.push({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      execution_count: i + 1,
      source: src.split(/(?<=\n)/),
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['{"a": 2.0, "b": 3.5}\n'] },
        { output_type: 'display_data', metadata: {}, data: { 'image/png': png, 'text/plain': ['<Figure>'] } },
      ],
    });
  }
  const notebook = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
    cells: nbCells,
  });
  return { notebook, script: `${code.join('\n')}\n` };
}

export const notebookSuite: BenchSuite = {
  name: 'notebook: check a 5 MB .ipynb against its code as .py',
  async run(log) {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is absent`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-nb-bench-'));
    const checker = await Checker.create({ baseline: `python:${PYTHON}`, mirrors: [], cacheDir: false });
    try {
      const { notebook, script } = makeNotebook();
      const nbFile = path.join(tmp, 'analysis.ipynb');
      const pyFile = path.join(tmp, 'analysis.py');
      writeFileSync(nbFile, notebook);
      writeFileSync(pyFile, script);
      log(
        `notebook ${(notebook.length / 1024 / 1024).toFixed(1)} MB, code ${(script.length / 1024).toFixed(0)} KB`,
      );
      const times = { nb: [] as number[], py: [] as number[] };
      let imports = 0;
      for (let i = 0; i < ROUNDS + 2; i++) {
        for (const [kind, file] of [
          ['py', pyFile],
          ['nb', nbFile],
        ] as const) {
          const t0 = performance.now();
          const r = await checker.checkFileDetailed(file);
          const ms = performance.now() - t0;
          if (r.problems.length) throw new Error(`${file}: ${r.problems[0].message}`);
          if (kind === 'nb') imports = r.verdicts.length;
          if (i >= 2) times[kind].push(ms);
        }
      }
      const py = median(times.py);
      const nb = median(times.nb);
      const rows: BenchRow[] = [
        {
          name: 'check a 5 MB notebook (imports of 40 code cells)',
          value: nb,
          unit: 'ms',
          reference: py,
          referenceName: 'same code as .py',
          budget: 1.5 * py,
          better: 'lower',
          detail: `${imports} imports; median of ${ROUNDS}`,
        },
      ];
      return rows;
    } finally {
      checker.dispose();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
