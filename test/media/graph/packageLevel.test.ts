import { describe, expect, it } from 'vitest';
import { nodeId, type DependencyGraph, type GraphNode } from '../../../analyzer/graph/dependencyGraph';
import {
  packageDistances,
  packageLevelCollapsed,
  pathFromRoots,
  pathTargets,
} from '../../../media/graph/packageLevel';
import { buildView, clustersOf, resolveRoots } from '../../../media/graph/transforms';
import { syntheticGraph } from '../../support/syntheticGraph';

const P = '/home/u/proj';
const STD = '/usr/lib/python3.11';
const SITE = '/usr/lib/python3/dist-packages';

function node(root: string, rel: string, verdict: GraphNode['verdict']): GraphNode {
  return { id: nodeId(root, rel), root, rel, source: true, verdict };
}

/**
 * run.py → lab/io.py (local) → xarray/__init__.py → xarray/core.py → pandas/__init__.py →
 * dateutil/parser.py; run.py → json/__init__.py (stdlib) → json/decoder.py; xarray/core.py → numpy.
 */
function scriptGraph(): DependencyGraph & { id: (rel: string) => string } {
  const nodes = [
    node(P, 'run.py', 'local'),
    node(P, 'lab/io.py', 'local'),
    node(STD, 'json/__init__.py', 'stdlib'),
    node(STD, 'json/decoder.py', 'stdlib'),
    node(SITE, 'xarray/__init__.py', 'baseline'),
    node(SITE, 'xarray/core.py', 'baseline'),
    node(SITE, 'numpy/__init__.py', 'baseline'),
    node(SITE, 'pandas/__init__.py', 'baseline'),
    node(SITE, 'dateutil/parser.py', 'baseline'),
  ];
  const id = (rel: string) => nodes.find((n) => n.rel === rel)!.id;
  const edge = (a: string, b: string) => ({ from: id(a), to: id(b) });
  return {
    nodes,
    edges: [
      edge('run.py', 'lab/io.py'),
      edge('lab/io.py', 'xarray/__init__.py'),
      edge('xarray/__init__.py', 'xarray/core.py'),
      edge('xarray/core.py', 'pandas/__init__.py'),
      edge('xarray/core.py', 'numpy/__init__.py'),
      edge('pandas/__init__.py', 'dateutil/parser.py'),
      edge('run.py', 'json/__init__.py'),
      edge('json/__init__.py', 'json/decoder.py'),
    ],
    id,
  };
}

describe('package-level view', () => {
  it('collapses every package but the scripts’ own files', () => {
    const g = scriptGraph();
    expect(packageLevelCollapsed(g, [g.id('run.py')])).toEqual([
      'dateutil',
      'json',
      'numpy',
      'pandas',
      'xarray',
    ]);
  });

  it('counts package hops: free inside a package and into the scripts’ own files', () => {
    const g = scriptGraph();
    const hops = packageDistances(g, [g.id('run.py')]);
    const byRel = Object.fromEntries(g.nodes.map((n) => [n.rel, hops.get(n.id)]));
    expect(byRel).toEqual({
      'run.py': 0,
      'lab/io.py': 0,
      'json/__init__.py': 1,
      'json/decoder.py': 1,
      'xarray/__init__.py': 1,
      'xarray/core.py': 1,
      'numpy/__init__.py': 2,
      'pandas/__init__.py': 2,
      'dateutil/parser.py': 3,
    });
  });

  it('opens with the script’s files and one node per directly imported package', () => {
    const g = scriptGraph();
    const roots = [g.id('run.py')];
    const collapsed = packageLevelCollapsed(g, roots);
    const view = buildView(g, { roots, collapsed, packageDepth: 1 });
    expect(view.nodes.map((n) => `${n.kind}:${n.label}`).sort()).toEqual([
      'cluster:json',
      'cluster:xarray',
      'module:lab.io',
      'module:run',
    ]);
    expect(view.edges).toHaveLength(3);
    // Expanding a package shows its modules; the next hop stays hidden until asked for.
    const expanded = buildView(g, {
      roots,
      collapsed: collapsed.filter((k) => k !== 'xarray'),
      packageDepth: 1,
    });
    expect(expanded.nodes.map((n) => n.label).sort()).toEqual([
      'json',
      'lab.io',
      'run',
      'xarray',
      'xarray.core',
    ]);
    expect(buildView(g, { roots, collapsed, packageDepth: 2 }).nodes).toHaveLength(6);
    expect(buildView(g, { roots, collapsed, packageDepth: null }).nodes).toHaveLength(7);
  });

  it('finds the shortest path from the script to a module, a package or a module name, and reveals it', () => {
    const g = scriptGraph();
    const roots = [g.id('run.py')];
    const rels = (ids: string[]) => ids.map((id) => g.nodes.find((n) => n.id === id)!.rel);
    const path = pathFromRoots(g, roots, pathTargets(g, 'dateutil.parser'));
    expect(rels(path)).toEqual([
      'run.py',
      'lab/io.py',
      'xarray/__init__.py',
      'xarray/core.py',
      'pandas/__init__.py',
      'dateutil/parser.py',
    ]);
    expect(rels(pathFromRoots(g, roots, pathTargets(g, 'cluster:json')))).toEqual([
      'run.py',
      'json/__init__.py',
    ]);
    expect(rels(pathFromRoots(g, roots, pathTargets(g, g.id('numpy/__init__.py'))))).toHaveLength(5);
    expect(pathTargets(g, 'no.such.module')).toEqual([]);
    expect(pathFromRoots(g, [g.id('lab/io.py')], pathTargets(g, 'json'))).toEqual([]);
    // Revealed path nodes are drawn even beyond the package depth (a one-module package as its module).
    const collapsed = packageLevelCollapsed(g, roots);
    const view = buildView(g, { roots, collapsed, packageDepth: 1, reveal: path });
    expect(view.nodes.map((n) => n.label).sort()).toEqual([
      'dateutil.parser',
      'json',
      'lab.io',
      'pandas',
      'run',
      'xarray',
    ]);
  });

  it('keeps a 2,000-node graph to its scripts’ packages', () => {
    const g = syntheticGraph({ nodes: 2000, seed: 11 });
    const roots = resolveRoots(g, g.roots);
    const collapsed = packageLevelCollapsed(g, roots);
    const view = buildView(g, { roots: g.roots, collapsed, packageDepth: 1 });
    expect(view.nodes.length).toBeLessThan(clustersOf(g).length + 200);
    expect(view.nodes.length).toBeLessThan(buildView(g, { roots: g.roots }).nodes.length / 4);
    expect(view.nodes.filter((n) => n.root)).toHaveLength(roots.length);
  });
});
