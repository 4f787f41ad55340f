/**
 * The interactive dependency graph: `renderGraph(container, payload, options)` builds the page
 * (toolbar.ts), a canvas and side panels inside `container` and returns a `GraphView` to update,
 * query and export it. This class holds the view's settings and decides; its parts each own one
 * concern: layout.ts and placement.ts place nodes and run d3-force, stage.ts ticks it in small
 * batches inside animation frames (no worker, so a strict CSP suffices) and paints with draw.ts
 * (2,000+ nodes stay fluid), camera.ts pans and zooms, panels.ts writes the legend, package list,
 * tooltip and status, input.ts and keys.ts read the pointer and the keyboard, exportView.ts saves.
 * Knows nothing about VS Code: the caller passes callbacks for opening files, saving exports and
 * keeping state.
 */
import type { SavedFile } from '../shared/bridge';
import { labelledNodes, visibleNodes, type Scene } from './draw';
import type { Palette } from './exporters';
import { exportFile } from './exportView';
import type { GraphStats, GraphView, GraphViewOptions } from './graphView';
import { listenToCanvas, type CanvasActions } from './input';
import { movesCamera, PAN_STEP, type KeyCommand } from './keys';
import { GraphLayout } from './layout';
import type { GraphExportFormat, GraphPayload, GraphScope } from './messages';
import { packageLevelCollapsed, pathFromRoots, pathTargets } from './packageLevel';
import {
  announcement,
  fillTooltip,
  nodeDetails,
  placeTooltip,
  renderLegend,
  renderPackageList,
  statusLine,
} from './panels';
import { nearestInDirection, type RebuildReason } from './placement';
import { nodeTitle, type SimNode } from './scene';
import { Stage } from './stage';
import { buildChrome, showFilter, showPayload, type Chrome, type ChromeActions } from './toolbar';
import {
  buildView,
  clusterKey,
  clusterNodeId,
  clustersOf,
  resolveRoots,
  searchNodes,
  VERDICT_LABELS,
  type VerdictFilter,
  type ViewGraph,
  type ViewNode,
} from './transforms';
import { sanitizeState, type GraphViewState } from './viewState';

export { sanitizeState, type GraphViewState };
export type { GraphStats, GraphView, GraphViewOptions };

export function renderGraph(
  container: HTMLElement,
  payload: GraphPayload,
  options: GraphViewOptions,
): GraphView {
  return new CanvasGraphView(container, payload, options);
}

class CanvasGraphView implements GraphView {
  private payload: GraphPayload;
  private view: ViewGraph = { nodes: [], edges: [], cycles: [] };
  private readonly collapsed: Set<string>;
  private filter: VerdictFilter;
  private depth: number | null;
  private packageDepth: number | null;
  /** Model ids of the path asked for (kept visible). */
  private pathModules: string[] = [];
  private focusRoot: string | null;
  private query: string;
  private scope: GraphScope | undefined;
  private matches = new Set<string>();
  private matchOrder: string[] = [];
  private matchCursor = -1;
  private cycleCursor = -1;

  private readonly layout: GraphLayout;
  /** The view node ids of the path asked for (drawn highlighted). */
  private pathIds = new Set<string>();

  private hovered: SimNode | null = null;
  private focused: SimNode | null = null;
  /** Per package, the module that last had the keyboard focus (focus returns there on expand). */
  private readonly lastFocusedModule = new Map<string, string>();

  private readonly chrome: Chrome;
  private readonly stage: Stage;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;

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
    this.layout = new GraphLayout(s.positions ?? {});

    this.chrome = buildChrome(container, this.chromeActions());
    const canvas = this.chrome.canvas;
    this.stage = new Stage(this.chrome, s.transform, {
      layout: this.layout,
      scene: () => this.scene(),
      layoutSettled: () => {
        this.saveStateSoon();
        this.updateStatus();
      },
      cameraSettled: () => this.saveStateSoon(),
      themeChanged: () => renderLegend(this.chrome.legend, this.view, this.stage.colours),
    });
    listenToCanvas(canvas, this.canvasActions());
    this.applyPayload(payload, true);
  }

  /** What the toolbar's controls do. */
  private chromeActions(): ChromeActions {
    return {
      scopeChanged: (value) => {
        this.scope = value as GraphScope;
        this.saveStateSoon();
        this.options.onScopeChange?.(this.scope);
      },
      focusRootChanged: (value) => {
        this.focusRoot = value || null;
        this.rebuild();
      },
      setDepth: (depth) => this.setDepth(depth),
      setPackageDepth: (depth) => this.setPackageDepth(depth),
      setSearch: (query) => this.setSearch(query),
      stepMatch: (delta) => this.stepMatch(delta),
      setFilter: (filter) => this.setFilter(filter),
      collapseAll: () => this.collapseAll(),
      expandAll: () => this.expandAll(),
      showPathToSelection: () => this.showPathToSelection(),
      fit: () => this.fit(),
      exportAs: (format) => this.exportAs(format),
      focusCanvas: () => this.chrome.canvas.focus(),
    };
  }

  /** What pointer and keys on the canvas do. */
  private canvasActions(): CanvasActions {
    return {
      hit: (clientX, clientY) => {
        const [x, y] = this.stage.camera.toGraph(clientX, clientY);
        return this.layout.hit(x, y, 4 / this.stage.camera.transform.k);
      },
      hover: (n, e) => this.setHovered(n, e),
      click: (n) => {
        this.focusNode(n.id, false);
        this.activate(n);
      },
      contextMenu: (n) => this.toggleCluster(n.v.cluster, n.v.kind !== 'cluster'),
      key: (command) => {
        if (movesCamera(command)) this.stage.camera.userMoved = true;
        this.runKey(command);
      },
      focus: () => {
        if (!this.focused && this.layout.sim.length) this.focusNode(this.defaultFocus());
      },
    };
  }

  // ---- data ---------------------------------------------------------------------------------

  update(payload: GraphPayload): void {
    this.layout.capture();
    this.payload = payload;
    this.applyPayload(payload, false);
  }

  private applyPayload(payload: GraphPayload, first: boolean): void {
    this.scope = payload.scope ?? this.scope;
    const roots = resolveRoots(payload.graph, payload.roots);
    if (this.focusRoot && !roots.includes(this.focusRoot)) this.focusRoot = null;
    showPayload(this.chrome, payload, roots, {
      scope: this.scope,
      focusRoot: this.focusRoot,
      depth: this.depth,
      packageDepth: this.packageDepth,
      query: this.query,
      filter: this.filter,
    });
    this.layout.addPackages(clustersOf(payload.graph));
    this.renderPackageList();
    this.rebuild(first ? 'first' : 'data');
    if (payload.select) {
      const target = this.layout.find(payload.select);
      if (target) this.focusNode(target.id);
    }
  }

  /**
   * Recomputes the view from the payload and the view settings, keeping positions. `first`: the view
   * opens; `data`: new data arrived (an edit); `view`: a filter or depth changed; `expand`: packages
   * expanded or collapsed, more packages or a path shown. After `data` and `expand`, what is already
   * drawn stays pinned while the new nodes find their place.
   */
  private rebuild(reason: RebuildReason = 'view'): void {
    const first = reason === 'first';
    this.view = buildView(this.payload.graph, {
      roots: this.payload.roots,
      focusRoot: this.focusRoot,
      depth: this.depth,
      packageDepth: this.packageDepth,
      reveal: this.pathModules,
      filter: this.filter,
      collapsed: this.collapsed,
    });
    this.layout.load(this.view, reason);
    this.pathIds = new Set(this.pathModules.map((id) => this.viewIdOfModule(id)));
    if (this.hovered) this.hovered = this.layout.byId.get(this.hovered.id) ?? null;
    if (this.focused) this.focused = this.successor(this.focused) ?? null;
    this.recomputeMatches();
    renderLegend(this.chrome.legend, this.view, this.stage.colours);
    this.renderPackageList();
    if (first && !this.stage.camera.restored) this.fit(false);
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
    const same = this.layout.byId.get(n.id);
    if (same) return same;
    if (n.v.kind === 'module') return this.layout.byId.get(clusterNodeId(n.v.cluster));
    const last = this.lastFocusedModule.get(n.v.cluster);
    return (
      (last ? this.layout.byId.get(last) : undefined) ??
      this.layout.sim.find((m) => m.v.cluster === n.v.cluster)
    );
  }

  // ---- settings -----------------------------------------------------------------------------

  setFilter(filter: Partial<VerdictFilter>): void {
    this.filter = { ...this.filter, ...filter };
    showFilter(this.chrome.controls, this.filter);
    this.rebuild();
  }

  setDepth(depth: number | null): void {
    this.depth = depth;
    this.chrome.controls.depth.property('value', depth === null ? '' : String(depth));
    this.rebuild();
  }

  setPackageDepth(depth: number | null): void {
    this.packageDepth = depth;
    this.chrome.controls.packageDepth.property('value', depth === null ? '' : String(depth));
    this.rebuild('expand');
  }

  showPath(target: string | null): string[] {
    const graph = this.payload.graph;
    const roots = resolveRoots(graph, this.payload.roots);
    const start = this.focusRoot && roots.includes(this.focusRoot) ? [this.focusRoot] : roots;
    this.pathModules = target === null ? [] : pathFromRoots(graph, start, pathTargets(graph, target));
    this.rebuild('expand');
    const labels = [...new Set(this.pathModules.map((id) => this.viewIdOfModule(id)))].map((id) =>
      nodeTitle(this.layout.byId.get(id)!.v),
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
    if (this.layout.byId.has(id)) return id;
    const node = this.payload.graph.nodes.find((n) => n.id === id);
    return node ? clusterNodeId(clusterKey(node)) : id;
  }

  setSearch(query: string): void {
    this.query = query;
    const box = this.chrome.controls.search;
    if (box.property('value') !== query) box.property('value', query);
    this.recomputeMatches();
    this.matchCursor = -1;
    this.updateStatus();
    this.saveStateNow();
    this.requestDraw();
  }

  private recomputeMatches(): void {
    this.matchOrder = searchNodes(this.view, this.query, this.payload.graph);
    this.matches = new Set(this.matchOrder);
    const count = this.matchOrder.length;
    this.chrome.matchCount.text(this.query.trim() ? `${count} match${count === 1 ? '' : 'es'}` : '');
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
      `Cycle ${this.cycleCursor + 1} of ${this.view.cycles.length}: ${cycle.map((id) => nodeTitle(this.layout.byId.get(id)!.v)).join(' → ')}`,
    );
  }

  toggleCluster(key: string, collapse?: boolean): void {
    const now = collapse ?? !this.collapsed.has(key);
    if (now) {
      this.layout.capture();
      this.layout.rememberCollapse(key);
      this.collapsed.add(key);
    } else this.collapsed.delete(key);
    this.rebuild('expand');
    if (this.focused?.v.cluster === key) this.focusNode(this.focused.id);
  }

  collapseAll(): void {
    this.layout.capture();
    for (const c of clustersOf(this.payload.graph)) {
      if (c.size < 2) continue;
      this.layout.rememberCollapse(c.key);
      this.collapsed.add(c.key);
    }
    this.rebuild();
  }

  expandAll(): void {
    this.collapsed.clear();
    this.setPackageDepth(null);
  }

  // ---- drawing ------------------------------------------------------------------------------

  palette(): Palette & { focus: string } {
    return this.stage.palette();
  }

  private requestDraw(): void {
    this.stage.requestDraw();
  }

  private scene(): Scene {
    return {
      sim: this.layout.sim,
      links: this.layout.links,
      neighbours: this.layout.neighbours,
      searching: this.query.trim() !== '',
      matches: this.matches,
      pathIds: this.pathIds,
      focused: this.focused,
      hovered: this.hovered,
      cycleEdges: this.layout.cycleEdges,
      rootCount: this.layout.rootCount,
    };
  }

  // ---- interaction --------------------------------------------------------------------------

  private setHovered(n: SimNode | null, e?: PointerEvent): void {
    if (n !== this.hovered) {
      this.hovered = n;
      this.chrome.canvas.style.cursor = n ? 'pointer' : 'default';
      this.requestDraw();
    }
    if (!n) {
      this.chrome.tooltip.attr('hidden', true);
      return;
    }
    const rect = e && this.chrome.canvas.getBoundingClientRect();
    this.showTooltip(n, rect && { x: e.clientX - rect.left, y: e.clientY - rect.top });
  }

  /** The node's details, beside `at` (canvas pixels) when given, else where the tooltip is. */
  private showTooltip(n: SimNode, at?: { x: number; y: number }): void {
    const { tooltip } = this.chrome;
    fillTooltip(tooltip, n, nodeDetails(n, this.view), this.stage.colours);
    if (at) placeTooltip(tooltip.node()!, at.x, at.y, this.stage.camera.width, this.stage.camera.height);
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
    return (this.layout.sim.find((n) => n.v.root) ?? this.layout.sim[0])?.id ?? null;
  }

  focusNode(id: string | null, reveal = true): void {
    const n = id ? (this.layout.byId.get(id) ?? null) : null;
    this.focused = n;
    if (n?.v.kind === 'module') this.lastFocusedModule.set(n.v.cluster, n.id);
    if (n) {
      this.announce(announcement(n, nodeDetails(n, this.view)));
      // Keyboard focus shows the details beside the node; a click already has the hover's.
      if (reveal) {
        this.stage.camera.reveal(n);
        this.showTooltip(n, this.screenPosition(n.id)!);
      }
    } else this.chrome.tooltip.attr('hidden', true);
    this.requestDraw();
  }

  private runKey(command: KeyCommand): void {
    switch (command.kind) {
      case 'move':
        return this.moveFocus(command.dx, command.dy);
      case 'pan':
        this.stage.camera.panBy(-command.dx * PAN_STEP, -command.dy * PAN_STEP);
        break;
      case 'activate':
        if (this.focused) this.activate(this.focused);
        else this.focusNode(this.defaultFocus());
        break;
      case 'collapse':
        if (this.focused) this.toggleCluster(this.focused.v.cluster, this.focused.v.kind !== 'cluster');
        break;
      case 'zoomIn':
        return this.stage.camera.zoomBy(1.25);
      case 'zoomOut':
        return this.stage.camera.zoomBy(0.8);
      case 'fit':
        return this.fit();
      case 'search':
        return this.chrome.controls.search.node()!.focus();
      case 'nextMatch':
        return this.stepMatch(1);
      case 'previousMatch':
        return this.stepMatch(-1);
      case 'nextCycle':
        return this.stepCycle();
      case 'path':
        return this.showPathToSelection();
      case 'clear':
        if (this.pathModules.length) this.showPath(null);
        this.focusNode(null);
    }
  }

  /** Focus the nearest node in a direction. */
  private moveFocus(dx: number, dy: number): void {
    if (!this.focused) return this.focusNode(this.defaultFocus());
    const next = nearestInDirection(this.layout.sim, this.focused, dx, dy);
    if (next) this.focusNode(next.id);
  }

  fit(animate = true): void {
    this.stage.fit(animate);
  }

  // ---- side panels and status ---------------------------------------------------------------

  private renderPackageList(): void {
    const packages = clustersOf(this.payload.graph).filter((c) => c.size > 1);
    renderPackageList(this.chrome.clusterList, packages, this.collapsed, this.stage.colours, (key) =>
      this.toggleCluster(key),
    );
  }

  private updateStatus(): void {
    const s = this.stats();
    this.chrome.statusText.text(statusLine(s, this.query.trim() !== ''));
    this.chrome.root
      .attr('data-nodes', s.nodes)
      .attr('data-edges', s.edges)
      .attr('data-settled', String(s.settled));
  }

  private announce(text: string): void {
    this.chrome.announcer.text(text);
  }

  stats(): GraphStats {
    return {
      nodes: this.view.nodes.length,
      edges: this.view.edges.length,
      cycles: this.view.cycles.length,
      clusters: this.view.nodes.filter((n) => n.kind === 'cluster').length,
      collapsed: [...this.collapsed].filter((k) => this.layout.byId.has(clusterNodeId(k))).length,
      matches: this.matchOrder.length,
      settled: this.layout.settled,
    };
  }

  // ---- state and export ---------------------------------------------------------------------

  state(): GraphViewState {
    const t = this.stage.camera.transform;
    return {
      transform: { x: t.x, y: t.y, k: t.k },
      collapsed: [...this.collapsed],
      filter: { ...this.filter },
      depth: this.depth,
      packageDepth: this.packageDepth,
      focusRoot: this.focusRoot,
      search: this.query,
      scope: this.scope,
      positions: this.layout.savedPlaces(),
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
    const { transform, width, height } = this.stage.camera;
    const file = exportFile(format, {
      view: this.view,
      title: this.payload.title,
      positions: new Map(this.layout.sim.map((n) => [n.id, { x: n.x, y: n.y }])),
      transform,
      width,
      height,
      colours: this.stage.colours,
      labelled: () =>
        labelledNodes(this.scene(), visibleNodes(this.layout.sim, this.stage.camera.viewport()), transform.k),
      pngDataUrl: () => this.stage.pngDataUrl(),
    });
    this.options.onSave(file);
    this.announce(`Exported ${file.fileName}`);
    return file;
  }

  viewNodes(): readonly ViewNode[] {
    return this.view.nodes;
  }

  screenPosition(id: string): { x: number; y: number } | null {
    const n = this.layout.byId.get(id);
    if (!n) return null;
    const [x, y] = this.stage.camera.toScreen(n.x, n.y);
    return { x, y };
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.stateTimer);
    this.layout.stop();
    this.stage.destroy();
    this.chrome.root.remove();
  }
}
