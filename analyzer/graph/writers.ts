/**
 * How graph text is written, once for every writer (`pyrats deps`, `pyrats graph`, the graph view's
 * exports): Graphviz dot and Mermaid documents from a neutral description (nodes with their
 * attributes, optional groups, edges), quoting and escaping, node numbering, and the printable
 * colours by verdict. Callers decide what a node looks like; this decides how it is spelled. Pure,
 * no Node built-ins: the webview bundle uses it too.
 */
import type { VerdictKind } from './dependencyGraph';

/** Colours where no theme applies (dot, Mermaid, the view's print palette): readable on white. */
export const PRINT_COLOURS = {
  background: '#ffffff',
  foreground: '#1f1f1f',
  edge: '#8a8a8a',
  cycle: '#d13438',
  verdict: {
    local: '#0e7a0d',
    stdlib: '#5a6b7b',
    builtin: '#8c9aa8',
    baseline: '#0063b1',
    mirror: '#c77c02',
    missing: '#d13438',
    conflict: '#a4262c',
    undeclared: '#5c2d91',
    unknown: '#8e5bb5',
  } satisfies Record<VerdictKind, string>,
};

/** The graph statements of a dot document whose nodes are boxes filled with their verdict's colour. */
export const FILLED_DOT_STATEMENTS = [
  'rankdir=LR',
  'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor="#ffffff"]',
  `edge [color="${PRINT_COLOURS.edge}", arrowsize=0.6]`,
];

/**
 * Short ids `n0`, `n1`, ... by position: graph ids hold a NUL between root and path, which neither
 * Graphviz nor Mermaid can take.
 */
export function numberNodes(ids: readonly string[]): Map<string, string> {
  return new Map(ids.map((id, i) => [id, `n${i}`]));
}

/** A dot string literal. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Text inside a quoted Mermaid label: entity codes keep quotes, `#` and markup characters literal. */
export function mermaidText(s: string): string {
  return s.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Pen width of an aggregated edge drawn `weight` times. */
export function weightPen(weight: number): string {
  return Math.min(6, 1 + Math.log2(weight)).toFixed(2);
}

export interface DotNode {
  /** Already numbered (numberNodes). */
  id: string;
  /** `name=value` pairs, values already quoted where needed. */
  attrs: string[];
}

/** Nodes written together; with a label, inside `subgraph cluster_N` (numbered in order). */
export interface DotGroup {
  label?: string;
  /** Statements of the subgraph after its label (`style=dashed`). */
  attrs?: string[];
  nodes: DotNode[];
}

export interface DotDocument {
  /** The graph's name as written (a bare id, or dotString of a title). */
  name: string;
  /** Graph-level statements (`rankdir=LR`, `node [...]`), without the `;`. */
  statements: string[];
  groups: DotGroup[];
  edges: { from: string; to: string; attrs?: string[] }[];
}

export function writeDot(doc: DotDocument): string {
  const lines = [`digraph ${doc.name} {`, ...doc.statements.map((s) => `  ${s};`)];
  const node = (indent: string, n: DotNode) => `${indent}${n.id} [${n.attrs.join(', ')}];`;
  let clusters = 0;
  for (const group of doc.groups) {
    if (group.label === undefined) {
      for (const n of group.nodes) lines.push(node('  ', n));
      continue;
    }
    lines.push(`  subgraph cluster_${clusters++} {`, `    label=${dotString(group.label)};`);
    for (const s of group.attrs ?? []) lines.push(`    ${s};`);
    for (const n of group.nodes) lines.push(node('    ', n));
    lines.push('  }');
  }
  for (const e of doc.edges) {
    const attrs = e.attrs?.length ? ` [${e.attrs.join(', ')}]` : '';
    lines.push(`  ${e.from} -> ${e.to}${attrs};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

export interface MermaidNode {
  id: string;
  /** The label, as shown (escaped here). */
  text: string;
  /** `box` (default) or `subroutine` (a double-edged box: a collapsed package). */
  shape?: 'box' | 'subroutine';
  /** A classDef name (the verdict). */
  cls?: string;
}

export interface MermaidDocument {
  /** Written as front matter when given. */
  title?: string;
  /** The diagram line: `flowchart LR`, `graph LR`. */
  diagram: string;
  /** With a label, inside `subgraph cN["label"]` (numbered in order). */
  groups: { label?: string; nodes: MermaidNode[] }[];
  edges: { from: string; to: string; dashed?: boolean; label?: string }[];
  /** Lines after the edges (`linkStyle ...`), without indentation. */
  styles?: string[];
  /** classDef name → fill colour (white text). */
  classes?: Record<string, string>;
}

function mermaidNode(n: MermaidNode): string {
  const text = mermaidText(n.text);
  const shape = n.shape === 'subroutine' ? `[["${text}"]]` : `["${text}"]`;
  return `${n.id}${shape}${n.cls ? `:::${n.cls}` : ''}`;
}

export function writeMermaid(doc: MermaidDocument): string {
  const lines = doc.title === undefined ? [] : ['---', `title: ${JSON.stringify(doc.title)}`, '---'];
  lines.push(doc.diagram);
  let groups = 0;
  for (const group of doc.groups) {
    if (group.label === undefined) {
      for (const n of group.nodes) lines.push(`  ${mermaidNode(n)}`);
      continue;
    }
    lines.push(`  subgraph c${groups++}["${mermaidText(group.label)}"]`);
    for (const n of group.nodes) lines.push(`    ${mermaidNode(n)}`);
    lines.push('  end');
  }
  for (const e of doc.edges) {
    const label = e.label ? `|${e.label}|` : '';
    lines.push(`  ${e.from} ${e.dashed ? '-.->' : '-->'}${label} ${e.to}`);
  }
  for (const s of doc.styles ?? []) lines.push(`  ${s}`);
  for (const [name, colour] of Object.entries(doc.classes ?? {}))
    lines.push(`  classDef ${name} fill:${colour},color:#ffffff,stroke:${colour}`);
  lines.push('');
  return lines.join('\n');
}
