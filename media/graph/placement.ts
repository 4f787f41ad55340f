/**
 * Where the graph's nodes start: the packed anchors of the packages, the starting place of each
 * node after a rebuild (known places kept, new nodes beside a neighbour or in their package), the
 * zoom transform that fits the graph, and the nearest node in a direction. Pure geometry over
 * `SimNode`s, no DOM and no simulation.
 */
import { packSiblings, zoomIdentity, type ZoomTransform } from 'd3';
import type { Point } from './exporters';
import { FEW_NODES, push, radiusOf, type SimNode } from './scene';
import { clusterNodeId, type ViewGraph } from './transforms';

/** Why the view is rebuilt; it decides what stays pinned and how much the layout moves. */
export type RebuildReason = 'first' | 'data' | 'view' | 'expand';

/**
 * Adds anchors for packages not placed yet: packed circles sized by package, beside what is already
 * laid out, never on top of it.
 */
export function placeAnchors(anchors: Map<string, Point>, clusters: { key: string; size: number }[]): void {
  const fresh = clusters.filter((c) => !anchors.has(c.key));
  if (!fresh.length) return;
  const circles = fresh.map((c) => ({ key: c.key, r: 12 * Math.sqrt(c.size) + 14, x: 0, y: 0 }));
  packSiblings(circles);
  let offset: Point = { x: 0, y: 0 };
  if (anchors.size) {
    let maxX = -Infinity;
    let sumY = 0;
    for (const p of anchors.values()) {
      maxX = Math.max(maxX, p.x);
      sumY += p.y;
    }
    const minX = Math.min(...circles.map((c) => c.x - c.r));
    offset = { x: maxX + 120 - minX, y: sumY / anchors.size };
  }
  for (const c of circles) anchors.set(c.key, { x: c.x + offset.x, y: c.y + offset.y });
}

/** The i-th point of a sunflower spiral around `center` (`counters` counts per key). */
export function spiral(center: Point, counters: Map<string, number>, key: string, step: number): Point {
  const i = counters.get(key) ?? 0;
  counters.set(key, i + 1);
  const r = step * Math.sqrt(i + 0.5);
  const a = i * 2.399963;
  return { x: center.x + r * Math.cos(a), y: center.y + r * Math.sin(a) };
}

/** The mean place of the ids that have one (drawn now, else last known). */
export function centroid(
  ids: string[],
  drawn: Map<string, SimNode>,
  known: Map<string, Point>,
): Point | undefined {
  let x = 0;
  let y = 0;
  let n = 0;
  for (const id of ids) {
    const p = drawn.get(id) ?? known.get(id);
    if (p) {
      x += p.x;
      y += p.y;
      n++;
    }
  }
  return n ? { x: x / n, y: y / n } : undefined;
}

/** What a rebuild starts from. */
export interface Placement {
  view: ViewGraph;
  anchors: Map<string, Point>;
  /** The nodes drawn before the rebuild, by id. */
  previous: Map<string, SimNode>;
  /** Last known places, of nodes drawn or not. */
  positions: Map<string, Point>;
  /** Where each collapsed package's members' centroid was when it collapsed. */
  collapsedAt: Map<string, Point>;
  reason: RebuildReason;
}

/** The view's nodes with their starting places, and how many had none or were not drawn before. */
export interface Placed {
  nodes: SimNode[];
  /** Nodes with no known place (put beside a neighbour or in their package). */
  placedNew: number;
  /** Nodes not drawn before the rebuild. */
  appeared: number;
}

/**
 * A simulation node for each view node, where it was, else where its package was (a member of a
 * package just expanded), else beside a neighbour that has a place, else in its package. After new
 * data or an expansion, what is already drawn stays pinned while the new nodes find their place.
 */
export function placeNodes(p: Placement): Placed {
  const memberIndex = new Map<string, number>();
  const placed = (id: string): Point | undefined => p.previous.get(id) ?? p.positions.get(id);
  const neighbourOf = new Map<string, string[]>();
  for (const e of p.view.edges) {
    push(neighbourOf, e.to, e.from);
    push(neighbourOf, e.from, e.to);
  }
  const pin = p.reason === 'data' || p.reason === 'expand';
  const out: Placed = { nodes: [], placedNew: 0, appeared: 0 };
  for (const v of p.view.nodes) {
    const anchor = p.anchors.get(v.cluster) ?? { x: 0, y: 0 };
    let at = knownPlace(p, v, memberIndex);
    const isNew = !at;
    if (!at) {
      out.placedNew++;
      const near = (neighbourOf.get(v.id) ?? []).find((id) => placed(id));
      at = near
        ? spiral(placed(near)!, memberIndex, `near:${near}`, 12)
        : spiral(anchor, memberIndex, v.cluster, 7);
    }
    const node: SimNode = {
      id: v.id,
      v,
      r: radiusOf(v),
      ax: anchor.x,
      ay: anchor.y,
      x: at.x,
      y: at.y,
      vx: 0,
      vy: 0,
    };
    const drawnBefore = p.previous.has(v.id);
    if (!drawnBefore) out.appeared++;
    if (pin && (p.reason === 'expand' ? drawnBefore : !isNew)) {
      node.fx = at.x;
      node.fy = at.y;
    }
    out.nodes.push(node);
  }
  return out;
}

/** Where a view node was: drawn, known, its collapsed members' centre, or moved with its package. */
function knownPlace(
  p: Placement,
  v: ViewGraph['nodes'][number],
  memberIndex: Map<string, number>,
): Point | undefined {
  const old = p.previous.get(v.id);
  if (old) return { x: old.x, y: old.y };
  const known = p.positions.get(v.id);
  if (known) return known;
  if (v.kind === 'cluster') return centroid(v.members!, p.previous, p.positions);
  // A member of a cluster that was just expanded: its old place, moved with the cluster.
  const clusterNode = p.previous.get(clusterNodeId(v.cluster));
  const own = p.positions.get(v.id);
  const at = p.collapsedAt.get(v.cluster);
  if (clusterNode && own && at) return { x: own.x + clusterNode.x - at.x, y: own.y + clusterNode.y - at.y };
  if (clusterNode) return spiral(clusterNode, memberIndex, v.cluster, 4);
  return undefined;
}

/** The transform that fits every node in a `width` × `height` view, with room for labels when few. */
export function fitTransform(sim: readonly SimNode[], width: number, height: number): ZoomTransform {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of sim) {
    x0 = Math.min(x0, n.x - n.r);
    y0 = Math.min(y0, n.y - n.r);
    x1 = Math.max(x1, n.x + n.r);
    y1 = Math.max(y1, n.y + n.r);
  }
  const pad = 30;
  // Labels are drawn right of their nodes, in screen pixels: leave room for them when they show.
  const labelRoom = sim.length <= FEW_NODES ? Math.min(160, width / 4) : 0;
  const k = Math.min(
    2,
    Math.max(
      0.03,
      Math.min((width - 2 * pad - labelRoom) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1)),
    ),
  );
  return zoomIdentity
    .translate((width - labelRoom) / 2 - ((x0 + x1) / 2) * k, height / 2 - ((y0 + y1) / 2) * k)
    .scale(k);
}

/** The nearest node in a direction (within a 45° half-cone, distance penalised by angle). */
export function nearestInDirection(
  sim: readonly SimNode[],
  from: SimNode,
  dx: number,
  dy: number,
): SimNode | null {
  let best: SimNode | null = null;
  let bestScore = Infinity;
  for (const n of sim) {
    if (n === from) continue;
    const vx = n.x - from.x;
    const vy = n.y - from.y;
    const along = vx * dx + vy * dy;
    if (along <= 0) continue;
    const across = Math.abs(vx * dy - vy * dx);
    if (across > along * 1.2) continue;
    const score = along + across * 2.5;
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  }
  return best;
}
