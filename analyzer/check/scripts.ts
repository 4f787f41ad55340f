/**
 * Which files `pyrats check` looks at: every path given; for a directory, the `.py` / `.pyw` files
 * and Jupyter notebooks (`.ipynb`; `.ipynb_checkpoints` is hidden, so skipped)
 * below it, skipping hidden directories, virtual environments (a `pyvenv.cfg`), `__pycache__`,
 * `node_modules`, site-/dist-packages, with a cap on the number of files. Unreadable paths are reported.
 * Does not read file contents.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeUnusablePath } from '../graph/follow';

const SKIP = new Set(['__pycache__', 'node_modules', 'site-packages', 'dist-packages', 'venv', '.venv']);

export function collectPythonFiles(
  paths: string[],
  maxFiles = 50_000,
): { files: string[]; problems: { path: string; message: string }[] } {
  const files: string[] = [];
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    if (seen.has(f)) return;
    if (files.length >= maxFiles) {
      if (files.length === maxFiles)
        problems.push({ path: f, message: `more than ${maxFiles} files; the rest are skipped` });
      return;
    }
    seen.add(f);
    files.push(f);
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      problems.push({ path: p, message: describeUnusablePath(abs) });
      continue;
    }
    if (st.isFile()) {
      add(abs);
      continue;
    }
    if (!st.isDirectory()) {
      problems.push({ path: p, message: describeUnusablePath(abs) });
      continue;
    }
    const stack = [abs];
    const found: string[] = [];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (err) {
        problems.push({ path: dir, message: `cannot list: ${(err as Error).message}` });
        continue;
      }
      if (dir !== abs && entries.some((e) => e.name === 'pyvenv.cfg')) continue;
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!e.name.startsWith('.') && !SKIP.has(e.name)) stack.push(full);
        } else if (e.isFile() && /\.(pyw?|ipynb)$/.test(e.name)) found.push(full);
      }
    }
    found.sort().forEach(add);
  }
  return { files, problems };
}
