// Bundles every part of pyrats-lens with esbuild into dist/ and copies the two tree-sitter
// wasm files beside the bundles (the analyzer loads them from its own directory).
// Outputs are replaced atomically and only when their bytes changed, so a rebuild never leaves a
// half-written dist/cli.js for a process that starts at that moment (tests, a running extension).
//   node build.mjs            one build
//   node build.mjs --watch    rebuild on change
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
const watch = process.argv.includes('--watch');

/** Node-side bundles: [source, output]. */
const nodeEntries = [
  ['server/cli/main.ts', 'cli.js'],
  ['server/lsp/main.ts', 'server.js'],
  ['client/extension.ts', 'client.js'],
  ['test/bench/main.ts', 'bench.js'],
  // one parser per worker thread for batch extraction (analyzer/extract/batchExtract.ts)
  ['analyzer/extract/extractWorker.ts', 'extractWorker.js'],
];
/** Browser-side bundles (webviews, also served by `pyrats dashboard` / `pyrats graph`). */
const browserEntries = [
  ['media/graph/main.ts', 'media/graph.js'],
  ['media/dashboard/main.ts', 'media/dashboard.js'],
];

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

function options(entries, extra) {
  const present = entries.filter(([src]) => existsSync(src));
  return present.map(([src, out]) => ({
    ...common,
    ...extra,
    entryPoints: [src],
    outfile: path.join(outdir, out),
  }));
}

const builds = [
  ...options(nodeEntries, {
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // playwright-core (benches only) cannot be bundled: it reads its own package files at run time.
    external: ['vscode', '@duckdb/node-api', 'playwright-core'],
    // web-tree-sitter's ESM build needs import.meta.url, which a CommonJS bundle lacks: use its CJS build.
    alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/tree-sitter.cjs' },
    banner: { js: '#!/usr/bin/env node' },
  }),
  ...options(browserEntries, { platform: 'browser', format: 'iife', target: 'es2022', minify: !watch }),
];

/** Writes `bytes` to `file` through a temporary file and a rename, unless it already holds them. */
function replaceFile(file, bytes) {
  try {
    if (Buffer.compare(readFileSync(file), bytes) === 0) return;
  } catch {
    // absent: write it
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: file.endsWith('.js') ? 0o755 : 0o644 });
  renameSync(tmp, file);
}

/** esbuild plugin: keep the outputs in memory, then replace the files atomically. */
const atomicOutput = {
  name: 'atomic-output',
  setup(build) {
    build.onEnd((result) => {
      for (const f of result.outputFiles ?? []) replaceFile(f.path, Buffer.from(f.contents));
    });
  },
};

mkdirSync(outdir, { recursive: true });
for (const wasm of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
  replaceFile(path.join(outdir, path.basename(wasm)), readFileSync(require.resolve(wasm)));
}

const inMemory = builds.map((b) => ({ ...b, write: false, plugins: [atomicOutput] }));
if (watch) {
  for (const b of inMemory) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(inMemory.map((b) => esbuild.build(b)));
}
