/**
 * Reading and writing graph payloads outside the browser, for `pyrats graph`: validation of JSON
 * graph files (a DependencyGraph, a graph payload, or the graph view's own JSON export), and Graphviz
 * dot and Mermaid text with nodes coloured by verdict and grouped by package (as snakefood's
 * sfood-cluster groups them). The interactive view's exports (current filters and collapsed
 * packages applied) live in media/graph/exporters.ts; both are written by analyzer/graph/writers.ts
 * and name nodes by analyzer/graph/nodeNames.ts, so a node looks the same in each.
 */
import type { GraphEdge, GraphNode, VerdictKind } from '../analyzer/graph/dependencyGraph';
import { clusterKey, effectiveVerdict, GRAPH_VERDICTS, moduleLabel } from '../analyzer/graph/nodeNames';
import {
  dotString,
  FILLED_DOT_STATEMENTS,
  numberNodes,
  PRINT_COLOURS,
  weightPen,
  writeDot,
  writeMermaid,
} from '../analyzer/graph/writers';
import type { GraphPayload } from './protocol';

const VERDICTS = new Set<VerdictKind>(GRAPH_VERDICTS);

export interface ParsedGraph {
  payload: GraphPayload;
  /** One line per entry that was skipped, naming it and the problem. */
  problems: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a parsed JSON graph. Accepts `{nodes, edges}`, `{graph: {nodes, edges}, title, roots}`
 * and the view's export. Bad nodes and edges are skipped and reported; a document without a
 * `nodes` array is an error.
 */
export function parseGraphDocument(doc: unknown, where: string): ParsedGraph {
  const problems: string[] = [];
  if (!isObject(doc)) throw new Error(`${where}: not a JSON object`);
  const body = isObject(doc.graph) ? doc.graph : doc;
  if (!Array.isArray(body.nodes)) throw new Error(`${where}: no "nodes" array (expected a dependency graph)`);
  const nodes: GraphNode[] = [];
  const ids = new Set<string>();
  body.nodes.forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.id !== 'string' || !raw.id) {
      problems.push(`${where}: nodes[${i}]: needs a string "id"; skipped`);
      return;
    }
    if (ids.has(raw.id)) {
      problems.push(`${where}: nodes[${i}]: duplicate id ${JSON.stringify(raw.id)}; skipped`);
      return;
    }
    const node: GraphNode = {
      id: raw.id,
      root: typeof raw.root === 'string' ? raw.root : '',
      rel: typeof raw.rel === 'string' ? raw.rel : raw.id,
      source: raw.source === true,
    };
    if (typeof raw.file === 'string') node.file = raw.file;
    if (typeof raw.cluster === 'string') node.cluster = raw.cluster;
    if (typeof raw.note === 'string') node.note = raw.note.slice(0, 1000);
    if (typeof raw.verdict === 'string') {
      if (VERDICTS.has(raw.verdict as VerdictKind)) node.verdict = raw.verdict as VerdictKind;
      else problems.push(`${where}: nodes[${i}]: unknown verdict ${JSON.stringify(raw.verdict)}; left out`);
    }
    ids.add(node.id);
    nodes.push(node);
  });
  const edges: GraphEdge[] = [];
  const rawEdges = Array.isArray(body.edges) ? body.edges : [];
  if (body.edges !== undefined && !Array.isArray(body.edges))
    problems.push(`${where}: "edges" is not an array; ignored`);
  rawEdges.forEach((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string') {
      problems.push(`${where}: edges[${i}]: needs string "from" and "to"; skipped`);
      return;
    }
    if (!ids.has(raw.from) || !ids.has(raw.to)) {
      problems.push(`${where}: edges[${i}]: ${!ids.has(raw.from) ? 'from' : 'to'} names no node; skipped`);
      return;
    }
    const edge: GraphEdge = { from: raw.from, to: raw.to };
    if (typeof raw.weight === 'number' && Number.isFinite(raw.weight) && raw.weight > 0)
      edge.weight = raw.weight;
    edges.push(edge);
  });
  const title = typeof doc.title === 'string' ? doc.title : 'dependencies';
  const roots = Array.isArray(doc.roots)
    ? doc.roots.filter((r): r is string => typeof r === 'string' && ids.has(r))
    : undefined;
  const payload: GraphPayload = { graph: { nodes, edges }, title };
  if (roots?.length) payload.roots = roots;
  if (doc.scope === 'script' || doc.scope === 'workspace') payload.scope = doc.scope;
  if (Array.isArray(doc.problems))
    payload.problems = doc.problems.filter((p): p is string => typeof p === 'string');
  return { payload, problems };
}

/** The payload's nodes grouped by package (cluster key), in first-seen order. */
function byPackage(nodes: GraphNode[]): [string, GraphNode[]][] {
  const groups = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    const key = clusterKey(n);
    const list = groups.get(key);
    if (list) list.push(n);
    else groups.set(key, [n]);
  }
  return [...groups];
}

/** Graphviz dot: one subgraph cluster per package, nodes filled by verdict, scripts outlined. */
export function payloadToDot(payload: GraphPayload): string {
  const { nodes, edges } = payload.graph;
  const ids = numberNodes(nodes.map((n) => n.id));
  const roots = new Set(payload.roots ?? []);
  const node = (n: GraphNode) => ({
    id: ids.get(n.id)!,
    attrs: [
      `label=${dotString(moduleLabel(n.rel) || n.rel)}`,
      `fillcolor="${PRINT_COLOURS.verdict[effectiveVerdict(n)]}"`,
      `tooltip=${dotString(n.file ?? `${n.root}/${n.rel}`)}`,
      ...(roots.has(n.id) ? ['penwidth=2.5', 'color="#000000"'] : []),
    ],
  });
  return writeDot({
    name: dotString(payload.title),
    statements: FILLED_DOT_STATEMENTS,
    groups: byPackage(nodes).map(([key, members]) =>
      members.length > 1
        ? { label: key, attrs: ['style=dashed'], nodes: members.map(node) }
        : { nodes: members.map(node) },
    ),
    edges: edges.map((e) => ({
      from: ids.get(e.from)!,
      to: ids.get(e.to)!,
      attrs: e.weight && e.weight > 1 ? [`penwidth=${weightPen(e.weight)}`, `label="${e.weight}"`] : [],
    })),
  });
}

/** Mermaid flowchart: one subgraph per package, a class per verdict. */
export function payloadToMermaid(payload: GraphPayload): string {
  const { nodes, edges } = payload.graph;
  const ids = numberNodes(nodes.map((n) => n.id));
  const node = (n: GraphNode) => ({
    id: ids.get(n.id)!,
    text: moduleLabel(n.rel) || n.rel,
    cls: effectiveVerdict(n),
  });
  return writeMermaid({
    title: payload.title,
    diagram: 'flowchart LR',
    groups: byPackage(nodes).map(([key, members]) => ({
      label: members.length > 1 ? key : undefined,
      nodes: members.map(node),
    })),
    edges: edges.map((e) => ({ from: ids.get(e.from)!, to: ids.get(e.to)! })),
    classes: PRINT_COLOURS.verdict,
  });
}
