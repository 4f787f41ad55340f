import { describe, expect, it } from 'vitest';
import { nodeId, type DependencyGraph, type GraphNode } from '../../../analyzer/graph/dependencyGraph';
import {
  buildView,
  closure,
  clusterKey,
  clustersOf,
  cycleMembers,
  effectiveVerdict,
  moduleLabel,
  resolveRoots,
  searchNodes,
  stronglyConnectedComponents,
  verdictCounts,
  VERDICT_LABELS,
  VERDICTS,
} from '../../../media/graph/transforms';
import { syntheticGraph } from '../../support/syntheticGraph';

const P = '/home/u/proj';
const STD = '/usr/lib/python3.11';
const SITE = '/usr/lib/python3/dist-packages';

function node(root: string, rel: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { id: nodeId(root, rel), root, rel, source: true, ...extra };
}

/**
 * main.py → helpers.py ⇄ util.py (a local cycle); helpers → os.py (stdlib) → posixpath.py;
 * main → numpy/__init__.py → numpy/core/__init__.py → numpy/linalg/x.py → numpy/__init__.py (cycle);
 * numpy/core → os.py; main → absent (missing); util → requests (mirror).
 */
function smallGraph(): DependencyGraph & { ids: Record<string, string> } {
  const nodes = [
    node(P, 'main.py', { verdict: 'local' }),
    node(P, 'helpers.py', { verdict: 'local' }),
    node(P, 'util.py', { verdict: 'local' }),
    node(STD, 'os.py', { verdict: 'stdlib' }),
    node(STD, 'posixpath.py', { verdict: 'stdlib' }),
    node(SITE, 'numpy/__init__.py', { verdict: 'baseline' }),
    node(SITE, 'numpy/core/__init__.py', { verdict: 'baseline' }),
    node(SITE, 'numpy/linalg/x.py', { verdict: 'baseline' }),
    node('', 'absent', { verdict: 'missing', source: false }),
    node(SITE, 'requests/__init__.py', { verdict: 'mirror' }),
  ];
  const ids = Object.fromEntries(nodes.map((n) => [moduleLabel(n.rel), n.id]));
  const e = (a: string, b: string) => ({ from: ids[a], to: ids[b] });
  const edges = [
    e('main', 'helpers'),
    e('helpers', 'util'),
    e('util', 'helpers'),
    e('helpers', 'os'),
    e('os', 'posixpath'),
    e('main', 'numpy'),
    e('numpy', 'numpy.core'),
    e('numpy.core', 'numpy.linalg.x'),
    e('numpy.linalg.x', 'numpy'),
    e('numpy.core', 'os'),
    e('main', 'absent'),
    e('util', 'requests'),
  ];
  return { nodes, edges, ids };
}

describe('labels, clusters and verdicts', () => {
  it('turns relative paths into module names', () => {
    expect(moduleLabel('numpy/core/__init__.py')).toBe('numpy.core');
    expect(moduleLabel('six.py')).toBe('six');
    expect(moduleLabel('_ssl.cpython-311-x86_64-linux-gnu.so')).toBe('_ssl');
    expect(moduleLabel('pkg/mod.pyc')).toBe('pkg.mod');
  });

  it('clusters by the model cluster, else by top-level name', () => {
    expect(clusterKey(node(SITE, 'numpy/core/x.py'))).toBe('numpy');
    expect(clusterKey(node(SITE, 'yaml/x.py', { cluster: 'PyYAML' }))).toBe('PyYAML');
    expect(clusterKey(node(STD, '_ssl.cpython-311-x86_64-linux-gnu.so'))).toBe('_ssl');
  });

  it('infers a verdict from the root when the checker gave none', () => {
    expect(effectiveVerdict(node(SITE, 'numpy/__init__.py'))).toBe('unknown');
    expect(effectiveVerdict(node('/opt/conda/lib/python3.11/site-packages', 'x.py'))).toBe('unknown');
    expect(effectiveVerdict(node(STD, 'os.py'))).toBe('stdlib');
    expect(effectiveVerdict(node(P, 'main.py'))).toBe('local');
    expect(effectiveVerdict(node(SITE, 'x.py', { verdict: 'mirror' }))).toBe('mirror');
  });
});

describe('every verdict is drawn', () => {
  it('VERDICTS (what is painted, coloured and counted in the legend) holds every verdict a node can carry', () => {
    // a node the checker calls `conflict` or `undeclared` was left out of the canvas and the legend
    expect([...VERDICTS].sort()).toEqual(Object.keys(VERDICT_LABELS).sort());
    const graph: DependencyGraph = {
      nodes: [
        { id: nodeId('/w', 'run.py'), root: '/w', rel: 'run.py', source: true, verdict: 'local' },
        {
          id: nodeId('/s', 'numpy/__init__.py'),
          root: '/s',
          rel: 'numpy/__init__.py',
          source: false,
          verdict: 'conflict',
        },
        {
          id: nodeId('/s', 'tqdm/__init__.py'),
          root: '/s',
          rel: 'tqdm/__init__.py',
          source: false,
          verdict: 'undeclared',
        },
      ],
      edges: [],
    };
    graph.edges = graph.nodes.slice(1).map((n) => ({ from: graph.nodes[0].id, to: n.id }));
    const counts = verdictCounts(buildView(graph, { roots: [graph.nodes[0].id] }));
    expect([counts.conflict, counts.undeclared]).toEqual([1, 1]);
  });
});

describe('roots and depth', () => {
  it('takes unimported nodes as roots when none are given', () => {
    const g = smallGraph();
    expect(resolveRoots(g)).toEqual([g.ids.main]);
    expect(resolveRoots(g, [g.ids.util, 'nope'])).toEqual([g.ids.util]);
  });

  it('limits the closure by depth', () => {
    const g = smallGraph();
    expect(closure(g, [g.ids.main], 0).size).toBe(1);
    const one = closure(g, [g.ids.main], 1);
    expect([...one.keys()].sort()).toEqual([g.ids.main, g.ids.helpers, g.ids.numpy, g.ids.absent].sort());
    expect(closure(g, [g.ids.main]).size).toBe(10);
    expect(closure(g, [g.ids.main]).get(g.ids.posixpath)).toBe(3);
    expect(
      buildView(g, { depth: 2 })
        .nodes.map((n) => n.label)
        .sort(),
    ).toEqual(['absent', 'helpers', 'main', 'numpy', 'numpy.core', 'os', 'util'].sort());
  });
});

describe('cycle detection', () => {
  it('finds strongly connected components (Tarjan)', () => {
    const g = smallGraph();
    const comps = stronglyConnectedComponents(
      g.nodes.map((n) => n.id),
      g.edges,
    ).filter((c) => c.length > 1);
    const named = comps.map((c) => c.map((id) => moduleLabel(id.split('\u0000')[1])).sort()).sort();
    expect(named).toEqual([
      ['helpers', 'util'],
      ['numpy', 'numpy.core', 'numpy.linalg.x'],
    ]);
  });

  it('counts self-imports as cycles and handles deep chains without recursion', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `m${i}`);
    const edges = ids.slice(1).map((id, i) => ({ from: ids[i], to: id }));
    edges.push({ from: ids[ids.length - 1], to: ids[0] }, { from: 'solo', to: 'solo' });
    const members = cycleMembers([...ids, 'solo'], edges);
    expect(members.size).toBe(50_001);
    expect(cycleMembers(ids, edges.slice(0, -2)).size).toBe(0);
  });

  it('marks cycle nodes and edges in the view, and finds every planted cycle in a big graph', () => {
    const view = buildView(smallGraph());
    expect(
      view.nodes
        .filter((n) => n.inCycle)
        .map((n) => n.label)
        .sort(),
    ).toEqual(['helpers', 'numpy', 'numpy.core', 'numpy.linalg.x', 'util'].sort());
    expect(view.edges.filter((e) => e.inCycle)).toHaveLength(5);
    const big = syntheticGraph({ nodes: 2000, seed: 7 });
    const bigView = buildView(big, { roots: big.roots });
    const inCycle = new Set(bigView.nodes.filter((n) => n.inCycle).map((n) => n.id));
    for (const ring of big.cycles) for (const id of ring) expect(inCycle.has(id)).toBe(true);
  });
});

describe('filters', () => {
  it('hides the standard library and keeps paths through it as implied edges', () => {
    const g = smallGraph();
    const view = buildView(g, { filter: { hideStdlib: true } });
    expect(view.nodes.map((n) => n.label)).not.toContain('os');
    expect(view.nodes).toHaveLength(8);
    expect(view.edges.some((e) => e.implied)).toBe(false);
  });

  it('shows only third-party packages, joined to the script by implied edges', () => {
    const g = smallGraph();
    const view = buildView(g, { filter: { onlyThirdParty: true } });
    expect(view.nodes.map((n) => n.label).sort()).toEqual(
      ['absent', 'main', 'numpy', 'numpy.core', 'numpy.linalg.x', 'requests'].sort(),
    );
    const req = view.edges.find((e) => e.to === g.ids.requests)!;
    expect(req).toMatchObject({ from: g.ids.main, implied: true });
    expect(view.edges.find((e) => e.to === g.ids.numpy)).toMatchObject({ from: g.ids.main, implied: false });
  });

  it('shows only missing imports (with their scripts)', () => {
    const g = smallGraph();
    const view = buildView(g, { filter: { onlyMissing: true } });
    expect(view.nodes.map((n) => n.label).sort()).toEqual(['absent', 'main']);
    expect(view.edges).toEqual([
      { from: g.ids.main, to: g.ids.absent, weight: 1, implied: false, inCycle: false },
    ]);
  });

  it('combines filters on the synthetic graph', () => {
    const big = syntheticGraph({ nodes: 2000, seed: 3 });
    const all = buildView(big, { roots: big.roots });
    expect(all.nodes).toHaveLength(2000);
    const counts = verdictCounts(all);
    for (const v of ['local', 'stdlib', 'builtin', 'baseline', 'mirror', 'missing', 'unknown'] as const) {
      expect(counts[v], v).toBeGreaterThan(0);
    }
    const missing = buildView(big, { roots: big.roots, filter: { onlyMissing: true } });
    expect(missing.nodes.filter((n) => n.verdict === 'missing')).toHaveLength(counts.missing);
    expect(missing.nodes.filter((n) => n.verdict !== 'missing').every((n) => n.root)).toBe(true);
    const noStd = buildView(big, { roots: big.roots, filter: { hideStdlib: true } });
    expect(noStd.nodes).toHaveLength(2000 - counts.stdlib - counts.builtin);
  });
});

describe('clusters', () => {
  it('collapses a cluster into one node with aggregated edges, and expands it again', () => {
    const g = smallGraph();
    const view = buildView(g, { collapsed: ['numpy'] });
    const numpy = view.nodes.find((n) => n.id === 'cluster:numpy')!;
    expect(numpy).toMatchObject({ kind: 'cluster', verdict: 'baseline', inCycle: true });
    expect(numpy.members).toHaveLength(3);
    expect(view.nodes).toHaveLength(8);
    expect(view.edges.filter((e) => e.from === 'cluster:numpy' || e.to === 'cluster:numpy')).toEqual([
      { from: g.ids.main, to: 'cluster:numpy', weight: 1, implied: false, inCycle: false },
      { from: 'cluster:numpy', to: g.ids.os, weight: 1, implied: false, inCycle: false },
    ]);
    expect(buildView(g, { collapsed: [] }).nodes).toHaveLength(10);
  });

  it('sums edge weights and shows package-level cycles', () => {
    const nodes = [node(SITE, 'a/x.py'), node(SITE, 'a/y.py'), node(SITE, 'b/x.py'), node(SITE, 'b/y.py')];
    const [ax, ay, bx, by] = nodes.map((n) => n.id);
    const g = {
      nodes,
      edges: [
        { from: ax, to: bx, weight: 3 },
        { from: ay, to: by },
        { from: bx, to: ay },
      ],
    };
    const view = buildView(g, { roots: [ax], collapsed: ['a', 'b'] });
    expect(view.edges).toEqual([
      { from: 'cluster:a', to: 'cluster:b', weight: 4, implied: false, inCycle: true },
      { from: 'cluster:b', to: 'cluster:a', weight: 1, implied: false, inCycle: true },
    ]);
    expect(view.cycles).toHaveLength(1);
  });

  it("gives a package its modules' most common verdict, counting each", () => {
    const nodes = [
      node(SITE, 'np/a.py', { verdict: 'baseline' }),
      node(SITE, 'np/b.py', { verdict: 'baseline' }),
      node(SITE, 'np/c.py', { verdict: 'baseline' }),
      node('', 'np/cupy_opt', { verdict: 'missing', source: false, cluster: 'np' }),
    ];
    const g = { nodes, edges: nodes.slice(1).map((n) => ({ from: nodes[0].id, to: n.id })) };
    const [np] = buildView(g, { collapsed: ['np'] }).nodes;
    expect(np).toMatchObject({ verdict: 'baseline', verdicts: { baseline: 3, missing: 1 } });
    expect(clustersOf(g)[0]).toMatchObject({
      key: 'np',
      verdict: 'baseline',
      verdicts: { baseline: 3, missing: 1 },
    });
    expect(verdictCounts(buildView(g, { collapsed: ['np'] }))).toMatchObject({ baseline: 3, missing: 1 });
  });

  it('breaks a tie towards the verdict that asks for attention and leaves single-module clusters alone', () => {
    const nodes = [
      node(SITE, 'p/a.py', { verdict: 'baseline' }),
      node('', 'p/b', { verdict: 'missing' }),
      node(SITE, 'q.py'),
    ];
    const g = {
      nodes,
      edges: [
        { from: nodes[0].id, to: nodes[1].id },
        { from: nodes[0].id, to: nodes[2].id },
      ],
    };
    const view = buildView(g, { collapsed: ['p', 'q'] });
    expect(view.nodes.map((n) => [n.id, n.verdict])).toEqual([
      ['cluster:p', 'missing'],
      [nodes[2].id, 'unknown'],
    ]);
    expect(clustersOf(g)).toEqual([
      { key: 'p', size: 2, verdict: 'missing', verdicts: { baseline: 1, missing: 1 } },
      { key: 'q', size: 1, verdict: 'unknown', verdicts: { unknown: 1 } },
    ]);
  });

  it('collapses every cluster of the synthetic graph into far fewer nodes', () => {
    const big = syntheticGraph({ nodes: 2000, seed: 5 });
    const keys = clustersOf(big).map((c) => c.key);
    const view = buildView(big, { roots: big.roots, collapsed: keys });
    expect(view.nodes.length).toBeLessThan(200);
    const members = view.nodes.reduce((s, n) => s + (n.members?.length ?? 1), 0);
    expect(members).toBe(2000);
  });
});

describe('search', () => {
  it('matches every term in label, path or cluster', () => {
    const view = buildView(smallGraph());
    expect(searchNodes(view, 'numpy').length).toBe(3);
    expect(searchNodes(view, 'NUMPY core').length).toBe(1);
    expect(searchNodes(view, 'dist-packages requests').length).toBe(1);
    expect(searchNodes(view, '   ')).toEqual([]);
    expect(searchNodes(view, 'zzz')).toEqual([]);
  });
});
