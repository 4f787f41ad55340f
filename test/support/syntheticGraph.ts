/**
 * A deterministic generator of large DependencyGraphs for the graph view's tests and bench: a few
 * local scripts and modules, standard-library, baseline, mirror-only and missing packages in clusters,
 * import cycles inside and across clusters, and every verdict kind. Same options → same graph.
 */
import {
  nodeId,
  type DependencyGraph,
  type GraphNode,
  type VerdictKind,
} from '../../analyzer/graph/dependencyGraph';
import { mulberry32 } from './prng';

export interface SyntheticGraphOptions {
  /** Total number of nodes (at least 20). */
  nodes: number;
  /** Number of package clusters besides the local project (default: nodes / 25). */
  clusters?: number;
  /** Number of deliberate import cycles (default: 12). */
  cycles?: number;
  /** Extra random edges per node on top of the spanning tree (default: 1.5). */
  edgesPerNode?: number;
  seed?: number;
}

export interface SyntheticGraph extends DependencyGraph {
  /** Ids of the script nodes (the follow roots). */
  roots: string[];
  /** Node ids of each deliberate cycle, in edge order (last → first closes it). */
  cycles: string[][];
}

const PROJECT = '/home/alice/project';
const STDLIB = '/usr/lib/python3.11';
const SITE = '/usr/lib/python3/dist-packages';
const MIRROR_SITE = '/home/alice/.local/lib/python3.11/site-packages';

/** Verdict of each cluster index (after the local project), cycling through the third-party kinds. */
const clusterKinds: VerdictKind[] = [
  'stdlib',
  'baseline',
  'stdlib',
  'mirror',
  'baseline',
  'missing',
  'unknown',
];

export function syntheticGraph(options: SyntheticGraphOptions): SyntheticGraph {
  const total = Math.max(20, Math.floor(options.nodes));
  const random = mulberry32(options.seed ?? 1);
  const clusterCount = Math.max(6, options.clusters ?? Math.round(total / 25));
  const nodes: GraphNode[] = [];
  const edges = new Map<string, { from: string; to: string; weight?: number }>();
  const missing = new Set<string>();
  /** Creation order: extra edges only point forward in it, so the only cycles are the planted ones. */
  const order = new Map<string, number>();
  const addEdge = (from: string, to: string): void => {
    // A missing module has no file, so it imports nothing.
    if (from !== to && !missing.has(from)) edges.set(`${from}\u0001${to}`, { from, to });
  };
  const addForwardEdge = (a: string, b: string): void => {
    if ((order.get(a) ?? 0) < (order.get(b) ?? 0)) addEdge(a, b);
    else if (!missing.has(b)) addEdge(b, a);
  };

  // Local project: 3 scripts + a package; about 5% of the graph.
  const scripts = ['analyse.py', 'plot_results.py', 'tools/convert.py'];
  const roots: string[] = [];
  for (const rel of scripts) {
    const id = nodeId(PROJECT, rel);
    roots.push(id);
    nodes.push({
      id,
      root: PROJECT,
      rel,
      file: `${PROJECT}/${rel}`,
      cluster: 'project',
      verdict: 'local',
      source: true,
    });
  }
  const localCount = Math.max(4, Math.round(total * 0.05));
  for (let i = 0; i < localCount; i++) {
    const rel = `lab/module_${i}.py`;
    nodes.push({
      id: nodeId(PROJECT, rel),
      root: PROJECT,
      rel,
      file: `${PROJECT}/${rel}`,
      cluster: 'project',
      verdict: 'local',
      source: true,
    });
  }
  // A builtin module (no file) and the package clusters share the rest.
  nodes.push({
    id: nodeId(STDLIB, 'sys'),
    root: STDLIB,
    rel: 'sys',
    cluster: 'sys',
    verdict: 'builtin',
    source: false,
  });

  const clusterMembers: string[][] = [];
  const remaining = total - nodes.length;
  // Zipf-like cluster sizes: a few big packages (numpy, matplotlib...), many small ones.
  const weights = Array.from({ length: clusterCount }, (_, i) => 1 / (i + 1) ** 0.8);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  let assigned = 0;
  const sizes = weights.map((w, i) => {
    const size =
      i === clusterCount - 1 ? remaining - assigned : Math.max(1, Math.round((w / weightSum) * remaining));
    assigned += size;
    return size;
  });
  // Missing packages are small (a module name that resolves nowhere); their share goes to the first cluster.
  sizes.forEach((size, c) => {
    if (clusterKinds[c % clusterKinds.length] === 'missing' && size > 2) {
      sizes[0] += size - 2;
      sizes[c] = 2;
    }
  });
  for (let c = 0; c < clusterCount; c++) {
    const kind = clusterKinds[c % clusterKinds.length];
    const name = kind === 'stdlib' ? `stdpkg${c}` : `${kind === 'missing' ? 'absent' : 'pkg'}${c}`;
    const root = kind === 'stdlib' ? STDLIB : kind === 'mirror' ? MIRROR_SITE : SITE;
    const members: string[] = [];
    for (let m = 0; m < Math.max(0, sizes[c]); m++) {
      const depth = 1 + Math.floor(random() * 3);
      const parts = [name];
      for (let d = 1; d < depth; d++) parts.push(`sub${Math.floor(random() * 6)}`);
      const rel = m === 0 ? `${name}/__init__.py` : `${parts.join('/')}/mod${m}.py`;
      const id = nodeId(root, rel);
      members.push(id);
      if (kind === 'missing') missing.add(id);
      nodes.push({
        id,
        root,
        rel,
        file: kind === 'missing' ? undefined : `${root}/${rel}`,
        cluster: name,
        verdict: kind,
        source: kind !== 'missing',
      });
    }
    clusterMembers.push(members);
  }

  // Spanning structure: scripts import local modules and package entry points; each package's
  // modules hang off its __init__; every node is reachable from a script.
  // The standard library comes last: packages import it, never the other way round.
  nodes.forEach((n, i) => order.set(n.id, (n.verdict === 'stdlib' || n.verdict === 'builtin' ? 1e7 : 0) + i));
  const locals = nodes.filter((n) => n.cluster === 'project' && !roots.includes(n.id)).map((n) => n.id);
  locals.forEach((id, i) => addEdge(roots[i % roots.length], id));
  addEdge(roots[0], nodeId(STDLIB, 'sys'));
  clusterMembers.forEach((members, c) => {
    if (!members.length) return;
    addEdge(locals[c % locals.length], members[0]);
    if (c % 3 === 0) addEdge(roots[c % roots.length], members[0]);
    for (let m = 1; m < members.length; m++) {
      const parent = missing.has(members[0])
        ? locals[(c + m) % locals.length]
        : members[Math.floor(random() * m)];
      addEdge(parent, members[m]);
    }
  });
  // Extra edges: mostly inside a cluster, some from packages to the standard library and to each other.
  const stdlibEntries = clusterMembers
    .filter((_, c) => clusterKinds[c % clusterKinds.length] === 'stdlib')
    .flat();
  const extra = Math.round(total * (options.edgesPerNode ?? 1.5));
  for (let e = 0; e < extra; e++) {
    const c = Math.floor(random() * clusterMembers.length);
    const members = clusterMembers[c];
    if (!members.length) continue;
    const from = members[Math.floor(random() * members.length)];
    const r = random();
    if (r < 0.6) addForwardEdge(from, members[Math.floor(random() * members.length)]);
    else if (r < 0.85 && stdlibEntries.length)
      addForwardEdge(from, stdlibEntries[Math.floor(random() * stdlibEntries.length)]);
    else {
      const other = clusterMembers[Math.floor(random() * clusterMembers.length)];
      if (other.length) addForwardEdge(from, other[0]);
    }
  }
  // Deliberate cycles: half inside one cluster, half across two clusters; one among local modules.
  const cycles: string[][] = [];
  const cycleCount = options.cycles ?? 12;
  if (locals.length >= 3) cycles.push([locals[0], locals[1], locals[2]]);
  for (let k = 0; cycles.length < cycleCount && k < cycleCount * 4; k++) {
    const a = clusterMembers[Math.floor(random() * clusterMembers.length)];
    const b = k % 2 ? clusterMembers[Math.floor(random() * clusterMembers.length)] : a;
    if (a.length < 2 || b.length < 2 || missing.has(a[0]) || missing.has(b[0])) continue;
    const ring = [a[1 + Math.floor(random() * (a.length - 1))], b[1 + Math.floor(random() * (b.length - 1))]];
    if (ring[0] === ring[1]) continue;
    if (a.length > 2) {
      const third = a[1 + Math.floor(random() * (a.length - 1))];
      if (!ring.includes(third)) ring.push(third);
    }
    cycles.push(ring);
  }
  for (const ring of cycles) ring.forEach((id, i) => addEdge(id, ring[(i + 1) % ring.length]));

  return { nodes, edges: [...edges.values()], roots, cycles };
}
