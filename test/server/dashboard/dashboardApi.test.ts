/**
 * The dashboard API's one definition (server/dashboard/dashboardApi.ts): the paths the page builds
 * from it, the route names the server accepts, and the types a call is checked against.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { QueueEntry } from '../../../analyzer/requests/queue';
import {
  apiPath,
  DASHBOARD_ROUTES,
  isDashboardRoute,
  type DashboardAnswers,
  type RouteArgs,
  type RouteQueryArg,
} from '../../../server/dashboard/dashboardApi';

describe('apiPath', () => {
  it('is the bare route name without a query', () => {
    expect(apiPath('meta')).toBe('meta');
    expect(apiPath('totals', {})).toBe('totals');
  });

  it('puts the filter first (each host repeated), then the route parameters in their order', () => {
    const filter = { since: '2026-10-01', until: '2026-11-30', hosts: ['h1', 'h 2'], includeStdlib: true };
    expect(apiPath('graph', { ...filter, packages: 7, scripts: 5 })).toBe(
      'graph?since=2026-10-01&until=2026-11-30&host=h1&host=h+2&stdlib=1&scripts=5&packages=7',
    );
    expect(apiPath('package', { until: '2026-11-30', name: 'a&b' })).toBe(
      'package?until=2026-11-30&name=a%26b',
    );
    expect(apiPath('monthly', { top: 8 })).toBe('monthly?top=8');
  });

  it('leaves out empty filter fields', () => {
    expect(apiPath('scripts', { since: '', hosts: [], top: 500 })).toBe('scripts?top=500');
  });
});

describe('route names', () => {
  it('are the routes, and nothing inherited', () => {
    expect(isDashboardRoute('co-usage')).toBe(true);
    expect(isDashboardRoute('bad-lines')).toBe(true);
    for (const name of ['nope', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(isDashboardRoute(name)).toBe(false);
  });

  it('are all in the README', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    for (const route of Object.keys(DASHBOARD_ROUTES)) expect(readme).toContain(`\`/api/${route}`);
  });
});

describe('types', () => {
  it('give each route its answer and its parameters', () => {
    expectTypeOf<DashboardAnswers['requests']>().toEqualTypeOf<QueueEntry[]>();
    expectTypeOf<RouteArgs<'graph'>>().toEqualTypeOf<{ scripts: number; packages: number }>();
    expectTypeOf<RouteArgs<'package'>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<keyof RouteArgs<'meta'>>().toEqualTypeOf<never>();
    // a package call needs its name; meta takes no filter
    expectTypeOf<RouteQueryArg<'package'>[0]['name']>().toEqualTypeOf<string>();
    expectTypeOf<undefined>().not.toExtend<RouteQueryArg<'package'>[0]>();
    expectTypeOf<undefined>().toExtend<RouteQueryArg<'meta'>[0]>();
    // @ts-expect-error: the name is required
    apiPath('package', { since: '2026-01-01' });
    // @ts-expect-error: meta does not take the filter
    apiPath('meta', { since: '2026-01-01' });
    // @ts-expect-error: counts are numbers
    apiPath('scripts', { top: '5' });
  });
});
