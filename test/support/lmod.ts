/**
 * Real environment modules for tests: whether Lmod is installed (so a test can skip with the reason
 * when it is not), and a modulefile tree made in a temp dir. Each module's `help([[...]])` lists its
 * requirements (as NOAA's baseline modules do) and its `prepend_path("PATH", ...)` puts a bin dir
 * holding a `python3` symlink to a real interpreter (Debian's /usr/bin/python3 by default) on PATH.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Null when Lmod can be used here, else why not. */
export function lmodMissingReason(): string | null {
  try {
    execFileSync('dpkg', ['-s', 'lmod'], { stdio: 'ignore' });
  } catch {
    if (!existsSync('/usr/share/lmod/lmod/init/bash')) return 'Lmod is not installed (apt-get install lmod)';
  }
  return null;
}

export interface TestModule {
  name: string;
  version: string;
  help: string;
  /** Interpreter the module's bin/python3 links to; null: no python on PATH. */
  python?: string | null;
  /** Extra Lua appended to the modulefile (e.g. an LmodError call, or a slow os.execute). */
  extraLua?: string;
}

export interface ModuleTree {
  root: string;
  /** The directory to `module use`. */
  modulePath: string;
  binDir(m: TestModule): string;
  cleanup(): void;
}

/**
 * A module tree in a fresh temporary folder `<prefix>XXXXXX` (Lmod's here, the Tcl one in
 * environmentModules.ts): per module an `apps/NAME/VERSION/bin` whose python3 links to the module's
 * interpreter (default /usr/bin/python3, none for null) and the modulefile
 * `modulefiles/NAME/<file>` holding `text`, both from `modulefile(m, bin)`.
 */
export function writeModuleTree<M extends { name: string; version: string; python?: string | null }>(
  prefix: string,
  modules: M[],
  modulefile: (m: M, bin: string) => { file: string; text: string },
): {
  root: string;
  modulePath: string;
  binDir(m: { name: string; version: string }): string;
  cleanup(): void;
} {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const modulePath = path.join(root, 'modulefiles');
  const binDir = (m: { name: string; version: string }): string =>
    path.join(root, 'apps', m.name, m.version, 'bin');
  for (const m of modules) {
    mkdirSync(path.join(modulePath, m.name), { recursive: true });
    const bin = binDir(m);
    mkdirSync(bin, { recursive: true });
    const python = m.python === undefined ? '/usr/bin/python3' : m.python;
    if (python) symlinkSync(python, path.join(bin, 'python3'));
    const { file, text } = modulefile(m, bin);
    writeFileSync(path.join(modulePath, m.name, file), text);
  }
  return { root, modulePath, binDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function makeModuleTree(modules: TestModule[]): ModuleTree {
  return writeModuleTree('pyrats-lmod-', modules, (m, bin) => {
    const lua = [
      '-- -*- lua -*-',
      `help([[\n${m.help}\n]])`,
      `whatis("Name: ${m.name}")`,
      `whatis("Version: ${m.version}")`,
      `prepend_path("PATH", "${bin}")`,
      'family("python")',
      m.extraLua ?? '',
      '',
    ].join('\n');
    return { file: `${m.version}.lua`, text: lua };
  });
}
