/**
 * Report queries against independent counts: the synthetic generator's own truth (whole range) and
 * plain SQL over the raw records/targets/nodes tables (any day range), for ranges that mix whole
 * months (monthly rollups) with partial months (daily rows).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeriveConfig, NodeDeriver } from '../../../analyzer/usage/derive';
import { ingestInputs } from '../../../analyzer/usage/ingest';
import {
  byHost,
  dayNumber,
  drillDown,
  monthlyTrend,
  packageUsage,
  topScripts,
  totals,
} from '../../../analyzer/usage/queries';
import { UsageStore } from '../../../analyzer/usage/store';
import { writeSyntheticLogs, type SyntheticTruth } from '../../support/syntheticLogs';

let dir: string;
let store: UsageStore;
let truth: SyntheticTruth;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-queries-'));
  truth = await writeSyntheticLogs(path.join(dir, 'logs'), {
    lines: 12_000,
    users: 60,
    scripts: 300,
    packages: 50,
    hosts: 3,
    days: 100,
    start: '2026-07-20',
    seed: 11,
  });
  store = await UsageStore.open(path.join(dir, 'u.duckdb'));
  const files = readdirSync(path.join(dir, 'logs'))
    .sort()
    .map((f) => path.join(dir, 'logs', f));
  // two runs, as a log host would see them over time
  await ingestInputs(store, files.slice(0, 50), { deriver: new NodeDeriver(defaultDeriveConfig()) });
  await ingestInputs(store, files, { deriver: new NodeDeriver(defaultDeriveConfig()) });
}, 120_000);
afterAll(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Users and imports per third-party package, straight from the raw tables. */
async function rawCounts(since?: string, until?: string, host?: string) {
  const conds = ['r.script'];
  if (since) conds.push(`r.day >= ${dayNumber(since)}`);
  if (until) conds.push(`r.day <= ${dayNumber(until)}`);
  if (host) conds.push(`r.host_id = (SELECT string_id FROM strings WHERE value = '${host}')`);
  const rows = await store.rows<{ package: string; users: number; imports: number }>(
    `SELECT p.package, count(DISTINCT r.user_id)::INTEGER AS users, count(DISTINCT r.record_id)::INTEGER AS imports
     FROM records r JOIN targets t USING (record_id) JOIN nodes n ON n.node_id = t.node_id JOIN packages p USING (package_id)
     WHERE ${conds.join(' AND ')} AND p.kind = 'thirdParty' GROUP BY p.package`,
  );
  return Object.fromEntries(rows.map((r) => [r.package, { users: r.users, imports: r.imports }]));
}

async function viaQueries(since?: string, until?: string, host?: string) {
  const rows = await packageUsage(store, { since, until, hosts: host ? [host] : undefined });
  return Object.fromEntries(rows.map((r) => [r.package, { users: r.users, imports: r.imports }]));
}

describe('usage queries', () => {
  it('whole range: the generator truth', async () => {
    const t = await totals(store);
    expect(t.records).toBe(truth.lines);
    expect(t.scriptRecords).toBe(truth.scriptRecords);
    expect(t.users).toBe(truth.users.size);
    const expected = Object.fromEntries(
      [...truth.packages].map(([name, e]) => [name, { users: e.users.size, imports: e.imports }]),
    );
    expect(await viaQueries()).toEqual(expected);
  });

  it('any day range and host: the raw tables', async () => {
    const ranges: [string | undefined, string | undefined, string | undefined][] = [
      ['2026-08-01', '2026-08-31', undefined], // one whole month
      ['2026-08-15', '2026-10-10', undefined], // partial + whole + partial
      ['2026-07-25', '2026-07-28', undefined], // inside one month
      [undefined, '2026-09-03', 'hfe02'],
      ['2026-09-30', undefined, undefined],
      ['2026-12-01', '2026-12-31', undefined], // empty
    ];
    for (const [since, until, host] of ranges) {
      expect(await viaQueries(since, until, host), `${since}..${until} ${host ?? ''}`).toEqual(
        await rawCounts(since, until, host),
      );
    }
  });

  it('trend, hosts, scripts and drill-down agree with the package totals', async () => {
    const f = { since: '2026-08-10', until: '2026-09-20' };
    const pk = await packageUsage(store, f);
    const trend = await monthlyTrend(store, f, 3);
    const top = pk.slice(0, 3).map((p) => p.package);
    expect(new Set(trend.map((t) => t.package))).toEqual(new Set(top));
    for (const name of top)
      expect(trend.filter((t) => t.package === name).reduce((a, t) => a + t.imports, 0)).toBe(
        pk.find((p) => p.package === name)!.imports,
      );
    const hosts = await byHost(store, f);
    const t = await totals(store, f);
    expect(hosts.reduce((a, h) => a + h.runs, 0)).toBe(t.scriptRecords);
    const scripts = await topScripts(store, f, 10_000);
    expect(scripts.reduce((a, s) => a + s.runs, 0)).toBe(t.scriptRecords);
    const d = await drillDown(store, pk[0].package, f);
    expect(d.users.length).toBe(pk[0].users);
    expect(d.users.reduce((a, u) => a + u.imports, 0)).toBe(pk[0].imports);
    expect(d.scripts.length).toBe(pk[0].scripts);
    expect(d.firstSeen! >= f.since && d.lastSeen! <= f.until).toBe(true);
  });
});
