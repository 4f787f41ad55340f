/**
 * Where the dashboard gets its data: the JSON API of `pyrats dashboard` over HTTP (plain page), or
 * the same API relayed by the VS Code panel through webview messages. Both answer the same paths,
 * built from the route table of server/dashboard/dashboardApi.ts, and the answers have its types.
 */
import type { DashboardHostMessage, DashboardViewMessage } from '../../server/protocol';
import {
  apiPath,
  type DashboardAnswers,
  type DashboardRoute,
  type RouteQueryArg,
} from '../../server/dashboard/dashboardApi';
import type { HostBridge } from '../shared/bridge';

export interface DataSource {
  /** One API call: `route` with its query (filter and parameters); the route's answer. */
  get<R extends DashboardRoute>(route: R, ...query: RouteQueryArg<R>): Promise<DashboardAnswers[R]>;
}

export class ApiError extends Error {}

/** Sends an API path (below `api/`) and resolves to the answer's JSON, or rejects with an ApiError. */
type Transport = (path: string) => Promise<unknown>;

function typedSource(send: Transport): DataSource {
  return {
    get<R extends DashboardRoute>(route: R, ...query: RouteQueryArg<R>): Promise<DashboardAnswers[R]> {
      // the server answers the route with its type (dashboardServer.ts)
      return send(apiPath(route, ...query)) as Promise<DashboardAnswers[R]>;
    },
  };
}

export function httpSource(base: string): DataSource {
  return typedSource(async (path) => {
    const res = await fetch(base + path, { headers: { Accept: 'application/json' } });
    const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as { error?: string };
    if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`);
    return body;
  });
}

export function bridgeSource(host: HostBridge): DataSource {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  host.onMessage((raw) => {
    const msg = raw as DashboardHostMessage;
    if (msg.type !== 'apiResult') return;
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.status === 200) w.resolve(msg.body);
    else w.reject(new ApiError((msg.body as { error?: string } | null)?.error ?? `HTTP ${msg.status}`));
  });
  return typedSource(
    (path) =>
      new Promise<unknown>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        const message: DashboardViewMessage = { type: 'api', id, path };
        host.post(message);
      }),
  );
}
