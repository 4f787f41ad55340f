/**
 * Running a check over files into a CheckReport: against one baseline (`checkFiles`), or against
 * several (`checkBaselines`: globs expanded with `module avail`, baselines loaded and introspected
 * in parallel — at most `concurrency` at a time, each with the module cache — and every file checked
 * against each), which report/matrix.ts turns into the matrix. Never throws for a bad baseline: it
 * becomes a column with an error. Does not format anything or parse command lines.
 */
import { BaselineLookup } from '../baseline/baseline';
import { expandBaselineSpecs } from '../baseline/loadBaseline';
import { Checker, type CheckerOptions, type FileCheck } from './checker';
import { unusedRequirements } from './declared';
import type { CheckReport } from './report/checkReport';

/** Checks `files` (in order) with `checker` into a report; paths are shown relative to `cwd`. */
export async function checkFiles(checker: Checker, files: string[], cwd: string): Promise<CheckReport> {
  const results: FileCheck[] = [];
  for (const f of files) results.push(await checker.checkFileDetailed(f));
  const b = checker.baseline;
  return {
    baseline: b
      ? {
          spec: b.spec,
          name: b.name,
          kind: b.kind,
          pythonVersion: b.pythonVersion,
          distributions: new BaselineLookup(b).names().length,
        }
      : null,
    python: checker.environment
      ? { executable: checker.environment.executable, version: checker.environment.version }
      : null,
    mirrors: checker.mirror?.describe() ?? [],
    files: results,
    findings: [
      ...results.flatMap((r) => r.findings ?? []),
      ...unusedRequirements(results, checker.pythonVersion),
    ],
    problems: checker.problems,
    cwd,
  };
}

export interface BaselineColumnResult {
  spec: string;
  report: CheckReport | null;
  /** Why the baseline could not be used. */
  error?: string;
}

/** Runs `task` over `items` with at most `limit` running at once; results in item order. */
async function boundedMap<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Checks `files` against every baseline of `specs` (module globs expanded). `problems` holds the
 * globs that matched nothing or could not be listed.
 */
export async function checkBaselines(
  specs: string[],
  files: string[],
  options: Omit<CheckerOptions, 'baseline'> & { cwd: string; concurrency?: number },
): Promise<{ columns: BaselineColumnResult[]; problems: { spec: string; message: string }[] }> {
  const expanded = await expandBaselineSpecs(specs, {
    moduleUse: options.moduleUse,
    moduleInit: options.moduleInit,
    moduleTimeoutMs: options.moduleTimeoutMs,
    env: options.env,
  });
  const columns = await boundedMap(expanded.specs, options.concurrency ?? 4, async (spec) => {
    const checker = await Checker.create({ ...options, baseline: spec });
    try {
      if (checker.fatal) {
        const why = checker.problems.filter((p) => p.area === 'baseline').map((p) => p.message);
        return { spec, report: null, error: why.join('; ') || 'could not be loaded' };
      }
      return { spec, report: await checkFiles(checker, files, options.cwd) };
    } finally {
      checker.dispose();
    }
  });
  return { columns, problems: expanded.problems };
}
