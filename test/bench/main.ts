/**
 * `npm run bench`: runs every suite, prints each row with its reference and budget side by side,
 * and a ratio (ours / reference, or ours / budget). Suites that need something absent (e.g. Debian's
 * python3-numpy) say so and are skipped. Exit status is always 0: budgets are reported, not asserted.
 */
import type { BenchRow, BenchSuite } from './benchmark';
import { checkSuite } from './check.bench';
import { depsSuite } from './deps.bench';
import { emitSuite } from './emit.bench';
import { extractSuite } from './extract.bench';
import { graphSuite } from './graph.bench';
import { lspSuite } from './lsp.bench';
import { startupSuite } from './startup.bench';
import { notebookSuite } from './notebook.bench';
import { usageSuite } from './usage.bench';

const suites: BenchSuite[] = [
  startupSuite,
  extractSuite,
  depsSuite,
  emitSuite,
  graphSuite,
  usageSuite,
  checkSuite,
  notebookSuite,
  lspSuite,
];

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

function verdict(row: BenchRow): string {
  if (row.budget === undefined) return '';
  const ok = row.better === 'higher' ? row.value >= row.budget : row.value <= row.budget;
  return ok ? 'within budget' : 'OVER BUDGET';
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const suite of suites) {
    if (only.length && !only.some((o) => suite.name.includes(o))) continue;
    process.stdout.write(`\n== ${suite.name}\n`);
    let rows: BenchRow[];
    try {
      rows = await suite.run((line) => process.stdout.write(`   ${line}\n`));
    } catch (err) {
      process.stdout.write(`   skipped: ${err instanceof Error ? err.message : String(err)}\n`);
      continue;
    }
    for (const r of rows) {
      const ref =
        r.reference !== undefined
          ? `  ref ${r.referenceName ?? ''} ${fmt(r.reference)} ${r.unit}  ratio ${fmt(r.value / r.reference)}x`
          : '';
      const budget =
        r.budget !== undefined ? `  budget ${r.better === 'higher' ? '>=' : '<='} ${fmt(r.budget)}` : '';
      process.stdout.write(
        `   ${r.name.padEnd(48)} ${fmt(r.value).padStart(9)} ${r.unit.padEnd(6)}${ref}${budget}  ${verdict(r)}${r.detail ? `  (${r.detail})` : ''}\n`,
      );
    }
  }
}

void main();
