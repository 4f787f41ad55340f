/**
 * What the graph view remembers across reloads and panel switches (zoom, collapsed packages,
 * filters, depths, search, scope, positions), and reading a saved copy back defensively. Pure.
 */
import type { GraphScope } from './messages';
import type { VerdictFilter } from './transforms';

export interface GraphViewState {
  transform?: { x: number; y: number; k: number };
  collapsed?: string[];
  filter?: VerdictFilter;
  depth?: number | null;
  /** Package hops shown from the scripts (null: all); a fresh view opens at 1, packages collapsed. */
  packageDepth?: number | null;
  focusRoot?: string | null;
  search?: string;
  scope?: GraphScope;
  /** Last known positions, rounded: id → [x, y]. */
  positions?: Record<string, [number, number]>;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A saved state as it may come back (from an older version, another graph, or edited storage):
 * whatever is malformed is dropped, the rest kept.
 */
export function sanitizeState(raw: unknown): GraphViewState {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: GraphViewState = {};
  const t = r.transform as Record<string, unknown> | undefined;
  if (t && finite(t.x) && finite(t.y) && finite(t.k) && t.k > 0) out.transform = { x: t.x, y: t.y, k: t.k };
  if (Array.isArray(r.collapsed))
    out.collapsed = r.collapsed.filter((c): c is string => typeof c === 'string');
  if (r.filter && typeof r.filter === 'object') {
    const f = r.filter as Record<string, unknown>;
    out.filter = {
      hideStdlib: f.hideStdlib === true,
      onlyThirdParty: f.onlyThirdParty === true,
      onlyMissing: f.onlyMissing === true,
    };
  }
  if (r.depth === null || (finite(r.depth) && r.depth >= 0)) out.depth = r.depth as number | null;
  if (r.packageDepth === null || (finite(r.packageDepth) && r.packageDepth >= 0))
    out.packageDepth = r.packageDepth as number | null;
  if (r.focusRoot === null || typeof r.focusRoot === 'string') out.focusRoot = r.focusRoot as string | null;
  if (typeof r.search === 'string') out.search = r.search.slice(0, 500);
  if (r.scope === 'script' || r.scope === 'workspace') out.scope = r.scope;
  if (r.positions && typeof r.positions === 'object') {
    const positions: Record<string, [number, number]> = {};
    for (const [id, p] of Object.entries(r.positions as Record<string, unknown>)) {
      if (Array.isArray(p) && finite(p[0]) && finite(p[1])) positions[id] = [p[0], p[1]];
    }
    out.positions = positions;
  }
  return out;
}
