/**
 * Text exports of the graph view as it stands (filters and collapsed clusters applied): Graphviz
 * dot, Mermaid flowchart (written by analyzer/graph/writers.ts, as `pyrats graph` writes them), JSON
 * (a DependencyGraph plus view fields, loadable by `pyrats graph --from-json`), and SVG of the
 * current viewport. Pure string building, no DOM.
 */
import type { VerdictKind } from '../../analyzer/graph/dependencyGraph';
import {
  dotString,
  FILLED_DOT_STATEMENTS,
  numberNodes,
  PRINT_COLOURS,
  weightPen,
  writeDot,
  writeMermaid,
} from '../../analyzer/graph/writers';
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
  background: PRINT_COLOURS.background,
  foreground: PRINT_COLOURS.foreground,
  edge: PRINT_COLOURS.edge,
  cycle: PRINT_COLOURS.cycle,
  verdict: { ...PRINT_COLOURS.verdict },
  fontFamily: 'system-ui, sans-serif',
};

function nodeTitle(n: ViewNode): string {
  return n.kind === 'cluster' ? `${n.label} (${n.members!.length} modules)` : n.label;
}

export function toDot(view: ViewGraph, title = 'dependencies'): string {
  const ids = numberNodes(view.nodes.map((n) => n.id));
  const cycle = dotString(PRINT_PALETTE.cycle);
  const nodes = view.nodes.map((n) => {
    const where = n.node ? (n.node.file ?? `${n.node.root}/${n.node.rel}`) : n.cluster;
    const attrs = [
      `label=${dotString(nodeTitle(n))}`,
      `fillcolor=${dotString(PRINT_PALETTE.verdict[n.verdict])}`,
      `tooltip=${dotString(`${VERDICT_LABELS[n.verdict]}: ${where}`)}`,
    ];
    if (n.kind === 'cluster') attrs.push('shape=box3d');
    if (n.root) attrs.push('penwidth=2.5');
    if (n.inCycle) attrs.push(`color=${cycle}`, 'penwidth=2');
    return { id: ids.get(n.id)!, attrs };
  });
  const edges = view.edges.map((e) => {
    const attrs: string[] = [];
    if (e.weight > 1) attrs.push(`penwidth=${weightPen(e.weight)}`, `label="${e.weight}"`);
    if (e.implied) attrs.push('style=dashed');
    if (e.inCycle) attrs.push(`color=${cycle}`);
    return { from: ids.get(e.from)!, to: ids.get(e.to)!, attrs };
  });
  return writeDot({
    name: dotString(title),
    statements: FILLED_DOT_STATEMENTS,
    groups: [{ nodes }],
    edges,
  });
}

export function toMermaid(view: ViewGraph, title = 'dependencies'): string {
  const ids = numberNodes(view.nodes.map((n) => n.id));
  const cycleEdges = view.edges.map((e, i) => (e.inCycle ? i : -1)).filter((i) => i >= 0);
  return writeMermaid({
    title,
    diagram: 'flowchart LR',
    groups: [
      {
        nodes: view.nodes.map((n) => ({
          id: ids.get(n.id)!,
          text: nodeTitle(n),
          shape: n.kind === 'cluster' ? 'subroutine' : 'box',
          cls: n.verdict,
        })),
      },
    ],
    edges: view.edges.map((e) => ({
      from: ids.get(e.from)!,
      to: ids.get(e.to)!,
      dashed: e.implied,
      label: e.weight > 1 ? String(e.weight) : undefined,
    })),
    styles: cycleEdges.length
      ? [`linkStyle ${cycleEdges.join(',')} stroke:${PRINT_PALETTE.cycle},stroke-width:2px`]
      : [],
    classes: PRINT_PALETTE.verdict,
  });
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
