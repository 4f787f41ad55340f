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
  aggregatedGraph,
  byHost,
  dayNumber,
  drillDown,
  monthlyTrend,
  BUNDLE_CANDIDATES,
  packageBundles,
  packageUsage,
  topScripts,
  totals,
} from '../../../analyzer/usage/queries';
import { UsageStore } from '../../../analyzer/usage/store';
import { closedBundles } from '../../support/closedBundles';
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

/**
 * Bundles straight from the raw tables, by brute force: each script's (and user's) third-party
 * packages, the BUNDLE_CANDIDATES packages with the most users, every 3- and 4-set of them counted.
 */
async function rawBundles(since?: string, until?: string) {
  const conds = ['r.script'];
  if (since) conds.push(`r.day >= ${dayNumber(since)}`);
  if (until) conds.push(`r.day <= ${dayNumber(until)}`);
  const rows = await store.rows<{ s: number; u: number | null; pkgs: string[] }>(
    `SELECT r.source_node_id AS s, r.user_id AS u, list(DISTINCT p.package) AS pkgs
     FROM records r JOIN targets t USING (record_id) JOIN nodes n ON n.node_id = t.node_id JOIN packages p USING (package_id)
     WHERE ${conds.join(' AND ')} AND p.kind = 'thirdParty' GROUP BY ALL`,
  );
  const usersOf = new Map<string, Set<number>>();
  for (const r of rows)
    for (const p of r.pkgs) if (r.u !== null) usersOf.set(p, (usersOf.get(p) ?? new Set()).add(r.u));
  const top = [...usersOf]
    .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
    .slice(0, BUNDLE_CANDIDATES)
    .map(([p]) => p)
    .sort();
  const having = top.map((p) => rows.filter((r) => r.pkgs.includes(p)));
  const count = (sets: typeof rows) => ({
    users: new Set(sets.filter((r) => r.u !== null).map((r) => r.u)).size,
    scripts: new Set(sets.map((r) => r.s)).size,
  });
  const found: { packages: string[]; users: number; scripts: number }[] = [];
  for (let i = 0; i < top.length; i++)
    for (let j = i + 1; j < top.length; j++) {
      const ij = having[i].filter((r) => having[j].includes(r));
      for (let k = j + 1; k < top.length; k++) {
        const ijk = ij.filter((r) => having[k].includes(r));
        if (!ijk.length) continue;
        found.push({ packages: [top[i], top[j], top[k]], ...count(ijk) });
        for (let l = k + 1; l < top.length; l++) {
          const ijkl = ijk.filter((r) => having[l].includes(r));
          if (ijkl.length) found.push({ packages: [top[i], top[j], top[k], top[l]], ...count(ijkl) });
        }
      }
    }
  return closedBundles(found, 2)
    .map((b) => ({ ...b, packages: b.packages.join('+') }))
    .sort((a, b) => (a.packages < b.packages ? -1 : 1));
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

  it('bundles: the closed 3- and 4-package sets of the raw tables', async () => {
    for (const [since, until] of [
      [undefined, undefined],
      ['2026-08-15', '2026-10-10'],
    ] as const) {
      const ours = (await packageBundles(store, { since, until }, { limit: 1_000_000 }))
        .map((b) => ({ ...b, packages: b.packages.join('+') }))
        .sort((a, b) => (a.packages < b.packages ? -1 : 1));
      const raw = await rawBundles(since, until);
      expect(raw.length).toBeGreaterThan(5);
      expect(ours, `${since}..${until}`).toEqual(raw);
    }
  });
});

describe('aggregated graph', () => {
  it('gives the same graph, edges in the same order, every time it is asked', async () => {
    const first = await aggregatedGraph(store, {});
    expect(first.edges.length).toBeGreaterThan(10);
    const key = (e: { from: string; to: string }) => `${e.from}\0${e.to}`;
    for (let i = 0; i < 3; i++)
      expect((await aggregatedGraph(store, {})).edges.map(key)).toEqual(first.edges.map(key));
  });
});
