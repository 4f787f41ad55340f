/**
 * `pyrats deps`: every output format, --internal/--external/--no-follow, --profile python, snapshots,
 * usage errors and failures with their exit statuses and messages. Runs the command in-process on
 * copies of the parity cases and the resolve fixture, with the `python3` on PATH.
 */
import { chmodSync, cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../analyzer/env/environment';
import { introspectInterpreter } from '../../../analyzer/env/introspect';
import { main } from '../../../server/cli/main';
import { copyCase } from '../../support/pyratsCases';
import { captureCli } from '../../support/cliCapture';

/** Runs `pyrats ARGS` in-process; relative script paths are taken relative to `cwd`. */
async function cli(args: string[], cwd?: string) {
  // the first positional after the command is the script: make it absolute (the parity suite runs
  // dist/cli.js with the case directory as working directory)
  const argv = cwd ? args.map((a, i) => (i === 1 && !a.startsWith('-') ? path.join(cwd, a) : a)) : args;
  return captureCli((io) => main(argv, io));
}

let env: Environment;
let tmp: string;
const cleanups: (() => void)[] = [];
function caseDir(name: string): string {
  const c = copyCase(name);
  cleanups.push(c.cleanup);
  return c.dir;
}

const savedCacheHome = process.env.XDG_CACHE_HOME;
beforeAll(async () => {
  env = await introspectInterpreter('python3');
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-deps-')));
  // the command's caches go to the temporary directory, not the user's ~/.cache
  process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
});
afterAll(() => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  for (const c of cleanups) c();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('pyrats deps formats', () => {
  it("sfood: one repr per line, every source's (None, None) line first, sources in pair order", async () => {
    const fix = caseDir('05_from_dot_import');
    const { code, out, err } = await cli(['deps', 'pkg/main.py'], fix);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.split('\n').filter(Boolean)).toEqual([
      `(('${fix}', 'pkg'), (None, None))`,
      `(('${fix}', 'pkg/main.py'), (None, None))`,
      `(('${fix}', 'pkg/main.py'), ('${fix}', 'pkg'))`,
      `(('${fix}', 'pkg/main.py'), ('${fix}', 'pkg/sibling.py'))`,
      `(('${fix}', 'pkg/sibling.py'), (None, None))`,
    ]);
  });

  it('--external keeps only targets outside the input roots and drops (None, None); --internal the inside ones', async () => {
    const fix = caseDir('12_extension_module');
    const ext = await cli(['deps', 'main.py', '--external'], fix);
    const extLines = ext.out.split('\n').filter(Boolean);
    expect(extLines.length).toBe(3);
    for (const l of extLines) expect(l).toContain('/lib-dynload');
    expect(ext.out).not.toContain('None');
    const int = await cli(['deps', 'main.py', '--internal'], fix);
    expect(int.out.split('\n').filter(Boolean)).toEqual([
      `(('${fix}', 'fastmod.cpython-311-x86_64-linux-gnu.so'), (None, None))`,
      `(('${fix}', 'main.py'), (None, None))`,
      `(('${fix}', 'main.py'), ('${fix}', 'fastmod.cpython-311-x86_64-linux-gnu.so'))`,
    ]);
  });

  it('--no-follow: only the scripts’ own imports', async () => {
    const fix = caseDir('22_follow_chain');
    const followed = await cli(['deps', 'main.py', '--format', 'records'], fix);
    const single = await cli(['deps', 'main.py', '--format', 'records', '--no-follow'], fix);
    expect(followed.out.split('\n').filter(Boolean).length).toBeGreaterThan(1);
    const lines = single.out.split('\n').filter(Boolean);
    expect(lines.length).toBe(1);
    expect(lines[0].startsWith(`((('${fix}', 'main.py'), `)).toBe(true);
  });

  it('json: roots, sources, edges with status, problems', async () => {
    const fix = caseDir('18_syntax_error_dep');
    const { code, out, err } = await cli(['deps', 'main.py', '--format', 'json'], fix);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.profile).toBe('compat');
    expect(doc.roots).toEqual([fix]);
    expect(doc.sources.map((s: { from: string[] }) => s.from[1])).toContain('main.py');
    expect(doc.edges.length).toBeGreaterThan(0);
    for (const e of doc.edges) expect(['local', 'stdlib', 'thirdParty', 'builtin']).toContain(e.status);
    expect(doc.problems.length).toBe(1);
    expect(doc.problems[0].kind).toBe('syntax');
    // the broken dependency is named on stderr with its line
    expect(err).toMatch(new RegExp(`^pyrats deps: ${fix}/\\S+\\.py:\\d+: `, 'm'));
    const quiet = await cli(['deps', 'main.py', '--quiet'], fix);
    expect(quiet.err).toBe('');
  });

  it('dot and mermaid: a node per pair, an edge per dependency', async () => {
    const fix = caseDir('17_package_via_init');
    const dot = (await cli(['deps', 'main.py', '--format', 'dot'], fix)).out;
    expect(dot.startsWith('digraph dependencies {')).toBe(true);
    expect(dot.trim().endsWith('}')).toBe(true);
    expect(dot.match(/ -> /g)?.length).toBe(4);
    expect(dot).toContain('label="mypkg/other.py"');
    const mermaid = (await cli(['deps', 'main.py', '--format', 'mermaid'], fix)).out;
    expect(mermaid.startsWith('graph LR\n')).toBe(true);
    expect(mermaid.match(/ --> /g)?.length).toBe(4);
    expect(mermaid).toContain('["pkgb/sub.py"]');
  });
});

describe('pyrats deps --profile python', () => {
  it('resolves with modern semantics: namespace packages, frozen modules, packages followed', async () => {
    const proj = path.join(tmp, 'project');
    cpSync(path.resolve(__dirname, '../../fixtures/resolve/project'), proj, { recursive: true });
    const { code, out } = await cli(['deps', 'app/main.py', '--profile', 'python', '--format', 'json'], proj);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    const fromMain = doc.edges.filter((e: { from: string[] }) => e.from[1] === 'main.py');
    const files = fromMain.map((e: { file: string }) => path.relative(proj, e.file));
    expect(files).toEqual(
      expect.arrayContaining([
        'app/pkg/__init__.py',
        'app/pkg/helper.py',
        'app/pkg/sub/leaf.py',
        'app/fastmod.so',
      ]),
    );
    // frozen os and importlib.util point at their stdlib sources, status stdlib
    const osEdge = fromMain.find((e: { file: string }) => e.file.endsWith('/os.py'));
    expect(osEdge.status).toBe('stdlib');
    // the package was followed through its __init__.py: pkg/mod.py is not imported, leaf.py is, and read
    expect(doc.sources.map((s: { from: string[] }) => s.from[1])).toEqual(
      expect.arrayContaining(['pkg/sub/leaf.py']),
    );
    // unresolved imports are listed
    expect(doc.unresolved.map((u: { module: string }) => u.module)).toContain('missing_module');
  });
});

describe('pyrats deps errors and exit statuses', () => {
  it('--help explains formats and exit statuses', async () => {
    const { code, out } = await cli(['deps', '--help']);
    expect(code).toBe(0);
    for (const word of [
      '--format',
      'records',
      'sfood',
      '--internal',
      '--external',
      '--no-follow',
      'Exit status',
    ]) {
      expect(out).toContain(word);
    }
  });

  it('usage errors exit 2 with a hint', async () => {
    for (const args of [
      ['deps'],
      ['deps', 'x.py', '--format', 'xml'],
      ['deps', 'x.py', '--profile', 'py2'],
      ['deps', 'x.py', '--internal', '--external'],
      ['deps', 'x.py', '--bogus'],
    ]) {
      const { code, err } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toContain("Try 'pyrats deps --help'");
    }
  });

  it('a missing script exits 3 and names it', async () => {
    const { code, err } = await cli(['deps', path.join(tmp, 'nope.py')]);
    expect(code).toBe(3);
    expect(err).toContain(`${path.join(tmp, 'nope.py')}: no such file or directory`);
  });

  it('a broken interpreter exits 3 and says why', async () => {
    const bad = path.join(tmp, 'badpython');
    writeFileSync(bad, '#!/bin/sh\necho boom >&2\nexit 7\n');
    chmodSync(bad, 0o755);
    const fix = caseDir('01_plain_import');
    const { code, err, out } = await cli(['deps', 'main.py', '--python', bad, '--no-cache'], fix);
    expect(code).toBe(3);
    expect(out).toBe('');
    expect(err).toContain(`interpreter ${bad} failed (exit status 7): boom`);
  });

  it('--save-env writes a snapshot that --env reads back with the same result', async () => {
    const fix = caseDir('22_follow_chain');
    const snap = path.join(tmp, 'env.json');
    const a = await cli(['deps', 'main.py', '--format', 'records', '--save-env', snap], fix);
    const b = await cli(['deps', 'main.py', '--format', 'records', '--env', snap], fix);
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(env.executable.length).toBeGreaterThan(0);
  });
});
