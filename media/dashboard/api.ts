/**
 * Where the dashboard gets its data: the JSON API of `pyrats dashboard` over HTTP (plain page), or
 * the same API relayed by the VS Code panel through webview messages. Both answer the same paths.
 */
import type { DashboardHostMessage, DashboardViewMessage } from '../../server/protocol';
import type { HostBridge } from '../shared/bridge';

export interface DataSource {
  get<T>(path: string): Promise<T>;
}

export class ApiError extends Error {}

export function httpSource(base: string): DataSource {
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(base + path, { headers: { Accept: 'application/json' } });
      const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as { error?: string };
      if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`);
      return body as T;
    },
  };
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
  return {
    get<T>(path: string): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        const message: DashboardViewMessage = { type: 'api', id, path };
        host.post(message);
      });
    },
  };
}
