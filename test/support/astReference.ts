/**
 * Runs test/support/astImports.py (CPython's `ast` as the reference import extractor) over a list
 * of files and returns its per-file results, plus helpers to compare them with our ImportSites.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ImportSite } from '../../analyzer/extract/importSite';

export type AstImport = [module: string | null, name: string | null, level: number, lineno: number];

export interface AstFileResult {
  file: string;
  ok: boolean;
  error?: string;
  imports?: AstImport[];
  /** With `dynamic`: literal `__import__` / `import_module` calls, [module, level, lineno]. */
  dynamic?: [module: string | null, level: number, lineno: number][];
}

/** The script beside this module, or (from a bundle in dist/) in test/support. */
export const AST_SCRIPT = [
  path.resolve(__dirname, 'astImports.py'),
  path.resolve(__dirname, '../test/support/astImports.py'),
].find((p) => existsSync(p))!;

export interface AstSummary {
  files: number;
  bytes: number;
  /** Reading, parsing and walking only. */
  seconds: number;
  imports: number;
  maxrss_kb: number;
}

/** Runs the reference extractor with `python` over `files` (paths on stdin, JSON lines out). */
export async function runAstReference(
  python: string,
  files: string[],
  options: { dynamic?: boolean } = {},
): Promise<Map<string, AstFileResult>> {
  return (await runAstReferenceWithSummary(python, files, options)).results;
}

/** As runAstReference, plus the reference's own timing and peak RSS. */
export function runAstReferenceWithSummary(
  python: string,
  files: string[],
  options: { dynamic?: boolean } = {},
): Promise<{ results: Map<string, AstFileResult>; summary: AstSummary }> {
  return new Promise((resolve, reject) => {
    const args = [AST_SCRIPT, '--summary', ...(options.dynamic ? ['--dynamic'] : [])];
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const results = new Map<string, AstFileResult>();
    let summary: AstSummary | undefined;
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const r = JSON.parse(line) as AstFileResult | { summary: AstSummary };
        if ('summary' in r) summary = r.summary;
        else results.set(r.file, r);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && summary) resolve({ results, summary });
      else reject(new Error(`${python} ${AST_SCRIPT} exited with ${code}: ${stderr.slice(0, 2000)}`));
    });
    child.stdin.end(files.join('\n') + '\n');
  });
}

/** Our static sites in the reference's shape (dynamic ones left out; star → name '*'). */
export function asAstImports(sites: ImportSite[]): AstImport[] {
  return sites
    .filter((s) => s.kind !== 'dynamic')
    .map((s) => [s.module, s.kind === 'star' ? '*' : s.name, s.level, s.statementRange.start.line + 1]);
}

/** Our dynamic sites in the reference's shape: [module, level, line]. */
export function asAstDynamic(sites: ImportSite[]): [string | null, number, number][] {
  return sites
    .filter((s) => s.kind === 'dynamic')
    .map((s) => [s.module, s.level, s.statementRange.start.line + 1]);
}

/** Every `.py` file under `dir`, sorted, skipping `skip` directory names. */
export function listPythonFiles(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!skip.has(e.name) && e.name !== '__pycache__') walk(p);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}
