/**
 * Canvas drawing of the graph view: edges batched by style, nodes one path per verdict, rings,
 * and labels in screen space that never overlap. `drawScene` paints one frame from a `Scene` (what
 * is shown and highlighted) and a `Viewport` (zoom transform and size); `FrameSnapshot` keeps a
 * frame to move during pan and zoom gestures on huge graphs. No state of its own beyond that.
 */
import type { ZoomTransform } from 'd3';
import type { Palette } from './exporters';
import {
  degreeOf,
  FEW_NODES,
  LABEL_FONT_PX,
  MANY_ROOTS,
  nodeTitle,
  type SimLink,
  type SimNode,
} from './scene';
import { VERDICTS } from './transforms';

/** The resolved theme: the export palette plus the focus, label halo and high-contrast outline colours. */
export type Colours = Palette & { focus: string; halo: string; contrast: string | null };

/** What one frame shows, and what is highlighted in it. */
export interface Scene {
  readonly sim: readonly SimNode[];
  readonly links: readonly SimLink[];
  readonly neighbours: Map<string, Set<string>>;
  /** A search is on (its matches are lit, the rest dimmed). */
  readonly searching: boolean;
  readonly matches: ReadonlySet<string>;
  /** The view nodes of a path asked for (lit when no search is on). */
  readonly pathIds: ReadonlySet<string>;
  readonly focused: SimNode | null;
  readonly hovered: SimNode | null;
  /** Edges on cycles in the view (many: drawn lighter). */
  readonly cycleEdges: number;
  /** Scripts in the view (many: thin rings, labelled only like other modules). */
  readonly rootCount: number;
}

export interface Viewport {
  transform: ZoomTransform;
  /** CSS pixels. */
  width: number;
  height: number;
  dpr: number;
}

/** Screen boxes of the labels drawn in this frame, bucketed in rows of one label height. */
class LabelSpace {
  private readonly rows = new Map<number, { x0: number; x1: number; y: number }[]>();
  constructor(private readonly height: number) {}

  free(x: number, y: number, w: number): boolean {
    const r = Math.floor(y / this.height);
    for (let i = r - 1; i <= r + 1; i++) {
      for (const b of this.rows.get(i) ?? []) {
        if (x < b.x1 + 4 && x + w > b.x0 - 4 && Math.abs(y - b.y) < this.height) return false;
      }
    }
    return true;
  }

  take(x: number, y: number, w: number): void {
    const r = Math.floor(y / this.height);
    const row = this.rows.get(r) ?? [];
    row.push({ x0: x, x1: x + w, y });
    this.rows.set(r, row);
  }
}

/** The nodes inside the viewport (with a margin). */
export function visibleNodes(sim: readonly SimNode[], viewport: Viewport): SimNode[] {
  const t = viewport.transform;
  const pad = 40 / t.k;
  const x0 = t.invertX(0) - pad;
  const x1 = t.invertX(viewport.width) + pad;
  const y0 = t.invertY(0) - pad;
  const y1 = t.invertY(viewport.height) + pad;
  return sim.filter((n) => n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1);
}

/** Nodes whose labels are drawn: all visible ones when few, else the notable ones. */
export function labelledNodes(scene: Scene, visible: SimNode[], k: number): Set<string> {
  const out = new Set<string>();
  if (visible.length <= FEW_NODES || k >= 1.6) {
    for (const n of visible.slice(0, 700)) out.add(n.id);
    return out;
  }
  const fewRoots = scene.rootCount <= MANY_ROOTS;
  for (const n of visible) {
    if ((fewRoots && n.v.root) || n.v.kind === 'cluster' || scene.matches.has(n.id)) out.add(n.id);
  }
  const spot = scene.focused ?? scene.hovered;
  if (spot) {
    out.add(spot.id);
    for (const id of scene.neighbours.get(spot.id) ?? []) out.add(id);
  }
  return out;
}

/** Whether a node is part of what is highlighted (search matches, else the path, else the spotlight). */
function litTest(scene: Scene): (n: SimNode) => boolean {
  const spot = scene.focused ?? scene.hovered;
  const spotNeighbours = spot ? scene.neighbours.get(spot.id) : undefined;
  return (n) =>
    scene.searching
      ? scene.matches.has(n.id)
      : scene.pathIds.size
        ? scene.pathIds.has(n.id)
        : spot
          ? n === spot || (spotNeighbours?.has(n.id) ?? false)
          : true;
}

/** Paints one frame of the graph on `ctx`. */
export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, viewport: Viewport, c: Colours): void {
  const { transform: t, dpr } = viewport;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = c.background;
  ctx.fillRect(0, 0, viewport.width, viewport.height);
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  drawEdges(ctx, scene, viewport, c);
  const visible = visibleNodes(scene.sim, viewport);
  const lit = litTest(scene);
  drawNodes(ctx, visible, lit, c);
  drawRings(ctx, scene, visible, 1 / t.k, c);
  drawLabels(ctx, scene, visible, lit, viewport, c);
}

interface EdgeBatch {
  links: SimLink[];
  colour: string;
  width: number;
  dash: number[];
  alpha: number;
}

/**
 * Edges, batched by style: plain, implied (dashed), cycle, highlighted. Thousands of edges are
 * drawn fainter, and many cycle edges lighter, so the picture stays legible.
 */
function drawEdges(ctx: CanvasRenderingContext2D, scene: Scene, viewport: Viewport, c: Colours): void {
  const t = viewport.transform;
  const spot = scene.focused ?? scene.hovered;
  const x0 = t.invertX(0);
  const x1 = t.invertX(viewport.width);
  const y0 = t.invertY(0);
  const y1 = t.invertY(viewport.height);
  const px = 1 / t.k;
  const plainAlpha =
    scene.searching || spot
      ? 0.25
      : Math.min(0.6, Math.max(0.12, 0.6 * Math.sqrt(3000 / Math.max(1, scene.links.length))));
  const manyCycles = scene.cycleEdges > 400;
  const batches: EdgeBatch[] = [
    { links: [], colour: c.edge, width: px, dash: [], alpha: plainAlpha },
    { links: [], colour: c.edge, width: px, dash: [4 * px, 3 * px], alpha: plainAlpha },
    {
      links: [],
      colour: c.cycle,
      width: (manyCycles ? 1.1 : 1.8) * px,
      dash: [],
      alpha: scene.searching || spot ? 0.3 : manyCycles ? 0.5 : 0.9,
    },
    { links: [], colour: c.focus, width: 2 * px, dash: [], alpha: 1 },
  ];
  for (const l of scene.links) {
    const a = l.source;
    const b = l.target;
    if ((a.x < x0 && b.x < x0) || (a.x > x1 && b.x > x1) || (a.y < y0 && b.y < y0) || (a.y > y1 && b.y > y1))
      continue;
    const batch = spot && (a === spot || b === spot) ? 3 : l.e.inCycle ? 2 : l.e.implied ? 1 : 0;
    batches[batch].links.push(l);
  }
  for (const batch of batches) if (batch.links.length) drawEdgeBatch(ctx, batch, t.k >= 0.7, px);
  ctx.setLineDash([]);
}

function drawEdgeBatch(ctx: CanvasRenderingContext2D, batch: EdgeBatch, arrows: boolean, px: number): void {
  ctx.globalAlpha = batch.alpha;
  ctx.strokeStyle = batch.colour;
  ctx.fillStyle = batch.colour;
  ctx.setLineDash(batch.dash);
  ctx.beginPath();
  for (const l of batch.links) {
    const w = l.e.weight > 1 ? Math.min(4, 1 + Math.log2(l.e.weight) * 0.5) : 1;
    if (w > 1) continue;
    ctx.moveTo(l.source.x, l.source.y);
    ctx.lineTo(l.target.x, l.target.y);
  }
  ctx.lineWidth = batch.width;
  ctx.stroke();
  // Weighted edges (aggregated): one stroke each, thicker.
  for (const l of batch.links) {
    if (l.e.weight <= 1) continue;
    ctx.beginPath();
    ctx.moveTo(l.source.x, l.source.y);
    ctx.lineTo(l.target.x, l.target.y);
    ctx.lineWidth = batch.width * Math.min(4, 1 + Math.log2(l.e.weight) * 0.5);
    ctx.stroke();
  }
  if (!arrows) return;
  ctx.setLineDash([]);
  ctx.beginPath();
  const size = 5 * px;
  for (const l of batch.links) {
    const dx = l.target.x - l.source.x;
    const dy = l.target.y - l.source.y;
    const len = Math.hypot(dx, dy);
    if (len < l.target.r + size) continue;
    const ux = dx / len;
    const uy = dy / len;
    const tx = l.target.x - ux * (l.target.r + px);
    const ty = l.target.y - uy * (l.target.r + px);
    ctx.moveTo(tx, ty);
    ctx.lineTo(tx - ux * size - uy * size * 0.55, ty - uy * size + ux * size * 0.55);
    ctx.lineTo(tx - ux * size + uy * size * 0.55, ty - uy * size - ux * size * 0.55);
    ctx.closePath();
  }
  ctx.fill();
}

/** Nodes, one path per verdict; dimmed when a search or a spotlight is on and they are not part of it. */
function drawNodes(
  ctx: CanvasRenderingContext2D,
  visible: SimNode[],
  lit: (n: SimNode) => boolean,
  c: Colours,
): void {
  for (const pass of [false, true]) {
    for (const verdict of VERDICTS) {
      ctx.globalAlpha = pass ? 1 : 0.22;
      ctx.fillStyle = c.verdict[verdict];
      ctx.beginPath();
      let any = false;
      for (const n of visible) {
        if (n.v.verdict !== verdict || lit(n) !== pass) continue;
        ctx.moveTo(n.x + n.r, n.y);
        ctx.arc(n.x, n.y, n.r, 0, Math.PI * 2);
        any = true;
      }
      if (any) ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
}

/** Rings: cycles, roots, clusters, search matches, the path, focus and hover (high contrast: every node). */
function drawRings(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  visible: SimNode[],
  px: number,
  c: Colours,
): void {
  const ring = (filter: (n: SimNode) => boolean, colour: string, width: number, gap = 0) => {
    ctx.beginPath();
    let any = false;
    for (const n of visible) {
      if (!filter(n)) continue;
      const r = n.r + gap * px;
      ctx.moveTo(n.x + r, n.y);
      ctx.arc(n.x, n.y, r, 0, Math.PI * 2);
      any = true;
    }
    if (!any) return;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width * px;
    ctx.stroke();
  };
  const { focused, hovered } = scene;
  if (c.contrast) ring(() => true, c.contrast, 1);
  ring((n) => n.v.kind === 'cluster', c.foreground, 1);
  ring((n) => n.v.inCycle, c.cycle, scene.cycleEdges > 400 ? 1.2 : 2, 1);
  ring((n) => n.v.root, c.foreground, scene.rootCount > MANY_ROOTS ? 1 : 2, 2.5);
  if (scene.searching) ring((n) => scene.matches.has(n.id), c.focus, 2.5, 3);
  if (scene.pathIds.size) ring((n) => scene.pathIds.has(n.id), c.focus, 2.5, 3);
  if (focused) {
    ctx.setLineDash([3 * px, 2 * px]);
    ring((n) => n === focused, c.focus, 2.5, 5);
    ctx.setLineDash([]);
  }
  if (hovered && hovered !== focused) ring((n) => n === hovered, c.focus, 1.5, 4);
}

/**
 * Labels in screen space so they stay readable at every zoom. Most important first (focus, hover,
 * matches, scripts, packages, missing modules, cycles, then the busiest modules); a label that
 * would overlap one already drawn is left out, so the rest stay readable.
 */
function drawLabels(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  visible: SimNode[],
  lit: (n: SimNode) => boolean,
  viewport: Viewport,
  c: Colours,
): void {
  const t = viewport.transform;
  ctx.setTransform(viewport.dpr, 0, 0, viewport.dpr, 0, 0);
  ctx.font = `${LABEL_FONT_PX}px ${c.fontFamily}`;
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3;
  ctx.strokeStyle = c.halo;
  ctx.fillStyle = c.foreground;
  const labels = labelledNodes(scene, visible, t.k);
  const rank = (n: SimNode) =>
    n === scene.focused || n === scene.hovered
      ? 0
      : scene.matches.has(n.id)
        ? 1
        : n.v.root
          ? 2
          : n.v.kind === 'cluster' || n.v.verdict === 'missing' || n.v.inCycle
            ? 3
            : 4;
  const ordered = visible
    .filter((n) => labels.has(n.id))
    .sort((a, b) => rank(a) - rank(b) || degreeOf(scene.neighbours, b.id) - degreeOf(scene.neighbours, a.id));
  const taken = new LabelSpace(LABEL_FONT_PX + 3);
  for (const n of ordered) {
    const sx = n.x * t.k + t.x + n.r * t.k + 4;
    const sy = n.y * t.k + t.y;
    const text = nodeTitle(n.v);
    const w = ctx.measureText(text).width;
    if (rank(n) > 1 && !taken.free(sx, sy, w)) continue;
    taken.take(sx, sy, w);
    ctx.globalAlpha = lit(n) ? 1 : 0.35;
    ctx.strokeText(text, sx, sy);
    ctx.fillText(text, sx, sy);
  }
  ctx.globalAlpha = 1;
}

/** The last full frame of a huge graph, moved and scaled during a pan or zoom gesture. */
export class FrameSnapshot {
  private canvas: HTMLCanvasElement | null = null;
  private transform: ZoomTransform | null = null;

  get taken(): boolean {
    return this.canvas !== null;
  }

  take(source: HTMLCanvasElement, transform: ZoomTransform): void {
    if (!this.canvas || this.canvas.width !== source.width || this.canvas.height !== source.height) {
      this.canvas = document.createElement('canvas');
      this.canvas.width = source.width;
      this.canvas.height = source.height;
    }
    const sctx = this.canvas.getContext('2d')!;
    sctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    sctx.drawImage(source, 0, 0);
    this.transform = transform;
  }

  /** The kept frame under the current transform; the full drawing follows when the gesture ends. */
  draw(ctx: CanvasRenderingContext2D, viewport: Viewport, background: string): void {
    const s = this.transform!;
    const t = viewport.transform;
    const r = t.k / s.k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.drawImage(
      this.canvas!,
      (t.x - s.x * r) * viewport.dpr,
      (t.y - s.y * r) * viewport.dpr,
      this.canvas!.width * r,
      this.canvas!.height * r,
    );
  }
}
