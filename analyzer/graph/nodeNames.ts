/**
 * What a graph node is called wherever a graph is shown or written (the view, `pyrats graph`, the
 * exports): its verdict when the model has none (from where it lives), its package (cluster) key and
 * the cluster node's id, and a module-like label from its path. Pure, no Node built-ins: the webview
 * bundle uses it too.
 */
import type { GraphNode, VerdictKind } from './dependencyGraph';

/** Every verdict a graph node can carry, in the order the view draws and lists them. */
export const GRAPH_VERDICTS: readonly VerdictKind[] = [
  'local',
  'stdlib',
  'builtin',
  'baseline',
  'mirror',
  'missing',
  'conflict',
  'undeclared',
  'unknown',
];

const SITE_DIR = /(^|\/)(site|dist)-packages(\/|$)/;
const STDLIB_DIR = /(^|[\\/])lib[\\/]python\d+(\.\d+)?[\\/]?$|(^|[\\/])Lib[\\/]?$/;

/**
 * The node's verdict, or when the checker has not given one, what its root says: a site- or
 * dist-packages root is third party, a `lib/pythonX.Y` root the standard library, a read source local.
 */
export function effectiveVerdict(node: GraphNode): VerdictKind {
  if (node.verdict) return node.verdict;
  if (SITE_DIR.test(node.root)) return 'unknown';
  if (STDLIB_DIR.test(node.root)) return 'stdlib';
  if (node.source) return 'local';
  return 'unknown';
}

/** Top-level name of a relative path: `numpy/core/x.py` → `numpy`, `six.py` → `six`, `_ssl.cpython-311.so` → `_ssl`. */
export function topLevelName(rel: string): string {
  const first = rel.split(/[\\/]/)[0] ?? rel;
  return first.split('.')[0] || first;
}

/** The cluster a node belongs to: the model's cluster (package or distribution) or its top-level name. */
export function clusterKey(node: GraphNode): string {
  return node.cluster ?? topLevelName(node.rel);
}

export function clusterNodeId(key: string): string {
  return `cluster:${key}`;
}

/** A module-like label from a relative path: `numpy/core/__init__.py` → `numpy.core`. */
export function moduleLabel(rel: string): string {
  const parts = rel.split(/[\\/]/).filter(Boolean);
  if (!parts.length) return rel;
  const last = parts[parts.length - 1];
  if (/^__init__\./.test(last) && parts.length > 1) parts.pop();
  else
    parts[parts.length - 1] = last
      .replace(/\.(py[cwi]?|so|pyd)$/, '')
      .replace(/\.cpython-[^.]*$|\.abi3$/, '');
  return parts.join('.');
}
