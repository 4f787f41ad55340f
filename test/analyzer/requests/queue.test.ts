import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeMirrored, listQueue, mirrorNamesFromText, setStatus } from '../../../analyzer/requests/queue';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs } from '../../../analyzer/usage/ingest';
import { UsageStore } from '../../../analyzer/usage/store';
import { requestLine } from '../../support/requestLines';

const fixtures = path.resolve(__dirname, '../../fixtures/usage/mirror');
let dir: string;
let store: UsageStore;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-queue-'));
  store = await UsageStore.open(path.join(dir, 'u.duckdb'));
  const lines = [
    requestLine({
      user: 'alice',
      packages: ['PyYAML', 'xarray'],
      reason: 'config files',
      id: '11111111-1111-4111-8111-111111111111',
    }),
    // the same request re-sent after a failed send: counts once
    requestLine({
      user: 'alice',
      packages: ['PyYAML', 'xarray'],
      reason: 'config files',
      id: '11111111-1111-4111-8111-111111111111',
    }),
    requestLine({ user: 'bob', host: 'hfe02', packages: ['pyyaml'], reason: 'needs yaml' }),
    requestLine({ user: 'carol', packages: ['ruamel.yaml'] }),
    'Nov 25 07:00:01 hfe01 Python: ts=2026-11-25 07:00:01,000;loggerName=PyRatsRequest;pathName=/p;python=/py;logRecordCreationTime=1.0;levelNo=20;levelName=INFO;message={"format":"pyrats-request/1"}',
  ];
  writeFileSync(path.join(dir, '20261125'), `${lines.join('\n')}\n`);
  const [rep] = await ingestInputs(store, [path.join(dir, '20261125')], {
    deriver: new NodeDeriver(defaultDeriveConfig()),
  });
  expect(rep).toMatchObject({ requests: 4, bad: 1 });
  expect(rep.badLines[0]).toMatchObject({ line: 5, reason: expect.stringMatching(/pyrats-request\/1/) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('request queue', () => {
  it('groups by normalised package, counts distinct requesters and requests once', async () => {
    const q = await listQueue(store);
    expect(q.map((e) => [e.package, e.requesters, e.requests, e.status])).toEqual([
      ['pyyaml', 2, 2, 'new'],
      ['ruamel-yaml', 1, 1, 'new'],
      ['xarray', 1, 1, 'new'],
    ]);
    expect(q[0]).toMatchObject({
      spellings: ['PyYAML', 'pyyaml'],
      reasons: ['config files', 'needs yaml'],
      users: ['alice', 'bob'],
      hosts: ['hfe01', 'hfe02'],
    });
  });

  it('approves, rejects, refuses unknown names, and filters by status', async () => {
    expect(await setStatus(store, ['PyYAML'], 'approved', { note: 'ok' })).toEqual(['pyyaml']);
    await setStatus(store, ['xarray'], 'rejected');
    await expect(setStatus(store, ['nonesuch'], 'approved')).rejects.toThrow(/never requested: nonesuch/);
    expect(await setStatus(store, ['nonesuch'], 'approved', { allowUnrequested: true })).toEqual([
      'nonesuch',
    ]);
    const approved = await listQueue(store, { status: ['approved'] });
    expect(approved.map((e) => [e.package, e.note])).toEqual([['pyyaml', 'ok']]);
    expect((await listQueue(store, { status: ['rejected'] })).map((e) => e.package)).toEqual(['xarray']);
  });

  it('closes requests the mirror index has (PEP 691 JSON and PEP 503 HTML roots)', async () => {
    const json = mirrorNamesFromText(readFileSync(path.join(fixtures, 'simple-root.v1.json'), 'utf8'));
    expect(json.has('ruamel-yaml')).toBe(true);
    const html = mirrorNamesFromText(
      readFileSync(path.join(fixtures, 'warehouse-rendered-simple-root.html'), 'utf8'),
    );
    expect([...html].sort()).toEqual([...json].sort());
    await setStatus(store, ['xarray'], 'approved');
    const closed = await closeMirrored(store, (n) => json.has(n));
    expect(closed.sort()).toEqual(['ruamel-yaml', 'xarray']);
    const q = await listQueue(store);
    expect(Object.fromEntries(q.map((e) => [e.package, e.status]))).toEqual({
      pyyaml: 'new',
      'ruamel-yaml': 'mirrored',
      xarray: 'mirrored',
    });
    expect(() => mirrorNamesFromText('not a name!')).toThrow(/:1: 'not a name!' is not a package name/);
  });
});
