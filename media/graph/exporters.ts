/**
 * Text exports of the graph view as it stands (filters and collapsed clusters applied): Graphviz
 * dot, Mermaid flowchart, JSON (a DependencyGraph plus view fields, loadable by `pyrats graph
 * --from-json`), and SVG of the current viewport. Pure string building, no DOM.
 */
import type { VerdictKind } from '../../analyzer/graph/dependencyGraph';
import { VERDICT_LABELS, type ViewGraph, type ViewNode } from './transforms';

export interface Point {
  x: number;
  y: number;
}

export interface Palette {
  background: string;
  foreground: string;
  edge: string;
  cycle: string;
  verdict: Record<VerdictKind, string>;
  fontFamily: string;
}

/** Colours used where no theme applies (dot, Mermaid): readable on white. */
export const PRINT_PALETTE: Palette = {
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
  },
  fontFamily: 'system-ui, sans-serif',
};

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function nodeTitle(n: ViewNode): string {
  return n.kind === 'cluster' ? `${n.label} (${n.members!.length} modules)` : n.label;
}

export function toDot(view: ViewGraph, title = 'dependencies'): string {
  // Graph ids hold a NUL between root and path, which Graphviz cannot take: number the nodes.
  const ids = new Map(view.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = [
    `digraph ${dotString(title)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor="#ffffff"];',
    '  edge [color="#8a8a8a", arrowsize=0.6];',
  ];
  for (const n of view.nodes) {
    const attrs = [
      `label=${dotString(nodeTitle(n))}`,
      `fillcolor=${dotString(PRINT_PALETTE.verdict[n.verdict])}`,
      `tooltip=${dotString(`${VERDICT_LABELS[n.verdict]}: ${n.node ? (n.node.file ?? `${n.node.root}/${n.node.rel}`) : n.cluster}`)}`,
    ];
    if (n.kind === 'cluster') attrs.push('shape=box3d');
    if (n.root) attrs.push('penwidth=2.5');
    if (n.inCycle) attrs.push(`color=${dotString(PRINT_PALETTE.cycle)}`, 'penwidth=2');
    lines.push(`  ${ids.get(n.id)} [${attrs.join(', ')}];`);
  }
  for (const e of view.edges) {
    const attrs: string[] = [];
    if (e.weight > 1)
      attrs.push(`penwidth=${Math.min(6, 1 + Math.log2(e.weight)).toFixed(2)}`, `label="${e.weight}"`);
    if (e.implied) attrs.push('style=dashed');
    if (e.inCycle) attrs.push(`color=${dotString(PRINT_PALETTE.cycle)}`);
    lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

function mermaidText(s: string): string {
  // Mermaid labels are quoted strings; entity codes keep quotes and markup characters literal.
  return s.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);
}

export function toMermaid(view: ViewGraph, title = 'dependencies'): string {
  const ids = new Map(view.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['---', `title: ${JSON.stringify(title)}`, '---', 'flowchart LR'];
  for (const n of view.nodes) {
    const label = mermaidText(nodeTitle(n));
    const shape = n.kind === 'cluster' ? `[["${label}"]]` : `["${label}"]`;
    lines.push(`  ${ids.get(n.id)}${shape}:::${n.verdict}`);
  }
  view.edges.forEach((e) => {
    const arrow = e.implied ? '-.->' : '-->';
    const label = e.weight > 1 ? `|${e.weight}|` : '';
    lines.push(`  ${ids.get(e.from)} ${arrow}${label} ${ids.get(e.to)}`);
  });
  const cycleEdges = view.edges.map((e, i) => (e.inCycle ? i : -1)).filter((i) => i >= 0);
  if (cycleEdges.length)
    lines.push(`  linkStyle ${cycleEdges.join(',')} stroke:${PRINT_PALETTE.cycle},stroke-width:2px`);
  for (const [verdict, colour] of Object.entries(PRINT_PALETTE.verdict)) {
    lines.push(`  classDef ${verdict} fill:${colour},color:#ffffff,stroke:${colour}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** The view as JSON: a DependencyGraph (nodes, edges) plus view fields and positions. */
export function toJson(view: ViewGraph, title = 'dependencies', positions?: Map<string, Point>): string {
  const nodes = view.nodes.map((n) => {
    const p = positions?.get(n.id);
    const at = p ? { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 } : {};
    if (n.kind === 'cluster') {
      return {
        id: n.id,
        root: '',
        rel: n.cluster,
        cluster: n.cluster,
        verdict: n.verdict,
        source: false,
        members: n.members,
        inCycle: n.inCycle,
        ...at,
      };
    }
    return { ...n.node!, verdict: n.verdict, cluster: n.cluster, label: n.label, inCycle: n.inCycle, ...at };
  });
  const edges = view.edges.map((e) => ({
    from: e.from,
    to: e.to,
    weight: e.weight,
    ...(e.implied ? { implied: true } : {}),
    ...(e.inCycle ? { inCycle: true } : {}),
  }));
  return `${JSON.stringify({ title, nodes, edges, cycles: view.cycles }, null, 2)}\n`;
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface SvgScene {
  view: ViewGraph;
  positions: Map<string, Point>;
  radius: (n: ViewNode) => number;
  /** The zoom transform: screen = graph * k + (x, y). */
  transform: { x: number; y: number; k: number };
  width: number;
  height: number;
  palette: Palette;
  title: string;
  /** Draw labels for these nodes (the renderer's current label set). */
  labelled: Set<string>;
}

/** SVG of the current viewport: what the canvas shows, as vector graphics. */
export function toSvg(scene: SvgScene): string {
  const { view, positions, transform: t, palette } = scene;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="${xml(palette.fontFamily)}" font-size="11">`,
    `<title>${xml(scene.title)}</title>`,
    `<rect width="100%" height="100%" fill="${xml(palette.background)}"/>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${xml(palette.edge)}"/></marker></defs>`,
    `<g transform="translate(${t.x.toFixed(2)},${t.y.toFixed(2)}) scale(${t.k.toFixed(4)})">`,
    `<g fill="none" stroke-width="${(1 / t.k).toFixed(3)}">`,
  ];
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  for (const e of view.edges) {
    const a = positions.get(e.from);
    const b = positions.get(e.to);
    if (!a || !b) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const r = scene.radius(byId.get(e.to)!);
    const ex = b.x - (dx / len) * r;
    const ey = b.y - (dy / len) * r;
    const stroke = e.inCycle ? palette.cycle : palette.edge;
    out.push(
      `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${ex.toFixed(1)}" y2="${ey.toFixed(1)}" stroke="${xml(stroke)}"${e.implied ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#arrow)"/>`,
    );
  }
  out.push('</g><g>');
  for (const n of view.nodes) {
    const p = positions.get(n.id);
    if (!p) continue;
    const ring = n.inCycle ? ` stroke="${xml(palette.cycle)}" stroke-width="${(2 / t.k).toFixed(3)}"` : '';
    out.push(
      `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${scene.radius(n).toFixed(1)}" fill="${xml(palette.verdict[n.verdict])}"${ring} data-verdict="${n.verdict}"><title>${xml(`${nodeTitle(n)} — ${VERDICT_LABELS[n.verdict]}`)}</title></circle>`,
    );
  }
  out.push(`</g><g fill="${xml(palette.foreground)}" font-size="${(11 / t.k).toFixed(2)}">`);
  for (const n of view.nodes) {
    const p = positions.get(n.id);
    if (!p || !scene.labelled.has(n.id)) continue;
    out.push(
      `<text x="${(p.x + scene.radius(n) + 3 / t.k).toFixed(1)}" y="${p.y.toFixed(1)}" dominant-baseline="middle">${xml(nodeTitle(n))}</text>`,
    );
  }
  out.push('</g></g></svg>', '');
  return out.join('\n');
}
