/**
 * The graph's layout: the drawn nodes (`SimNode`s) with their links and neighbours, and the d3-force
 * simulation that moves them (links pull harder inside a package, every node is drawn towards its
 * package's anchor). `GraphLayout` keeps every place it has seen, so a rebuild (new data, a filter,
 * a package expanded) starts from known places; the view ticks it in animation frames through
 * `step`. Where new nodes start is decided in placement.ts.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  quadtree,
  type Quadtree,
  type Simulation,
} from 'd3';
import type { Point } from './exporters';
import { centroid, placeAnchors, placeNodes, type RebuildReason } from './placement';
import { degreeOf, LARGE_GRAPH, type SimLink, type SimNode } from './scene';
import { clusterNodeId, type ViewGraph } from './transforms';

const PRE_LAYOUT_BUDGET_MS = 300;

/** Whole pixels, and never -0 (which JSON turns into 0). */
function round(v: number): number {
  return Math.round(v) || 0;
}

type GraphSimulation = Simulation<SimNode, SimLink>;

/** A stopped simulation (the view ticks it in animation frames); `degree` weakens links of hubs. */
function createSimulation(degree: (id: string) => number): GraphSimulation {
  return forceSimulation<SimNode, SimLink>([])
    .stop()
    .velocityDecay(0.45)
    .force(
      'link',
      forceLink<SimNode, SimLink>([])
        .id((d) => d.id)
        .distance((l) => (l.source.v.cluster === l.target.v.cluster ? 14 + l.source.r + l.target.r : 80))
        .strength((l) => {
          const base = 1 / Math.max(1, Math.min(degree(l.source.id), degree(l.target.id)));
          return l.source.v.cluster === l.target.v.cluster ? base : base * 0.08;
        }),
    )
    .force(
      'charge',
      forceManyBody<SimNode>()
        .strength((d) => -12 - d.r * 3)
        .theta(0.95)
        .distanceMax(220),
    )
    .force('x', forceX<SimNode>((d) => d.ax).strength(0.1))
    .force('y', forceY<SimNode>((d) => d.ay).strength(0.1));
}

/** Gives the simulation its nodes and links. Large graphs start packed: fewer ticks, no collisions. */
function loadSimulation(simulation: GraphSimulation, nodes: SimNode[], links: SimLink[]): void {
  simulation.nodes(nodes);
  const large = nodes.length > LARGE_GRAPH;
  simulation.alphaDecay(nodes.length > 2500 ? 0.06 : large ? 0.045 : 0.0228);
  simulation.force(
    'collide',
    large
      ? null
      : forceCollide<SimNode>((d) => d.r + 2)
          .iterations(1)
          .strength(0.8),
  );
  (simulation.force('link') as ReturnType<typeof forceLink<SimNode, SimLink>>).links(links);
}

/** Ticks the simulation until it settles or `budgetMs` has passed. */
function tickFor(simulation: GraphSimulation, budgetMs: number): void {
  const start = performance.now();
  while (performance.now() - start < budgetMs && simulation.alpha() > simulation.alphaMin()) {
    simulation.tick();
  }
}

export class GraphLayout {
  /** The drawn nodes, by id, their links and each node's neighbours. */
  sim: SimNode[] = [];
  byId = new Map<string, SimNode>();
  links: SimLink[] = [];
  neighbours = new Map<string, Set<string>>();
  /** Number of edges on cycles in the view (many: drawn lighter, so they do not drown the rest). */
  cycleEdges = 0;
  /** Number of scripts in the view (a workspace can have hundreds: then they are not all labelled). */
  rootCount = 0;
  /** The simulation has come to rest. */
  settled = false;
  /** The first layout is still settling (the camera follows it). */
  firstLayout = true;
  /** Last known places, of nodes drawn or not (kept in the view's state). */
  readonly positions = new Map<string, Point>();
  /** Where each collapsed cluster's members' centroid was when it collapsed. */
  private readonly collapsedAt = new Map<string, Point>();
  private readonly anchors = new Map<string, Point>();
  private readonly simulation: GraphSimulation;
  private tree: Quadtree<SimNode> | null = null;

  constructor(saved: Record<string, [number, number]>) {
    for (const [id, [x, y]] of Object.entries(saved)) this.positions.set(id, { x, y });
    this.simulation = createSimulation((id) => degreeOf(this.neighbours, id));
  }

  /** Gives packages not placed yet an anchor, beside the ones that are. */
  addPackages(clusters: { key: string; size: number }[]): void {
    placeAnchors(this.anchors, clusters);
  }

  /**
   * Lays out a new view: known nodes keep their place (pinned after new data or an expansion),
   * new ones start beside a neighbour or in their package. A fresh layout gets a full settle (and
   * up to 300 ms of it at once when most nodes are new), mostly known places a gentle one, and
   * nothing moves when every node already has its place.
   */
  load(view: ViewGraph, reason: RebuildReason): void {
    this.capture();
    const previous = this.byId;
    const placed = placeNodes({
      view,
      anchors: this.anchors,
      previous,
      positions: this.positions,
      collapsedAt: this.collapsedAt,
      reason,
    });
    for (const v of view.nodes)
      if (v.kind === 'cluster' && !this.collapsedAt.has(v.cluster)) {
        const c = centroid(v.members!, previous, this.positions);
        if (c) this.collapsedAt.set(v.cluster, c);
      }
    this.setNodes(view, placed.nodes);
    loadSimulation(this.simulation, this.sim, this.links);
    const share = this.sim.length ? placed.placedNew / this.sim.length : 0;
    this.simulation.alpha(Math.max(0.08, Math.min(1, share))).alphaTarget(0);
    this.settled = reason !== 'view' && (reason === 'expand' ? placed.appeared : placed.placedNew) === 0;
    if (this.settled) for (const n of this.sim) n.fx = n.fy = undefined;
    if (reason === 'first' && share > 0.5) tickFor(this.simulation, PRE_LAYOUT_BUDGET_MS);
  }

  private setNodes(view: ViewGraph, nodes: SimNode[]): void {
    this.sim = nodes;
    this.byId = new Map(nodes.map((n) => [n.id, n]));
    this.links = view.edges.map((e) => ({ e, source: this.byId.get(e.from)!, target: this.byId.get(e.to)! }));
    this.neighbours = new Map(nodes.map((n) => [n.id, new Set<string>()]));
    for (const e of view.edges) {
      this.neighbours.get(e.from)!.add(e.to);
      this.neighbours.get(e.to)!.add(e.from);
    }
    this.cycleEdges = view.edges.filter((e) => e.inCycle).length;
    this.rootCount = view.nodes.filter((n) => n.root).length;
    this.tree = null;
  }

  /** Remembers where every drawn node is now. */
  capture(): void {
    for (const n of this.sim) this.positions.set(n.id, { x: n.x, y: n.y });
  }

  /** Keeps where a package's modules are as it collapses (they return there when it expands). */
  rememberCollapse(key: string): void {
    const members = this.sim.filter((n) => n.v.cluster === key && n.v.kind === 'module').map((n) => n.id);
    const c = centroid(members, this.byId, this.positions);
    if (c) this.collapsedAt.set(key, c);
  }

  degree(id: string): number {
    return degreeOf(this.neighbours, id);
  }

  /** Ticks for up to `budgetMs` (at least once); true when the layout has just come to rest. */
  step(budgetMs: number): boolean {
    const start = performance.now();
    do {
      if (this.simulation.alpha() < this.simulation.alphaMin()) {
        this.settled = true;
        this.firstLayout = false;
        for (const n of this.sim) n.fx = n.fy = undefined;
        this.capture();
        return true;
      }
      this.simulation.tick();
      this.tree = null;
    } while (performance.now() - start < budgetMs);
    return false;
  }

  /** The node under a point (graph coordinates), within `slack` of its rim. */
  hit(x: number, y: number, slack: number): SimNode | null {
    this.tree ??= quadtree<SimNode>()
      .x((d) => d.x)
      .y((d) => d.y)
      .addAll(this.sim);
    const maxR = this.sim.reduce((m, n) => Math.max(m, n.r), 0);
    const found = this.tree.find(x, y, maxR + slack);
    if (found && Math.hypot(found.x - x, found.y - y) <= found.r + slack) return found;
    return null;
  }

  /**
   * The node an import names (`numpy.linalg` from a quick fix): an id, a path or a label, else the
   * module with the longest dotted prefix of it (a package the compat closure did not enter), else
   * its package's node.
   */
  find(select: string): SimNode | undefined {
    const exact =
      this.byId.get(select) ?? this.sim.find((n) => n.v.node?.rel === select || n.v.label === select);
    if (exact) return exact;
    let best: SimNode | undefined;
    for (const n of this.sim) {
      if (
        n.v.kind === 'module' &&
        select.startsWith(`${n.v.label}.`) &&
        n.v.label.length > (best?.v.label.length ?? 0)
      ) {
        best = n;
      }
    }
    return best ?? this.byId.get(clusterNodeId(select.split('.')[0]));
  }

  /** Every known place, rounded (for the saved state): drawn nodes first, then the rest. */
  savedPlaces(): Record<string, [number, number]> {
    const places: Record<string, [number, number]> = {};
    for (const n of this.sim) places[n.id] = [round(n.x), round(n.y)];
    for (const [id, p] of this.positions) if (!(id in places)) places[id] = [round(p.x), round(p.y)];
    return places;
  }

  stop(): void {
    this.simulation.stop();
  }
}
