/**
 * The graph view's camera: d3-zoom on the canvas (drag to pan, wheel to zoom), the canvas's size in
 * CSS and device pixels, fitting the graph and bringing a node into view. It tells the view when to
 * redraw and when a gesture ends; whether the user has moved it decides if the camera still follows
 * the first layout.
 */
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { Viewport } from './draw';
import { fitTransform } from './placement';
import type { SimNode } from './scene';

export interface CameraEvents {
  /** The transform or the size changed. */
  moved(): void;
  /** A pan or zoom gesture ended. */
  settled(): void;
}

export class Camera {
  transform: ZoomTransform = zoomIdentity;
  width = 0;
  height = 0;
  dpr = 1;
  /** Until the user pans or zooms, the camera follows the first layout and the panel's size. */
  userMoved: boolean;
  /** A pan or zoom gesture is under way (huge graphs then move a snapshot of the last frame). */
  gesture = false;
  /** True when the saved state carried a transform: keep it instead of fitting. */
  readonly restored: boolean;
  private readonly behavior: ZoomBehavior<HTMLCanvasElement, unknown>;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    saved: { x: number; y: number; k: number } | undefined,
    events: CameraEvents,
  ) {
    this.restored = Boolean(saved);
    this.userMoved = this.restored;
    if (saved) this.transform = zoomIdentity.translate(saved.x, saved.y).scale(saved.k);
    this.behavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.03, 12])
      .on('zoom', (event: { transform: ZoomTransform; sourceEvent: Event | null }) => {
        this.transform = event.transform;
        if (event.sourceEvent) this.userMoved = true;
        events.moved();
      })
      .on('start', () => {
        this.gesture = true;
      })
      .on('end', () => {
        this.gesture = false;
        events.moved();
        events.settled();
      });
    select(canvas).call(this.behavior).on('dblclick.zoom', null);
    select(canvas).call(this.behavior.transform, this.transform);
  }

  viewport(): Viewport {
    return { transform: this.transform, width: this.width, height: this.height, dpr: this.dpr };
  }

  /** Takes the size of the canvas's parent (CSS pixels) at the device's pixel ratio. */
  resize(): void {
    const rect = this.canvas.parentElement!.getBoundingClientRect();
    this.width = Math.max(1, Math.floor(rect.width));
    this.height = Math.max(1, Math.floor(rect.height));
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.floor(this.width * this.dpr);
    this.canvas.height = Math.floor(this.height * this.dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
  }

  fit(sim: readonly SimNode[], animate: boolean): void {
    if (!sim.length) return;
    const t = fitTransform(sim, this.width, this.height);
    const sel = select(this.canvas);
    if (animate) sel.transition().duration(250).call(this.behavior.transform, t);
    else sel.call(this.behavior.transform, t);
  }

  /** Centres a node that is near or beyond the edge of the view. */
  reveal(n: SimNode): void {
    const [sx, sy] = this.transform.apply([n.x, n.y]);
    const margin = 40;
    if (sx >= margin && sx <= this.width - margin && sy >= margin && sy <= this.height - margin) return;
    const t = zoomIdentity
      .translate(this.width / 2 - n.x * this.transform.k, this.height / 2 - n.y * this.transform.k)
      .scale(this.transform.k);
    select(this.canvas).call(this.behavior.transform, t);
  }

  zoomBy(factor: number): void {
    select(this.canvas).call(this.behavior.scaleBy, factor);
  }

  /** Pans by a distance in screen pixels. */
  panBy(dx: number, dy: number): void {
    select(this.canvas).call(this.behavior.translateBy, dx / this.transform.k, dy / this.transform.k);
  }

  /** A point in client coordinates, in graph coordinates. */
  toGraph(clientX: number, clientY: number): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    return this.transform.invert([clientX - rect.left, clientY - rect.top]);
  }

  /** A point in graph coordinates, in CSS pixels relative to the canvas. */
  toScreen(x: number, y: number): [number, number] {
    return this.transform.apply([x, y]);
  }
}
