// Bundles every part of pyrats-lens with esbuild into dist/ and copies the two tree-sitter
// wasm files beside the bundles (the analyzer loads them from its own directory).
//   node build.mjs            one build
//   node build.mjs --watch    rebuild on change
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
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

mkdirSync(outdir, { recursive: true });
for (const wasm of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm']) {
  copyFileSync(require.resolve(wasm), path.join(outdir, path.basename(wasm)));
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
