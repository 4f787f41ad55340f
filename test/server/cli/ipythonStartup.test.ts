/**
 * The README's IPython startup recipe for logging notebook runs, run for real: the startup file is
 * taken verbatim from README.md, a real ipykernel (Debian's python3-ipykernel with /usr/bin/python3,
 * driven by jupyter_client) starts with it for a notebook named by JPY_SESSION_NAME (as
 * jupyter_server 2 sets it), runs one cell, and the PyRats record of the notebook arrives at a UDP
 * log host on 127.0.0.1 — sent by `pyrats emit` (the bundled CLI) in the background.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../support/bundledCli';
import { REPO } from '../../support/repo';

const PYTHON = '/usr/bin/python3';
const kernelMissing = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import ipykernel, jupyter_client'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'no ipykernel/jupyter_client for /usr/bin/python3 (apt-get install python3-ipykernel)';
  }
})();

/** The ```python block of README.md's section on the IPython startup file. */
function startupFileFromReadme(): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Logging notebook runs: an IPython startup file'));
  const m = /```python\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no startup file block');
  return m[1];
}

const DRIVER = `
import jupyter_client
km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", startup_timeout=90)
try:
    reply = kc.execute_interactive("x = 1 + 1", timeout=90)
    assert reply["content"]["status"] == "ok", reply
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
`;

let tmp: string;
let udp: Socket;
const datagrams: Buffer[] = [];

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyrats-ipython-')));
  udp = createSocket('udp4');
  udp.on('message', (m) => datagrams.push(m));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
});
afterAll(() => {
  udp?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(kernelMissing !== null)(
  `IPython startup recipe${kernelMissing ? ` (skipped: ${kernelMissing})` : ''}`,
  () => {
    it('a kernel running a notebook sends its PyRats record through pyrats emit', async () => {
      const notebook = path.join(tmp, 'nb.ipynb');
      const cell = {
        cell_type: 'code',
        metadata: {},
        outputs: [],
        execution_count: null,
        source: 'import helper\n',
      };
      writeFileSync(path.join(tmp, 'helper.py'), 'x = 1\n');
      writeFileSync(
        notebook,
        JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }),
      );
      const startup = path.join(tmp, 'ipython', 'profile_default', 'startup');
      mkdirSync(startup, { recursive: true });
      writeFileSync(path.join(startup, '50-pyrats.py'), startupFileFromReadme());
      const bin = path.join(tmp, 'bin');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'pyrats'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(path.join(bin, 'pyrats'), 0o755);
      const port = udp.address().port;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        IPYTHONDIR: path.join(tmp, 'ipython'),
        JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
        JUPYTER_DATA_DIR: path.join(tmp, 'data'),
        JUPYTER_CONFIG_DIR: path.join(tmp, 'config'),
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
        JPY_SESSION_NAME: notebook,
        PYRATS_LOG_HOST: `udp://127.0.0.1:${port}`,
      };
      delete env.PYRATS_DISABLE;
      const driver = spawn(PYTHON, ['-c', DRIVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      driver.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => driver.on('close', resolve));
      expect(code, stderr).toBe(0);
      const deadline = Date.now() + 60_000;
      const ours = () => datagrams.find((d) => d.includes(`('${tmp}', 'nb.ipynb')`));
      while (!ours() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const record = ours();
      expect(record, `no record within 60 s; got ${datagrams.length} datagrams`).toBeDefined();
      const text = record!.toString('utf8');
      expect(text.startsWith('<14>Python: ts=')).toBe(true);
      expect(text).toContain(`python=${PYTHON};`);
      expect(text).toContain(`message=((('${tmp}', 'nb.ipynb'), ('${tmp}', 'helper.py')))`);
      expect(record![record!.length - 1]).toBe(0);
    }, 180_000);
  },
);
