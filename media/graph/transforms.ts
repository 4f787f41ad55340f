/**
 * Pure transforms from a DependencyGraph to what the graph view draws: the closure of chosen roots
 * to a depth, verdict filters that keep reachability through hidden nodes (implied edges), cycle
 * detection (Tarjan's strongly connected components), collapsing clusters of modules into one node
 * per package (snakefood's sfood-cluster, interactively), and search. No DOM, no d3: runs in Node
 * for the unit tests and in the webview alike.
 */
import type { DependencyGraph, GraphNode, VerdictKind } from '../../analyzer/graph/dependencyGraph';
import { packageDistances } from './packageLevel';
import {
  clusterKey,
  clusterNodeId,
  effectiveVerdict,
  GRAPH_VERDICTS,
  moduleLabel,
  topLevelName,
} from '../../analyzer/graph/nodeNames';

export { clusterKey, clusterNodeId, effectiveVerdict, moduleLabel, topLevelName };

export interface ViewNode {
  /** A module node keeps the graph's id; a cluster node is `cluster:` + its cluster key. */
  id: string;
  label: string;
  kind: 'module' | 'cluster';
  verdict: VerdictKind;
  cluster: string;
  /** The model node (module nodes only). */
  node?: GraphNode;
  /** Ids of the model nodes inside (cluster nodes only). */
  members?: string[];
  /** Members per verdict (cluster nodes only); the cluster shows the most common one. */
  verdicts?: Partial<Record<VerdictKind, number>>;
  /** True for the scripts the graph was followed from. */
  root: boolean;
  /** True when the node lies on an import cycle (for a cluster: any member does, or the cluster does). */
  inCycle: boolean;
}

export interface ViewEdge {
  from: string;
  to: string;
  /** Sum of the model edges' weights it stands for. */
  weight: number;
  /** True when the edge stands for a path through nodes hidden by a filter. */
  implied: boolean;
  /** True when both ends lie in the same strongly connected component of the view. */
  inCycle: boolean;
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Strongly connected components of more than one view node (each an import cycle or knot). */
  cycles: string[][];
}

export interface VerdictFilter {
  hideStdlib: boolean;
  onlyThirdParty: boolean;
  onlyMissing: boolean;
}

export interface ViewOptions {
  /** Ids of the script nodes; when empty, nodes nothing imports are taken as roots. */
  roots?: string[];
  /** Restrict to the closure of this one root (an id from `roots`); null: every root. */
  focusRoot?: string | null;
  /** Maximum import depth from the roots (0: the roots only); null or undefined: unlimited. */
  depth?: number | null;
  filter?: Partial<VerdictFilter>;
  /** Cluster keys shown as one node. */
  collapsed?: Iterable<string>;
  /**
   * Maximum package hops from the roots (see packageDistances: imports within a package or into the
   * scripts' own files do not count); null or undefined: unlimited.
   */
  packageDepth?: number | null;
  /** Model node ids kept whatever the depths say (a path the user asked to see). */
  reveal?: Iterable<string>;
}

/** The verdicts in drawing and legend order. */
export const VERDICTS: readonly VerdictKind[] = GRAPH_VERDICTS;

/** Human names of the verdicts, for the legend and tooltips. */
export const VERDICT_LABELS: Record<VerdictKind, string> = {
  local: 'local',
  stdlib: 'standard library',
  builtin: 'built-in',
  baseline: 'in baseline',
  mirror: 'mirror only',
  missing: 'missing',
  conflict: 'version conflict',
  undeclared: 'in baseline, undeclared',
  unknown: 'third party, not checked',
};

/** How much a verdict asks for attention; breaks ties between a package's most common verdicts. */
const SEVERITY: Record<VerdictKind, number> = {
  builtin: 0,
  stdlib: 1,
  local: 2,
  baseline: 3,
  undeclared: 4,
  unknown: 5,
  mirror: 6,
  conflict: 7,
  missing: 8,
};

const THIRD_PARTY = new Set<VerdictKind>([
  'baseline',
  'mirror',
  'missing',
  'conflict',
  'undeclared',
  'unknown',
]);

export function isThirdParty(verdict: VerdictKind): boolean {
  return THIRD_PARTY.has(verdict);
}

/** The roots to start from: the given ids that exist, else every node nothing imports, else every node. */
export function resolveRoots(graph: DependencyGraph, roots?: string[]): string[] {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const given = (roots ?? []).filter((id) => ids.has(id));
  if (given.length) return given;
  const imported = new Set(graph.edges.map((e) => e.to));
  const unimported = graph.nodes.filter((n) => !imported.has(n.id)).map((n) => n.id);
  return unimported.length ? unimported : graph.nodes.map((n) => n.id);
}

function adjacency(ids: Iterable<string>, edges: { from: string; to: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of ids) out.set(id, []);
  for (const e of edges) out.get(e.from)?.push(e.to);
  return out;
}

/** Depth of every node reachable from the roots within `depth` steps (breadth first). */
export function closure(graph: DependencyGraph, roots: string[], depth?: number | null): Map<string, number> {
  const out = adjacency(
    graph.nodes.map((n) => n.id),
    graph.edges,
  );
  const seen = new Map<string, number>();
  let frontier = roots.filter((r) => out.has(r));
  for (const r of frontier) seen.set(r, 0);
  for (let d = 1; frontier.length && (depth === null || depth === undefined || d <= depth); d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const to of out.get(id) ?? []) {
        if (!seen.has(to)) {
          seen.set(to, d);
          next.push(to);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/**
 * Strongly connected components (Tarjan), iterative so deep import chains cannot overflow the
 * stack. Returns every component, singletons included, in reverse topological order.
 */
export function stronglyConnectedComponents(
  ids: string[],
  edges: { from: string; to: string }[],
): string[][] {
  const out = adjacency(ids, edges);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of ids) {
    if (index.has(start)) continue;
    const work: { id: string; next: number }[] = [{ id: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const targets = out.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const to = targets[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}

/** Node ids on some cycle: members of components with more than one node, and self-importers. */
export function cycleMembers(ids: string[], edges: { from: string; to: string }[]): Set<string> {
  const inCycle = new Set<string>();
  for (const c of stronglyConnectedComponents(ids, edges))
    if (c.length > 1) for (const id of c) inCycle.add(id);
  for (const e of edges) if (e.from === e.to) inCycle.add(e.from);
  return inCycle;
}

function keepByVerdict(verdict: VerdictKind, filter: VerdictFilter): boolean {
  if (filter.onlyMissing && verdict !== 'missing') return false;
  if (filter.onlyThirdParty && !isThirdParty(verdict)) return false;
  if (filter.hideStdlib && (verdict === 'stdlib' || verdict === 'builtin')) return false;
  return true;
}

/**
 * Keeps the nodes in `keep` and joins them by an edge wherever the graph has a path between them
 * through nodes not kept (an implied edge), so filtering never cuts a script off from what it needs.
 */
export function induceWithImpliedEdges(
  nodes: GraphNode[],
  edges: { from: string; to: string; weight?: number }[],
  keep: Set<string>,
): { nodes: GraphNode[]; edges: { from: string; to: string; weight: number; implied: boolean }[] } {
  const out = new Map<string, { to: string; weight: number }[]>();
  for (const e of edges) {
    let list = out.get(e.from);
    if (!list) out.set(e.from, (list = []));
    list.push({ to: e.to, weight: e.weight ?? 1 });
  }
  const result = new Map<string, { from: string; to: string; weight: number; implied: boolean }>();
  for (const from of keep) {
    const hiddenSeen = new Set<string>();
    const pending: string[] = [];
    for (const { to, weight } of out.get(from) ?? []) {
      if (keep.has(to)) {
        if (to !== from) result.set(`${from}\u0001${to}`, { from, to, weight, implied: false });
      } else if (!hiddenSeen.has(to)) {
        hiddenSeen.add(to);
        pending.push(to);
      }
    }
    while (pending.length) {
      const id = pending.pop()!;
      for (const { to } of out.get(id) ?? []) {
        if (keep.has(to)) {
          const key = `${from}\u0001${to}`;
          if (to !== from && !result.has(key)) result.set(key, { from, to, weight: 1, implied: true });
        } else if (!hiddenSeen.has(to)) {
          hiddenSeen.add(to);
          pending.push(to);
        }
      }
    }
  }
  return { nodes: nodes.filter((n) => keep.has(n.id)), edges: [...result.values()] };
}

/**
 * A package's verdict: the one most of its modules have (a missing optional submodule does not
 * make numpy "missing"); a tie goes to the one that asks for more attention.
 */
export function dominantVerdict(counts: Partial<Record<VerdictKind, number>>): VerdictKind {
  let best: VerdictKind = 'unknown';
  let bestCount = -1;
  for (const v of VERDICTS) {
    const c = counts[v] ?? 0;
    if (c > bestCount || (c === bestCount && c > 0 && SEVERITY[v] > SEVERITY[best])) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** Clusters of the graph with their member count, largest first (for the cluster list). */
export function clustersOf(
  graph: DependencyGraph,
): { key: string; size: number; verdict: VerdictKind; verdicts: Partial<Record<VerdictKind, number>> }[] {
  const byKey = new Map<
    string,
    { key: string; size: number; verdicts: Partial<Record<VerdictKind, number>> }
  >();
  for (const n of graph.nodes) {
    const key = clusterKey(n);
    const v = effectiveVerdict(n);
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { key, size: 0, verdicts: {} }));
    c.size++;
    c.verdicts[v] = (c.verdicts[v] ?? 0) + 1;
  }
  return [...byKey.values()]
    .map((c) => ({ ...c, verdict: dominantVerdict(c.verdicts) }))
    .sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
}

/** The whole pipeline: closure and depth, verdict filters, cycles, then clusters collapsed. */
export function buildView(graph: DependencyGraph, options: ViewOptions = {}): ViewGraph {
  const roots = resolveRoots(graph, options.roots);
  const rootSet = new Set(roots);
  const start = options.focusRoot && rootSet.has(options.focusRoot) ? [options.focusRoot] : roots;
  const reach = closure(graph, start, options.depth);
  if (options.packageDepth !== null && options.packageDepth !== undefined) {
    const hops = packageDistances(graph, start);
    for (const id of [...reach.keys()])
      if ((hops.get(id) ?? Infinity) > options.packageDepth) reach.delete(id);
  }
  for (const id of options.reveal ?? []) if (!reach.has(id)) reach.set(id, Infinity);
  const filter: VerdictFilter = {
    hideStdlib: false,
    onlyThirdParty: false,
    onlyMissing: false,
    ...options.filter,
  };

  const verdicts = new Map(graph.nodes.map((n) => [n.id, effectiveVerdict(n)]));
  const inScope = graph.nodes.filter((n) => reach.has(n.id));
  const scopeIds = new Set(inScope.map((n) => n.id));
  const scopeEdges = graph.edges.filter((e) => scopeIds.has(e.from) && scopeIds.has(e.to));
  // Roots stay visible under every filter so the picture keeps its starting points.
  const keep = new Set(
    inScope.filter((n) => rootSet.has(n.id) || keepByVerdict(verdicts.get(n.id)!, filter)).map((n) => n.id),
  );
  const filtered = induceWithImpliedEdges(inScope, scopeEdges, keep);
  const moduleCycles = cycleMembers(
    filtered.nodes.map((n) => n.id),
    filtered.edges,
  );

  const collapsed = new Set(options.collapsed ?? []);
  const clusterSizes = new Map<string, number>();
  for (const n of filtered.nodes) clusterSizes.set(clusterKey(n), (clusterSizes.get(clusterKey(n)) ?? 0) + 1);
  const viewIdOf = new Map<string, string>();
  const nodes: ViewNode[] = [];
  const clusterNodes = new Map<string, ViewNode>();
  for (const n of filtered.nodes) {
    const key = clusterKey(n);
    const verdict = verdicts.get(n.id)!;
    if (collapsed.has(key) && (clusterSizes.get(key) ?? 0) > 1) {
      const id = clusterNodeId(key);
      viewIdOf.set(n.id, id);
      let c = clusterNodes.get(key);
      if (!c) {
        c = {
          id,
          label: key,
          kind: 'cluster',
          verdict,
          cluster: key,
          members: [],
          verdicts: {},
          root: false,
          inCycle: false,
        };
        clusterNodes.set(key, c);
        nodes.push(c);
      }
      c.members!.push(n.id);
      c.verdicts![verdict] = (c.verdicts![verdict] ?? 0) + 1;
      c.verdict = dominantVerdict(c.verdicts!);
      c.root ||= rootSet.has(n.id);
      c.inCycle ||= moduleCycles.has(n.id);
    } else {
      viewIdOf.set(n.id, n.id);
      nodes.push({
        id: n.id,
        label: moduleLabel(n.rel),
        kind: 'module',
        verdict,
        cluster: key,
        node: n,
        root: rootSet.has(n.id),
        inCycle: moduleCycles.has(n.id),
      });
    }
  }
  const edgeMap = new Map<string, ViewEdge>();
  for (const e of filtered.edges) {
    const from = viewIdOf.get(e.from)!;
    const to = viewIdOf.get(e.to)!;
    if (from === to) continue;
    const key = `${from}\u0001${to}`;
    const existing = edgeMap.get(key);
    if (existing) {
      existing.weight += e.weight;
      existing.implied &&= e.implied;
    } else edgeMap.set(key, { from, to, weight: e.weight, implied: e.implied, inCycle: false });
  }
  const edges = [...edgeMap.values()];
  const components = stronglyConnectedComponents(
    nodes.map((n) => n.id),
    edges,
  ).filter((c) => c.length > 1);
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((id) => componentOf.set(id, i)));
  for (const e of edges) {
    const c = componentOf.get(e.from);
    e.inCycle = c !== undefined && c === componentOf.get(e.to);
  }
  for (const n of nodes) if (componentOf.has(n.id)) n.inCycle = true;
  return { nodes, edges, cycles: components };
}

/**
 * Nodes matching a search: every whitespace-separated term must occur (case-insensitively) in the
 * node's label, root, relative path, cluster or file. An empty query matches nothing.
 */
export function searchNodes(view: ViewGraph, query: string, graph?: DependencyGraph): string[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [];
  const hit = (hay: string) => terms.every((t) => hay.includes(t));
  const byId = graph && new Map(graph.nodes.map((n) => [n.id, n]));
  return view.nodes
    .filter((n) => {
      const hay = [n.label, n.cluster, n.node?.root ?? '', n.node?.rel ?? '', n.node?.file ?? '']
        .join('\n')
        .toLowerCase();
      if (hit(hay)) return true;
      // a collapsed package matches when one of its modules does (found at package level too)
      if (n.kind !== 'cluster' || !byId) return false;
      return (n.members ?? []).some((id) => {
        const m = byId.get(id);
        return m !== undefined && hit(`${moduleLabel(m.rel)}\n${m.rel}`.toLowerCase());
      });
    })
    .map((n) => n.id);
}

/** Modules per verdict (those inside collapsed packages included), for the legend. */
export function verdictCounts(view: ViewGraph): Record<VerdictKind, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<VerdictKind, number>;
  for (const n of view.nodes) {
    if (n.kind === 'module') counts[n.verdict]++;
    else for (const [v, c] of Object.entries(n.verdicts ?? {})) counts[v as VerdictKind] += c;
  }
  return counts;
}
