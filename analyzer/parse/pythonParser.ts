/**
 * Loads tree-sitter (web-tree-sitter, wasm) with the Python grammar shipped by `tree-sitter-python`.
 *
 * The two `.wasm` files are looked up beside the running bundle (`dist/`), then in `node_modules`
 * (development and tests), or in `$PYRATS_WASM_DIR`. Nothing is fetched from the network and no
 * native module is built. This module only loads and hands out parsers; it does not walk trees.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

const RUNTIME_WASM = 'tree-sitter.wasm';
const PYTHON_WASM = 'tree-sitter-python.wasm';

/** Directories that may hold the wasm files, most specific first. */
function candidateDirectories(): string[] {
  const dirs: string[] = [];
  if (process.env.PYRATS_WASM_DIR) dirs.push(process.env.PYRATS_WASM_DIR);
  if (typeof __dirname !== 'undefined') dirs.push(__dirname);
  const req = createRequire(path.join(process.cwd(), 'package.json'));
  for (const spec of [`web-tree-sitter/${RUNTIME_WASM}`, `tree-sitter-python/${PYTHON_WASM}`]) {
    try {
      dirs.push(path.dirname(req.resolve(spec)));
    } catch {
      // not installed beside the working directory: other candidates remain
    }
  }
  return dirs;
}

function locateWasm(file: string): string {
  for (const dir of candidateDirectories()) {
    const p = path.join(dir, file);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `cannot find ${file} (looked in ${candidateDirectories().join(', ')}); set PYRATS_WASM_DIR`,
  );
}

let languagePromise: Promise<Language> | undefined;

/** The Python language, loaded once per process. */
export function loadPythonLanguage(): Promise<Language> {
  languagePromise ??= (async () => {
    const runtime = locateWasm(RUNTIME_WASM);
    await Parser.init({ locateFile: () => runtime });
    return Language.load(locateWasm(PYTHON_WASM));
  })();
  return languagePromise;
}

/** A new parser for Python. Callers own it and must `delete()` it (and every tree) when done. */
export async function createPythonParser(): Promise<Parser> {
  const language = await loadPythonLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
