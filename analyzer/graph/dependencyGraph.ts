/**
 * The DependencyGraph model: nodes are PyRats (root, relative-path) pairs, edges are imports
 * between them. Produced by the follow loop (compat profile) or a workspace scan; consumed by the
 * output formats (sfood, records, json, dot, mermaid), the graph webview and the usage store.
 */

/** A node identity as PyRats writes it: `[root, rel]`. */
export type NodeKey = [root: string, rel: string];

export type VerdictKind =
  'stdlib' | 'builtin' | 'local' | 'baseline' | 'mirror' | 'missing' | 'conflict' | 'undeclared' | 'unknown';

export interface GraphNode {
  /** Stable id: `root + '\u0000' + rel`. */
  id: string;
  root: string;
  rel: string;
  /** Absolute path of the file or package directory, when known. */
  file?: string;
  /** Top-level package or distribution used for clustering, when known. */
  cluster?: string;
  verdict?: VerdictKind;
  /** Why the verdict, in a sentence, when a check gave one (e.g. "not in the baseline; the mirror has it: conda-forge (0.8.2)"). */
  note?: string;
  /** True when the node's own imports were read (a source in PyRats' terms). */
  source: boolean;
  /** A Jupyter notebook (`.ipynb`; its code cells read as one module). */
  notebook?: true;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Number of occurrences (aggregated usage graphs); 1 for a single script. */
  weight?: number;
}

export interface DependencyGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function nodeId(root: string, rel: string): string {
  return `${root}\u0000${rel}`;
}
