/**
 * Builds a temporary directory of hostile Python inputs: the files of
 * test/fixtures/extract/bad-input plus generated ones (a real extension module copied from the
 * python3 installation, a 6 MB file, 5,000 nested parentheses, 1,000 nested ifs, a directory named
 * like a module) and the expectations for each file.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Expectation {
  modules: string[];
  syntaxOk: boolean;
  encoding?: string;
  problems: string[];
}

export const BAD_INPUT_FIXTURE = path.resolve(__dirname, '../fixtures/extract/bad-input');

/** A real compiled extension module of the python3 on PATH. */
function realExtensionModule(): string {
  const dir = execFileSync(
    'python3',
    ['-c', 'import sysconfig,os;print(os.path.join(sysconfig.get_paths()["platstdlib"],"lib-dynload"))'],
    { encoding: 'utf8' },
  ).trim();
  const so = readdirSync(dir).find((f) => f.endsWith('.so'));
  if (!so) throw new Error(`no extension module in ${dir}`);
  return path.join(dir, so);
}

export interface BadInputDir {
  dir: string;
  expected: Record<string, Expectation>;
  remove(): void;
}

export function makeBadInputDir(): BadInputDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-bad-input-'));
  const expected = JSON.parse(readFileSync(path.join(BAD_INPUT_FIXTURE, 'expected.json'), 'utf8')) as Record<
    string,
    Expectation
  >;
  for (const f of Object.keys(expected)) copyFileSync(path.join(BAD_INPUT_FIXTURE, f), path.join(dir, f));

  copyFileSync(realExtensionModule(), path.join(dir, 'extension.cpython-311-x86_64-linux-gnu.so'));
  expected['extension.cpython-311-x86_64-linux-gnu.so'] = {
    modules: [],
    syntaxOk: false,
    problems: ['binary'],
  };

  const line = 'value = [1, 2, 3, "padding text to make this file large enough"]\n';
  writeFileSync(
    path.join(dir, 'huge.py'),
    'import os\n' + line.repeat(Math.ceil((6 * 1024 * 1024) / line.length)),
  );
  expected['huge.py'] = { modules: [], syntaxOk: false, problems: ['too-large'] };

  writeFileSync(
    path.join(dir, 'nested_parens.py'),
    `import a\nx = ${'('.repeat(5000)}1${')'.repeat(5000)}\nimport b\n`,
  );
  expected['nested_parens.py'] = { modules: ['a', 'b'], syntaxOk: false, problems: ['syntax'] };

  const ifs = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('');
  writeFileSync(path.join(dir, 'nested_ifs.py'), `import a\n${ifs}${' '.repeat(1000)}import deep\n`);
  expected['nested_ifs.py'] = { modules: ['a', 'deep'], syntaxOk: false, problems: ['syntax'] };

  mkdirSync(path.join(dir, 'directory.py'));
  expected['directory.py'] = { modules: [], syntaxOk: false, problems: ['io'] };

  return { dir, expected, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
