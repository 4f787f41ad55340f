/**
 * `pyrats request`: against a real syslog-ng on loopback and a local webhook; dry run, failures kept
 * in the outbox, `--list`, `--retry`, usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestMessage, type PackageRequest } from '../../../analyzer/pyrats/packageRequest';
import { main } from '../../../server/cli/main';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';
import { captureCli } from '../../support/cliCapture';

const cli = (args: string[], stdinText?: string) => captureCli((io) => main(args, io), stdinText);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-request-cli-'));
const script = path.join(tmp, 'ocean.py');
writeFileSync(
  script,
  'import numpy as np\nimport yaml\nfrom netCDF4 import Dataset\n\ndef f():\n    import yaml.loader\n',
);
const outbox = path.join(tmp, 'outbox');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pyrats request: usage', () => {
  it('needs a package and a destination, and says which is wrong', async () => {
    expect((await cli(['request', '--to', 'udp://127.0.0.1:9', '--outbox', outbox])).err).toMatch(
      /name at least one package/,
    );
    const noSink = await cli(['request', 'PyYAML', '--outbox', outbox]);
    expect(noSink.code).toBe(2);
    expect(noSink.err).toMatch(/no destination: give --to SINK or set PYRATS_REQUEST_TO/);
    expect((await cli(['request', 'PyYAML', '--to', 'ftp://x'])).err).toMatch(/not a request destination/);
    expect((await cli(['request', 'bad name', '--to', 'udp://127.0.0.1:9'])).err).toMatch(
      /'bad name' is not a distribution name/,
    );
    expect((await cli(['request', 'x', '--to', 'udp://127.0.0.1:9', '--source', 'ftp'])).err).toMatch(
      /--source ftp: use pypi or conda:CHANNEL/,
    );
  });

  it('--list and --retry with an outbox that is a file say so in one line (exit 3)', async () => {
    const notDir = path.join(tmp, 'outbox-is-a-file');
    writeFileSync(notDir, 'x\n');
    for (const flag of ['--list', '--retry']) {
      const r = await cli(['request', flag, '--outbox', notDir]);
      expect(r.code).toBe(3);
      expect(r.err).toBe(`pyrats request: outbox ${notDir} is not a directory\n`);
    }
  });

  it('--dry-run prints the request and the syslog line, and sends nothing', async () => {
    const r = await cli([
      'request',
      'PyYAML',
      '--script',
      script,
      '--to',
      'udp://127.0.0.1:9',
      '--reason',
      'ocean model',
      '--dry-run',
      '--outbox',
      outbox,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('request (not sent)');
    expect(r.out).toMatch(
      /udp:\/\/127\.0\.0\.1:9: <14>Python: ts=.*;loggerName=PyRatsRequest;.*;message=\{"format":"pyrats-request\/1"/,
    );
    expect(r.out).toContain('"text": "import yaml"');
    expect(r.out).toContain('"text": "    import yaml.loader"'.replace('    ', ''));
  });
});

describe('pyrats request --script with a baseline and a mirror (the check decides)', () => {
  it('requests what the baseline lacks, with the mirror offer and the baseline name', async () => {
    const mirror = path.resolve(__dirname, '../../fixtures/mirror/tree');
    const dir = path.join(tmp, 'checked');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const req = path.join(dir, 'requirements.txt');
    writeFileSync(req, 'numpy==1.24.2\n');
    const analysis = path.join(dir, 'analysis.py');
    writeFileSync(
      analysis,
      'import numpy as np\nimport netCDF4\nfrom sklearn import svm\nimport nosuch_pkg_zz\n',
    );
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
    try {
      const r = await cli([
        'request',
        '--script',
        analysis,
        '--baseline',
        `file:${req}`,
        '--mirror',
        `pypi:file://${mirror}/simple`,
        '--mirror',
        `conda:file://${mirror}/conda/conda-forge`,
        '--to',
        'udp://127.0.0.1:9',
        '--dry-run',
        '--json',
        '--redact',
        'none',
      ]);
      expect(r.code).toBe(0);
      const { request } = JSON.parse(r.out) as { request: PackageRequest };
      expect(request.baseline).toBe(`file:${req}`);
      const byName = new Map(request.packages.map((p) => [p.name, p]));
      expect([...byName.keys()].sort()).toEqual(['netCDF4', 'nosuch_pkg_zz', 'scikit-learn']);
      expect(byName.get('netCDF4')!.evidence).toEqual([{ file: analysis, line: 2, text: 'import netCDF4' }]);
      expect(byName.get('scikit-learn')!.imports).toEqual(['sklearn']);
      expect(byName.get('netCDF4')!.mirror.length).toBeGreaterThan(0);
      for (const m of byName.get('netCDF4')!.mirror) expect(m.versions.length).toBeGreaterThan(0);
      expect(byName.get('nosuch_pkg_zz')!.mirror).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});

const missing = syslogNgMissing();

describe.skipIf(missing)('pyrats request to a real syslog-ng and a webhook', () => {
  let host: SyslogNgHost;
  let status = 503;
  const accepted: string[] = [];
  let server: http.Server;
  let hookUrl = '';
  beforeAll(async () => {
    host = await startSyslogNg();
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (status < 300) accepted.push(body);
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/tickets`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await stopSyslogNg(host);
  });

  function requestsInLog(): PackageRequest[] {
    return host
      .lines()
      .filter((l) => l.includes('loggerName=PyRatsRequest'))
      .map((l) => parseRequestMessage(l.slice(l.indexOf(';message=') + 9)));
  }

  it('sends a request with the script evidence to syslog-ng; keeps the failed webhook delivery; --retry sends it', async () => {
    const r = await cli([
      'request',
      'PyYAML',
      'netCDF4',
      '--script',
      script,
      '--reason',
      'ocean model',
      '--source',
      'conda:conda-forge',
      '--baseline',
      'module:PythonEnv-noaa/3.11',
      '--to',
      host.tcpUrl,
      '--to',
      hookUrl,
      '--outbox',
      outbox,
      '--redact',
      'none',
    ]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(
      new RegExp(`delivered: syslog record delivered to ${host.tcpUrl} \\(connection closed cleanly\\)`),
    );
    expect(r.out).toMatch(/FAILED: webhook .* answered HTTP 503/);
    expect(r.out).toContain('retry with: pyrats request --retry');

    const [logged] = await host.waitForLines(() => requestsInLog().length === 1).then(requestsInLog);
    expect(logged.packages.map((p) => [p.name, p.imports, p.evidence.map((e) => [e.line, e.text])])).toEqual([
      [
        'PyYAML',
        ['yaml'],
        [
          [2, 'import yaml'],
          [6, 'import yaml.loader'],
        ],
      ],
      ['netCDF4', ['netCDF4'], [[3, 'from netCDF4 import Dataset']]],
    ]);
    expect(logged).toMatchObject({
      script,
      baseline: 'module:PythonEnv-noaa/3.11',
      reason: 'ocean model',
      preferredSource: 'conda:conda-forge',
      user: os.userInfo().username,
      host: os.hostname(),
    });

    const list = await cli(['request', '--list', '--outbox', outbox]);
    expect(list.out).toMatch(new RegExp(`${logged.id} PyYAML, netCDF4 -> ${hookUrl}`));

    status = 201;
    const retry = await cli(['request', '--retry', '--outbox', outbox]);
    expect(retry.code).toBe(0);
    expect(retry.out).toMatch(/delivered: webhook .* answered HTTP 201/);
    expect(accepted.map((b) => parseRequestMessage(b).id)).toEqual([logged.id]);
    expect((await cli(['request', '--retry', '--outbox', outbox])).out).toMatch(/nothing waiting/);
  });

  it('takes packages with evidence and mirror data as JSON on stdin (the editor path), redacting paths', async () => {
    const home = os.homedir();
    const input = {
      script: path.join(home, 'proj', 'fit.py'),
      baseline: 'module:PythonEnv-noaa/3.11',
      packages: [
        {
          name: 'xarray',
          imports: ['xarray'],
          evidence: [{ file: path.join(home, 'proj', 'fit.py'), line: 4, text: 'import xarray as xr' }],
          baselineVersion: null,
          mirror: [{ kind: 'conda', source: 'conda-forge', versions: ['2024.1.0'] }],
        },
      ],
    };
    const r = await cli(
      ['request', '--packages-json', '-', '--to', host.udpUrl, '--outbox', outbox, '--json'],
      JSON.stringify(input),
    );
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.out);
    expect(answer.results[0]).toMatchObject({ ok: true, kind: 'syslog' });
    await host.waitForLines(() => requestsInLog().some((q) => q.id === answer.request.id));
    const logged = requestsInLog().find((q) => q.id === answer.request.id)!;
    expect(logged.script).toBe('~/proj/fit.py');
    expect(logged.packages[0]).toEqual({
      ...input.packages[0],
      evidence: [{ file: '~/proj/fit.py', line: 4, text: 'import xarray as xr' }],
    });
  });
});
