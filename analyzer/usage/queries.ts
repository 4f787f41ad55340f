/**
 * The questions the usage store answers, as plain JSON-ready objects: packages by distinct users and
 * by imports, totals, monthly trend, per host, most-run scripts, co-usage, drill-down of one package,
 * the aggregated dependency graph, and what is missing from a baseline with a greedy what-if cover.
 *
 * Definitions (README "Usage analytics"): a *script record* has a source outside any standard-library,
 * site-packages or dist-packages root; the *imports* of a package are the script records with at least
 * one target in it; its *users* are the distinct users of those records. Library records (source inside
 * a package) give the package → package view. Reads only the daily aggregates; formats nothing.
 */
import { DependencyGraph, nodeId } from '../graph/dependencyGraph';
import { packageBundles as minePackageBundles, type BundleOptions, type PackageSetUse } from './bundles';
import type { UsageStore } from './store';
import { dayNumber, isoDay, kinds, where, type UsageFilter } from './usageFilter';
import type {
  CoUsage,
  CoverStep,
  HostUsage,
  MissingReport,
  MonthlyPoint,
  PackageBundle,
  PackageDrillDown,
  PackageUsage,
  ScriptUsage,
  UsageTotals,
} from './answers';

export type * from './answers';
export { dayNumber, isoDay, type UsageFilter };

/** Packages by distinct users (prevalence) and by imports (runs), most users first. */
export async function packageUsage(store: UsageStore, filter: UsageFilter = {}): Promise<PackageUsage[]> {
  const w = where(filter);
  const rows = await store.rows<
    Omit<PackageUsage, 'firstSeen' | 'lastSeen'> & { first_day: number; last_day: number }
  >(
    // A script belongs to one user: group by (package, script) first, so that only one DISTINCT
    // remains (several DISTINCT aggregates in one query are what makes it slow); hosts apart.
    `WITH ps AS (
       SELECT d.package_id, d.script_node_id, any_value(d.user_id) AS user_id, sum(d.runs) AS runs,
         min(d.day) AS first_day, max(d.day_last) AS last_day
       FROM ${w.script} d JOIN packages p USING (package_id)
       WHERE ${w.sql} AND ${kinds(filter)} GROUP BY d.package_id, d.script_node_id),
     ph AS (
       SELECT d.package_id, count(DISTINCT d.host_id)::INTEGER AS hosts
       FROM ${w.script} d JOIN packages p USING (package_id)
       WHERE ${w.sql} AND ${kinds(filter)} GROUP BY d.package_id),
     pu AS (
       SELECT package_id, count(DISTINCT user_id)::INTEGER AS users, sum(runs)::DOUBLE AS imports,
         count(*)::INTEGER AS scripts, min(first_day)::INTEGER AS first_day, max(last_day)::INTEGER AS last_day
       FROM ps GROUP BY package_id)
     SELECT p.package, p.kind, p.distribution, pu.users, pu.imports, pu.scripts, ph.hosts, pu.first_day, pu.last_day
     FROM pu JOIN ph USING (package_id) JOIN packages p USING (package_id)
     ORDER BY users DESC, imports DESC, p.package`,
    w.params,
  );
  return rows.map((r) => ({
    package: r.package,
    kind: r.kind,
    distribution: r.distribution,
    users: r.users,
    imports: r.imports,
    scripts: r.scripts,
    hosts: r.hosts,
    firstSeen: isoDay(r.first_day),
    lastSeen: isoDay(r.last_day),
  }));
}

export async function totals(store: UsageStore, filter: UsageFilter = {}): Promise<UsageTotals> {
  const w = where(filter);
  const [r] = await store.rows<{
    runs: number;
    users: number;
    scripts: number;
    hosts: number;
    first_day: number | null;
    last_day: number | null;
  }>(
    `SELECT coalesce(sum(d.runs), 0)::DOUBLE AS runs, count(DISTINCT d.user_id)::INTEGER AS users,
       count(DISTINCT d.script_node_id)::INTEGER AS scripts, count(DISTINCT d.host_id)::INTEGER AS hosts,
       min(d.day)::INTEGER AS first_day, max(d.day_last)::INTEGER AS last_day
     FROM ${w.runs} d WHERE ${w.sql}`,
    w.params,
  );
  const rw = where(filter, 'r');
  const [c] = await store.rows<{ n: number }>(
    `SELECT count(*)::DOUBLE AS n FROM records r WHERE ${rw.sql}`,
    rw.params,
  );
  const [p] = await store.rows<{ n: number }>(
    `SELECT count(DISTINCT d.package_id)::INTEGER AS n FROM ${w.script} d JOIN packages p USING (package_id)
     WHERE ${w.sql} AND p.kind = 'thirdParty'`,
    w.params,
  );
  return {
    records: c.n,
    scriptRecords: r.runs,
    users: r.users,
    scripts: r.scripts,
    hosts: r.hosts,
    thirdPartyPackages: p.n,
    firstDay: r.first_day === null ? null : isoDay(r.first_day),
    lastDay: r.last_day === null ? null : isoDay(r.last_day),
  };
}

/** Users and imports per month for the `top` packages by users (all months of the range). */
export async function monthlyTrend(
  store: UsageStore,
  filter: UsageFilter = {},
  top = 10,
): Promise<MonthlyPoint[]> {
  const w = where(filter);
  const rows = await store.rows<MonthlyPoint>(
    `WITH top AS (
       SELECT d.package_id FROM ${w.script} d JOIN packages p USING (package_id)
       WHERE ${w.sql} AND ${kinds(filter)}
       GROUP BY d.package_id ORDER BY count(DISTINCT d.user_id) DESC, sum(d.runs) DESC LIMIT ${Math.max(1, Math.floor(top))})
     SELECT strftime(DATE '1970-01-01' + d.day, '%Y-%m') AS month, p.package,
       count(DISTINCT d.user_id)::INTEGER AS users, sum(d.runs)::DOUBLE AS imports
     FROM ${w.script} d JOIN top USING (package_id) JOIN packages p USING (package_id)
     WHERE ${w.sql}
     GROUP BY ALL ORDER BY month, users DESC, p.package`,
    w.params,
  );
  return rows;
}

export async function byHost(store: UsageStore, filter: UsageFilter = {}): Promise<HostUsage[]> {
  const w = where(filter);
  const hosts = await store.rows<{ host: string; users: number; runs: number; scripts: number }>(
    `WITH hs AS (
       SELECT d.host_id, d.script_node_id, any_value(d.user_id) AS user_id, sum(d.runs) AS runs
       FROM ${w.runs} d WHERE ${w.sql} GROUP BY d.host_id, d.script_node_id)
     SELECT h.value AS host, count(DISTINCT hs.user_id)::INTEGER AS users, sum(hs.runs)::DOUBLE AS runs,
       count(*)::INTEGER AS scripts
     FROM hs JOIN strings h ON h.string_id = hs.host_id GROUP BY h.value ORDER BY runs DESC, host`,
    w.params,
  );
  const pk = await store.rows<{ host: string; package: string; users: number; rk: number; n: number }>(
    // numbers first (host, package, user), names joined to the few rows kept
    `WITH hpu AS (
       SELECT d.host_id, d.package_id, d.user_id, sum(d.runs) AS runs FROM ${w.script} d
       WHERE ${w.sql} AND d.package_id IN (SELECT package_id FROM packages p WHERE ${kinds(filter)})
       GROUP BY d.host_id, d.package_id, d.user_id),
     hp AS (
       SELECT host_id, package_id, count(user_id)::INTEGER AS users, sum(runs) AS runs FROM hpu
       GROUP BY host_id, package_id),
     ranked AS (
       SELECT host_id, package_id, users,
         row_number() OVER (PARTITION BY host_id ORDER BY users DESC, runs DESC, package_id) AS rk,
         count(*) OVER (PARTITION BY host_id)::INTEGER AS n
       FROM hp)
     SELECT h.value AS host, p.package, r.users, r.rk, r.n FROM ranked r
     JOIN strings h ON h.string_id = r.host_id JOIN packages p USING (package_id)
     WHERE r.rk <= 5 ORDER BY host, r.rk`,
    w.params,
  );
  return hosts.map((h) => {
    const mine = pk.filter((x) => x.host === h.host);
    return { ...h, packages: mine[0]?.n ?? 0, topPackages: mine.map((x) => x.package) };
  });
}

/** What is run the most: scripts by runs. */
export async function topScripts(
  store: UsageStore,
  filter: UsageFilter = {},
  limit = 50,
): Promise<ScriptUsage[]> {
  const w = where(filter);
  const rows = await store.rows<{
    script: string;
    user: string | null;
    runs: number;
    hosts: number;
    node_id: number;
    first_day: number;
    last_day: number;
  }>(
    `WITH t AS (
       SELECT d.script_node_id, any_value(d.user_id) AS user_id, sum(d.runs)::DOUBLE AS runs,
         min(d.day)::INTEGER AS first_day, max(d.day_last)::INTEGER AS last_day
       FROM ${w.runs} d WHERE ${w.sql} GROUP BY d.script_node_id ORDER BY runs DESC LIMIT ${Math.max(1, Math.floor(limit))}),
     h AS (
       SELECT d.script_node_id, count(DISTINCT d.host_id)::INTEGER AS hosts FROM ${w.runs} d
       WHERE ${w.sql} AND d.script_node_id IN (SELECT script_node_id FROM t) GROUP BY d.script_node_id)
     SELECT n.path AS script, u.value AS "user", t.runs, h.hosts, n.node_id, t.first_day, t.last_day
     FROM t JOIN h USING (script_node_id) JOIN nodes n ON n.node_id = t.script_node_id
     LEFT JOIN strings u ON u.string_id = t.user_id ORDER BY t.runs DESC, script`,
    w.params,
  );
  if (!rows.length) return [];
  const pk = await store.rows<{ node_id: number; package: string }>(
    `SELECT DISTINCT d.script_node_id AS node_id, p.package FROM ${w.script} d JOIN packages p USING (package_id)
     WHERE ${w.sql} AND ${kinds(filter)} AND d.script_node_id IN (${rows.map((r) => r.node_id).join(',')})
     ORDER BY p.package`,
    w.params,
  );
  return rows.map((r) => ({
    script: r.script,
    user: r.user,
    runs: r.runs,
    hosts: r.hosts,
    packages: pk.filter((p) => p.node_id === r.node_id).map((p) => p.package),
    firstSeen: isoDay(r.first_day),
    lastSeen: isoDay(r.last_day),
  }));
}

/** Packages used together in the same scripts (pairs), most shared users first. */
export async function coUsage(store: UsageStore, filter: UsageFilter = {}, limit = 50): Promise<CoUsage[]> {
  const w = where(filter);
  return store.rows<CoUsage>(
    `WITH sp AS (
       SELECT DISTINCT d.script_node_id AS s, d.user_id AS u, p.package AS pkg
       FROM ${w.script} d JOIN packages p USING (package_id) WHERE ${w.sql} AND ${kinds(filter)}),
     cnt AS (SELECT pkg, count(DISTINCT s) AS n FROM sp GROUP BY pkg),
     pairs AS (
       SELECT x.pkg AS a, y.pkg AS b, count(DISTINCT x.u)::INTEGER AS users, count(DISTINCT x.s)::INTEGER AS scripts
       FROM sp x JOIN sp y ON x.s = y.s AND x.u IS NOT DISTINCT FROM y.u AND x.pkg < y.pkg GROUP BY ALL)
     SELECT a, b, users, scripts, round(scripts / (ca.n + cb.n - scripts), 4)::DOUBLE AS jaccard
     FROM pairs JOIN cnt ca ON ca.pkg = a JOIN cnt cb ON cb.pkg = b
     ORDER BY users DESC, scripts DESC, a, b LIMIT ${Math.max(1, Math.floor(limit))}`,
    w.params,
  );
}

/** How many of the most-used packages (by distinct users) bundles are made of. */
export const BUNDLE_CANDIDATES = 40;

/**
 * Bundles: 3 or 4 of the BUNDLE_CANDIDATES most-used packages that the same scripts import together,
 * by distinct users (closed frequent sets, bundles.ts). A script's package set is what its records
 * imported in the filter's range.
 */
export async function packageBundles(
  store: UsageStore,
  filter: UsageFilter = {},
  options: BundleOptions = {},
): Promise<PackageBundle[]> {
  const w = where(filter);
  const sets = await store.rows<PackageSetUse>(
    `WITH sp AS (
       SELECT DISTINCT d.script_node_id AS s, d.user_id AS u, p.package AS pkg
       FROM ${w.script} d JOIN packages p USING (package_id) WHERE ${w.sql} AND ${kinds(filter)}),
     top AS (SELECT pkg FROM sp GROUP BY pkg ORDER BY count(DISTINCT u) DESC, pkg LIMIT ${BUNDLE_CANDIDATES}),
     sets AS (
       SELECT s, u, list(pkg ORDER BY pkg) AS packages FROM sp WHERE pkg IN (SELECT pkg FROM top)
       GROUP BY s, u HAVING count(*) >= 3)
     SELECT packages,
       coalesce(list(DISTINCT u::INTEGER) FILTER (WHERE u IS NOT NULL), []) AS users,
       list(DISTINCT s::INTEGER) AS scripts
     FROM sets GROUP BY packages`,
    w.params,
  );
  return minePackageBundles(sets, options);
}

/** The hosts (as the log host wrote them) that sent records, in name order. */
export async function storedHosts(store: UsageStore): Promise<string[]> {
  const rows = await store.rows<{ host: string }>(
    `SELECT DISTINCT s.value AS host
     FROM (SELECT host_id FROM runs_monthly UNION SELECT host_id FROM library_monthly
           UNION SELECT host_id FROM runs_daily WHERE day IN (SELECT day FROM pending_days)
           UNION SELECT host_id FROM library_daily WHERE day IN (SELECT day FROM pending_days)) h
     JOIN strings s ON s.string_id = h.host_id ORDER BY host`,
  );
  return rows.map((r) => r.host);
}

/**
 * The stored package names that `name` means: the package itself (import name, e.g. `yaml`), else
 * the same name in another case (`NumPy`), else the packages of that distribution (`PyYAML`,
 * `scikit_learn`: PEP 503 comparison). Empty when the store has no such package.
 */
export async function resolvePackage(store: UsageStore, name: string): Promise<string[]> {
  const rows = await store.rows<{ package: string; rank: number }>(
    `SELECT package, min(CASE WHEN package = $1 THEN 0 WHEN lower(package) = lower($1) THEN 1 ELSE 2 END)::INTEGER AS rank
     FROM packages
     WHERE package = $1 OR lower(package) = lower($1)
        OR regexp_replace(lower(distribution), '[-_.]+', '-', 'g') = regexp_replace(lower($1), '[-_.]+', '-', 'g')
     GROUP BY package ORDER BY rank, package`,
    [name],
  );
  if (!rows.length) return [];
  return rows.filter((r) => r.rank === rows[0].rank).map((r) => r.package);
}

/** A package's users, scripts, hosts, first and last seen. */
export async function drillDown(
  store: UsageStore,
  pkg: string,
  filter: UsageFilter = {},
): Promise<PackageDrillDown> {
  const w = where(filter);
  const n = w.params.length + 1;
  const params = [...w.params, pkg];
  const pkgCond = `d.package_id IN (SELECT package_id FROM packages WHERE package = $${n})`;
  const users = await store.rows<{
    user: string | null;
    imports: number;
    scripts: number;
    f: number;
    l: number;
  }>(
    `SELECT u.value AS "user", sum(d.runs)::DOUBLE AS imports, count(DISTINCT d.script_node_id)::INTEGER AS scripts,
       min(d.day)::INTEGER AS f, max(d.day_last)::INTEGER AS l
     FROM ${w.script} d LEFT JOIN strings u ON u.string_id = d.user_id
     WHERE ${w.sql} AND ${pkgCond} GROUP BY u.value ORDER BY imports DESC, "user"`,
    params,
  );
  const scripts = await store.rows<{
    script: string;
    user: string | null;
    imports: number;
    f: number;
    l: number;
  }>(
    `SELECT s.path AS script, u.value AS "user", sum(d.runs)::DOUBLE AS imports, min(d.day)::INTEGER AS f, max(d.day_last)::INTEGER AS l
     FROM ${w.script} d JOIN nodes s ON s.node_id = d.script_node_id LEFT JOIN strings u ON u.string_id = d.user_id
     WHERE ${w.sql} AND ${pkgCond} GROUP BY s.path, u.value ORDER BY imports DESC, script LIMIT 1000`,
    params,
  );
  const hosts = await store.rows<{ host: string; users: number; imports: number }>(
    `SELECT h.value AS host, count(DISTINCT d.user_id)::INTEGER AS users, sum(d.runs)::DOUBLE AS imports
     FROM ${w.script} d JOIN strings h ON h.string_id = d.host_id
     WHERE ${w.sql} AND ${pkgCond} GROUP BY h.value ORDER BY imports DESC, host`,
    params,
  );
  const libSql = (me: string, other: string) =>
    `SELECT p.package, sum(d.records)::DOUBLE AS records FROM ${w.library} d JOIN packages p ON p.package_id = d.${other}
     WHERE ${w.sql} AND d.${me} IN (SELECT package_id FROM packages WHERE package = $${n})
     GROUP BY p.package ORDER BY records DESC, p.package LIMIT 100`;
  const importedBy = await store.rows<{ package: string; records: number }>(
    libSql('dst_package_id', 'src_package_id'),
    params,
  );
  const importsPackages = await store.rows<{ package: string; records: number }>(
    libSql('src_package_id', 'dst_package_id'),
    params,
  );
  const [meta] = await store.rows<{ distribution: string | null }>(
    `SELECT any_value(distribution) AS distribution FROM packages WHERE package = $1`,
    [pkg],
  );
  const days = users.flatMap((u) => [u.f, u.l]);
  return {
    package: pkg,
    distribution: meta?.distribution ?? null,
    users: users.map((u) => ({
      user: u.user,
      imports: u.imports,
      scripts: u.scripts,
      firstSeen: isoDay(u.f),
      lastSeen: isoDay(u.l),
    })),
    scripts: scripts.map((s) => ({
      script: s.script,
      user: s.user,
      imports: s.imports,
      firstSeen: isoDay(s.f),
      lastSeen: isoDay(s.l),
    })),
    hosts,
    importedBy,
    importsPackages,
    firstSeen: days.length ? isoDay(Math.min(...days)) : null,
    lastSeen: days.length ? isoDay(Math.max(...days)) : null,
  };
}

/**
 * The aggregated dependency graph: package → package edges (library records) and script → package
 * edges (script records), weighted by records. At most `maxScripts` scripts (most run first).
 */
export async function aggregatedGraph(
  store: UsageStore,
  filter: UsageFilter = {},
  opts: { maxScripts?: number; maxPackages?: number } = {},
): Promise<DependencyGraph> {
  const w = where(filter);
  const maxScripts = Math.max(0, Math.floor(opts.maxScripts ?? 200));
  const maxPackages = Math.max(1, Math.floor(opts.maxPackages ?? 300));
  const pkgs = await store.rows<{
    package_id: number;
    package: string;
    kind: string;
    distribution: string | null;
  }>(
    `WITH t AS (
       SELECT d.package_id, count(DISTINCT d.user_id) AS users, sum(d.runs) AS runs
       FROM ${w.script} d JOIN packages p USING (package_id) WHERE ${w.sql} AND ${kinds(filter)}
       GROUP BY d.package_id ORDER BY users DESC, runs DESC, d.package_id LIMIT ${maxPackages})
     SELECT p.package_id, p.package, p.kind, p.distribution FROM t JOIN packages p USING (package_id)
     ORDER BY t.users DESC, t.runs DESC, p.package`,
    w.params,
  );
  const keep = new Set(pkgs.map((p) => p.package_id));
  const graph: DependencyGraph = { nodes: [], edges: [] };
  const pkgNode = new Map<number, string>();
  for (const p of pkgs) {
    const id = nodeId('package', p.package);
    pkgNode.set(p.package_id, id);
    graph.nodes.push({
      id,
      root: 'package',
      rel: p.package,
      cluster: p.distribution ?? p.package,
      verdict: p.kind === 'stdlib' ? 'stdlib' : undefined,
      source: false,
    });
  }
  if (!pkgs.length) return graph;
  const ids = [...keep].join(',');
  const lib = await store.rows<{ s: number; t: number; w: number }>(
    `SELECT d.src_package_id AS s, d.dst_package_id AS t, sum(d.records)::DOUBLE AS w FROM ${w.library} d
     WHERE ${w.sql} AND d.src_package_id IN (${ids}) AND d.dst_package_id IN (${ids}) GROUP BY ALL
     ORDER BY s, t`,
    w.params,
  );
  for (const e of lib) graph.edges.push({ from: pkgNode.get(e.s)!, to: pkgNode.get(e.t)!, weight: e.w });
  if (maxScripts > 0) {
    const scripts = await store.rows<{ node_id: number; path: string; user: string | null }>(
      `WITH t AS (
         SELECT d.script_node_id, any_value(d.user_id) AS user_id, sum(d.runs) AS runs FROM ${w.runs} d
         WHERE ${w.sql} GROUP BY d.script_node_id ORDER BY runs DESC, d.script_node_id LIMIT ${maxScripts})
       SELECT n.node_id, n.path, u.value AS "user" FROM t JOIN nodes n ON n.node_id = t.script_node_id
       LEFT JOIN strings u ON u.string_id = t.user_id ORDER BY t.runs DESC, n.path`,
      w.params,
    );
    if (scripts.length) {
      const sNode = new Map<number, string>();
      for (const s of scripts) {
        const id = nodeId('script', s.path);
        sNode.set(s.node_id, id);
        graph.nodes.push({
          id,
          root: 'script',
          rel: s.path,
          cluster: s.user ?? 'unknown user',
          verdict: 'local',
          source: true,
        });
      }
      const edges = await store.rows<{ s: number; t: number; w: number }>(
        `SELECT d.script_node_id AS s, d.package_id AS t, sum(d.runs)::DOUBLE AS w FROM ${w.script} d
         WHERE ${w.sql} AND d.script_node_id IN (${scripts.map((s) => s.node_id).join(',')}) AND d.package_id IN (${ids})
         GROUP BY ALL ORDER BY s, t`,
        w.params,
      );
      for (const e of edges) graph.edges.push({ from: sNode.get(e.s)!, to: pkgNode.get(e.t)!, weight: e.w });
    }
  }
  return graph;
}

/**
 * Packages used but missing from the baseline, and the greedy what-if cover. `inBaseline` answers for
 * a (package, distribution) pair.
 */
export async function missingFromBaseline(
  store: UsageStore,
  filter: UsageFilter,
  baselineName: string,
  inBaseline: (pkg: string, distribution: string | null) => boolean,
  maxSteps = 20,
): Promise<MissingReport> {
  const usage = await packageUsage(store, { ...filter, includeStdlib: false });
  const missing = usage.filter((u) => !inBaseline(u.package, u.distribution));
  const missingSet = new Set(missing.map((m) => m.package));
  const w = where(filter);
  // per script: its user, its runs and its missing packages
  const rows = await store.rows<{ s: number; u: number | null; runs: number; pkgs: string[] | null }>(
    `WITH r AS (SELECT d.script_node_id AS s, d.user_id AS u, sum(d.runs)::DOUBLE AS runs FROM ${w.runs} d
                WHERE ${w.sql} GROUP BY ALL),
          k AS (SELECT DISTINCT d.script_node_id AS s, d.user_id AS u, p.package FROM ${w.script} d
                JOIN packages p USING (package_id) WHERE ${w.sql} AND p.kind = 'thirdParty')
     SELECT r.s, r.u, r.runs, list(k.package) FILTER (WHERE k.package IS NOT NULL) AS pkgs
     FROM r LEFT JOIN k ON k.s = r.s AND k.u IS NOT DISTINCT FROM r.u GROUP BY r.s, r.u, r.runs`,
    w.params,
  );
  // A run (script) is covered when every missing package it uses has been added; a user when all of
  // their scripts are. Greedy: each step adds the package that completes the most users, then runs
  // (ties: more users of the package). Only units missing exactly one package can be completed by one
  // addition, so each step is linear in scripts + users.
  const scriptNeed = rows.map((r) => ({
    user: r.u,
    runs: r.runs,
    need: new Set((r.pkgs ?? []).filter((p) => missingSet.has(p))),
  }));
  const userNeed = new Map<number, Set<string>>();
  for (const u of scriptNeed) {
    if (u.user === null) continue;
    const set = userNeed.get(u.user) ?? new Set<string>();
    for (const p of u.need) set.add(p);
    userNeed.set(u.user, set);
  }
  const totalRuns = scriptNeed.reduce((a, u) => a + u.runs, 0);
  const totalUsers = userNeed.size;
  const pct = (part: number, whole: number) => round(whole ? (100 * part) / whole : 100);
  let coveredRuns = scriptNeed.reduce((a, u) => a + (u.need.size === 0 ? u.runs : 0), 0);
  let coveredUsers = [...userNeed.values()].filter((s) => s.size === 0).length;
  const startUsersPct = pct(coveredUsers, totalUsers);
  const startRunsPct = pct(coveredRuns, totalRuns);
  const byName = new Map(missing.map((m) => [m.package, m]));
  const remaining = new Set(missing.map((m) => m.package));
  const whatIf: CoverStep[] = [];
  for (let step = 1; step <= maxSteps && remaining.size; step++) {
    const gainUsers = new Map<string, number>();
    const gainRuns = new Map<string, number>();
    for (const u of scriptNeed)
      if (u.need.size === 1) {
        const [p] = u.need;
        gainRuns.set(p, (gainRuns.get(p) ?? 0) + u.runs);
      }
    for (const set of userNeed.values())
      if (set.size === 1) {
        const [p] = set;
        gainUsers.set(p, (gainUsers.get(p) ?? 0) + 1);
      }
    let best: PackageUsage | null = null;
    let bu = -1;
    let br = -1;
    for (const name of remaining) {
      const m = byName.get(name)!;
      const gu = gainUsers.get(name) ?? 0;
      const gr = gainRuns.get(name) ?? 0;
      if (
        gu > bu ||
        (gu === bu && gr > br) ||
        (gu === bu && gr === br && best !== null && m.users > best.users)
      ) {
        best = m;
        bu = gu;
        br = gr;
      }
    }
    if (!best) break;
    remaining.delete(best.package);
    for (const u of scriptNeed) if (u.need.delete(best.package) && u.need.size === 0) coveredRuns += u.runs;
    for (const set of userNeed.values()) if (set.delete(best.package) && set.size === 0) coveredUsers++;
    whatIf.push({
      n: step,
      package: best.package,
      distribution: best.distribution,
      users: best.users,
      imports: best.imports,
      coveredUsersPct: pct(coveredUsers, totalUsers),
      coveredRunsPct: pct(coveredRuns, totalRuns),
    });
  }
  return {
    baseline: baselineName,
    missing,
    coveredUsersPct: startUsersPct,
    coveredRunsPct: startRunsPct,
    whatIf,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
