/**
 * Output formats of a follow result (follow.ts): PyRats record messages, snakefood `sfood` lines,
 * JSON, Graphviz dot, Mermaid, and the DependencyGraph model for the graph view.
 *
 * Pure functions from data to text; they do not run the follow loop or write anywhere.
 */
import { buildRecords, type RecordOptions, type RecordsResult } from '../pyrats/recordMessage';
import { pythonRepr } from '../pyrats/pythonRepr';
import { nodeId, type DependencyGraph, type GraphNode, type VerdictKind } from './dependencyGraph';
import type { FollowResult, FollowSource } from './follow';
import { comparePairs, type RelPair } from '../resolve/roots';
import { isNotebookPath } from '../notebook/readNotebook';
import { dotString, numberNodes, writeDot, writeMermaid } from './writers';

/** The PyRats records of a follow result, in send order (over-long messages split). */
export function toRecords(result: FollowResult, opts: RecordOptions = {}): RecordsResult {
  return buildRecords(result.sources, opts);
}

/** Exactly the text after `message=` of each record, in send order. */
export function toRecordMessages(result: FollowResult, opts: RecordOptions = {}): string[] {
  return toRecords(result, opts).records.map((r) => r.message);
}

/** Sources sorted by pair; each with its sorted targets, the `(None, None)` marker first. */
function sortedSources(result: FollowResult): (FollowSource & { targets: (RelPair | null)[] })[] {
  return [...result.sources]
    .sort((a, b) => comparePairs(a.from, b.from))
    .map((s) => {
      const pairs = s.targets.filter((t): t is RelPair => t !== null).sort(comparePairs);
      return { ...s, targets: s.targets.includes(null) ? [null, ...pairs] : pairs };
    });
}

/** snakefood's output: one `repr(((root, rel), (root, rel)))` per line, `(None, None)` lines included. */
export function toSfood(result: FollowResult): string[] {
  const lines: string[] = [];
  for (const s of sortedSources(result)) {
    for (const t of s.targets) lines.push(pythonRepr([s.from, t ?? [null, null]]));
  }
  return lines;
}

/** JSON document: roots, sources (file, whether read, targets), edges with status, problems, unresolved imports. */
export function toJson(result: FollowResult): string {
  const doc = {
    profile: result.profile,
    scripts: result.scripts,
    roots: result.roots,
    sources: sortedSources(result).map((s) => ({
      from: s.from,
      file: s.file,
      analysed: s.analysed,
      deps: s.targets.filter((t): t is RelPair => t !== null),
    })),
    edges: [...result.edges]
      .sort((a, b) => comparePairs(a.from, b.from) || comparePairs(a.to, b.to))
      .map((e) => ({
        from: e.from,
        to: e.to,
        file: e.file,
        status: e.status,
        ...(e.distribution ? { distribution: e.distribution } : {}),
      })),
    problems: result.problems,
    unresolved: result.unresolved,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function verdictOf(status: string): VerdictKind | undefined {
  return status === 'stdlib' || status === 'builtin' || status === 'local' ? status : undefined;
}

/** Top-level package or module name of a relative path (`pkg/sub/m.py` → `pkg`, `m.cpython-311.so` → `m`). */
function clusterOf(rel: string): string {
  return rel.split('/')[0].split('.')[0];
}

/** The DependencyGraph model: one node per (root, rel), `source` for nodes whose imports were read. */
export function toDependencyGraph(result: FollowResult): DependencyGraph {
  const nodes = new Map<string, GraphNode>();
  const node = (p: RelPair): GraphNode => {
    const id = nodeId(p[0], p[1]);
    let n = nodes.get(id);
    if (!n) {
      n = { id, root: p[0], rel: p[1], cluster: clusterOf(p[1]), source: false };
      nodes.set(id, n);
    }
    return n;
  };
  for (const s of result.sources) {
    const n = node(s.from);
    n.source = s.analysed;
    n.file = s.file;
    if (isNotebookPath(s.file)) n.notebook = true;
  }
  for (const e of result.edges) {
    const n = node(e.to);
    n.file ??= e.file;
    if (isNotebookPath(e.file)) n.notebook = true;
    const v = verdictOf(e.status);
    if (v) n.verdict = v;
    if (e.distribution) n.cluster = e.distribution.name;
  }
  const edges = result.edges.map((e) => ({
    from: nodeId(e.from[0], e.from[1]),
    to: nodeId(e.to[0], e.to[1]),
  }));
  return { nodes: [...nodes.values()], edges };
}

/** Graphviz dot: one cluster per root, nodes labelled by their relative path. */
export function toDot(result: FollowResult): string {
  const g = toDependencyGraph(result);
  const byRoot = new Map<string, GraphNode[]>();
  for (const n of g.nodes) byRoot.set(n.root, [...(byRoot.get(n.root) ?? []), n]);
  const ids = numberNodes(g.nodes.map((n) => n.id));
  const roots = [...byRoot.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return writeDot({
    name: 'dependencies',
    statements: ['rankdir=LR', 'node [shape=box, fontsize=10]'],
    groups: roots.map(([root, members]) => ({
      label: root,
      nodes: members.map((n) => ({
        id: ids.get(n.id)!,
        attrs: [
          `label=${dotString(n.rel)}`,
          `tooltip=${dotString(`${n.root}/${n.rel}`)}`,
          ...(n.source ? [] : ['style=dashed']),
        ],
      })),
    })),
    edges: g.edges.map((e) => ({ from: ids.get(e.from)!, to: ids.get(e.to)! })),
  });
}

/** Mermaid flowchart: nodes labelled by relative path, edges as arrows. */
export function toMermaid(result: FollowResult): string {
  const g = toDependencyGraph(result);
  const ids = numberNodes(g.nodes.map((n) => n.id));
  return writeMermaid({
    diagram: 'graph LR',
    groups: [{ nodes: g.nodes.map((n) => ({ id: ids.get(n.id)!, text: n.rel })) }],
    edges: g.edges.map((e) => ({ from: ids.get(e.from)!, to: ids.get(e.to)! })),
  });
}
