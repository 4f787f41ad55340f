/**
 * `pyrats mirror` when sources fail: a PyPI index that answers 500 or refuses connections, next to
 * one that works; without NAMEs (is the index there at all?); credentials in a URL; a port fetch
 * refuses. Runs the command in-process against the fixture mirror served from 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorCommand } from '../../../server/cli/commands/mirror';
import { captureCli, type CliCapture } from '../../support/cliCapture';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';

let server: MirrorServer;
let cacheDir: string;
beforeAll(async () => {
  server = await startMirrorServer(path.resolve(__dirname, '../../fixtures/mirror/tree'));
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-cli-mirror-'));
});
afterAll(async () => {
  await server.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

const run = (args: string[]): Promise<CliCapture> =>
  captureCli((io) => mirrorCommand.run([...args, '--cache-dir', cacheDir, '--refresh'], io));

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('pyrats mirror with failing PyPI indexes', () => {
  it('the only index fails: the name is unknown, not "not on the mirror", and the exit status is 3', async () => {
    const r = await run(['seaborn', '--mirror', `pypi:${server.url}/fail500/simple`]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`pypi ${server.url}/fail500/simple: FAILED (cache only)`);
    expect(r.out).toContain('seaborn (seaborn):\n  unknown: no mirror source answered\n');
    expect(r.out).not.toContain('not on the mirror');
    expect(r.err).toContain('HTTP 500');
  });

  it('one index fails, one answers: found names are found; a name not found says where it is unknown', async () => {
    const both = [
      '--mirror',
      `pypi:${server.url}/fail500/simple`,
      '--mirror',
      `pypi:${server.url}/ok/simple`,
    ];
    const found = await run(['seaborn', ...both]);
    expect(found.code).toBe(0);
    expect(found.out).toMatch(/seaborn \(seaborn\):\n {2}pypi .*: seaborn 0\.12\.2, 0\.13\.0/);
    const absent = await run(['definitely_not_there', ...both]);
    expect(absent.code).toBe(1);
    expect(absent.out).toContain(
      `  not on the sources that answered; unknown on ${server.url}/fail500/simple (failed)\n`,
    );
  });

  it('without NAMEs an index is asked whether it answers: refused connection, exit 3, in words', async () => {
    const port = await closedPort();
    const r = await run(['--mirror', `pypi:http://127.0.0.1:${port}/simple`]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`pypi http://127.0.0.1:${port}/simple: FAILED (cache only)`);
    expect(r.err).toContain(`http://127.0.0.1:${port}/simple/pip/: connection refused (nothing listening)\n`);
    const ok = await run(['--mirror', `pypi:${server.url}/ok/simple`]);
    expect(ok.code).toBe(0);
    expect(ok.out).not.toContain('FAILED');
  });

  it('a port that fetch refuses is named as such (no connection is made)', async () => {
    const r = await run(['--mirror', 'pypi:http://127.0.0.1:6000/simple']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('port 6000 is one that fetch refuses to connect to (use another port)');
  });

  it('a password in an index URL is never printed (text and JSON), and the index is used with it', async () => {
    const host = server.url.replace('http://', '');
    const url = `pypi:http://jdoe:s3cret@${host}/auth/simple`;
    const text = await run(['seaborn', '--mirror', url]);
    const json = await run(['seaborn', '--mirror', url, '--format', 'json']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/seaborn 0\.12\.2, 0\.13\.0/);
    expect(text.out).toContain(`pypi  http://jdoe:***@${host}/auth/simple  (from --mirror)`);
    for (const r of [text, json]) expect(r.out + r.err).not.toContain('s3cret');
    expect(JSON.parse(json.out).sources[0].url).toBe(`http://jdoe:***@${host}/auth/simple`);
  });
});
