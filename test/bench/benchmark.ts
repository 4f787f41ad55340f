/**
 * The shape of one benchmark suite run by `npm run bench` (see main.ts). A suite measures our code
 * and its reference in the same run and reports each budget as a ratio; it never fails a test.
 */
export interface BenchRow {
  /** What was measured, e.g. "cold extraction, dist-packages". */
  name: string;
  /** Our figure and the unit, e.g. 41.2 and "MB/s". */
  value: number;
  unit: string;
  /** The reference figure in the same unit (Python ast, PyRats...), when there is one. */
  reference?: number;
  referenceName?: string;
  /** The budget, in the same unit, and whether higher or lower is better. */
  budget?: number;
  better: 'higher' | 'lower';
  /** Free text: files, MB, RSS... */
  detail?: string;
}

export interface BenchSuite {
  name: string;
  run(log: (line: string) => void): Promise<BenchRow[]>;
}
