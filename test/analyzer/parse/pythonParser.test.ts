/**
 * The tree-sitter loader: the Python grammar loads from the installed packages (no network, no
 * native build), parsers are independent, and a missing wasm directory is a clear error.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPythonParser, loadPythonLanguage } from '../../../analyzer/parse/pythonParser';

describe('createPythonParser', () => {
  it('parses Python with the tree-sitter-python grammar', async () => {
    const parser = await createPythonParser();
    try {
      const tree = parser.parse('import os\nfrom . import x\n')!;
      expect(tree.rootNode.type).toBe('module');
      expect(tree.rootNode.namedChildren.map((c) => c?.type)).toEqual([
        'import_statement',
        'import_from_statement',
      ]);
      tree.delete();
    } finally {
      parser.delete();
    }
  });

  it('loads the language once and hands out independent parsers', async () => {
    expect(await loadPythonLanguage()).toBe(await loadPythonLanguage());
    const [a, b] = await Promise.all([createPythonParser(), createPythonParser()]);
    try {
      const ta = a.parse('x = 1\n')!;
      const tb = b.parse('def f(:\n')!;
      expect([ta.rootNode.hasError, tb.rootNode.hasError]).toEqual([false, true]);
      ta.delete();
      tb.delete();
    } finally {
      a.delete();
      b.delete();
    }
  });

  it('names the directories it searched when the wasm files are missing', () => {
    // a fresh process whose working directory has no node_modules, pointed at an empty directory
    const script = `
      require(${JSON.stringify(require.resolve('esbuild'))}).build({ entryPoints: [${JSON.stringify(path.resolve(__dirname, '../../../analyzer/parse/pythonParser.ts'))}],
        bundle: true, platform: 'node', format: 'cjs', write: false,
        alias: { 'web-tree-sitter': ${JSON.stringify(path.resolve(__dirname, '../../../node_modules/web-tree-sitter/tree-sitter.cjs'))} },
      }).then((out) => {
        const m = { exports: {} };
        new Function('module', 'exports', 'require', '__dirname', out.outputFiles[0].text)(m, m.exports, require, '/nonexistent');
        return m.exports.createPythonParser();
      }).then(() => console.log('loaded'), (e) => console.log('ERROR ' + e.message));
    `;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: '/',
      env: {
        ...process.env,
        PYRATS_WASM_DIR: '/nonexistent-wasm-dir',
        NODE_PATH: '',
      },
      encoding: 'utf8',
    });
    expect(out).toMatch(
      /^ERROR cannot find tree-sitter\.wasm \(looked in \/nonexistent-wasm-dir, \/nonexistent\); set PYRATS_WASM_DIR/,
    );
  });
});
