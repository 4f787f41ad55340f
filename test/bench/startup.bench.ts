/**
 * Start-up of the CLI as a whole process: `pyrats imports one-line.py` against `node -e 0`, run
 * alternately so both see the same machine load. Budget (issue 11): ratio ≤ 1.6. Also `pyrats
 * --version` (the launcher and the dispatch table alone) for the cost of loading before any command,
 * and the floor no tree-sitter CLI can go under on this Node: a bare script that loads web-tree-sitter,
 * the Python grammar and parses the same line (no pyrats code), with the launcher's V8 flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSuite } from './benchmark';

const ROUNDS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time of one whole process, in ms; throws when it fails. */
function timed(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** The bare tree-sitter script: what every parse costs before any pyrats code runs. */
function floorScript(repo: string): string {
  const runtime = path.join(repo, 'node_modules', 'web-tree-sitter');
  const grammar = path.join(repo, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm');
  return `const { Parser, Language } = require(${JSON.stringify(path.join(runtime, 'tree-sitter.cjs'))});
(async () => {
  await Parser.init({ locateFile: () => ${JSON.stringify(path.join(runtime, 'tree-sitter.wasm'))} });
  const parser = new Parser();
  parser.setLanguage(await Language.load(${JSON.stringify(grammar)}));
  parser.parse(require('node:fs').readFileSync('one-line.py', 'utf8')).delete();
})();
`;
}

/** The V8 flags dist/cli.js sets before anything loads (see build.mjs). */
const LAUNCHER_FLAGS = ['--wasm-tiering-budget=1000000000'];

export const startupSuite: BenchSuite = {
  name: 'start-up: pyrats imports one-line.py vs node -e 0 (whole process)',
  async run(log) {
    const cli = path.join(__dirname, 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is absent (npm run build)`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-startup-bench-'));
    try {
      writeFileSync(path.join(tmp, 'one-line.py'), 'import os\n');
      writeFileSync(path.join(tmp, 'floor.cjs'), floorScript(path.join(__dirname, '..')));
      const node: number[] = [];
      const imports: number[] = [];
      const version: number[] = [];
      const floor: number[] = [];
      timed([cli, 'imports', 'one-line.py'], tmp); // the OS file cache, once
      for (let i = 0; i < ROUNDS; i++) {
        node.push(timed(['-e', '0'], tmp));
        imports.push(timed([cli, 'imports', 'one-line.py'], tmp));
        version.push(timed([cli, '--version'], tmp));
        floor.push(timed([...LAUNCHER_FLAGS, 'floor.cjs'], tmp));
      }
      log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; median of ${ROUNDS}`);
      const row = (name: string, value: number, budget?: number): BenchRow => ({
        name,
        value,
        unit: 'ms',
        reference: median(node),
        referenceName: 'node -e 0',
        better: 'lower',
        ...(budget !== undefined ? { budget: budget * median(node) } : {}),
        detail: budget !== undefined ? `budget ${budget}× node -e 0` : undefined,
      });
      return [
        row('pyrats imports one-line.py', median(imports), 1.6),
        row('pyrats --version', median(version)),
        row('floor: bare web-tree-sitter load + parse of the same line (no pyrats code)', median(floor)),
      ];
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
