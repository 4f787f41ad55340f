/**
 * Writes the standalone graph page: one self-contained HTML file holding the graph bundle
 * (dist/media/graph.js, d3 included), its stylesheet and the payload as a JSON data block, so it
 * opens from disk in any browser without a server. The page keeps the webview's rules: a CSP with
 * `default-src 'none'` and a per-page nonce for its one script and style, data never parsed as HTML.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphPayload } from './protocol';

export interface GraphAssets {
  script: string;
  css: string;
}

/** Where the graph bundle may be: beside the CLI bundle (dist/), or in the repo's dist/ when run from source. */
function candidateDirs(): string[] {
  const here = __dirname;
  return [
    path.join(here, 'media'),
    path.join(here, '..', 'dist', 'media'),
    path.join(here, '..', '..', 'dist', 'media'),
    path.join(here, '..', '..', '..', 'dist', 'media'),
  ];
}

/** Reads the built graph bundle; throws a clear error when it was not built. */
export function loadGraphAssets(dir?: string): GraphAssets {
  const dirs = dir ? [dir] : candidateDirs();
  for (const d of dirs) {
    const js = path.join(d, 'graph.js');
    const css = path.join(d, 'graph.css');
    if (existsSync(js) && existsSync(css)) {
      return { script: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
    }
  }
  throw new Error(
    `the graph bundle (media/graph.js, graph.css) was not found in ${dirs.join(', ')}; run 'npm run build'`,
  );
}

/** JSON safe inside a `<script type="application/json">` element: no `</script>`, no comment openers. */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function htmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline code must not close its element early. */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code
    .replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`)
    .replace(/\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/\/\*# sourceMappingURL=.*?\*\//g, '');
}

export function graphPageHtml(payload: GraphPayload, assets: GraphAssets = loadGraphAssets()): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pyrats graph">
<title>${htmlText(payload.title)} — dependency graph</title>
<style nonce="${nonce}">${inlineSafe(assets.css, 'style')}</style>
</head>
<body>
<div id="pyrats-graph"></div>
<script type="application/json" id="pyrats-graph-data">${jsonForScriptElement(payload)}</script>
<script nonce="${nonce}">${inlineSafe(assets.script, 'script')}</script>
</body>
</html>
`;
}
