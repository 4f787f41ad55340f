/**
 * A real Environment Modules (the Tcl `modulecmd.tcl`, Debian's `environment-modules` package) for
 * tests, on a machine whose Lmod it must not replace (the Debian package conflicts with `lmod`).
 * `ensureEnvironmentModules()` downloads the .deb once with `apt-get download` into the git-ignored
 * `.cache/environment-modules/`, unpacks it there with `dpkg-deb -x` (nothing is installed, nothing
 * unpacked is edited) and writes beside it `init-bash`: what the package's own `init/bash` does
 * (`eval "$(tclsh modulecmd.tcl bash autoinit)"`), but with the unpacked paths, since the packaged
 * script names /usr/lib/<arch>/modulecmd.tcl. Idempotent and safe to call from parallel test files;
 * when the download or unpacking fails it returns the reason, for a test to skip with.
 *
 * `makeTclModuleTree()` makes a Tcl modulefile tree in a temp dir: `#%Module` files whose
 * `proc ModulesHelp` prints the requirements and whose `prepend-path PATH` adds a bin dir holding a
 * `python3` symlink to a real interpreter (Debian's /usr/bin/python3 by default).
 *
 * Run `node` on the bundled file (see .ci/run) to prepare a machine ahead of the tests.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeModuleTree } from './lmod';

export interface EnvironmentModulesInstall {
  /** Where the package was unpacked (its `usr/`, `etc/`). */
  root: string;
  /** The unpacked `modulecmd.tcl`. */
  modulecmd: string;
  /** The Tcl interpreter that runs it. */
  tclsh: string;
  /** The unpacked `usr/share/modules` (MODULESHOME). */
  home: string;
  /** A bash init script that defines `module` from the unpacked copy. */
  init: string;
  /** `module --version` text, e.g. "Modules Release 5.2.0 (2022-11-08)". */
  version: string;
}

export type EnsureResult = { ok: true; install: EnvironmentModulesInstall } | { ok: false; reason: string };

/** The repository: the nearest folder up whose package.json is pyrats-lens (also from a bundle in .cache/). */
function findRepo(start: string): string {
  for (let dir = start; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'pyrats-lens') return dir;
    } catch {
      // no package.json here
    }
  }
  return path.resolve(start, '..', '..');
}

const repoRoot = findRepo(__dirname);

/** Default cache folder: `<repo>/.cache/environment-modules` (or $PYRATS_ENVIRONMENT_MODULES_DIR). */
export function environmentModulesDir(): string {
  return process.env.PYRATS_ENVIRONMENT_MODULES_DIR ?? path.join(repoRoot, '.cache', 'environment-modules');
}

function findTclsh(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean)) {
    for (const name of ['tclsh8.6', 'tclsh']) {
      const p = path.join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

function errText(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  const stderr = e.stderr ? String(e.stderr).trim() : '';
  return (stderr || e.message || String(err)).split('\n').slice(-3).join(' | ');
}

function findModulecmd(root: string): string | null {
  const lib = path.join(root, 'usr', 'lib');
  const direct = path.join(lib, 'modulecmd.tcl');
  if (existsSync(direct)) return realpathSync(direct);
  if (!existsSync(lib)) return null;
  for (const d of readdirSync(lib)) {
    const p = path.join(lib, d, 'modulecmd.tcl');
    if (existsSync(p)) return p;
  }
  return null;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Downloads (once), unpacks (once) and checks Environment Modules; never throws. */
export function ensureEnvironmentModules(log: (s: string) => void = () => {}): EnsureResult {
  const dir = environmentModulesDir();
  const tclsh = findTclsh();
  if (!tclsh) return { ok: false, reason: 'no tclsh on PATH (apt-get install tcl)' };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    return { ok: false, reason: `cannot create ${dir}: ${errText(err)}` };
  }
  const root = path.join(dir, 'root');
  if (!findModulecmd(root)) {
    let deb = readdirSync(dir).find((f) => /^environment-modules_.*\.deb$/.test(f));
    if (!deb) {
      log('environment-modules: apt-get download environment-modules');
      // Each caller downloads into its own folder; the first rename wins.
      const tmp = mkdtempSync(path.join(dir, 'download-'));
      try {
        execFileSync('apt-get', ['download', 'environment-modules'], {
          cwd: tmp,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 180_000,
        });
        const got = readdirSync(tmp).find((f) => f.endsWith('.deb'));
        if (!got) return { ok: false, reason: 'apt-get download environment-modules produced no .deb' };
        try {
          renameSync(path.join(tmp, got), path.join(dir, got));
        } catch {
          // another caller was first
        }
        deb = got;
      } catch (err) {
        return { ok: false, reason: `apt-get download environment-modules failed: ${errText(err)}` };
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    log(`environment-modules: dpkg-deb -x ${deb}`);
    const tmp = mkdtempSync(path.join(dir, 'unpack-'));
    try {
      execFileSync('dpkg-deb', ['-x', path.join(dir, deb), tmp], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      try {
        renameSync(tmp, root);
      } catch {
        // another caller was first (its copy is identical)
      }
    } catch (err) {
      return { ok: false, reason: `dpkg-deb -x ${deb} failed: ${errText(err)}` };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const modulecmd = findModulecmd(root);
  if (!modulecmd) return { ok: false, reason: `no modulecmd.tcl under ${root}/usr/lib` };
  const home = path.join(root, 'usr', 'share', 'modules');
  const init = path.join(dir, 'init-bash');
  const text = [
    '# Written by test/support/environmentModules.ts: what the package init/bash does, with the',
    '# paths of this unpacked copy (the packaged script names the installed modulecmd.tcl).',
    `export MODULESHOME=${q(home)}`,
    `eval "$(${q(tclsh)} ${q(modulecmd)} bash autoinit)"`,
    '',
  ].join('\n');
  try {
    const tmp = `${init}.${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, init);
  } catch (err) {
    return { ok: false, reason: `cannot write ${init}: ${errText(err)}` };
  }
  let version: string;
  try {
    version = execFileSync('bash', ['--noprofile', '--norc', '-c', `. ${q(init)} && module --version 2>&1`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() },
      timeout: 30_000,
    })
      .toString()
      .trim();
  } catch (err) {
    return { ok: false, reason: `the unpacked Environment Modules does not run: ${errText(err)}` };
  }
  if (!/^Modules Release \d/.test(version))
    return { ok: false, reason: `unexpected 'module --version' output: ${version.slice(0, 200)}` };
  return { ok: true, install: { root, modulecmd, tclsh, home, init, version } };
}

export interface TclTestModule {
  name: string;
  version: string;
  /** Lines that `proc ModulesHelp` prints. */
  help: string;
  /** Interpreter the module's bin/python3 links to; null: no python on PATH. */
  python?: string | null;
  /** Extra Tcl appended to the modulefile (e.g. `error "..."` or `break`). */
  extraTcl?: string;
}

export interface TclModuleTree {
  root: string;
  /** The directory to `module use`. */
  modulePath: string;
  binDir(m: { name: string; version: string }): string;
  cleanup(): void;
}

/** A Tcl string literal: "..." with the characters Tcl would substitute escaped. */
const tclString = (s: string): string => `"${s.replace(/[\\"$[\]{}]/g, (c) => `\\${c}`)}"`;

export function makeTclModuleTree(modules: TclTestModule[]): TclModuleTree {
  return writeModuleTree('pyrats-envmodules-', modules, (m, bin) => {
    const tcl = [
      '#%Module1.0',
      'proc ModulesHelp { } {',
      ...m.help.split('\n').map((l) => `    puts stderr ${tclString(l)}`),
      '}',
      `module-whatis ${tclString(`${m.name} ${m.version}`)}`,
      m.extraTcl ?? '',
      `prepend-path PATH ${tclString(bin)}`,
      '',
    ].join('\n');
    return { file: m.version, text: tcl };
  });
}
