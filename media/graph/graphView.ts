/**
 * The graph view's public face: what `renderGraph` is given (`GraphViewOptions`) and what it returns
 * (`GraphView`, with `GraphStats`). The page (main.ts), the dashboard and the tests program against
 * these; render.ts implements them.
 */
import type { GraphNode } from '../../analyzer/graph/dependencyGraph';
import type { SavedFile } from '../shared/bridge';
import type { Palette } from './exporters';
import type { GraphExportFormat, GraphPayload, GraphScope } from './messages';
import type { VerdictFilter, ViewNode } from './transforms';
import type { GraphViewState } from './viewState';

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
