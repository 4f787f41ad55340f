/**
 * The graph's canvas at work: the animation-frame loop that ticks the layout for a share of each
 * frame and paints (draw.ts), the theme's colours (re-read when VS Code's theme changes), the size
 * (followed with a ResizeObserver) and the camera. Huge graphs move a snapshot of the last frame
 * during pan and zoom gestures. The view asks for frames with `requestDraw`.
 */
import type { Chrome } from './toolbar';
import type { VerdictKind } from '../../analyzer/graph/dependencyGraph';
import { cssColour, cssValue, isHighContrast, watchTheme } from '../shared/theme';
import { Camera } from './camera';
import { drawScene, FrameSnapshot, type Colours, type Scene } from './draw';
import type { Palette } from './exporters';
import type { GraphLayout } from './layout';
import { HEAVY_SCENE } from './scene';
import { VERDICTS } from './transforms';

const FRAME_BUDGET_MS = 9;

/** What the stage needs from the view. */
export interface StageHost {
  readonly layout: GraphLayout;
  /** What to paint now. */
  scene(): Scene;
  /** The layout came to rest. */
  layoutSettled(): void;
  /** A pan or zoom gesture ended. */
  cameraSettled(): void;
  /** The theme changed (colours are read again). */
  themeChanged(): void;
}

export class Stage {
  readonly camera: Camera;
  colours!: Colours;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly snapshot = new FrameSnapshot();
  private lastFrameAt = 0;
  /** Smoothed time between frames (ms). */
  private frameInterval = 16;
  private frameRequested = false;
  private drawnOnce = false;
  private destroyed = false;
  private readonly stopThemeWatch: () => void;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly chrome: Chrome,
    savedTransform: { x: number; y: number; k: number } | undefined,
    private readonly host: StageHost,
  ) {
    this.ctx = chrome.canvas.getContext('2d')!;
    this.camera = new Camera(chrome.canvas, savedTransform, {
      moved: () => this.requestDraw(),
      settled: () => host.cameraSettled(),
    });
    this.readTheme();
    this.stopThemeWatch = watchTheme(() => {
      this.readTheme();
      host.themeChanged();
      this.requestDraw();
    });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(chrome.stage);
    this.resize();
  }

  requestDraw(): void {
    if (this.frameRequested || this.destroyed) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  draw(): void {
    drawScene(this.ctx, this.host.scene(), this.camera.viewport(), this.colours);
  }

  /** The canvas, freshly drawn, as a PNG data URL. */
  pngDataUrl(): string {
    this.draw();
    return this.chrome.canvas.toDataURL('image/png');
  }

  fit(animate: boolean): void {
    this.camera.fit(this.host.layout.sim, animate);
  }

  palette(): Palette & { focus: string } {
    const { background, foreground, edge, cycle, focus, verdict, fontFamily } = this.colours;
    return { background, foreground, edge, cycle, focus, verdict: { ...verdict }, fontFamily };
  }

  destroy(): void {
    this.destroyed = true;
    this.stopThemeWatch();
    this.resizeObserver.disconnect();
  }

  private frame(): void {
    this.frameRequested = false;
    if (this.destroyed) return;
    const now = performance.now();
    if (this.lastFrameAt)
      this.frameInterval = 0.7 * this.frameInterval + 0.3 * Math.min(1000, now - this.lastFrameAt);
    this.lastFrameAt = now;
    const layout = this.host.layout;
    if (!layout.settled) this.layoutStep();
    const heavy = layout.links.length + layout.sim.length > HEAVY_SCENE;
    if (layout.settled && this.camera.gesture && heavy && this.snapshot.taken)
      this.snapshot.draw(this.ctx, this.camera.viewport(), this.colours.background);
    else {
      this.draw();
      if (layout.settled && heavy && !this.camera.gesture)
        this.snapshot.take(this.chrome.canvas, this.camera.transform);
    }
    if (!this.drawnOnce) {
      this.drawnOnce = true;
      performance.mark('pyrats-graph:first-render');
      this.chrome.root.attr('data-rendered', 'true');
    }
    if (!layout.settled) this.requestDraw();
  }

  private layoutStep(): void {
    const layout = this.host.layout;
    // When drawing is slow anyway (a huge graph), spend proportionally more of each frame on the layout.
    const budget = this.drawnOnce ? Math.min(60, Math.max(FRAME_BUDGET_MS, this.frameInterval * 0.4)) : 0;
    if (layout.step(budget)) {
      this.host.layoutSettled();
      performance.mark('pyrats-graph:settled');
    }
    // The first layout grows a little as it settles: keep it in view, smoothly, until the user moves.
    if (layout.firstLayout && !this.camera.userMoved) this.fit(false);
  }

  private resize(): void {
    this.camera.resize();
    if (!this.camera.userMoved && this.host.layout.sim.length) this.fit(false);
    this.requestDraw();
  }

  private readTheme(): void {
    const el = this.chrome.root.node()!;
    const background = cssColour(el, '--pg-bg', '#ffffff');
    const verdict = {} as Record<VerdictKind, string>;
    for (const v of VERDICTS) verdict[v] = cssColour(el, `--pg-verdict-${v}`, '#888888', background);
    const contrast = cssValue(el, '--pg-contrast', '');
    this.colours = {
      background,
      foreground: cssColour(el, '--pg-fg', '#1f1f1f', background),
      edge: cssColour(el, '--pg-edge', '#9a9a9a', background),
      cycle: cssColour(el, '--pg-cycle', '#d18616', background),
      focus: cssColour(el, '--pg-focus', '#0090f1', background),
      halo: background,
      contrast:
        contrast && contrast !== 'transparent' && isHighContrast()
          ? cssColour(el, '--pg-contrast', '#ffffff', background)
          : null,
      verdict,
      fontFamily: cssValue(el, '--pg-font', 'system-ui, sans-serif'),
    };
  }
}
