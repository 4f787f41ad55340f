/**
 * Package requests end to end with real parts: a syslog-ng log host on loopback and a local HTTP
 * webhook; failures (host down, HTTP 500) are reported, kept in the outbox and succeed on retry.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RequestOutbox,
  retryOutbox,
  STALE_CLAIM_MS,
  submitRequest,
  type OutboxEntry,
} from '../../../analyzer/requests/outbox';
import {
  createPackageRequest,
  parseRequestMessage,
  requestToJson,
  validateRequest,
  type PackageRequest,
} from '../../../analyzer/pyrats/packageRequest';
import { mailtoLink, parseRequestSink, requestDatagram } from '../../../analyzer/requests/requestSinks';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../../support/syslogNg';

const recordHeader = { pathName: '/opt/pyrats-lens/dist/cli.js', python: '/usr/bin/python3' };

function sampleRequest(extra: Partial<Parameters<typeof createPackageRequest>[0]> = {}): PackageRequest {
  return createPackageRequest({
    user: 'jdoe',
    host: 'hfe01',
    script: '~/proj/fit.py',
    baseline: 'module:PythonEnv-noaa/3.11',
    packages: [
      {
        name: 'PyYAML',
        imports: ['yaml'],
        evidence: [{ file: '~/proj/fit.py', line: 3, text: 'import yaml  ' }],
        baselineVersion: null,
        mirror: [{ kind: 'conda', source: 'conda-forge', versions: ['6.0.2', '6.0.1'] }],
      },
      {
        name: 'netCDF4',
        imports: ['netCDF4'],
        evidence: [{ file: '~/proj/fit.py', line: 4, text: "from netCDF4 import Dataset  # 'é'" }],
        baselineVersion: null,
        mirror: [],
      },
    ],
    reason: 'needed for the ocean model; "urgent"; 100%',
    preferredSource: 'conda:conda-forge',
    client: 'pyrats-lens test',
    ...extra,
  });
}

describe('package request model', () => {
  it('round-trips through its JSON message', () => {
    const r = sampleRequest();
    expect(r.format).toBe('pyrats-request/1');
    expect(r.packages[0].evidence[0].text).toBe('import yaml');
    const json = requestToJson(r);
    expect(json).not.toContain('\n');
    expect(parseRequestMessage(json)).toEqual(r);
  });

  it('names every problem of a bad request', () => {
    expect(() => sampleRequest({ packages: [] })).toThrow(/packages must be a non-empty list/);
    expect(() => sampleRequest({ preferredSource: 'ftp' })).toThrow(/preferredSource 'ftp'/);
    const bad = {
      ...sampleRequest(),
      user: '',
      packages: [{ name: 'a b', imports: [], evidence: [], mirror: [] }],
    };
    const problems = validateRequest(bad);
    expect(problems).toContain('user must be a non-empty string');
    expect(problems.join('\n')).toMatch(/packages\[0\]\.name "a b" is not a distribution name/);
    expect(() => parseRequestMessage('{nope')).toThrow(/not JSON/);
    expect(() => parseRequestMessage('[]')).toThrow(/not a JSON object/);
  });

  it('builds a mailto link with the summary and the JSON', () => {
    const r = sampleRequest();
    const link = mailtoLink(r, 'help@example.org');
    expect(link.startsWith('mailto:help@example.org?subject=')).toBe(true);
    const body = new URL(link).searchParams.get('body') ?? '';
    expect(body).toContain('PyYAML, netCDF4');
    expect(body).toContain('~/proj/fit.py:3: import yaml');
    expect(body).toContain(requestToJson(r));
  });

  it('parses destinations and rejects others specifically', () => {
    expect(parseRequestSink('udp://127.0.0.1:515')).toMatchObject({
      kind: 'syslog',
      url: 'udp://127.0.0.1:515',
    });
    expect(parseRequestSink('https://tickets.example.org/hook')).toMatchObject({ kind: 'webhook' });
    expect(parseRequestSink('mailto:help@example.org')).toMatchObject({
      kind: 'mailto',
      address: 'help@example.org',
    });
    expect(() => parseRequestSink('ftp://x')).toThrow(/not a request destination/);
    expect(() => parseRequestSink('mailto:nobody')).toThrow(/no valid e-mail address/);
  });

  it('formats the syslog record with loggerName=PyRatsRequest and the JSON as message', () => {
    const r = sampleRequest();
    const d = requestDatagram(r, recordHeader).toString('utf8');
    expect(d).toMatch(
      /^<14>Python: ts=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3};loggerName=PyRatsRequest;pathName=/,
    );
    expect(d.endsWith(`;message=${requestToJson(r)}\0`)).toBe(true);
  });
});

interface Webhook {
  url: string;
  status: number;
  /** How long each answer waits (to hold deliveries open while another process looks). */
  delayMs: number;
  /** Bodies of the POSTs answered with a 2xx status. */
  bodies: string[];
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const hook = { status: 500, delayMs: 0, bodies: [] as string[] } as Webhook;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type'] === 'application/json' && hook.status < 300) {
        hook.bodies.push(Buffer.concat(chunks).toString('utf8'));
      }
      setTimeout(() => {
        res.statusCode = hook.status;
        res.end(hook.status >= 400 ? 'ticket system down' : '{"ticket": 42}');
      }, hook.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  hook.url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/hook`;
  hook.close = () => new Promise((r) => server.close(() => r()));
  return hook;
}

const missing = syslogNgMissing();

describe.skipIf(missing)('request delivery to a real syslog-ng and a local webhook', () => {
  let host: SyslogNgHost;
  let hook: Webhook;
  let dir: string;
  beforeAll(async () => {
    host = await startSyslogNg();
    hook = await startWebhook();
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-outbox-'));
  });
  afterAll(async () => {
    await hook?.close();
    await stopSyslogNg(host);
    rmSync(dir, { recursive: true, force: true });
  });

  function requestLines(id: string): PackageRequest[] {
    return host
      .lines()
      .filter((l) => l.includes('loggerName=PyRatsRequest') && l.includes(id))
      .map((l) => parseRequestMessage(l.slice(l.indexOf(';message=') + ';message='.length)));
  }

  it('arrives over UDP and TCP in the log file and at the webhook', async () => {
    hook.status = 201;
    const outbox = new RequestOutbox(path.join(dir, 'ok'));
    const r = sampleRequest();
    const { results, queued } = await submitRequest(
      r,
      [host.udpUrl, host.tcpUrl, hook.url, 'mailto:help@example.org'].map(parseRequestSink),
      outbox,
      { recordHeader },
    );
    expect(results.map((x) => [x.kind, x.ok])).toEqual([
      ['syslog', true],
      ['syslog', true],
      ['webhook', true],
      ['mailto', true],
    ]);
    expect(results[2].detail).toMatch(/HTTP 201/);
    expect(results[3].link).toMatch(/^mailto:help@example\.org\?/);
    expect(queued).toBe(0);
    expect(results.map((x) => x.status)).toEqual(['unconfirmed', 'delivered', 'delivered', 'unconfirmed']);
    const listing = outbox.list();
    expect(listing.entries).toEqual([]);
    // the UDP delivery cannot be confirmed: kept for reference in unconfirmed/, never resent
    expect(listing.unconfirmed.map((e) => [e.key, e.sink, e.attempts])).toEqual([
      [`${r.id}.0`, host.udpUrl, 1],
    ]);
    expect((await retryOutbox(outbox, { recordHeader })).results).toEqual([]);
    await host.waitForLines(() => requestLines(r.id).length === 2);
    expect(requestLines(r.id)).toEqual([r, r]);
    expect(hook.bodies.map((b) => parseRequestMessage(b))).toContainEqual(r);
  });

  it('reports a webhook 500 and a log host that is down, keeps both, and delivers them on retry', async () => {
    hook.status = 500;
    hook.bodies.length = 0;
    await host.stop();
    const outbox = new RequestOutbox(path.join(dir, 'retry'));
    const r = sampleRequest({ reason: 'retry test' });
    const first = await submitRequest(r, [host.tcpUrl, hook.url].map(parseRequestSink), outbox, {
      recordHeader,
    });
    expect(first.queued).toBe(2);
    expect(first.results[0]).toMatchObject({ ok: false, kind: 'syslog' });
    expect(first.results[0].error).toMatch(/refused/);
    expect(first.results[1]).toMatchObject({ ok: false, kind: 'webhook' });
    expect(first.results[1].error).toMatch(/HTTP 500 Internal Server Error: ticket system down/);
    const waiting = outbox.list().entries;
    expect(waiting.map((e) => [e.sink, e.attempts, e.request.id])).toEqual([
      [host.tcpUrl, 1, r.id],
      [hook.url, 1, r.id],
    ]);

    // Still down: the retry fails again, counts the attempt, loses nothing.
    const again = await retryOutbox(outbox, { recordHeader });
    expect(again.remaining).toBe(2);
    expect(outbox.list().entries.map((e) => e.attempts)).toEqual([2, 2]);

    await host.restart();
    hook.status = 200;
    const retry = await retryOutbox(outbox, { recordHeader });
    expect(retry.results.every((x) => x.ok)).toBe(true);
    expect(retry.remaining).toBe(0);
    expect(outbox.list().entries).toEqual([]);
    await host.waitForLines(() => requestLines(r.id).length === 1);
    expect(requestLines(r.id)[0]).toEqual(r);
    expect(hook.bodies.map((b) => parseRequestMessage(b).id)).toEqual([r.id]);
  });

  it('sets a malformed outbox entry aside in bad/ with its reason, keeping its text', () => {
    const outboxDir = path.join(dir, 'broken');
    const outbox = new RequestOutbox(outboxDir);
    outbox.put({
      key: 'x.0',
      request: sampleRequest(),
      sink: hook.url,
      attempts: 1,
      firstAttempt: new Date().toISOString(),
      lastAttempt: null,
      lastError: null,
      nextAttempt: null,
    });
    writeFileSync(path.join(outboxDir, 'y.0.request.json'), '{"truncated": ');
    const listing = outbox.list();
    expect(listing.entries.map((e) => e.key)).toEqual(['x.0']);
    expect(listing.unreadable).toEqual([]);
    expect(listing.bad).toEqual([
      {
        file: path.join(outboxDir, 'y.0.request.json'),
        movedTo: path.join(outboxDir, 'bad', 'y.0.request.json'),
        reason: expect.stringMatching(/^not JSON \(/),
      },
    ]);
    expect(readdirSync(outboxDir).sort()).toEqual(['bad', 'x.0.request.json']);
    expect(readdirSync(path.join(outboxDir, 'bad')).sort()).toEqual([
      'y.0.request.json',
      'y.0.request.json.reason',
    ]);
    expect(readFileSync(path.join(outboxDir, 'bad', 'y.0.request.json'), 'utf8')).toBe('{"truncated": ');
  });
});

describe('outbox claims: concurrent retries and crashed senders', () => {
  let hook: Webhook;
  let dir: string;
  beforeAll(async () => {
    hook = await startWebhook();
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-outbox-claims-'));
  });
  afterAll(async () => {
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function waiting(outbox: RequestOutbox, n: number): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (let i = 0; i < n; i++) {
      const request = sampleRequest({ reason: `entry ${i}` });
      const entry: OutboxEntry = {
        key: `${request.id}.0`,
        request,
        sink: hook.url,
        attempts: 1,
        firstAttempt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        lastAttempt: null,
        lastError: 'HTTP 500',
        nextAttempt: null,
      };
      outbox.put(entry);
      entries.push(entry);
    }
    return entries;
  }

  const bodyIds = () => hook.bodies.map((b) => parseRequestMessage(b).id).sort();

  it('two retries at the same moment deliver each waiting request exactly once', async () => {
    hook.status = 200;
    hook.delayMs = 150;
    hook.bodies.length = 0;
    const outboxDir = path.join(dir, 'concurrent');
    const entries = waiting(new RequestOutbox(outboxDir), 6);
    // two independent outbox objects on one directory, as two processes would have
    const [a, b] = await Promise.all([
      retryOutbox(new RequestOutbox(outboxDir), { recordHeader }),
      retryOutbox(new RequestOutbox(outboxDir), { recordHeader }),
    ]);
    expect(a.results.length + b.results.length).toBe(6);
    expect([...a.results, ...b.results].every((r) => r.ok)).toBe(true);
    expect(bodyIds()).toEqual(entries.map((e) => e.request.id).sort());
    expect(readdirSync(outboxDir)).toEqual([]);
  });

  it('a new request being sent is not picked up by a retry running meanwhile', async () => {
    hook.status = 200;
    hook.delayMs = 300;
    hook.bodies.length = 0;
    const outbox = new RequestOutbox(path.join(dir, 'fresh'));
    const r = sampleRequest({ reason: 'fresh' });
    const submitting = submitRequest(r, [parseRequestSink(hook.url)], outbox, { recordHeader });
    const meanwhile = outbox.list();
    expect(meanwhile.entries).toEqual([]);
    expect(meanwhile.sending).toEqual([`${r.id}.0`]);
    const retry = await retryOutbox(outbox, { recordHeader });
    expect(retry.results).toEqual([]);
    expect((await submitting).queued).toBe(0);
    expect(bodyIds()).toEqual([r.id]);
  });

  it('gives back claims of a sender that died or went silent for an hour, and delivers them', async () => {
    hook.status = 200;
    hook.delayMs = 0;
    hook.bodies.length = 0;
    const outboxDir = path.join(dir, 'crashed');
    const outbox = new RequestOutbox(outboxDir);
    const [dead, silent, alive] = waiting(outbox, 3);
    // a process of this host that has exited
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const claimOf = (e: OutboxEntry, host: string, pid: number) => {
      const claim = path.join(outboxDir, `${e.key}.request.json.${host}.${pid}.0.sending`);
      renameSync(path.join(outboxDir, `${e.key}.request.json`), claim);
      return claim;
    };
    claimOf(dead, os.hostname(), deadPid);
    const old = claimOf(silent, 'login02.example.org', 4242);
    const past = (Date.now() - STALE_CLAIM_MS - 60_000) / 1000;
    utimesSync(old, past, past);
    // a live sender (this process) keeps its claim
    claimOf(alive, os.hostname(), process.pid);

    const listing = outbox.list();
    expect(listing.entries.map((e) => e.key).sort()).toEqual([dead.key, silent.key].sort());
    expect(listing.sending).toEqual([alive.key]);
    const retry = await retryOutbox(outbox, { recordHeader });
    expect(retry.remaining).toBe(0);
    expect(bodyIds()).toEqual([dead.request.id, silent.request.id].sort());
    expect(readdirSync(outboxDir)).toEqual([
      `${alive.key}.request.json.${os.hostname()}.${process.pid}.0.sending`,
    ]);
  });

  it('an entry that waited for days is not given back while a live retry is delivering it', async () => {
    hook.status = 200;
    hook.delayMs = 300;
    hook.bodies.length = 0;
    const outboxDir = path.join(dir, 'old-entry');
    const [entry] = waiting(new RequestOutbox(outboxDir), 1);
    // written two days ago (its first delivery failed then); a rename keeps that modification time
    const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000;
    utimesSync(path.join(outboxDir, `${entry.key}.request.json`), twoDaysAgo, twoDaysAgo);
    const first = retryOutbox(new RequestOutbox(outboxDir), { recordHeader });
    // another process (a second editor, a cron job) looks and retries while the first is delivering
    const meanwhile = new RequestOutbox(outboxDir).list();
    expect(meanwhile.entries).toEqual([]);
    expect(meanwhile.sending).toEqual([entry.key]);
    const second = await retryOutbox(new RequestOutbox(outboxDir), { recordHeader });
    expect(second.results).toEqual([]);
    expect((await first).results.map((r) => r.ok)).toEqual([true]);
    expect(bodyIds()).toEqual([entry.request.id]);
    expect(readdirSync(outboxDir)).toEqual([]);
  });
});
