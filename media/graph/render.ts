/**
 * The interactive dependency graph: `renderGraph(container, payload, options)` builds a toolbar,
 * a canvas, a legend and a cluster list inside `container` and returns a `GraphView` to update,
 * query and export it. Canvas drawing keeps 2,000+ nodes fluid; the d3-force layout runs in small
 * batches inside animation frames (no worker, so a strict CSP suffices) from a packed, deterministic
 * start, and known positions are kept across updates. Knows nothing about VS Code: the caller
 * passes callbacks for opening files, saving exports and keeping state.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  packSiblings,
  quadtree,
  select,
  zoom,
  zoomIdentity,
  type Quadtree,
  type Selection,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
  type ZoomBehavior,
  type ZoomTransform,
} from 'd3';
import type { GraphNode, VerdictKind } from '../../analyzer/graph/dependencyGraph';
import type { SavedFile } from '../shared/bridge';
import { cssColour, cssValue, isHighContrast, watchTheme } from '../shared/theme';
import { toDot, toJson, toMermaid, toSvg, type Palette, type Point } from './exporters';
import { packageLevelCollapsed, pathFromRoots, pathTargets } from './packageLevel';
import { sanitizeState, type GraphViewState } from './viewState';
import type { GraphExportFormat, GraphPayload, GraphScope } from './messages';
import {
  buildView,
  clusterKey,
  clusterNodeId,
  clustersOf,
  resolveRoots,
  searchNodes,
  verdictCounts,
  VERDICT_LABELS,
  VERDICTS,
  moduleLabel,
  type VerdictFilter,
  type ViewEdge,
  type ViewGraph,
  type ViewNode,
} from './transforms';

export { sanitizeState, type GraphViewState };

export interface GraphViewOptions {
  /** A module node with a file was activated (click, Enter). */
  onOpen?: (node: GraphNode) => void;
  /** An export is ready to be saved. */
  onSave: (file: SavedFile) => void;
  /** The view's state changed (debounced): keep it to restore the view later. */
  onStateChange?: (state: GraphViewState) => void;
  /** The user picked another scope; the host should send a new payload. */
  onScopeChange?: (scope: GraphScope) => void;
  initialState?: GraphViewState;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  cycles: number;
  clusters: number;
  collapsed: number;
  matches: number;
  settled: boolean;
}

export interface GraphView {
  /** Replace the data (after an edit): known nodes keep their place. */
  update(payload: GraphPayload): void;
  stats(): GraphStats;
  state(): GraphViewState;
  setFilter(filter: Partial<VerdictFilter>): void;
  setDepth(depth: number | null): void;
  /** Package hops shown from the scripts (null: every package of the closure). */
  setPackageDepth(depth: number | null): void;
  /**
   * Shows and highlights the shortest import path from the scripts to `target` (a node id, a
   * package or a module name; null clears it); returns the path's labels, empty when none.
   */
  showPath(target: string | null): string[];
  setSearch(query: string): void;
  toggleCluster(key: string, collapse?: boolean): void;
  collapseAll(): void;
  expandAll(): void;
  fit(): void;
  /** Builds an export of the current view and hands it to `onSave`; also returns it. */
  exportAs(format: GraphExportFormat): SavedFile;
  /** Current view nodes (what is drawn). */
  viewNodes(): readonly ViewNode[];
  /** Where a view node is drawn, in CSS pixels relative to the canvas; null when unknown. */
  screenPosition(id: string): { x: number; y: number } | null;
  /** Moves the keyboard focus to a node and reveals it. */
  focusNode(id: string | null): void;
  /** The palette in use (resolved theme colours). */
  palette(): Palette & { focus: string };
  destroy(): void;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  v: ViewNode;
  r: number;
  ax: number;
  ay: number;
  x: number;
  y: number;
}

interface SimLink extends SimulationLinkDatum<SimNode> {
  e: ViewEdge;
  source: SimNode;
  target: SimNode;
}

const DEPTHS: (number | null)[] = [null, 1, 2, 3, 4, 5, 6, 8, 10];
const PACKAGE_DEPTHS: [number | null, string][] = [
  [1, 'direct'],
  [2, '2 hops'],
  [3, '3 hops'],
  [null, 'all'],
];
const FRAME_BUDGET_MS = 9;
const PRE_LAYOUT_BUDGET_MS = 300;
/** Above this many nodes the layout skips collisions and settles faster. */
const LARGE_GRAPH = 800;
const LABEL_FONT_PX = 11;
/** Above this many nodes + edges, pan and zoom gestures move a snapshot of the last frame. */
const HEAVY_SCENE = 6000;
/** Beyond this many scripts (a workspace), they get thin rings and labels only like other modules. */
const MANY_ROOTS = 40;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whole pixels, and never -0 (which JSON turns into 0). */
function round(v: number): number {
  return Math.round(v) || 0;
}

function radiusOf(v: ViewNode): number {
  if (v.kind === 'cluster') return 6 + 2.2 * Math.sqrt(v.members!.length);
  return v.root ? 6 : 4;
}

function nodeTitle(v: ViewNode): string {
  return v.kind === 'cluster' ? `${v.label} (${v.members!.length})` : v.label;
}

function safeFileName(title: string): string {
  return (title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'dependencies').slice(0, 80);
}

export function renderGraph(
  container: HTMLElement,
  payload: GraphPayload,
  options: GraphViewOptions,
): GraphView {
  return new CanvasGraphView(container, payload, options);
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

class CanvasGraphView implements GraphView {
  private payload: GraphPayload;
  private view: ViewGraph = { nodes: [], edges: [], cycles: [] };
  private readonly collapsed: Set<string>;
  private filter: VerdictFilter;
  private depth: number | null;
  private packageDepth: number | null;
  /** Model ids of the path asked for (kept visible), and the view ids drawn highlighted. */
  private pathModules: string[] = [];
  private pathIds = new Set<string>();
  private focusRoot: string | null;
  private query: string;
  private scope: GraphScope | undefined;
  private matches = new Set<string>();
  private matchOrder: string[] = [];
  private matchCursor = -1;
  private cycleCursor = -1;

  private readonly positions = new Map<string, Point>();
  /** Where each collapsed cluster's members' centroid was when it collapsed. */
  private readonly collapsedAt = new Map<string, Point>();
  private anchors = new Map<string, Point>();
  private sim: SimNode[] = [];
  private simById = new Map<string, SimNode>();
  private links: SimLink[] = [];
  private neighbours = new Map<string, Set<string>>();
  private simulation: Simulation<SimNode, SimLink>;
  private tree: Quadtree<SimNode> | null = null;
  private settled = false;

  private transform: ZoomTransform = zoomIdentity;
  /** True when the state carried a zoom transform: keep it instead of fitting. */
  private readonly restoredTransform: boolean;
  /** Until the user pans or zooms, the camera follows the first layout and the panel's size. */
  private userMoved: boolean;
  private firstLayout = true;
  private readonly zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private hovered: SimNode | null = null;
  /** A pan or zoom gesture is under way (huge graphs then move a snapshot of the last frame). */
  private gesture = false;
  private snapshot: HTMLCanvasElement | null = null;
  private snapshotT: ZoomTransform | null = null;
  private lastFrameAt = 0;
  /** Smoothed time between frames (ms). */
  private frameInterval = 16;
  /** Number of edges on cycles in the view (many: drawn lighter, so they do not drown the rest). */
  private cycleEdges = 0;
  /** Number of scripts in the view (a workspace can have hundreds: then they are not all labelled). */
  private rootCount = 0;
  /** Per package, the module that last had the keyboard focus (focus returns there on expand). */
  private readonly lastFocusedModule = new Map<string, string>();
  private focused: SimNode | null = null;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private frameRequested = false;
  private drawnOnce = false;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private colours!: Palette & { focus: string; halo: string; contrast: string | null };
  private readonly stopThemeWatch: () => void;
  private readonly resizeObserver: ResizeObserver;
  private destroyed = false;

  private readonly root: Selection<HTMLDivElement, unknown, null, undefined>;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tooltip: Selection<HTMLDivElement, unknown, null, undefined>;
  private readonly statusText: Selection<HTMLSpanElement, unknown, null, undefined>;
  private readonly announcer: Selection<HTMLDivElement, unknown, null, undefined>;
  private readonly matchCount: Selection<HTMLSpanElement, unknown, null, undefined>;
  private readonly legend: Selection<HTMLUListElement, unknown, null, undefined>;
  private readonly clusterList: Selection<HTMLUListElement, unknown, null, undefined>;
  private readonly problems: Selection<HTMLDivElement, unknown, null, undefined>;
  private readonly titleEl: Selection<HTMLHeadingElement, unknown, null, undefined>;
  private readonly controls: {
    scope: Selection<HTMLSelectElement, unknown, null, undefined>;
    focusRoot: Selection<HTMLSelectElement, unknown, null, undefined>;
    depth: Selection<HTMLSelectElement, unknown, null, undefined>;
    packageDepth: Selection<HTMLSelectElement, unknown, null, undefined>;
    search: Selection<HTMLInputElement, unknown, null, undefined>;
    filters: Record<keyof VerdictFilter, Selection<HTMLInputElement, unknown, null, undefined>>;
  };

  constructor(
    container: HTMLElement,
    payload: GraphPayload,
    private readonly options: GraphViewOptions,
  ) {
    this.payload = payload;
    const s = sanitizeState(options.initialState);
    // A fresh view opens at package level: the scripts' own files, each package they import one node.
    const fresh = s.collapsed === undefined && s.packageDepth === undefined;
    this.collapsed = new Set(
      fresh ? packageLevelCollapsed(payload.graph, resolveRoots(payload.graph, payload.roots)) : s.collapsed,
    );
    this.packageDepth = fresh ? 1 : (s.packageDepth ?? null);
    this.filter = { hideStdlib: false, onlyThirdParty: false, onlyMissing: false, ...s.filter };
    this.depth = s.depth ?? null;
    this.focusRoot = s.focusRoot ?? null;
    this.query = s.search ?? '';
    this.scope = s.scope ?? payload.scope;
    for (const [id, [x, y]] of Object.entries(s.positions ?? {})) this.positions.set(id, { x, y });
    this.restoredTransform = Boolean(s.transform);
    this.userMoved = this.restoredTransform;
    if (s.transform)
      this.transform = zoomIdentity.translate(s.transform.x, s.transform.y).scale(s.transform.k);

    // ---- DOM -------------------------------------------------------------------------------
    this.root = select(container).append('div').attr('class', 'pg-root');
    const bar = this.root
      .append('div')
      .attr('class', 'pg-toolbar')
      .attr('role', 'toolbar')
      .attr('aria-label', 'Graph controls');
    this.titleEl = bar.append('h1').attr('class', 'pg-title');
    const field = (label: string) => {
      const l = bar.append('label').attr('class', 'pg-field');
      l.append('span').text(label);
      return l;
    };
    const scope = field('View').attr('hidden', true).append('select').attr('class', 'pg-scope');
    scope.on('change', () => {
      this.scope = scope.property('value') as GraphScope;
      this.saveStateSoon();
      this.options.onScopeChange?.(this.scope);
    });
    const focusRoot = field('Script').attr('hidden', true).append('select').attr('class', 'pg-root-select');
    focusRoot.on('change', () => {
      const v = focusRoot.property('value') as string;
      this.focusRoot = v || null;
      this.rebuild();
    });
    const depth = field('Depth').append('select').attr('class', 'pg-depth');
    depth
      .selectAll('option')
      .data(DEPTHS)
      .join('option')
      .attr('value', (d) => (d === null ? '' : String(d)))
      .text((d) => (d === null ? 'all' : String(d)));
    depth.on('change', () => {
      const v = depth.property('value') as string;
      this.setDepth(v ? Number(v) : null);
    });
    const packageDepth = field('Packages').append('select').attr('class', 'pg-package-depth');
    packageDepth
      .selectAll('option')
      .data(PACKAGE_DEPTHS)
      .join('option')
      .attr('value', ([d]) => (d === null ? '' : String(d)))
      .text(([, label]) => label);
    packageDepth.on('change', () => {
      const v = packageDepth.property('value') as string;
      this.setPackageDepth(v ? Number(v) : null);
    });
    const searchBox = bar.append('span').attr('class', 'pg-search');
    const search = searchBox
      .append('input')
      .attr('type', 'search')
      .attr('placeholder', 'Search modules')
      .attr('aria-label', 'Search modules (Enter: next match)');
    this.matchCount = searchBox.append('span').attr('class', 'pg-match-count').attr('aria-live', 'polite');
    search.on('input', () => this.setSearch(search.property('value') as string));
    search.on('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.stepMatch(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape') {
        search.property('value', '');
        this.setSearch('');
        this.canvas.focus();
      }
    });
    const filterNames: [keyof VerdictFilter, string][] = [
      ['hideStdlib', 'Hide stdlib'],
      ['onlyThirdParty', 'Only third party'],
      ['onlyMissing', 'Only missing'],
    ];
    const filters = {} as Record<keyof VerdictFilter, Selection<HTMLInputElement, unknown, null, undefined>>;
    for (const [key, label] of filterNames) {
      const l = bar.append('label').attr('class', 'pg-check');
      const box = l.append('input').attr('type', 'checkbox').attr('name', key);
      l.append('span').text(label);
      box.on('change', () => this.setFilter({ [key]: box.property('checked') as boolean }));
      filters[key] = box;
    }
    const button = (
      parent: Selection<HTMLElement, unknown, null, undefined>,
      label: string,
      title: string,
      action: () => void,
    ) =>
      parent
        .append('button')
        .attr('type', 'button')
        .attr('title', title)
        .text(label)
        .on('click', () => action());
    const actions = bar.append('span').attr('class', 'pg-group') as unknown as Selection<
      HTMLElement,
      unknown,
      null,
      undefined
    >;
    button(actions, 'Collapse all', 'Show each package as one node', () => this.collapseAll());
    button(actions, 'Expand all', 'Show every module', () => this.expandAll());
    button(actions, 'Path', 'Show the path from the script to the focused node or the first match (T)', () =>
      this.showPathToSelection(),
    ).attr('class', 'pg-path');
    button(actions, 'Fit', 'Fit the graph in the window (0)', () => this.fit());
    const legendToggle = button(actions, 'Legend', 'Show or hide the legend and the package list', () => {
      const side = this.root.select<HTMLElement>('.pg-side');
      const hidden = !side.property('hidden');
      side.property('hidden', hidden);
      legendToggle.attr('aria-expanded', String(!hidden));
    }).attr('class', 'pg-legend-toggle');
    const exports = bar
      .append('span')
      .attr('class', 'pg-group pg-export')
      .attr('role', 'group')
      .attr('aria-label', 'Export');
    exports.append('span').attr('class', 'pg-group-label').text('Export');
    const formats: [GraphExportFormat, string][] = [
      ['svg', 'SVG'],
      ['png', 'PNG'],
      ['dot', 'DOT'],
      ['mermaid', 'Mermaid'],
      ['json', 'JSON'],
    ];
    for (const [format, label] of formats) {
      button(
        exports as unknown as Selection<HTMLElement, unknown, null, undefined>,
        label,
        `Export the current view as ${label}`,
        () => this.exportAs(format),
      ).attr('data-format', format);
    }
    this.controls = { scope, focusRoot, depth, packageDepth, search, filters };

    this.problems = this.root.append('div').attr('class', 'pg-problems').attr('role', 'status');
    const main = this.root.append('div').attr('class', 'pg-main');
    const stage = main.append('div').attr('class', 'pg-stage');
    this.canvas = stage
      .append('canvas')
      .attr('tabindex', 0)
      .attr('role', 'application')
      .attr('aria-roledescription', 'dependency graph')
      .attr(
        'aria-label',
        'Dependency graph. Arrow keys move between modules, Enter opens, C collapses a package, plus and minus zoom, 0 fits.',
      )
      .node()!;
    this.ctx = this.canvas.getContext('2d')!;
    this.tooltip = stage
      .append('div')
      .attr('class', 'pg-tooltip')
      .attr('role', 'tooltip')
      .attr('hidden', true);
    const side = main.append('aside').attr('class', 'pg-side').attr('aria-label', 'Legend and packages');
    // Narrow panels (a webview beside the editor) give the canvas the room; the Legend button brings it back.
    const narrow = container.getBoundingClientRect().width < 760;
    side.property('hidden', narrow);
    legendToggle.attr('aria-expanded', String(!narrow)).attr('aria-controls', 'pg-side');
    side.attr('id', 'pg-side');
    side.append('h2').text('Legend');
    this.legend = side.append('ul').attr('class', 'pg-legend');
    const help = side.append('details').attr('class', 'pg-help');
    help.append('summary').text('Keys and mouse');
    help
      .append('ul')
      .selectAll('li')
      .data([
        'Drag to pan, wheel to zoom',
        'Click a module: open its file',
        'Click a package: expand it',
        'Right-click a module: collapse its package',
        'Arrows: next module in that direction',
        'Enter: open / expand; C: collapse package',
        '+ / −: zoom; 0: fit; Shift+arrows: pan',
        '/: search; N / P: next / previous match; Y: next cycle',
      ])
      .join('li')
      .text((d) => d);
    side.append('h2').text('Packages');
    this.clusterList = side.append('ul').attr('class', 'pg-clusters');
    const footer = this.root.append('div').attr('class', 'pg-status');
    this.statusText = footer.append('span').attr('class', 'pg-stats');
    this.announcer = footer.append('div').attr('class', 'pg-announce').attr('aria-live', 'polite');

    // ---- layout and interaction --------------------------------------------------------------
    this.simulation = forceSimulation<SimNode, SimLink>([])
      .stop()
      .velocityDecay(0.45)
      .force(
        'link',
        forceLink<SimNode, SimLink>([])
          .id((d) => d.id)
          .distance((l) => (l.source.v.cluster === l.target.v.cluster ? 14 + l.source.r + l.target.r : 80))
          .strength((l) => {
            const base = 1 / Math.max(1, Math.min(this.degree(l.source.id), this.degree(l.target.id)));
            return l.source.v.cluster === l.target.v.cluster ? base : base * 0.08;
          }),
      )
      .force(
        'charge',
        forceManyBody<SimNode>()
          .strength((d) => -12 - d.r * 3)
          .theta(0.95)
          .distanceMax(220),
      )
      .force('x', forceX<SimNode>((d) => d.ax).strength(0.1))
      .force('y', forceY<SimNode>((d) => d.ay).strength(0.1));

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.03, 12])
      .on('zoom', (event: { transform: ZoomTransform; sourceEvent: Event | null }) => {
        this.transform = event.transform;
        if (event.sourceEvent) this.userMoved = true;
        this.requestDraw();
      })
      .on('start', () => {
        this.gesture = true;
      })
      .on('end', () => {
        this.gesture = false;
        this.requestDraw();
        this.saveStateSoon();
      });
    select(this.canvas).call(this.zoomBehavior).on('dblclick.zoom', null);
    select(this.canvas).call(this.zoomBehavior.transform, this.transform);

    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerleave', () => this.setHovered(null));
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.canvas.addEventListener('contextmenu', (e) => this.onContextMenu(e));
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focus', () => {
      if (!this.focused && this.sim.length) this.focusNode(this.defaultFocus());
    });

    this.readTheme();
    this.stopThemeWatch = watchTheme(() => {
      this.readTheme();
      this.renderLegend();
      this.requestDraw();
    });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(stage.node()!);
    this.resize();

    this.applyPayload(payload, true);
  }

  // ---- data ---------------------------------------------------------------------------------

  update(payload: GraphPayload): void {
    this.capturePositions();
    this.payload = payload;
    this.applyPayload(payload, false);
  }

  private applyPayload(payload: GraphPayload, first: boolean): void {
    this.titleEl.text(payload.title).attr('title', payload.title);
    this.scope = payload.scope ?? this.scope;
    const scopes = payload.scopes ?? [];
    this.controls.scope
      .selectAll('option')
      .data(scopes)
      .join('option')
      .attr('value', (d) => d)
      .text((d) => (d === 'script' ? 'This script' : 'Workspace'));
    this.controls.scope.property('value', this.scope ?? '');
    select(this.controls.scope.node()!.parentElement).attr('hidden', scopes.length > 1 ? null : true);
    const roots = resolveRoots(payload.graph, payload.roots);
    if (this.focusRoot && !roots.includes(this.focusRoot)) this.focusRoot = null;
    const byId = new Map(payload.graph.nodes.map((n) => [n.id, n]));
    const rootLabel = (id: string) => moduleLabel(byId.get(id)?.rel ?? id);
    // Sorted by name: a workspace can have a thousand entry points.
    const explicitRoots =
      (payload.roots ?? []).length > 1
        ? [...roots].sort((a, b) => rootLabel(a).localeCompare(rootLabel(b)))
        : [];
    this.controls.focusRoot
      .selectAll('option')
      .data(['', ...explicitRoots])
      .join('option')
      .attr('value', (d) => d)
      .text((d) => (d ? rootLabel(d) : 'All scripts'));
    this.controls.focusRoot.property('value', this.focusRoot ?? '');
    select(this.controls.focusRoot.node()!.parentElement).attr('hidden', explicitRoots.length ? null : true);
    this.controls.depth.property('value', this.depth === null ? '' : String(this.depth));
    this.controls.packageDepth.property('value', this.packageDepth === null ? '' : String(this.packageDepth));
    this.controls.search.property('value', this.query);
    for (const [k, box] of Object.entries(this.controls.filters))
      box.property('checked', this.filter[k as keyof VerdictFilter]);
    this.problems
      .selectAll('p')
      .data(payload.problems ?? [])
      .join('p')
      .text((d) => d);

    // Cluster anchors: packed circles sized by cluster, kept for clusters already placed.
    const clusters = clustersOf(payload.graph);
    const fresh = clusters.filter((c) => !this.anchors.has(c.key));
    if (fresh.length) {
      const circles = fresh.map((c) => ({ key: c.key, r: 12 * Math.sqrt(c.size) + 14, x: 0, y: 0 }));
      packSiblings(circles);
      let offset: Point = { x: 0, y: 0 };
      if (this.anchors.size) {
        // New packages go beside what is already laid out, never on top of it.
        let maxX = -Infinity;
        let sumY = 0;
        for (const p of this.anchors.values()) {
          maxX = Math.max(maxX, p.x);
          sumY += p.y;
        }
        const minX = Math.min(...circles.map((c) => c.x - c.r));
        offset = { x: maxX + 120 - minX, y: sumY / this.anchors.size };
      }
      for (const c of circles) this.anchors.set(c.key, { x: c.x + offset.x, y: c.y + offset.y });
    }
    this.renderClusterList();
    this.rebuild(first ? 'first' : 'data');
    if (payload.select) {
      const target = this.findSelected(payload.select);
      if (target) this.focusNode(target.id);
    }
  }

  /**
   * The node an import names (`numpy.linalg` from a quick fix): an id, a path or a label, else the
   * module with the longest dotted prefix of it (a package the compat closure did not enter), else
   * its package's node.
   */
  private findSelected(select: string): SimNode | undefined {
    const exact =
      this.simById.get(select) ?? this.sim.find((n) => n.v.node?.rel === select || n.v.label === select);
    if (exact) return exact;
    let best: SimNode | undefined;
    for (const n of this.sim) {
      if (
        n.v.kind === 'module' &&
        select.startsWith(`${n.v.label}.`) &&
        n.v.label.length > (best?.v.label.length ?? 0)
      ) {
        best = n;
      }
    }
    return best ?? this.simById.get(clusterNodeId(select.split('.')[0]));
  }

  /**
   * Recomputes the view from the payload and the view settings, keeping positions. `first`: the view
   * opens; `data`: new data arrived (an edit); `view`: a filter or depth changed; `expand`: packages
   * expanded or collapsed, more packages or a path shown. After `data` and `expand`, what is already
   * drawn stays pinned while the new nodes find their place.
   */
  private rebuild(reason: 'first' | 'data' | 'view' | 'expand' = 'view'): void {
    const first = reason === 'first';
    this.capturePositions();
    this.view = buildView(this.payload.graph, {
      roots: this.payload.roots,
      focusRoot: this.focusRoot,
      depth: this.depth,
      packageDepth: this.packageDepth,
      reveal: this.pathModules,
      filter: this.filter,
      collapsed: this.collapsed,
    });
    const memberIndex = new Map<string, number>();
    const known = (id: string) => this.positions.get(id);
    let placedNew = 0;
    const next: SimNode[] = [];
    const previous = this.simById;
    const placed = (id: string): Point | undefined => previous.get(id) ?? known(id);
    const neighbourOf = new Map<string, string[]>();
    for (const e of this.view.edges) {
      push(neighbourOf, e.to, e.from);
      push(neighbourOf, e.from, e.to);
    }
    // New data (an edit), an expansion: nodes already placed stay pinned while the new ones find their place.
    const pin = reason === 'data' || reason === 'expand';
    let appeared = 0;
    for (const v of this.view.nodes) {
      const anchor = this.anchors.get(v.cluster) ?? { x: 0, y: 0 };
      const old = previous.get(v.id);
      let p: Point | undefined = old ? { x: old.x, y: old.y } : known(v.id);
      if (!p && v.kind === 'cluster') p = this.centroid(v.members!);
      if (!p && v.kind === 'module') {
        // A member of a cluster that was just expanded: its old place, moved with the cluster.
        const clusterId = clusterNodeId(v.cluster);
        const clusterNode = previous.get(clusterId);
        const own = this.positions.get(v.id);
        const at = this.collapsedAt.get(v.cluster);
        if (clusterNode && own && at)
          p = { x: own.x + clusterNode.x - at.x, y: own.y + clusterNode.y - at.y };
        else if (clusterNode) p = this.spiral(clusterNode, memberIndex, v.cluster, 4);
      }
      const isNew = !p;
      if (!p) {
        placedNew++;
        // Beside a neighbour that already has a place (a module added by an edit), else in its package.
        const near = (neighbourOf.get(v.id) ?? []).find((id) => placed(id));
        p = near
          ? this.spiral(placed(near)!, memberIndex, `near:${near}`, 12)
          : this.spiral(anchor, memberIndex, v.cluster, 7);
      }
      const node: SimNode = {
        id: v.id,
        v,
        r: radiusOf(v),
        ax: anchor.x,
        ay: anchor.y,
        x: p.x,
        y: p.y,
        vx: 0,
        vy: 0,
      };
      const drawnBefore = previous.has(v.id);
      if (!drawnBefore) appeared++;
      if (pin && (reason === 'expand' ? drawnBefore : !isNew)) {
        node.fx = p.x;
        node.fy = p.y;
      }
      next.push(node);
    }
    for (const v of this.view.nodes)
      if (v.kind === 'cluster' && !this.collapsedAt.has(v.cluster)) {
        const c = this.centroid(v.members!);
        if (c) this.collapsedAt.set(v.cluster, c);
      }
    this.sim = next;
    this.simById = new Map(next.map((n) => [n.id, n]));
    this.pathIds = new Set(this.pathModules.map((id) => this.viewIdOfModule(id)));
    this.links = this.view.edges.map((e) => ({
      e,
      source: this.simById.get(e.from)!,
      target: this.simById.get(e.to)!,
    }));
    this.neighbours = new Map(next.map((n) => [n.id, new Set<string>()]));
    for (const e of this.view.edges) {
      this.neighbours.get(e.from)!.add(e.to);
      this.neighbours.get(e.to)!.add(e.from);
    }
    this.simulation.nodes(this.sim);
    // Large graphs start from a packed layout already: settle in fewer ticks, skip collisions.
    const large = next.length > LARGE_GRAPH;
    this.simulation.alphaDecay(next.length > 2500 ? 0.06 : large ? 0.045 : 0.0228);
    this.cycleEdges = this.view.edges.filter((e) => e.inCycle).length;
    this.rootCount = this.view.nodes.filter((n) => n.root).length;
    this.simulation.force(
      'collide',
      large
        ? null
        : forceCollide<SimNode>((d) => d.r + 2)
            .iterations(1)
            .strength(0.8),
    );
    (this.simulation.force('link') as ReturnType<typeof forceLink<SimNode, SimLink>>).links(this.links);
    // A fresh layout: a full settle. Mostly known positions: a gentle one. New data (an edit, a
    // reload) where every node already has its place: no movement at all.
    const share = next.length ? placedNew / next.length : 0;
    this.simulation.alpha(Math.max(0.08, Math.min(1, share))).alphaTarget(0);
    this.settled = reason !== 'view' && (reason === 'expand' ? appeared : placedNew) === 0;
    if (this.settled) for (const n of next) n.fx = n.fy = undefined;
    if (reason === 'first' && share > 0.5) {
      const start = performance.now();
      while (
        performance.now() - start < PRE_LAYOUT_BUDGET_MS &&
        this.simulation.alpha() > this.simulation.alphaMin()
      ) {
        this.simulation.tick();
      }
    }
    this.tree = null;
    if (this.hovered) this.hovered = this.simById.get(this.hovered.id) ?? null;
    if (this.focused) this.focused = this.successor(this.focused) ?? null;
    this.recomputeMatches();
    this.renderLegend();
    this.renderClusterList();
    if (first && !this.restoredTransform) this.fit(false);
    this.updateStatus();
    // A discrete change (filter, depth, package collapsed, new data) is kept at once: the panel
    // may be hidden right after it.
    if (first) this.saveStateSoon();
    else this.saveStateNow();
    this.requestDraw();
  }

  /**
   * Where a node went after a rebuild: itself, the package node it was collapsed into, or (for a
   * package that was expanded) the module last focused in it, else its first member.
   */
  private successor(n: SimNode): SimNode | undefined {
    const same = this.simById.get(n.id);
    if (same) return same;
    if (n.v.kind === 'module') return this.simById.get(clusterNodeId(n.v.cluster));
    const last = this.lastFocusedModule.get(n.v.cluster);
    return (last ? this.simById.get(last) : undefined) ?? this.sim.find((m) => m.v.cluster === n.v.cluster);
  }

  private degree(id: string): number {
    return this.neighbours.get(id)?.size ?? 1;
  }

  private spiral(center: Point, counters: Map<string, number>, key: string, step: number): Point {
    const i = counters.get(key) ?? 0;
    counters.set(key, i + 1);
    const r = step * Math.sqrt(i + 0.5);
    const a = i * 2.399963;
    return { x: center.x + r * Math.cos(a), y: center.y + r * Math.sin(a) };
  }

  private centroid(ids: string[]): Point | undefined {
    let x = 0;
    let y = 0;
    let n = 0;
    for (const id of ids) {
      const p = this.simById.get(id) ?? this.positions.get(id);
      if (p) {
        x += p.x;
        y += p.y;
        n++;
      }
    }
    return n ? { x: x / n, y: y / n } : undefined;
  }

  private capturePositions(): void {
    for (const n of this.sim) this.positions.set(n.id, { x: n.x, y: n.y });
  }

  // ---- settings -----------------------------------------------------------------------------

  setFilter(filter: Partial<VerdictFilter>): void {
    this.filter = { ...this.filter, ...filter };
    for (const [k, box] of Object.entries(this.controls.filters))
      box.property('checked', this.filter[k as keyof VerdictFilter]);
    this.rebuild();
  }

  setDepth(depth: number | null): void {
    this.depth = depth;
    this.controls.depth.property('value', depth === null ? '' : String(depth));
    this.rebuild();
  }

  setPackageDepth(depth: number | null): void {
    this.packageDepth = depth;
    this.controls.packageDepth.property('value', depth === null ? '' : String(depth));
    this.rebuild('expand');
  }

  showPath(target: string | null): string[] {
    const graph = this.payload.graph;
    const roots = resolveRoots(graph, this.payload.roots);
    const start = this.focusRoot && roots.includes(this.focusRoot) ? [this.focusRoot] : roots;
    this.pathModules = target === null ? [] : pathFromRoots(graph, start, pathTargets(graph, target));
    this.rebuild('expand');
    const labels = [...new Set(this.pathModules.map((id) => this.viewIdOfModule(id)))].map((id) =>
      nodeTitle(this.simById.get(id)!.v),
    );
    // focus the end of the path first: focusing announces the node, the path is what the user asked for
    const last = this.pathModules[this.pathModules.length - 1];
    if (last) this.focusNode(this.viewIdOfModule(last));
    if (target !== null)
      this.announce(
        labels.length ? `Path: ${labels.join(' → ')}` : `No import path from the script to ${target}.`,
      );
    return labels;
  }

  private showPathToSelection(): void {
    const target = this.focused?.id ?? this.matchOrder[0];
    if (target) this.showPath(target);
    else this.announce('Focus a node or search for one first, then ask for its path.');
  }

  /** The view node a model node is drawn as: itself, or its collapsed package. */
  private viewIdOfModule(id: string): string {
    if (this.simById.has(id)) return id;
    const node = this.payload.graph.nodes.find((n) => n.id === id);
    return node ? clusterNodeId(clusterKey(node)) : id;
  }

  setSearch(query: string): void {
    this.query = query;
    if (this.controls.search.property('value') !== query) this.controls.search.property('value', query);
    this.recomputeMatches();
    this.matchCursor = -1;
    this.updateStatus();
    this.saveStateNow();
    this.requestDraw();
  }

  private recomputeMatches(): void {
    this.matchOrder = searchNodes(this.view, this.query, this.payload.graph);
    this.matches = new Set(this.matchOrder);
    this.matchCount.text(
      this.query.trim() ? `${this.matchOrder.length} match${this.matchOrder.length === 1 ? '' : 'es'}` : '',
    );
  }

  private stepMatch(delta: number): void {
    if (!this.matchOrder.length) return;
    this.matchCursor = (this.matchCursor + delta + this.matchOrder.length) % this.matchOrder.length;
    this.focusNode(this.matchOrder[this.matchCursor]);
  }

  private stepCycle(): void {
    if (!this.view.cycles.length) {
      this.announce('No import cycles in this view.');
      return;
    }
    this.cycleCursor = (this.cycleCursor + 1) % this.view.cycles.length;
    const cycle = this.view.cycles[this.cycleCursor];
    this.focusNode(cycle[0]);
    this.announce(
      `Cycle ${this.cycleCursor + 1} of ${this.view.cycles.length}: ${cycle.map((id) => nodeTitle(this.simById.get(id)!.v)).join(' → ')}`,
    );
  }

  toggleCluster(key: string, collapse?: boolean): void {
    const now = collapse ?? !this.collapsed.has(key);
    if (now) {
      this.capturePositions();
      const members = this.sim.filter((n) => n.v.cluster === key && n.v.kind === 'module').map((n) => n.id);
      const c = this.centroid(members);
      if (c) this.collapsedAt.set(key, c);
      this.collapsed.add(key);
    } else this.collapsed.delete(key);
    this.rebuild('expand');
    if (this.focused?.v.cluster === key) this.focusNode(this.focused.id);
  }

  collapseAll(): void {
    this.capturePositions();
    for (const c of clustersOf(this.payload.graph)) {
      if (c.size < 2) continue;
      const members = this.sim.filter((n) => n.v.cluster === c.key && n.v.kind === 'module').map((n) => n.id);
      const centre = this.centroid(members);
      if (centre) this.collapsedAt.set(c.key, centre);
      this.collapsed.add(c.key);
    }
    this.rebuild();
  }

  expandAll(): void {
    this.collapsed.clear();
    this.setPackageDepth(null);
  }

  // ---- drawing ------------------------------------------------------------------------------

  private readTheme(): void {
    const el = this.root.node()!;
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

  palette(): Palette & { focus: string } {
    const { background, foreground, edge, cycle, focus, verdict, fontFamily } = this.colours;
    return { background, foreground, edge, cycle, focus, verdict: { ...verdict }, fontFamily };
  }

  private resize(): void {
    const stage = this.canvas.parentElement!;
    const rect = stage.getBoundingClientRect();
    this.width = Math.max(1, Math.floor(rect.width));
    this.height = Math.max(1, Math.floor(rect.height));
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.floor(this.width * this.dpr);
    this.canvas.height = Math.floor(this.height * this.dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    if (!this.userMoved && this.sim.length) this.fit(false);
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.frameRequested || this.destroyed) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.frameRequested = false;
    if (this.destroyed) return;
    const now = performance.now();
    if (this.lastFrameAt)
      this.frameInterval = 0.7 * this.frameInterval + 0.3 * Math.min(1000, now - this.lastFrameAt);
    this.lastFrameAt = now;
    if (!this.settled) {
      const start = performance.now();
      // When drawing is slow anyway (a huge graph), spend proportionally more of each frame on the layout.
      const budget = this.drawnOnce ? Math.min(60, Math.max(FRAME_BUDGET_MS, this.frameInterval * 0.4)) : 0;
      do {
        if (this.simulation.alpha() < this.simulation.alphaMin()) {
          this.settled = true;
          this.firstLayout = false;
          for (const n of this.sim) n.fx = n.fy = undefined;
          this.capturePositions();
          this.saveStateSoon();
          this.updateStatus();
          performance.mark('pyrats-graph:settled');
          break;
        }
        this.simulation.tick();
        this.tree = null;
      } while (performance.now() - start < budget);
      // The first layout grows a little as it settles: keep it in view, smoothly, until the user moves.
      if (this.firstLayout && !this.userMoved) this.fit(false);
    }
    const heavy = this.links.length + this.sim.length > HEAVY_SCENE;
    if (this.settled && this.gesture && heavy && this.snapshot) this.drawSnapshot();
    else {
      this.draw();
      if (this.settled && heavy && !this.gesture) this.takeSnapshot();
    }
    if (!this.drawnOnce) {
      this.drawnOnce = true;
      performance.mark('pyrats-graph:first-render');
      this.root.attr('data-rendered', 'true');
    }
    if (!this.settled) this.requestDraw();
  }

  /** Keeps the drawn frame (a huge graph) to move and scale it during a pan or zoom gesture. */
  private takeSnapshot(): void {
    if (
      !this.snapshot ||
      this.snapshot.width !== this.canvas.width ||
      this.snapshot.height !== this.canvas.height
    ) {
      this.snapshot = document.createElement('canvas');
      this.snapshot.width = this.canvas.width;
      this.snapshot.height = this.canvas.height;
    }
    const sctx = this.snapshot.getContext('2d')!;
    sctx.clearRect(0, 0, this.snapshot.width, this.snapshot.height);
    sctx.drawImage(this.canvas, 0, 0);
    this.snapshotT = this.transform;
  }

  /** The kept frame under the current transform; the full drawing follows when the gesture ends. */
  private drawSnapshot(): void {
    const ctx = this.ctx;
    const s = this.snapshotT!;
    const t = this.transform;
    const r = t.k / s.k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = this.colours.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(
      this.snapshot!,
      (t.x - s.x * r) * this.dpr,
      (t.y - s.y * r) * this.dpr,
      this.snapshot!.width * r,
      this.snapshot!.height * r,
    );
  }

  /** Nodes whose labels are drawn: all visible ones when few, else the notable ones. */
  private labelled(visible: SimNode[]): Set<string> {
    const k = this.transform.k;
    const out = new Set<string>();
    if (visible.length <= 220 || k >= 1.6) {
      for (const n of visible.slice(0, 700)) out.add(n.id);
      return out;
    }
    const fewRoots = this.rootCount <= MANY_ROOTS;
    for (const n of visible) {
      if ((fewRoots && n.v.root) || n.v.kind === 'cluster' || this.matches.has(n.id)) out.add(n.id);
    }
    const spot = this.focused ?? this.hovered;
    if (spot) {
      out.add(spot.id);
      for (const id of this.neighbours.get(spot.id) ?? []) out.add(id);
    }
    return out;
  }

  private visibleNodes(): SimNode[] {
    const t = this.transform;
    const pad = 40 / t.k;
    const x0 = t.invertX(0) - pad;
    const x1 = t.invertX(this.width) + pad;
    const y0 = t.invertY(0) - pad;
    const y1 = t.invertY(this.height) + pad;
    return this.sim.filter((n) => n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1);
  }

  private draw(): void {
    const ctx = this.ctx;
    const t = this.transform;
    const c = this.colours;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = c.background;
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.setTransform(this.dpr * t.k, 0, 0, this.dpr * t.k, this.dpr * t.x, this.dpr * t.y);

    const searching = this.query.trim() !== '';
    const spot = this.focused ?? this.hovered;
    const spotNeighbours = spot ? this.neighbours.get(spot.id) : undefined;
    const x0 = t.invertX(0);
    const x1 = t.invertX(this.width);
    const y0 = t.invertY(0);
    const y1 = t.invertY(this.height);
    const arrows = t.k >= 0.7;
    const px = 1 / t.k;

    // Edges, batched by style: plain, implied (dashed), cycle, highlighted. Thousands of edges are
    // drawn fainter, and many cycle edges lighter, so the picture stays legible.
    const plainAlpha =
      searching || spot
        ? 0.25
        : Math.min(0.6, Math.max(0.12, 0.6 * Math.sqrt(3000 / Math.max(1, this.links.length))));
    const manyCycles = this.cycleEdges > 400;
    const batches: { links: SimLink[]; colour: string; width: number; dash: number[]; alpha: number }[] = [
      { links: [], colour: c.edge, width: px, dash: [], alpha: plainAlpha },
      { links: [], colour: c.edge, width: px, dash: [4 * px, 3 * px], alpha: plainAlpha },
      {
        links: [],
        colour: c.cycle,
        width: (manyCycles ? 1.1 : 1.8) * px,
        dash: [],
        alpha: searching || spot ? 0.3 : manyCycles ? 0.5 : 0.9,
      },
      { links: [], colour: c.focus, width: 2 * px, dash: [], alpha: 1 },
    ];
    for (const l of this.links) {
      const a = l.source;
      const b = l.target;
      if (
        (a.x < x0 && b.x < x0) ||
        (a.x > x1 && b.x > x1) ||
        (a.y < y0 && b.y < y0) ||
        (a.y > y1 && b.y > y1)
      )
        continue;
      const batch = spot && (a === spot || b === spot) ? 3 : l.e.inCycle ? 2 : l.e.implied ? 1 : 0;
      batches[batch].links.push(l);
    }
    for (const batch of batches) {
      if (!batch.links.length) continue;
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
      if (arrows) {
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
    }
    ctx.setLineDash([]);

    // Nodes, one path per verdict; dimmed when a search or a spotlight is on and they are not part of it.
    const visible = this.visibleNodes();
    const lit = (n: SimNode) =>
      searching
        ? this.matches.has(n.id)
        : this.pathIds.size
          ? this.pathIds.has(n.id)
          : spot
            ? n === spot || (spotNeighbours?.has(n.id) ?? false)
            : true;
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
    // Rings: cycles, roots, clusters, search matches (high contrast: every node gets an outline).
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
    if (c.contrast) ring(() => true, c.contrast, 1);
    ring((n) => n.v.kind === 'cluster', c.foreground, 1);
    ring((n) => n.v.inCycle, c.cycle, manyCycles ? 1.2 : 2, 1);
    ring((n) => n.v.root, c.foreground, this.rootCount > MANY_ROOTS ? 1 : 2, 2.5);
    if (searching) ring((n) => this.matches.has(n.id), c.focus, 2.5, 3);
    if (this.pathIds.size) ring((n) => this.pathIds.has(n.id), c.focus, 2.5, 3);
    if (this.focused) {
      ctx.setLineDash([3 * px, 2 * px]);
      ring((n) => n === this.focused, c.focus, 2.5, 5);
      ctx.setLineDash([]);
    }
    if (this.hovered && this.hovered !== this.focused) ring((n) => n === this.hovered, c.focus, 1.5, 4);

    // Labels in screen space so they stay readable at every zoom.
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.font = `${LABEL_FONT_PX}px ${c.fontFamily}`;
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 3;
    ctx.strokeStyle = c.halo;
    ctx.fillStyle = c.foreground;
    const labels = this.labelled(visible);
    // Most important first (focus, hover, matches, scripts, packages, missing modules, cycles, then
    // the busiest modules);
    // a label that would overlap one already drawn is left out, so the rest stay readable.
    const rank = (n: SimNode) =>
      n === this.focused || n === this.hovered
        ? 0
        : this.matches.has(n.id)
          ? 1
          : n.v.root
            ? 2
            : n.v.kind === 'cluster' || n.v.verdict === 'missing' || n.v.inCycle
              ? 3
              : 4;
    const ordered = visible
      .filter((n) => labels.has(n.id))
      .sort((a, b) => rank(a) - rank(b) || this.degree(b.id) - this.degree(a.id));
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

  // ---- interaction --------------------------------------------------------------------------

  private hit(clientX: number, clientY: number): SimNode | null {
    const rect = this.canvas.getBoundingClientRect();
    const [x, y] = this.transform.invert([clientX - rect.left, clientY - rect.top]);
    this.tree ??= quadtree<SimNode>()
      .x((d) => d.x)
      .y((d) => d.y)
      .addAll(this.sim);
    const slack = 4 / this.transform.k;
    const maxR = this.sim.reduce((m, n) => Math.max(m, n.r), 0);
    const found = this.tree.find(x, y, maxR + slack);
    if (found && Math.hypot(found.x - x, found.y - y) <= found.r + slack) return found;
    return null;
  }

  private onPointerMove(e: PointerEvent): void {
    if (e.buttons) return;
    this.setHovered(this.hit(e.clientX, e.clientY), e);
  }

  private setHovered(n: SimNode | null, e?: PointerEvent): void {
    if (n !== this.hovered) {
      this.hovered = n;
      this.canvas.style.cursor = n ? 'pointer' : 'default';
      this.requestDraw();
    }
    if (!n) {
      this.tooltip.attr('hidden', true);
      return;
    }
    this.fillTooltip(n);
    if (e) {
      const rect = this.canvas.getBoundingClientRect();
      this.placeTooltip(e.clientX - rect.left, e.clientY - rect.top);
    }
  }

  private placeTooltip(x: number, y: number): void {
    const tip = this.tooltip.node()!;
    tip.hidden = false;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = x + 14 + w > this.width ? Math.max(0, x - 14 - w) : x + 14;
    const top = y + 14 + h > this.height ? Math.max(0, y - 14 - h) : y + 14;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  private details(n: SimNode): string[][] {
    const v = n.v;
    const out: string[][] = [['', VERDICT_LABELS[v.verdict]]];
    const imports = this.view.edges.filter((e) => e.from === n.id).length;
    const importedBy = this.view.edges.filter((e) => e.to === n.id).length;
    if (v.kind === 'cluster') {
      out.push(['package', `${v.cluster}, ${v.members!.length} modules (collapsed)`]);
      const counts = Object.entries(v.verdicts ?? {})
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${n} ${VERDICT_LABELS[k as VerdictKind]}`);
      out.push(['modules', counts.join(', ')]);
    } else {
      const m = v.node!;
      if (m.file || m.root) out.push(['file', m.file ?? `${m.root}/${m.rel}`]);
      if (m.note) out.push(['why', m.note]);
      else if (!m.file && v.verdict === 'missing') out.push(['', 'not found anywhere']);
      out.push(['package', v.cluster]);
    }
    out.push(['imports', `${imports}, imported by ${importedBy}`]);
    if (v.root) out.push(['', 'script (follow root)']);
    if (v.inCycle) out.push(['', 'on an import cycle']);
    out.push([
      '',
      v.kind === 'cluster'
        ? 'click: expand'
        : v.node?.file
          ? 'click: open file · right-click: collapse package'
          : 'right-click: collapse package',
    ]);
    return out;
  }

  private fillTooltip(n: SimNode): void {
    this.tooltip.selectAll('*').remove();
    this.tooltip.append('div').attr('class', 'pg-tip-title').text(nodeTitle(n.v));
    const rows = this.tooltip.append('dl').selectAll('div').data(this.details(n)).join('div');
    rows
      .filter((d) => d[0] !== '')
      .append('dt')
      .text((d) => d[0]);
    rows.append('dd').text((d) => d[1]);
    this.tooltip
      .select('dl div dd')
      .classed('pg-tip-verdict', true)
      .style('border-color', this.colours.verdict[n.v.verdict]);
  }

  private onClick(e: MouseEvent): void {
    const n = this.hit(e.clientX, e.clientY);
    if (!n) return;
    this.focusNode(n.id, false);
    this.activate(n);
  }

  private onContextMenu(e: MouseEvent): void {
    const n = this.hit(e.clientX, e.clientY);
    if (!n) return;
    e.preventDefault();
    this.toggleCluster(n.v.cluster, n.v.kind !== 'cluster');
  }

  private activate(n: SimNode): void {
    if (n.v.kind === 'cluster') {
      this.toggleCluster(n.v.cluster, false);
      this.announce(`Expanded ${n.v.cluster}.`);
    } else if (n.v.node?.file) {
      this.options.onOpen?.(n.v.node);
      this.announce(`Opening ${n.v.node.file}`);
    } else {
      this.announce(`${nodeTitle(n.v)} has no file (${VERDICT_LABELS[n.v.verdict]}).`);
    }
  }

  private defaultFocus(): string | null {
    return (this.sim.find((n) => n.v.root) ?? this.sim[0])?.id ?? null;
  }

  focusNode(id: string | null, reveal = true): void {
    const n = id ? (this.simById.get(id) ?? null) : null;
    this.focused = n;
    if (n?.v.kind === 'module') this.lastFocusedModule.set(n.v.cluster, n.id);
    if (n) {
      this.announce(
        this.details(n)
          .map(([k, v]) => (k ? `${k}: ${v}` : v))
          .join('; ')
          .replace(/^/, `${nodeTitle(n.v)}: `),
      );
      // Keyboard focus shows the details beside the node; a click already has the hover's.
      if (reveal) {
        this.reveal(n);
        this.fillTooltip(n);
        const p = this.screenPosition(n.id)!;
        this.placeTooltip(p.x, p.y);
      }
    } else this.tooltip.attr('hidden', true);
    this.requestDraw();
  }

  private reveal(n: SimNode): void {
    const [sx, sy] = this.transform.apply([n.x, n.y]);
    const margin = 40;
    if (sx >= margin && sx <= this.width - margin && sy >= margin && sy <= this.height - margin) return;
    const t = zoomIdentity
      .translate(this.width / 2 - n.x * this.transform.k, this.height / 2 - n.y * this.transform.k)
      .scale(this.transform.k);
    select(this.canvas).call(this.zoomBehavior.transform, t);
  }

  private onKey(e: KeyboardEvent): void {
    const step = 60;
    const dirs: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const sel = select(this.canvas);
    if (dirs[e.key] || ['+', '=', '-', '_'].includes(e.key)) this.userMoved = true;
    if (dirs[e.key]) {
      e.preventDefault();
      const [dx, dy] = dirs[e.key];
      if (e.shiftKey)
        sel.call(
          this.zoomBehavior.translateBy,
          (-dx * step) / this.transform.k,
          (-dy * step) / this.transform.k,
        );
      else this.moveFocus(dx, dy);
      return;
    }
    switch (e.key) {
      case 'Enter':
      case ' ':
        e.preventDefault();
        if (this.focused) this.activate(this.focused);
        else this.focusNode(this.defaultFocus());
        break;
      case 'c':
      case 'C':
        if (this.focused) this.toggleCluster(this.focused.v.cluster, this.focused.v.kind !== 'cluster');
        break;
      case '+':
      case '=':
        sel.call(this.zoomBehavior.scaleBy, 1.25);
        break;
      case '-':
      case '_':
        sel.call(this.zoomBehavior.scaleBy, 0.8);
        break;
      case '0':
        this.fit();
        break;
      case '/':
        e.preventDefault();
        this.controls.search.node()!.focus();
        break;
      case 'n':
        this.stepMatch(1);
        break;
      case 'p':
      case 'N':
        this.stepMatch(-1);
        break;
      case 'y':
        this.stepCycle();
        break;
      case 't':
      case 'T':
        this.showPathToSelection();
        break;
      case 'Escape':
        if (this.pathModules.length) this.showPath(null);
        this.focusNode(null);
        break;
      default:
        return;
    }
  }

  /** Focus the nearest node in a direction (within a 45° half-cone, distance penalised by angle). */
  private moveFocus(dx: number, dy: number): void {
    const from = this.focused;
    if (!from) {
      this.focusNode(this.defaultFocus());
      return;
    }
    let best: SimNode | null = null;
    let bestScore = Infinity;
    for (const n of this.sim) {
      if (n === from) continue;
      const vx = n.x - from.x;
      const vy = n.y - from.y;
      const along = vx * dx + vy * dy;
      if (along <= 0) continue;
      const across = Math.abs(vx * dy - vy * dx);
      if (across > along * 1.2) continue;
      const score = along + across * 2.5;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    if (best) this.focusNode(best.id);
  }

  fit(animate = true): void {
    if (!this.sim.length) return;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const n of this.sim) {
      x0 = Math.min(x0, n.x - n.r);
      y0 = Math.min(y0, n.y - n.r);
      x1 = Math.max(x1, n.x + n.r);
      y1 = Math.max(y1, n.y + n.r);
    }
    const pad = 30;
    // Labels are drawn right of their nodes, in screen pixels: leave room for them when they show.
    const labelRoom = this.sim.length <= 220 ? Math.min(160, this.width / 4) : 0;
    const k = Math.min(
      2,
      Math.max(
        0.03,
        Math.min(
          (this.width - 2 * pad - labelRoom) / (x1 - x0 || 1),
          (this.height - 2 * pad) / (y1 - y0 || 1),
        ),
      ),
    );
    const t = zoomIdentity
      .translate((this.width - labelRoom) / 2 - ((x0 + x1) / 2) * k, this.height / 2 - ((y0 + y1) / 2) * k)
      .scale(k);
    const sel = select(this.canvas);
    if (animate) sel.transition().duration(250).call(this.zoomBehavior.transform, t);
    else sel.call(this.zoomBehavior.transform, t);
  }

  // ---- side panels and status ---------------------------------------------------------------

  private renderLegend(): void {
    const counts = verdictCounts(this.view);
    const items = VERDICTS.filter(
      (v) => counts[v] > 0 || ['local', 'stdlib', 'baseline', 'mirror', 'missing'].includes(v),
    );
    const li = this.legend
      .selectAll<HTMLLIElement, VerdictKind>('li.pg-legend-verdict')
      .data(items, (d) => d)
      .join((enter) => {
        const row = enter.append('li').attr('class', 'pg-legend-verdict');
        row.append('span').attr('class', 'pg-swatch');
        row.append('span').attr('class', 'pg-legend-label');
        row.append('span').attr('class', 'pg-legend-count');
        return row;
      })
      .attr('data-verdict', (d) => d);
    li.select('.pg-swatch').style('background-color', (d) => this.colours.verdict[d]);
    li.select('.pg-legend-label').text((d) => VERDICT_LABELS[d]);
    li.select('.pg-legend-count').text((d) => String(counts[d]));
    const extras = [
      { key: 'cycle', label: `import cycle (${this.view.cycles.length})` },
      { key: 'root', label: 'script' },
      { key: 'cluster', label: 'collapsed package' },
    ];
    const ex = this.legend
      .selectAll<HTMLLIElement, (typeof extras)[number]>('li.pg-legend-extra')
      .data(extras, (d) => d.key)
      .join((enter) => {
        const row = enter.append('li').attr('class', 'pg-legend-extra');
        row.append('span').attr('class', (d) => `pg-swatch pg-swatch-${d.key}`);
        row.append('span').attr('class', 'pg-legend-label');
        return row;
      });
    ex.select('.pg-legend-label').text((d) => d.label);
    ex.select('.pg-swatch-cycle').style('border-color', this.colours.cycle);
  }

  private renderClusterList(): void {
    const clusters = clustersOf(this.payload.graph).filter((c) => c.size > 1);
    const rows = this.clusterList
      .selectAll<HTMLLIElement, (typeof clusters)[number]>('li')
      .data(clusters, (d) => d.key)
      .join((enter) => {
        const li = enter.append('li');
        const b = li.append('button').attr('type', 'button').attr('class', 'pg-cluster');
        b.append('span').attr('class', 'pg-swatch');
        b.append('span').attr('class', 'pg-cluster-name');
        b.append('span').attr('class', 'pg-cluster-size');
        b.on('click', (_event, d) => this.toggleCluster(d.key));
        return li;
      });
    const btn = rows.select<HTMLButtonElement>('button');
    btn
      .attr('aria-pressed', (d) => String(this.collapsed.has(d.key)))
      .attr('title', (d) => `${this.collapsed.has(d.key) ? 'Expand' : 'Collapse'} ${d.key}`)
      .attr('data-cluster', (d) => d.key);
    btn.select('.pg-swatch').style('background-color', (d) => this.colours.verdict[d.verdict]);
    btn.select('.pg-cluster-name').text((d) => `${this.collapsed.has(d.key) ? '▸' : '▾'} ${d.key}`);
    btn.select('.pg-cluster-size').text((d) => String(d.size));
  }

  private updateStatus(): void {
    const s = this.stats();
    const parts = [
      `${s.nodes.toLocaleString('en')} nodes`,
      `${s.edges.toLocaleString('en')} edges`,
      `${s.cycles} cycle${s.cycles === 1 ? '' : 's'}`,
      s.collapsed ? `${s.collapsed} package${s.collapsed === 1 ? '' : 's'} collapsed` : '',
      this.query.trim() ? `${s.matches} matches` : '',
      s.settled ? '' : 'laying out…',
    ].filter(Boolean);
    this.statusText.text(parts.join(' · '));
    this.root.attr('data-nodes', s.nodes).attr('data-edges', s.edges).attr('data-settled', String(s.settled));
  }

  private announce(text: string): void {
    this.announcer.text(text);
  }

  stats(): GraphStats {
    return {
      nodes: this.view.nodes.length,
      edges: this.view.edges.length,
      cycles: this.view.cycles.length,
      clusters: this.view.nodes.filter((n) => n.kind === 'cluster').length,
      collapsed: [...this.collapsed].filter((k) => this.simById.has(clusterNodeId(k))).length,
      matches: this.matchOrder.length,
      settled: this.settled,
    };
  }

  // ---- state and export ---------------------------------------------------------------------

  state(): GraphViewState {
    const positions: Record<string, [number, number]> = {};
    for (const n of this.sim) positions[n.id] = [round(n.x), round(n.y)];
    for (const [id, p] of this.positions) if (!(id in positions)) positions[id] = [round(p.x), round(p.y)];
    const t = this.transform;
    return {
      transform: { x: t.x, y: t.y, k: t.k },
      collapsed: [...this.collapsed],
      filter: { ...this.filter },
      depth: this.depth,
      packageDepth: this.packageDepth,
      focusRoot: this.focusRoot,
      search: this.query,
      scope: this.scope,
      positions,
    };
  }

  private saveStateNow(): void {
    if (!this.options.onStateChange || this.destroyed) return;
    clearTimeout(this.stateTimer);
    this.options.onStateChange(this.state());
  }

  /** Continuous changes (zoom, pan, the layout settling) are kept once they pause. */
  private saveStateSoon(): void {
    if (!this.options.onStateChange || this.destroyed) return;
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => this.options.onStateChange?.(this.state()), 400);
  }

  exportAs(format: GraphExportFormat): SavedFile {
    const base = safeFileName(this.payload.title);
    const positions = new Map(this.sim.map((n) => [n.id, { x: n.x, y: n.y }]));
    let file: SavedFile;
    switch (format) {
      case 'dot':
        file = {
          fileName: `${base}.dot`,
          mime: 'text/vnd.graphviz',
          data: toDot(this.view, this.payload.title),
          encoding: 'utf8',
        };
        break;
      case 'mermaid':
        file = {
          fileName: `${base}.mmd`,
          mime: 'text/plain',
          data: toMermaid(this.view, this.payload.title),
          encoding: 'utf8',
        };
        break;
      case 'json':
        file = {
          fileName: `${base}.json`,
          mime: 'application/json',
          data: toJson(this.view, this.payload.title, positions),
          encoding: 'utf8',
        };
        break;
      case 'svg': {
        const visible = this.visibleNodes();
        const labelled = this.labelled(visible);
        const t = this.transform;
        file = {
          fileName: `${base}.svg`,
          mime: 'image/svg+xml',
          data: toSvg({
            view: this.view,
            positions,
            radius: radiusOf,
            transform: { x: t.x, y: t.y, k: t.k },
            width: this.width,
            height: this.height,
            palette: this.colours,
            title: this.payload.title,
            labelled,
          }),
          encoding: 'utf8',
        };
        break;
      }
      case 'png': {
        this.draw();
        const url = this.canvas.toDataURL('image/png');
        file = {
          fileName: `${base}.png`,
          mime: 'image/png',
          data: url.slice(url.indexOf(',') + 1),
          encoding: 'base64',
        };
        break;
      }
    }
    this.options.onSave(file);
    this.announce(`Exported ${file.fileName}`);
    return file;
  }

  viewNodes(): readonly ViewNode[] {
    return this.view.nodes;
  }

  screenPosition(id: string): { x: number; y: number } | null {
    const n = this.simById.get(id);
    if (!n) return null;
    const [x, y] = this.transform.apply([n.x, n.y]);
    return { x, y };
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.stateTimer);
    this.simulation.stop();
    this.stopThemeWatch();
    this.resizeObserver.disconnect();
    this.root.remove();
  }
}
