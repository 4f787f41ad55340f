/**
 * The usage dashboard's JSON API, defined once: each route's path name (`/api/NAME`), the query
 * parameters it reads and what they mean, and the type of its answer. dashboardServer.ts answers the
 * routes from this table; the page (media/dashboard) builds its request paths with `apiPath` and
 * reads the answers with these types.
 *
 * The browser bundle imports this file (test/architecture.test.ts allows media/ this one file), so it
 * imports types only and uses nothing of Node. It runs no query and reads no request: the server
 * parses and checks the parameters, the analyzer answers.
 */
import type { DependencyGraph } from '../../analyzer/graph/dependencyGraph';
import type { QueueEntry } from '../../analyzer/requests/queue';
import type {
  CoUsage,
  HostUsage,
  MonthlyPoint,
  PackageBundle,
  PackageDrillDown,
  PackageUsage,
  ScriptUsage,
  SourceBadLines,
  StoreCoverage,
  UsageOverview,
  UsageTotals,
} from '../../analyzer/usage/answers';
import type { UsageFilter } from '../../analyzer/usage/usageFilter';

export type { UsageFilter } from '../../analyzer/usage/usageFilter';

/**
 * The usage filter's query parameters. Every route checks them (a bad date is a 400 anywhere); the
 * routes marked `filtered` apply them.
 */
export const FILTER_PARAMS = {
  /** `YYYY-MM-DD`: the first day counted (UsageFilter.since). */
  since: 'since',
  /** `YYYY-MM-DD`: the last day counted, not before `since` (UsageFilter.until). */
  until: 'until',
  /** A host to count, repeatable; none: every host (UsageFilter.hosts). */
  host: 'host',
  /** `1`: standard-library packages too (UsageFilter.includeStdlib). */
  stdlib: 'stdlib',
} as const;

/** A whole-number parameter: absent or empty means `default`; otherwise 0..`max`, else a 400. */
export interface CountParam {
  kind: 'count';
  default: number;
  max: number;
  /** What it counts. */
  meaning: string;
}

/** A text parameter the route cannot do without: absent or empty is a 400. */
export interface RequiredTextParam {
  kind: 'text';
  meaning: string;
}

export type RouteParam = CountParam | RequiredTextParam;

export interface RouteDefinition {
  /** Whether the answer depends on the usage filter (FILTER_PARAMS). */
  filtered: boolean;
  /** The route's own query parameters by name, checked in this order. */
  params: Readonly<Record<string, RouteParam>>;
  /** What the route answers. */
  meaning: string;
}

/** `meta`: the store's file name, and the days and hosts of its script records. */
export interface DashboardMeta extends StoreCoverage {
  store: string;
}

/** `summary`: the filter as the server read it, and the store's answers for it. */
export interface DashboardSummary extends UsageOverview {
  filter: UsageFilter;
}

/** `graph`: what the graph view draws (a GraphPayload of server/protocol.ts). */
export interface DashboardGraph {
  graph: DependencyGraph;
  title: string;
}

/** Each route's answer (JSON), by route name. */
export interface DashboardAnswers {
  meta: DashboardMeta;
  summary: DashboardSummary;
  totals: UsageTotals;
  packages: PackageUsage[];
  monthly: MonthlyPoint[];
  hosts: HostUsage[];
  scripts: ScriptUsage[];
  'co-usage': CoUsage[];
  bundles: PackageBundle[];
  package: PackageDrillDown;
  graph: DashboardGraph;
  requests: QueueEntry[];
  'bad-lines': SourceBadLines[];
}

export type DashboardRoute = keyof DashboardAnswers;

const count = (def: number, max: number, meaning: string): CountParam => ({
  kind: 'count',
  default: def,
  max,
  meaning,
});

/** The routes, one per answer; `pyrats dashboard --help` and the README list them for users. */
export const DASHBOARD_ROUTES = {
  meta: {
    filtered: false,
    params: {},
    meaning: 'the store file name, first and last day, and hosts (for the filter form)',
  },
  summary: {
    filtered: true,
    params: { top: count(50, 10_000, 'scripts, pairs and bundles listed') },
    meaning: 'totals, packages, monthly trend (8 packages), hosts, scripts, co-usage and bundles at once',
  },
  totals: { filtered: true, params: {}, meaning: 'records, runs, users, scripts, hosts, packages, days' },
  packages: { filtered: true, params: {}, meaning: 'packages by distinct users and by imports' },
  monthly: {
    filtered: true,
    params: { top: count(8, 100, 'packages in the trend') },
    meaning: 'distinct users and imports per month of the top packages',
  },
  hosts: { filtered: true, params: {}, meaning: 'users, runs, scripts and top packages per host' },
  scripts: {
    filtered: true,
    params: { top: count(500, 10_000, 'scripts listed') },
    meaning: 'the most-run scripts',
  },
  'co-usage': {
    filtered: true,
    params: { top: count(500, 10_000, 'pairs listed') },
    meaning: 'pairs of packages the same scripts import',
  },
  bundles: {
    filtered: true,
    params: { top: count(500, 10_000, 'bundles listed') },
    meaning: 'sets of 3 or more packages the same scripts import',
  },
  package: {
    filtered: true,
    params: { name: { kind: 'text', meaning: 'the package: import name, any case, or distribution' } },
    meaning: "one package's users, scripts, hosts and package imports (404 when not in the store)",
  },
  graph: {
    filtered: true,
    params: {
      scripts: count(100, 5000, 'scripts in the graph, most run first'),
      packages: count(150, 5000, 'packages in the graph, most users first'),
    },
    meaning: 'the aggregated dependency graph: scripts → packages, package → package',
  },
  requests: { filtered: false, params: {}, meaning: 'the package request queue' },
  'bad-lines': { filtered: false, params: {}, meaning: 'the ingested inputs with unreadable lines' },
} as const satisfies Record<DashboardRoute, RouteDefinition>;

type ParamsOf<R extends DashboardRoute> = (typeof DASHBOARD_ROUTES)[R]['params'];

/** A route's own parameters as the server hands them to the answer: counts filled in, text present. */
export type RouteArgs<R extends DashboardRoute> = {
  -readonly [K in keyof ParamsOf<R>]: ParamsOf<R>[K] extends CountParam ? number : string;
};

type CountNames<R extends DashboardRoute> = {
  [K in keyof ParamsOf<R>]: ParamsOf<R>[K] extends CountParam ? K : never;
}[keyof ParamsOf<R>];

/** What a caller sends: the filter on filtered routes only, counts when not the default, text always. */
export type RouteQuery<R extends DashboardRoute> = ((typeof DASHBOARD_ROUTES)[R]['filtered'] extends true
  ? UsageFilter
  : { [K in keyof UsageFilter]?: never }) &
  Partial<Pick<RouteArgs<R>, CountNames<R>>> &
  Omit<RouteArgs<R>, CountNames<R>>;

/** The query argument of a call: optional when the route needs nothing. */
export type RouteQueryArg<R extends DashboardRoute> =
  Partial<RouteQuery<R>> extends RouteQuery<R> ? [query?: RouteQuery<R>] : [query: RouteQuery<R>];

export function isDashboardRoute(name: string): name is DashboardRoute {
  return Object.hasOwn(DASHBOARD_ROUTES, name);
}

/**
 * The path of a call below `api/`: the route name, then the filter's parameters (since, until, each
 * host, stdlib) and the route's own, in that order; no `?` when there are none.
 */
export function apiPath<R extends DashboardRoute>(route: R, ...[query]: RouteQueryArg<R>): string {
  const q: UsageFilter & Record<string, unknown> = query ?? {};
  const p = new URLSearchParams();
  if (q.since) p.set(FILTER_PARAMS.since, q.since);
  if (q.until) p.set(FILTER_PARAMS.until, q.until);
  for (const h of q.hosts ?? []) p.append(FILTER_PARAMS.host, h);
  if (q.includeStdlib) p.set(FILTER_PARAMS.stdlib, '1');
  for (const name of Object.keys(DASHBOARD_ROUTES[route].params)) {
    const v = q[name];
    if (typeof v === 'string' || typeof v === 'number') p.set(name, String(v));
  }
  const s = p.toString();
  return s ? `${route}?${s}` : route;
}
