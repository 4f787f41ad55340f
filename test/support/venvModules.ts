/**
 * Lmod modules whose python is a real virtual environment (Debian's `/usr/bin/python3 -m venv
 * --without-pip`) holding stand-in distributions: for each (name, version) a wheel is built here
 * (a real .whl zip: the package's `__init__.py` with `__version__`, METADATA, WHEEL, RECORD — written
 * by Python's zipfile, no build backend needed) and installed into the venv by Debian's pip
 * (python3-pip, `pip --python VENV install --no-index --no-deps`). What is real: Lmod, the modulefiles, the interpreter, pip's install and the
 * installed `.dist-info`; what is a stand-in: the distributions' code (a version string, not numpy).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeModuleTree, type ModuleTree } from './lmod';

export interface VenvModule {
  name: string;
  version: string;
  /** Stand-in distributions to install: distribution name → version. */
  distributions: Record<string, string>;
}

const BUILD_WHEEL = String.raw`
import base64, hashlib, sys, zipfile
out, name, version = sys.argv[1:4]
tag = name.replace('-', '_')
files = {
    f'{tag}/__init__.py': f'__version__ = "{version}"\n',
    f'{tag}-{version}.dist-info/METADATA': f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n',
    f'{tag}-{version}.dist-info/WHEEL': 'Wheel-Version: 1.0\nGenerator: pyrats-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    f'{tag}-{version}.dist-info/top_level.txt': f'{tag}\n',
}
record = []
for p, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()
    record.append(f'{p},sha256={digest},{len(text.encode())}')
record.append(f'{tag}-{version}.dist-info/RECORD,,')
files[f'{tag}-{version}.dist-info/RECORD'] = '\n'.join(record) + '\n'
with zipfile.ZipFile(out, 'w') as z:
    for p, text in files.items():
        z.writestr(p, text)
`;

/** The module tree (`module use` its modulePath); each module's prefix is a venv. Call cleanup(). */
export function makeVenvModules(modules: VenvModule[], python = '/usr/bin/python3'): ModuleTree {
  const tree = makeModuleTree(
    modules.map((m) => ({
      name: m.name,
      version: m.version,
      python: null,
      help: `${m.name} ${m.version}: a test baseline.`,
    })),
  );
  try {
    const wheels = path.join(tree.root, 'wheels');
    mkdirSync(wheels);
    for (const m of modules) {
      const prefix = path.dirname(tree.binDir({ ...m, help: '' }));
      execFileSync(python, ['-m', 'venv', '--without-pip', prefix], { stdio: 'pipe' });
      const built = Object.entries(m.distributions).map(([name, version]) => {
        const file = path.join(wheels, `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`);
        execFileSync(python, ['-c', BUILD_WHEEL, file, name, version], { stdio: 'pipe' });
        return file;
      });
      if (built.length)
        execFileSync(
          python,
          [
            ...['-m', 'pip', '--python', path.join(prefix, 'bin', 'python3'), 'install'],
            ...['--no-index', '--no-deps', '--disable-pip-version-check', '-q', ...built],
          ],
          { stdio: 'pipe', env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' } },
        );
    }
    rmSync(wheels, { recursive: true, force: true });
  } catch (err) {
    tree.cleanup();
    throw err;
  }
  return tree;
}
