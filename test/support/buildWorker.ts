/**
 * Bundles analyzer/extract/extractWorker.ts with esbuild into a temporary directory (beside the
 * two wasm files), as `node build.mjs` does for dist/, so tests can run real worker threads.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export async function buildExtractWorker(): Promise<{ script: string; remove(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-worker-'));
  const script = path.join(dir, 'extractWorker.js');
  await build({
    entryPoints: [path.join(root, 'analyzer/extract/extractWorker.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    alias: { 'web-tree-sitter': path.join(root, 'node_modules/web-tree-sitter/tree-sitter.cjs') },
  });
  const req = createRequire(path.join(root, 'package.json'));
  for (const wasm of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
    copyFileSync(req.resolve(wasm), path.join(dir, path.basename(wasm)));
  }
  return { script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
