/**
 * The mirror client against a real HTTP server on 127.0.0.1 serving a fixture tree: two conda
 * channels (linux-64 + noarch, packages + packages.conda) and a PyPI simple index (JSON and HTML);
 * plus sources that answer 500, hang, or send malformed bodies. No request leaves 127.0.0.1.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Mirror } from '../../../analyzer/mirror/mirror';
import type { MirrorSource } from '../../../analyzer/mirror/mirrorConfig';
import { startMirrorServer, type MirrorServer } from '../../support/mirrorServer';
import { tempDirForTest } from '../../support/tempDir';

const tree = path.resolve(__dirname, '../../fixtures/mirror/tree');
const subdirs = ['linux-64', 'noarch'];
let server: MirrorServer;
let cacheDir: string;

const conda = (url: string): MirrorSource => ({ kind: 'conda', url, from: 'test' });
const pypi = (url: string): MirrorSource => ({ kind: 'pypi', url, from: 'test' });
const want = (pypiName: string, condaName = pypiName.toLowerCase()) => [{ pypi: pypiName, conda: condaName }];

beforeAll(async () => {
  server = await startMirrorServer(tree);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  cacheDir = tempDirForTest('pyrats-mirror-');
  server.requests.length = 0;
  server.mode = 'ok';
});

describe('mirror over HTTP', () => {
  it('reads both conda channels, platform subdir and noarch, .tar.bz2 and .conda entries', async () => {
    const m = await Mirror.open(
      [conda(`${server.url}/ok/conda/main`), conda(`${server.url}/ok/conda/conda-forge`)],
      { cacheDir, subdirs },
    );
    expect(m.problems).toEqual([]);
    expect(await m.lookup(want('cartopy'))).toEqual([
      {
        source: `${server.url}/ok/conda/main`,
        label: 'main',
        kind: 'conda',
        name: 'cartopy',
        versions: ['0.21.1', '0.22.0'],
        subdirs: ['linux-64'],
        pythonPackage: true,
        // no metadata, no table entry, but conda-forge's mapping: the package ships the
        // distribution named as the import itself
        provides: true,
        why: "conda-forge mapping: ships cartopy, the import's own name",
      },
    ]);
    const torch = await m.lookup(want('torch', 'pytorch'));
    expect(torch.map((h) => [h.label, h.name, h.versions])).toEqual([
      ['conda-forge', 'pytorch', ['2.1.0', '2.1.2']],
    ]);
    expect((await m.lookup(want('metpy')))[0]).toMatchObject({
      label: 'main',
      versions: ['1.5.1', '1.6.0'],
      subdirs: ['noarch'],
    });
    expect(await m.lookup(want('no-such-thing'))).toEqual([]);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/ok/conda/conda-forge/linux-64/repodata.json',
      '/ok/conda/conda-forge/noarch/repodata.json',
      '/ok/conda/main/linux-64/repodata.json',
      '/ok/conda/main/noarch/repodata.json',
    ]);
  });

  it('a per-request timeout over 2^31-1 ms is a long wait, not an immediate abort', async () => {
    const m = await Mirror.open([pypi(`${server.url}/ok/simple`), conda(`${server.url}/ok/conda/main`)], {
      cacheDir: false,
      subdirs,
      timeoutMs: 1e10,
    });
    expect(m.problems).toEqual([]);
    expect((await m.lookup(want('seaborn'))).map((h) => h.versions)).toEqual([['0.12.2', '0.13.0']]);
    expect(m.problems).toEqual([]);
  });

  it('asks the simple index per project: PEP 691 JSON by Accept, HTML when that is all there is', async () => {
    const m = await Mirror.open([pypi(`${server.url}/ok/simple`)], { cacheDir });
    const [seaborn] = await m.lookup(want('seaborn'));
    expect(seaborn).toMatchObject({ kind: 'pypi', name: 'seaborn', versions: ['0.12.2', '0.13.0'] });
    const [herbie] = await m.lookup(want('herbie-data'));
    expect(herbie.versions).toEqual(['2024.3.0']);
    const [sklearn] = await m.lookup(want('scikit-learn'));
    expect(sklearn.versions).toEqual(['1.3.2', '1.4.0']); // 1.4.1 is yanked
    expect(await m.lookup(want('not-on-the-index'))).toEqual([]);
    expect(m.problems).toEqual([]);
    const first = server.requests.find((r) => r.path === '/ok/simple/seaborn/');
    expect(first?.accept).toMatch(/application\/vnd\.pypi\.simple\.v1\+json/);
    expect(server.requests.some((r) => r.path === '/ok/simple/' || r.path === '/ok/simple')).toBe(false);
  });

  it('a PEP 503-only (HTML) index gives the same answers', async () => {
    const m = await Mirror.open([pypi(`${server.url}/html/simple`)], { cacheDir });
    expect((await m.lookup(want('scikit-learn')))[0].versions).toEqual(['1.3.2', '1.4.0']);
    expect((await m.lookup(want('netCDF4')))[0].versions).toEqual(['1.6.1', '1.6.2', '1.7.1']);
  });

  it('serves from the cache within the TTL, revalidates with ETag / Last-Modified after it (304)', async () => {
    const sources = [conda(`${server.url}/ok/conda/main`), pypi(`${server.url}/ok/simple`)];
    const a = await Mirror.open(sources, { cacheDir, subdirs });
    await a.lookup(want('seaborn'));
    await a.lookup(want('cartopy')); // not on the index: the 404 is cached too
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200, 404]);
    server.requests.length = 0;
    const b = await Mirror.open(sources, { cacheDir, subdirs, ttlMs: 60_000 });
    expect((await b.lookup(want('seaborn')))[0].versions).toEqual(['0.12.2', '0.13.0']);
    expect((await b.lookup(want('cartopy')))[0].versions).toEqual(['0.21.1', '0.22.0']);
    expect(server.requests).toEqual([]);
    const c = await Mirror.open(sources, { cacheDir, subdirs, ttlMs: 0 });
    expect((await c.lookup(want('seaborn')))[0].versions).toEqual(['0.12.2', '0.13.0']);
    expect((await c.lookup(want('cartopy')))[0].versions).toEqual(['0.21.1', '0.22.0']);
    expect(server.requests.map((r) => r.status)).toEqual([304, 304, 304, 404]);
  });

  it('500, a hanging server and malformed JSON: each reported, the good source still answers', async () => {
    const m = await Mirror.open(
      [
        conda(`${server.url}/fail500/conda/main`),
        conda(`${server.url}/malformed/conda/conda-forge`),
        conda(`${server.url}/ok/conda/main`),
        pypi(`${server.url}/hang/simple`),
      ],
      { cacheDir, subdirs, timeoutMs: 400 },
    );
    expect((await m.lookup(want('cartopy'))).map((h) => h.source)).toEqual([`${server.url}/ok/conda/main`]);
    expect(await m.lookup(want('seaborn'))).toEqual([]);
    const text = m.problems.map((p) => `${p.source} ${p.message}`).join('\n');
    expect(text).toMatch(/fail500\/conda\/main\/linux-64\/repodata\.json: HTTP 500/);
    expect(text).toMatch(/malformed\/conda\/conda-forge\/noarch\/repodata\.json: repodata is not valid JSON/);
    expect(text).toMatch(/hang\/simple\/cartopy\/: no complete answer within 400 ms/);
    expect(text).toMatch(/this index failed; answering the remaining lookups from the cache only/);
    // One timeout, not one per lookup: the hanging index was asked once.
    expect(server.requests.filter((r) => r.path.startsWith('/hang/')).length).toBe(1);
    expect(m.describe().join('\n')).toMatch(/fail500\/conda\/main: linux-64 FAILED, noarch FAILED/);
  });

  it.each(['fail500', 'hang', 'malformed'] as const)(
    'when the mirror later %s, the cached copy answers and its age is said',
    async (mode) => {
      const sources = [conda(`${server.url}/switch/conda/main`), pypi(`${server.url}/switch/simple`)];
      const warm = await Mirror.open(sources, { cacheDir, subdirs });
      await warm.lookup(want('seaborn'));
      server.mode = mode;
      const m = await Mirror.open(sources, { cacheDir, subdirs, ttlMs: 0, timeoutMs: 400 });
      const [cartopy] = await m.lookup(want('cartopy'));
      expect(cartopy.versions).toEqual(['0.21.1', '0.22.0']);
      expect(cartopy.cachedAgeMs).toBeGreaterThanOrEqual(0);
      const [seaborn] = await m.lookup(want('seaborn'));
      expect(seaborn.versions).toEqual(['0.12.2', '0.13.0']);
      const text = m.problems.map((p) => p.message).join('\n');
      expect(text).toMatch(/using the cached (copy|page) from \d+ s ago/);
      expect(text).toMatch(
        mode === 'fail500'
          ? /HTTP 500/
          : mode === 'hang'
            ? /no complete answer within 400 ms/
            : /not valid JSON/,
      );
    },
  );

  it('offline: answers from the cache whatever its age, and says which sources were never cached', async () => {
    const sources = [conda(`${server.url}/ok/conda/main`), pypi(`${server.url}/ok/simple`)];
    await (await Mirror.open(sources, { cacheDir, subdirs })).lookup(want('seaborn'));
    server.requests.length = 0;
    const m = await Mirror.open([...sources, conda(`${server.url}/ok/conda/conda-forge`)], {
      cacheDir,
      subdirs,
      offline: true,
      ttlMs: 0,
    });
    expect((await m.lookup(want('seaborn')))[0].versions).toEqual(['0.12.2', '0.13.0']);
    const [cartopy] = await m.lookup(want('cartopy'));
    expect(cartopy.versions).toEqual(['0.21.1', '0.22.0']);
    expect(cartopy.cachedAgeMs).toBeGreaterThanOrEqual(0);
    expect(server.requests).toEqual([]);
    const text = m.problems.map((p) => p.message).join('\n');
    expect(text).toMatch(/offline; using the cached index from \d+ s ago/);
    expect(text).toMatch(/conda-forge\/linux-64\/repodata\.json: offline and not in the cache/);
  });

  it('follows redirects and refuses bodies over the size cap', async () => {
    const r = await Mirror.open([conda(`${server.url}/redirect/conda/main`)], { cacheDir, subdirs });
    expect((await r.lookup(want('cartopy')))[0].versions).toEqual(['0.21.1', '0.22.0']);
    const big = await Mirror.open([conda(`${server.url}/ok/conda/main`)], {
      cacheDir: false,
      subdirs,
      maxBytes: 200,
    });
    expect(big.problems.map((p) => p.message).join('\n')).toMatch(/more than the 200-byte limit/);
    expect(await big.lookup(want('cartopy'))).toEqual([]);
  });

  it("suggests names from the PyPI index's root list, which the size cap bounds too", async () => {
    const decoys = await startMirrorServer(path.resolve(__dirname, '../../fixtures/mirror-decoys'));
    try {
      const sources = [pypi(`${decoys.url}/ok/both/simple`)];
      const open = await Mirror.open(sources, { cacheDir: false, subdirs });
      expect(await open.nearestNames('metpi')).toEqual(['MetPy']);
      // the root list (about 300 bytes) is over a 200-byte cap: no names from it, as for a project page
      const capped = await Mirror.open(sources, { cacheDir: false, subdirs, maxBytes: 200 });
      expect(await capped.nearestNames('metpi')).toEqual([]);
      expect(decoys.requests.filter((r) => r.path === '/ok/both/simple/').map((r) => r.status)).toEqual([
        200, 200,
      ]);
    } finally {
      await decoys.close();
    }
  });

  it('a channel without the platform subdir is fine; a channel with none of them is reported', async () => {
    const m = await Mirror.open(
      [conda(`${server.url}/ok/conda/main`), conda(`${server.url}/ok/conda/nowhere`)],
      {
        cacheDir,
        subdirs: ['linux-aarch64', 'noarch'],
      },
    );
    expect((await m.lookup(want('metpy')))[0].subdirs).toEqual(['noarch']);
    expect(m.problems.map((p) => p.message)).toEqual([
      `${server.url}/ok/conda/nowhere/linux-aarch64/repodata.json: not found (HTTP 404)`,
      `${server.url}/ok/conda/nowhere/noarch/repodata.json: not found (HTTP 404)`,
    ]);
  });

  it('sends credentials given in the URL as Basic auth, and never shows the password', async () => {
    const secret = `${server.url.replace('http://', 'http://jdoe:s3cret@')}/auth`;
    const m = await Mirror.open([conda(`${secret}/conda/main`), pypi(`${secret}/simple`)], {
      cacheDir,
      subdirs,
    });
    expect(m.problems).toEqual([]);
    const [hit] = await m.lookup(want('cartopy'));
    expect(hit.versions).toEqual(['0.21.1', '0.22.0']);
    expect(hit.source).toBe(`${server.url.replace('http://', 'http://jdoe:***@')}/auth/conda/main`);
    expect((await m.lookup(want('seaborn')))[0].source).not.toMatch(/s3cret/);
    const wrong = await Mirror.open(
      [conda(`${server.url.replace('http://', 'http://jdoe:nope@')}/auth/conda/main`)],
      { cacheDir, subdirs },
    );
    const text = wrong.problems.map((p) => `${p.source} ${p.message}`).join('\n');
    expect(text).toMatch(/HTTP 401/);
    expect(text).not.toMatch(/nope/);
    expect(wrong.describe().join('\n')).not.toMatch(/nope/);
  });

  it('gives up on redirect loops and on bodies that stop half-way', async () => {
    const m = await Mirror.open(
      [conda(`${server.url}/loop/conda/main`), conda(`${server.url}/stall/conda/conda-forge`)],
      {
        cacheDir,
        subdirs: ['noarch'],
        timeoutMs: 500,
      },
    );
    const text = m.problems.map((p) => p.message).join('\n');
    expect(text).toMatch(/loop\/conda\/main\/noarch\/repodata\.json: more than 10 redirects/);
    expect(text).toMatch(
      /stall\/conda\/conda-forge\/noarch\/repodata\.json: no complete answer within 500 ms/,
    );
    expect(server.requests.filter((r) => r.path.startsWith('/loop/')).length).toBe(11);
  });

  it('reads a local copy through file:// URLs', async () => {
    const base = pathToFileURL(tree).toString();
    const m = await Mirror.open([conda(`${base}/conda/conda-forge`), pypi(`${base}/simple`)], {
      cacheDir,
      subdirs,
    });
    expect(m.problems).toEqual([]);
    expect((await m.lookup(want('opencv-python', 'opencv')))[0]).toMatchObject({
      kind: 'conda',
      name: 'opencv',
      versions: ['4.8.0'],
    });
    expect((await m.lookup(want('seaborn')))[0].versions).toEqual(['0.12.2', '0.13.0']);
    const again = await Mirror.open([conda(`${base}/conda/conda-forge`)], { cacheDir, subdirs });
    expect(again.channels[0].states.map((s) => s.via)).toEqual(['derived', 'derived']);
  });

  it('a file:// index whose folder is not there is a failed source, not an index without the project', async () => {
    const base = pathToFileURL(tree).toString();
    const absent = `${base}/no-such-simple`;
    const m = await Mirror.open([pypi(absent), pypi(`${base}/simple`)], { cacheDir: false });
    expect((await m.lookup(want('seaborn'))).map((h) => h.label)).toEqual([`${base}/simple`]);
    expect(m.failed(absent)).toBe(true);
    expect(m.failed(`${base}/simple`)).toBe(false);
    expect(m.problems[0]).toEqual({
      source: absent,
      message: `${path.join(tree, 'no-such-simple')}: no such directory`,
    });
    // a project the present index lacks is just not there
    expect(await m.lookup(want('no-such-project'))).toEqual([]);
    expect(m.failed(`${base}/simple`)).toBe(false);
  });
});
