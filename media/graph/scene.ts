/**
 * What the graph view draws and lays out: a `SimNode` per view node (its d3-force state and radius)
 * and a `SimLink` per view edge, with the sizes and thresholds the layout, the drawing and the
 * panels share. Pure data and small helpers, no DOM.
 */
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3';
import type { ViewEdge, ViewNode } from './transforms';

export interface SimNode extends SimulationNodeDatum {
  id: string;
  v: ViewNode;
  r: number;
  /** The anchor of the node's package, which the layout pulls it towards. */
  ax: number;
  ay: number;
  x: number;
  y: number;
}

export interface SimLink extends SimulationLinkDatum<SimNode> {
  e: ViewEdge;
  source: SimNode;
  target: SimNode;
}

/** Above this many nodes the layout skips collisions and settles faster. */
export const LARGE_GRAPH = 800;
export const LABEL_FONT_PX = 11;
/** Above this many nodes + edges, pan and zoom gestures move a snapshot of the last frame. */
export const HEAVY_SCENE = 6000;
/** Beyond this many scripts (a workspace), they get thin rings and labels only like other modules. */
export const MANY_ROOTS = 40;
/** Up to this many nodes every label is drawn (and `fit` leaves room for them). */
export const FEW_NODES = 220;

export function radiusOf(v: ViewNode): number {
  if (v.kind === 'cluster') return 6 + 2.2 * Math.sqrt(v.members!.length);
  return v.root ? 6 : 4;
}

export function nodeTitle(v: ViewNode): string {
  return v.kind === 'cluster' ? `${v.label} (${v.members!.length})` : v.label;
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** How many nodes a node is linked to (1 for an unknown id, so strengths stay finite). */
export function degreeOf(neighbours: Map<string, Set<string>>, id: string): number {
  return neighbours.get(id)?.size ?? 1;
}
