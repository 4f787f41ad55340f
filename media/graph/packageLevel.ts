/**
 * The package-level opening of the graph view: which packages start collapsed (everything but the
 * scripts' own files), how many package hops each module lies from the scripts (an import inside
 * a package or into the scripts' own files costs nothing, an import into another package one hop),
 * and the shortest import path from the scripts to a module ("show the path from the script to X").
 * Pure: no DOM, runs in Node for the unit tests and in the webview alike.
 */
import type { DependencyGraph, GraphNode } from '../../analyzer/graph/dependencyGraph';
import { clusterKey, effectiveVerdict, moduleLabel } from '../../analyzer/graph/nodeNames';

/** Packages opened by default: the scripts' own; every other package starts as one node. */
function ownPackages(graph: DependencyGraph, roots: readonly string[]): Set<string> {
  const rootSet = new Set(roots);
  const own = new Set<string>();
  for (const n of graph.nodes)
    if (rootSet.has(n.id) || effectiveVerdict(n) === 'local') own.add(clusterKey(n));
  return own;
}

/** Cluster keys collapsed when the view opens at package level (the scripts' own files stay expanded). */
export function packageLevelCollapsed(graph: DependencyGraph, roots: readonly string[]): string[] {
  const own = ownPackages(graph, roots);
  return [...new Set(graph.nodes.map(clusterKey))].filter((key) => !own.has(key)).sort();
}

function outEdges(graph: DependencyGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  return out;
}

/**
 * Package hops from the roots to every reachable module (0-1 breadth-first search): following an
 * import within one package or into the scripts' own files costs 0, into another package 1.
 */
export function packageDistances(graph: DependencyGraph, roots: readonly string[]): Map<string, number> {
  const byId = new Map<string, GraphNode>(graph.nodes.map((n) => [n.id, n]));
  const own = ownPackages(graph, roots);
  const out = outEdges(graph);
  const dist = new Map<string, number>();
  const deque: string[] = [];
  let head = 0;
  const front: string[] = [];
  for (const r of roots)
    if (byId.has(r)) {
      dist.set(r, 0);
      deque.push(r);
    }
  while (front.length || head < deque.length) {
    const id = front.length ? front.pop()! : deque[head++];
    const d = dist.get(id)!;
    const from = clusterKey(byId.get(id)!);
    for (const to of out.get(id) ?? []) {
      const node = byId.get(to);
      if (!node) continue;
      const key = clusterKey(node);
      const cost = key === from || own.has(key) ? 0 : 1;
      const known = dist.get(to);
      if (known !== undefined && known <= d + cost) continue;
      dist.set(to, d + cost);
      if (cost === 0) front.push(to);
      else deque.push(to);
    }
  }
  return dist;
}

/**
 * The shortest import path (fewest imports) from any root to any of `targets`, as model node ids
 * from the root to the target; empty when no target is reachable.
 */
export function pathFromRoots(
  graph: DependencyGraph,
  roots: readonly string[],
  targets: Iterable<string>,
): string[] {
  const wanted = new Set(targets);
  const out = outEdges(graph);
  const parent = new Map<string, string | null>();
  const queue: string[] = [];
  for (const r of roots)
    if (!parent.has(r)) {
      parent.set(r, null);
      queue.push(r);
    }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    if (wanted.has(id)) {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = parent.get(at) ?? null) path.push(at);
      return path.reverse();
    }
    for (const to of out.get(id) ?? [])
      if (!parent.has(to)) {
        parent.set(to, id);
        queue.push(to);
      }
  }
  return [];
}

/**
 * The model nodes a "path to X" names: a node id, a cluster (`cluster:KEY` or `KEY`) meaning its
 * modules, or a module name (`numpy.linalg`) with the modules below it.
 */
export function pathTargets(graph: DependencyGraph, target: string): string[] {
  const exact = graph.nodes.filter((n) => n.id === target);
  if (exact.length) return [target];
  const key = target.startsWith('cluster:') ? target.slice('cluster:'.length) : target;
  const inCluster = graph.nodes.filter((n) => clusterKey(n) === key).map((n) => n.id);
  if (inCluster.length) return inCluster;
  return graph.nodes
    .filter((n) => {
      const name = moduleLabel(n.rel);
      return name === target || name.startsWith(`${target}.`);
    })
    .map((n) => n.id);
}
