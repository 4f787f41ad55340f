/**
 * Answers the dashboard's JSON API (the routes of dashboardApi.ts) from one open usage store: reads
 * and checks the query parameters (a bad one is an HttpError 400), runs the analyzer's queries, and
 * returns the JSON-ready answer. Knows nothing of HTTP connections, tokens or the store's opening and
 * closing (dashboardServer.ts).
 */
import path from 'node:path';
import { listQueue } from '../../analyzer/requests/queue';
import {
  aggregatedGraph,
  byHost,
  coUsage,
  packageBundles,
  dayNumber,
  drillDown,
  monthlyTrend,
  packageUsage,
  resolvePackage,
  topScripts,
  totals,
  type UsageFilter,
} from '../../analyzer/usage/queries';
import type { UsageStore } from '../../analyzer/usage/store';
import { sourcesWithBadLines, storeCoverage } from '../../analyzer/usage/storeContents';
import {
  DASHBOARD_ROUTES,
  FILTER_PARAMS,
  isDashboardRoute,
  type CountParam,
  type DashboardAnswers,
  type DashboardRoute,
  type RouteArgs,
  type RouteParam,
} from './dashboardApi';

/** A request the API refuses, with the HTTP status to send. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The usage filter of a call (FILTER_PARAMS); a date that is not one, or `since` after `until`, is a 400. */
function filterFrom(q: URLSearchParams): UsageFilter {
  const f: UsageFilter = {};
  for (const k of ['since', 'until'] as const) {
    const v = q.get(FILTER_PARAMS[k]);
    if (!v) continue;
    try {
      dayNumber(v);
    } catch (err) {
      throw new HttpError(400, `${FILTER_PARAMS[k]}: ${(err as Error).message}`);
    }
    f[k] = v;
  }
  if (f.since && f.until && f.since > f.until)
    throw new HttpError(400, `${FILTER_PARAMS.since} is after ${FILTER_PARAMS.until}`);
  const hosts = q.getAll(FILTER_PARAMS.host).filter(Boolean);
  if (hosts.length) f.hosts = hosts;
  if (q.get(FILTER_PARAMS.stdlib) === '1') f.includeStdlib = true;
  return f;
}

/** A count parameter: its default when absent or empty, else a whole number 0..max (else a 400). */
function countParam(q: URLSearchParams, name: string, spec: CountParam): number {
  const v = q.get(name);
  if (v === null || v === '') return spec.default;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > spec.max)
    throw new HttpError(400, `${name}: a whole number 0..${spec.max}`);
  return n;
}

/** The route's own parameters (DASHBOARD_ROUTES), checked in their order. */
function routeArgs<R extends DashboardRoute>(route: R, q: URLSearchParams): RouteArgs<R> {
  const args: Record<string, number | string> = {};
  const params: Readonly<Record<string, RouteParam>> = DASHBOARD_ROUTES[route].params;
  for (const [name, spec] of Object.entries(params)) {
    if (spec.kind === 'count') args[name] = countParam(q, name, spec);
    else {
      const v = q.get(name);
      if (!v) throw new HttpError(400, `${name}: required`);
      args[name] = v;
    }
  }
  return args as RouteArgs<R>;
}

type Answer<R extends DashboardRoute> = (
  store: UsageStore,
  filter: UsageFilter,
  args: RouteArgs<R>,
) => Promise<DashboardAnswers[R]>;

/** How the store answers each route (the routes and their parameters: dashboardApi.ts). */
const answers: { [R in DashboardRoute]: Answer<R> } = {
  meta: async (store) => ({ store: path.basename(store.file), ...(await storeCoverage(store)) }),
  summary: async (store, f, { top }) => ({
    filter: f,
    totals: await totals(store, f),
    packages: await packageUsage(store, f),
    monthly: await monthlyTrend(store, f, 8),
    hosts: await byHost(store, f),
    scripts: await topScripts(store, f, top),
    coUsage: await coUsage(store, f, top),
    bundles: await packageBundles(store, f, { limit: top }),
  }),
  // the parts of the summary, one query each (the page asks for them in parallel)
  totals: (store, f) => totals(store, f),
  packages: (store, f) => packageUsage(store, f),
  monthly: (store, f, { top }) => monthlyTrend(store, f, top),
  hosts: (store, f) => byHost(store, f),
  scripts: (store, f, { top }) => topScripts(store, f, top),
  'co-usage': (store, f, { top }) => coUsage(store, f, top),
  bundles: (store, f, { top }) => packageBundles(store, f, { limit: top }),
  package: async (store, f, { name }) => {
    const [found] = await resolvePackage(store, name);
    if (found === undefined) throw new HttpError(404, `no package '${name.slice(0, 100)}' in the store`);
    return drillDown(store, found, f);
  },
  graph: async (store, f, { scripts, packages }) => ({
    graph: await aggregatedGraph(store, f, { maxScripts: scripts, maxPackages: packages }),
    title: 'aggregated usage graph',
  }),
  requests: (store) => listQueue(store),
  'bad-lines': (store) => sourcesWithBadLines(store),
};

function answerRoute<R extends DashboardRoute>(
  store: UsageStore,
  route: R,
  filter: UsageFilter,
  q: URLSearchParams,
): Promise<DashboardAnswers[R]> {
  const answer: Answer<R> = answers[route];
  return answer(store, filter, routeArgs(route, q));
}

/** Runs one API call against the store; the JSON-ready answer. */
export async function answerApi(store: UsageStore, route: string, q: URLSearchParams): Promise<unknown> {
  const filter = filterFrom(q);
  if (!isDashboardRoute(route)) throw new HttpError(404, `no API '${route}'`);
  return answerRoute(store, route, filter, q);
}
