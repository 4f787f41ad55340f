/**
 * Extraction over Debian's /usr/lib/python3/dist-packages, side by side with a Python `ast`
 * extractor (test/support/astImports.py run by Debian's /usr/bin/python3) over the same files:
 *   - cold extraction (no result cache; worker threads + this thread) ≥ 2× the reference's MB/s;
 *   - warm re-run from the on-disk cache (path, size, mtime) ≥ 20× it;
 *   - peak RSS of the extracting process ≤ 400 MB;
 * plus, for information, a cold run that ignores __pycache__ and parses every file whole.
 * It also checks that the imports per file equal what `ast` finds (files `ast` rejects excluded
 * and counted) and prints the agreement.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractFiles } from '../../analyzer/extract/batchExtract';
import { ExtractCache } from '../../analyzer/extract/extractCache';
import type { ExtractResult } from '../../analyzer/extract/extractImports';
import { asAstImports, listPythonFiles, runAstReferenceWithSummary } from '../support/astReference';
import type { BenchRow, BenchSuite } from './benchmark';

const CORPUS = '/usr/lib/python3/dist-packages';
const MB = 1e6;

/** Peak RSS (VmHWM) since the last reset, in MB; resets it when asked (Linux clear_refs). */
function peakRss(reset = false): number {
  try {
    if (reset) writeFileSync('/proc/self/clear_refs', '5');
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux, or not allowed: fall back to the lifetime peak
  }
  return process.resourceUsage().maxRSS / 1024;
}

function countSites(results: ExtractResult[]): number {
  return results.reduce((n, r) => n + r.sites.length, 0);
}

export const extractSuite: BenchSuite = {
  name: 'extract: imports over dist-packages vs Python ast',
  async run(log) {
    if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is absent (Debian python3 packages not installed)`);
    try {
      execFileSync('dpkg', ['-s', 'python3-numpy'], { stdio: 'ignore' });
    } catch {
      throw new Error('python3-numpy is not installed (apt-get install python3-numpy python3-scipy ...)');
    }
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const files = listPythonFiles(CORPUS);
    let bytes = 0;
    const chunk = Buffer.alloc(1 << 20);
    for (const f of files) {
      bytes += statSync(f).size;
      // read once so that both sides find the files in the page cache (into one reused buffer)
      const fd = openSync(f, 'r');
      try {
        while (readSync(fd, chunk, 0, chunk.length, null) > 0);
      } finally {
        closeSync(fd);
      }
    }
    log(`corpus: ${files.length} files, ${(bytes / MB).toFixed(1)} MB; reference: ${python} ast`);

    const cacheRoot = mkdtempSync(path.join(os.tmpdir(), 'pyrats-bench-cache-'));
    try {
      const rssBefore = peakRss(true);
      let t = performance.now();
      const cold = await extractFiles(files, { cache: new ExtractCache(cacheRoot) });
      const coldSeconds = (performance.now() - t) / 1000;
      const coldRss = peakRss();
      const coldRate = bytes / MB / coldSeconds;
      log(
        `cold: ${coldSeconds.toFixed(2)} s, ${coldRate.toFixed(2)} MB/s, ${countSites(cold)} sites, ` +
          `${cold.filter((r) => r.syntaxFrom === 'pycache').length} files certified by __pycache__, ` +
          `peak RSS ${coldRss.toFixed(0)} MB (was ${rssBefore.toFixed(0)} MB before)`,
      );

      t = performance.now();
      const warmCache = new ExtractCache(cacheRoot);
      const warm = await extractFiles(files, { cache: warmCache });
      const warmSeconds = (performance.now() - t) / 1000;
      const warmRate = bytes / MB / warmSeconds;
      log(
        `warm: ${warmSeconds.toFixed(2)} s, ${warmRate.toFixed(0)} MB/s, cache hits ${warmCache.hits}/${files.length}`,
      );
      if (JSON.stringify(warm) !== JSON.stringify(cold))
        log('WARNING: warm results differ from cold results');

      t = performance.now();
      const full = await extractFiles(files, { trustPycache: false });
      const fullSeconds = (performance.now() - t) / 1000;
      const fullRate = bytes / MB / fullSeconds;
      log(
        `cold, whole-file parse (no __pycache__): ${fullSeconds.toFixed(2)} s, ${fullRate.toFixed(2)} MB/s`,
      );

      // the reference runs last, so that its results do not weigh on our peak RSS
      const { results: ast, summary } = await runAstReferenceWithSummary(python, files);
      const refRate = summary.bytes / MB / summary.seconds;
      const refRss = summary.maxrss_kb / 1024;
      log(
        `python ast: ${summary.seconds.toFixed(2)} s, ${refRate.toFixed(2)} MB/s, peak RSS ${refRss.toFixed(0)} MB`,
      );

      // agreement with ast, per file
      let equal = 0;
      const mismatches: string[] = [];
      let rejected = 0;
      let flagged = 0;
      let sameAsFull = 0;
      const falseAlarms: string[] = [];
      for (let i = 0; i < files.length; i++) {
        const ref = ast.get(files[i]);
        if (JSON.stringify(cold[i].sites) === JSON.stringify(full[i].sites)) sameAsFull++;
        if (!ref) continue;
        if (!ref.ok) {
          rejected++;
          if (!full[i].syntaxOk) flagged++;
          continue;
        }
        if (!full[i].syntaxOk) falseAlarms.push(files[i]);
        if (JSON.stringify(asAstImports(cold[i].sites)) === JSON.stringify(ref.imports)) equal++;
        else mismatches.push(files[i]);
      }
      log(
        `agreement with ast: ${equal}/${files.length - rejected} files equal, ${mismatches.length} differ` +
          `${mismatches.length ? ` (${mismatches.slice(0, 5).join(', ')})` : ''}; ${rejected} rejected by ast, ` +
          `${flagged} of them flagged syntaxOk false by a whole-file parse; ${falseAlarms.length} files ast accepts ` +
          `flagged anyway${falseAlarms.length ? ` (${falseAlarms.slice(0, 5).join(', ')})` : ''}; ` +
          `skeleton and whole-file sites equal in ${sameAsFull}/${files.length} files`,
      );

      const detail = (seconds: number, rss?: number): string =>
        `${files.length} files, ${(bytes / MB).toFixed(1)} MB, ${seconds.toFixed(2)} s` +
        (rss !== undefined ? `, peak RSS ${rss.toFixed(0)} MB` : '');
      const rows: BenchRow[] = [
        {
          name: 'cold extraction, dist-packages',
          value: coldRate,
          unit: 'MB/s',
          reference: refRate,
          referenceName: 'python ast',
          budget: 2 * refRate,
          better: 'higher',
          detail: detail(coldSeconds, coldRss),
        },
        {
          name: 'warm re-run (on-disk cache), dist-packages',
          value: warmRate,
          unit: 'MB/s',
          reference: refRate,
          referenceName: 'python ast',
          budget: 20 * refRate,
          better: 'higher',
          detail: detail(warmSeconds),
        },
        {
          name: 'peak RSS, cold extraction of dist-packages',
          value: coldRss,
          unit: 'MB',
          reference: refRss,
          referenceName: 'python ast',
          budget: 400,
          better: 'lower',
        },
        {
          name: 'cold, whole-file parse (no __pycache__)',
          value: fullRate,
          unit: 'MB/s',
          reference: refRate,
          referenceName: 'python ast',
          better: 'higher',
          detail: detail(fullSeconds),
        },
      ];
      return rows;
    } finally {
      rmSync(cacheRoot, { recursive: true, force: true });
    }
  },
};
