/**
 * Reading and writing graph payloads outside the browser, for `pyrats graph`: validation of JSON
 * graph files (a DependencyGraph, a graph payload, or the graph view's own JSON export), and Graphviz
 * dot and Mermaid text with nodes coloured by verdict and grouped by package (as snakefood's
 * sfood-cluster groups them). The interactive view's exports (current filters and collapsed
 * packages applied) live in media/graph/exporters.ts.
 */
import type { GraphEdge, GraphNode, VerdictKind } from '../analyzer/graph/dependencyGraph';
import type { GraphPayload } from './protocol';

const VERDICTS = new Set<VerdictKind>([
  'stdlib',
  'builtin',
  'local',
  'baseline',
  'mirror',
  'missing',
  'conflict',
  'undeclared',
  'unknown',
]);

/** The same colours as the graph view's printable palette. */
const COLOURS: Record<VerdictKind, string> = {
  local: '#0e7a0d',
  stdlib: '#5a6b7b',
  builtin: '#8c9aa8',
  baseline: '#0063b1',
  mirror: '#c77c02',
  missing: '#d13438',
  conflict: '#a4262c',
  undeclared: '#5c2d91',
  unknown: '#8e5bb5',
};

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

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function clusterOf(n: GraphNode): string {
  return n.cluster ?? n.rel.split('/')[0].split('.')[0];
}

function label(n: GraphNode): string {
  const parts = n.rel.split('/').filter(Boolean);
  if (parts.length > 1 && /^__init__\./.test(parts[parts.length - 1])) parts.pop();
  else if (parts.length)
    parts[parts.length - 1] = parts[parts.length - 1].replace(/\.(py[cwi]?|so|pyd)$/, '');
  return parts.join('.') || n.rel;
}

function verdictOf(n: GraphNode): VerdictKind {
  return n.verdict ?? (n.source ? 'local' : 'unknown');
}

/** Graphviz dot: one subgraph cluster per package, nodes filled by verdict, scripts outlined. */
export function payloadToDot(payload: GraphPayload): string {
  const { nodes, edges } = payload.graph;
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const roots = new Set(payload.roots ?? []);
  const byCluster = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    const c = clusterOf(n);
    const list = byCluster.get(c);
    if (list) list.push(n);
    else byCluster.set(c, [n]);
  }
  const lines = [
    `digraph ${dotString(payload.title)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor="#ffffff"];',
    '  edge [color="#8a8a8a", arrowsize=0.6];',
  ];
  let i = 0;
  for (const [cluster, members] of byCluster) {
    const indent = members.length > 1 ? '    ' : '  ';
    if (members.length > 1)
      lines.push(`  subgraph cluster_${i++} {`, `    label=${dotString(cluster)};`, '    style=dashed;');
    for (const n of members) {
      const attrs = [
        `label=${dotString(label(n))}`,
        `fillcolor="${COLOURS[verdictOf(n)]}"`,
        `tooltip=${dotString(n.file ?? `${n.root}/${n.rel}`)}`,
      ];
      if (roots.has(n.id)) attrs.push('penwidth=2.5', 'color="#000000"');
      lines.push(`${indent}${ids.get(n.id)} [${attrs.join(', ')}];`);
    }
    if (members.length > 1) lines.push('  }');
  }
  for (const e of edges) {
    const w =
      e.weight && e.weight > 1
        ? ` [penwidth=${Math.min(6, 1 + Math.log2(e.weight)).toFixed(2)}, label="${e.weight}"]`
        : '';
    lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)}${w};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

function mermaidText(s: string): string {
  return s.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Mermaid flowchart: one subgraph per package, a class per verdict. */
export function payloadToMermaid(payload: GraphPayload): string {
  const { nodes, edges } = payload.graph;
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const byCluster = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    const list = byCluster.get(clusterOf(n));
    if (list) list.push(n);
    else byCluster.set(clusterOf(n), [n]);
  }
  const lines = ['---', `title: ${JSON.stringify(payload.title)}`, '---', 'flowchart LR'];
  let i = 0;
  for (const [cluster, members] of byCluster) {
    const inner = members.map((n) => `${ids.get(n.id)}["${mermaidText(label(n))}"]:::${verdictOf(n)}`);
    if (members.length > 1)
      lines.push(`  subgraph c${i++}["${mermaidText(cluster)}"]`, ...inner.map((l) => `    ${l}`), '  end');
    else lines.push(`  ${inner[0]}`);
  }
  for (const e of edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
  for (const [v, colour] of Object.entries(COLOURS))
    lines.push(`  classDef ${v} fill:${colour},color:#ffffff,stroke:${colour}`);
  lines.push('');
  return lines.join('\n');
}
