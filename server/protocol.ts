/**
 * Every custom message between the pyrats language server and its clients, defined once.
 *
 * Each message has its `Params` / `Result` types and a `namespace X { method; type }`, with a comment
 * saying who sends it. Both sides use the namespaces as values (`X.type`, `X.method`): the server
 * and the VS Code client import this file, so a renamed method fails to compile on both sides. It
 * imports only `vscode-jsonrpc` (the message classes, the same copy vscode-languageserver and
 * vscode-languageclient use), never the server library, so the client bundle gets no server code
 * (DESIGN section 3; test/architecture.test.ts checks it). The webviews import its types only.
 * Webview message types may live here too. Add entries; do not reshape existing ones.
 */
/* eslint-disable @typescript-eslint/no-namespace -- DESIGN section 7: one `namespace X { method; type }` per message */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { DependencyGraph } from '../analyzer/graph/dependencyGraph';

// ---------------------------------------------------------------------------------------------
// Shared wire shapes
// ---------------------------------------------------------------------------------------------

/** Zero-based LSP position/range (UTF-16 columns). */
export interface WireRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** What the check decided for one import (same words as `pyrats check`). */
export type VerdictKind =
  'stdlib' | 'builtin' | 'local' | 'baseline' | 'mirror' | 'missing' | 'conflict' | 'undeclared';

/** The versions one mirror source (a conda channel or a PyPI index) offers for a distribution. */
export interface MirrorHitInfo {
  /** The channel or index URL. */
  source: string;
  /** Short name for display: the conda channel (`conda-forge`) or the index host. */
  label: string;
  kind: 'conda' | 'pypi';
  /** The name the package has on that source (conda and PyPI names can differ). */
  name: string;
  /** Versions, ascending. */
  versions: string[];
  /** Whether it provides the import: true (with evidence), `"probably"` (same name only), false. */
  provides?: true | false | 'probably';
  /** The evidence for `provides`, in words. */
  why?: string;
  /** The newest version that suits the baseline's Python (null: none does), when that Python is known. */
  forPython?: { python: string; newest: string | null; newestNeeds?: string };
}

/** One import of a file with its verdict, as the server shows it in diagnostics and hovers. */
export interface ImportVerdictInfo {
  /** The module as written (`numpy.linalg`, `.sibling`). */
  module: string;
  /** The top-level module that decided the verdict (`numpy`). */
  topLevel: string;
  /** Range of the imported name. */
  range: WireRange;
  kind: VerdictKind;
  /** Stable diagnostic code of the verdict (`pyrats.missing`, `pyrats.mirror-only`, ...). */
  code: string;
  /** `try` when guarded by `try/except ImportError`, `if` when conditional, else null. */
  guarded: 'try' | 'if' | null;
  /** The distribution that provides (or would provide) the module, when known. */
  distribution: string | null;
  /** The baseline's version of that distribution, when the baseline has it. */
  baselineVersion: string | null;
  /** Mirror sources that have it (provide it or probably do), with versions. */
  mirror: MirrorHitInfo[];
  /** Same-named packages on the mirror that do not provide the import (a C library, a placeholder). */
  notProviders?: MirrorHitInfo[];
  /** The file it resolves to, when it resolves. */
  file: string | null;
  /** Why, in one sentence (e.g. "not in PythonEnv-noaa/3.11; conda-forge has 0.8.2"). */
  explanation: string;
  /** The suggested action, when there is one. */
  action: string | null;
  /**
   * The declared requirement covering the import (PEP 723 block, requirements*.txt, environment.yml,
   * pyproject.toml), shown as related information of `conflict` diagnostics; absent when none.
   */
  requirement?: { file: string; line: number; text: string };
  /** In a notebook that installs the distribution itself: the command (`%pip install x`). */
  installedBy?: string;
}

export type VerdictCounts = Record<VerdictKind, number>;

// ---------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------

export interface FileSummaryParams {
  uri: string;
  /** The baseline's display name (e.g. `PythonEnv-noaa/3.11`), or null when none is configured. */
  baseline: string | null;
  counts: VerdictCounts;
  /** False when the workspace is untrusted and no interpreter or `module` command was run. */
  trusted: boolean;
  /** Problems that limit this answer (baseline failed to load, mirror unreachable, ...). */
  problems: string[];
}

/** Sent by the server after each check of an open file (drives the VS Code status bar). */
export namespace FileSummaryNotification {
  export const method = 'pyrats/fileSummary' as const;
  export const type = new NotificationType<FileSummaryParams>(method);
}

// ---------------------------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------------------------

export interface FileVerdictsParams {
  uri: string;
}
export interface FileVerdictsResult {
  uri: string;
  baseline: string | null;
  imports: ImportVerdictInfo[];
}

/** Sent by a client (the request-packages command, the graph panel) for the verdicts of one open or on-disk file. */
export namespace FileVerdictsRequest {
  export const method = 'pyrats/fileVerdicts' as const;
  export const type = new RequestType<FileVerdictsParams, FileVerdictsResult, void>(method);
}

export interface WorkspaceReportParams {
  /** One workspace folder; all folders when absent. */
  folderUri?: string;
}
export interface WorkspaceReportFile {
  uri: string;
  imports: ImportVerdictInfo[];
}
export interface WorkspaceReportFolder {
  uri: string;
  baseline: string | null;
  files: WorkspaceReportFile[];
  /** Per verdict, the number of imports across the folder. */
  counts: VerdictCounts;
  /** Files that were not checked, and why (too big, unreadable, over the file cap). */
  skipped: { uri: string; reason: string }[];
  problems: string[];
}
export interface WorkspaceReportResult {
  folders: WorkspaceReportFolder[];
}

/** Sent by the client for *PyRats: Check Workspace Against Baseline*. Cancellable. */
export namespace WorkspaceReportRequest {
  export const method = 'pyrats/workspaceReport' as const;
  export const type = new RequestType<WorkspaceReportParams, WorkspaceReportResult, void>(method);
}

export interface RefreshMirrorIndexResult {
  /** One line per workspace folder: what was refreshed or what failed. */
  messages: string[];
}

/** Sent by the client for *PyRats: Refresh Mirror Index*; the server drops its analyzers' caches and re-checks open files. */
export namespace RefreshMirrorIndexRequest {
  export const method = 'pyrats/refreshMirrorIndex' as const;
  export const type = new RequestType<Record<string, never>, RefreshMirrorIndexResult, void>(method);
}

// ---------------------------------------------------------------------------------------------
// Arguments of client commands that the server's code actions invoke
// ---------------------------------------------------------------------------------------------

/** One package the user may ask the centre for. */
export interface PackageCandidate {
  /** The import that needs it (top-level module). */
  module: string;
  /** The distribution name, when known (else the module name is the best guess). */
  distribution: string | null;
  /** The source file and the 0-based line of the import (evidence). */
  uri: string;
  line: number;
  /** The import statement's text. */
  lineText: string;
  kind: VerdictKind;
  mirror: MirrorHitInfo[];
}

/** One package to install from a mirror source that provides it. */
export interface MirrorInstallCandidate {
  /** The import that needs it (top-level module). */
  module: string;
  /** The package's name on that source. */
  name: string;
  kind: 'conda' | 'pypi';
  /** The conda channel URL or the PyPI simple index URL. */
  source: string;
  /** Short name of the source (`conda-forge`, the index host). */
  label: string;
  /** The newest version the source offers. */
  version: string | null;
}

/**
 * Arguments of the `pyrats.installFromMirror` command (quick fix on a mirror-only import, sent by the
 * server): the client picks pip or conda for the selected interpreter's environment, asks, and runs
 * the command in a terminal.
 */
export interface InstallFromMirrorArgs {
  uri: string;
  packages: MirrorInstallCandidate[];
}

/** Arguments of the `pyrats.requestPackages` command (quick fixes pass one object; the palette none). */
export interface RequestPackagesArgs {
  uri: string;
  baseline: string | null;
  packages: PackageCandidate[];
}

/** Arguments of the `pyrats.showDependencyGraph` command (the palette passes none: the active editor). */
export interface ShowDependencyGraphArgs {
  uri: string;
  /** The module to select in the graph, when invoked on an import. */
  module?: string;
}

/** Settings section read with `workspace/configuration` (section `pyrats`). */
export interface PyratsSettingsWire {
  baseline: string;
  mirrors: string[];
  python: string;
  cacheDir: string;
  severity: Partial<Record<SeveritySettingKey, SeverityName>>;
  debounceMs: number;
  /** Set by the VS Code client: false in an untrusted workspace. Other editors leave it out (trusted). */
  trusted?: boolean;
  /** Versions inline after third-party imports (`textDocument/inlayHint`); default true. */
  inlayHints?: boolean;
}
export type SeveritySettingKey =
  'missing' | 'missingGuarded' | 'mirrorOnly' | 'mirrorOnlyGuarded' | 'baseline' | 'stdlib' | 'local';
export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'none';

// ---------------------------------------------------------------------------------------------
// Dependency graph: the request for graph data, and the graph webview's messages
// ---------------------------------------------------------------------------------------------

/** `script`: one script's follow closure (the PyRats view); `workspace`: every Python file of its folder. */
export type GraphScope = 'script' | 'workspace';

/** What the graph view draws (webview, standalone `pyrats graph` page). */
export interface GraphPayload {
  graph: DependencyGraph;
  /** Shown in the toolbar and used for export file names. */
  title: string;
  /** Ids of the scripts the graph was followed from. */
  roots?: string[];
  scope?: GraphScope;
  /** Scopes the host can switch to (absent: no switch, as in the standalone page). */
  scopes?: GraphScope[];
  /** Problems met while building the graph (unreadable files...), shown above it. */
  problems?: string[];
  /** A node id, relative path or module label to select when the graph opens. */
  select?: string;
  /** Set by the VS Code panel: what the graph shows, kept in the page's state to restore the panel after a reload. */
  source?: { uri: string; scope: GraphScope };
}

export interface DependencyGraphParams {
  /** The script (script scope) or any file of the workspace folder (workspace scope). */
  uri: string;
  scope: GraphScope;
}

/** Sent by the VS Code graph panel for the graph of a script or of its workspace folder. */
export namespace DependencyGraphRequest {
  export const method = 'pyrats/dependencyGraph' as const;
  export const type = new RequestType<DependencyGraphParams, GraphPayload, void>(method);
}

export type GraphExportFormat = 'svg' | 'png' | 'dot' | 'mermaid' | 'json';

/** Graph webview → its host (the VS Code panel; the standalone page answers `ready` itself). */
export type GraphViewMessage =
  /** The page has loaded and listens: send the graph. */
  | { type: 'ready' }
  /** The user activated a node that has a file. */
  | { type: 'open'; file: string }
  /** Save an export; the host asks where. `data` is base64 when `encoding` says so (PNG). */
  | { type: 'export'; fileName: string; mime: string; data: string; encoding: 'utf8' | 'base64' }
  /** The user switched scope. */
  | { type: 'requestGraph'; scope: GraphScope };

/** Host → graph webview. */
export type GraphHostMessage =
  | { type: 'graph'; payload: GraphPayload }
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string };

/**
 * Usage dashboard webview → its host (the VS Code panel). In the page served by `pyrats dashboard`
 * the app calls the same JSON API over HTTP instead.
 */
export type DashboardViewMessage =
  /** The page has loaded and listens. */
  | { type: 'ready' }
  /** One JSON API call, e.g. `summary?since=2026-01-01` (built by `apiPath`, server/dashboard/dashboardApi.ts); answered by `apiResult` with the same id. */
  | { type: 'api'; id: number; path: string }
  /** Save an export (CSV, PNG); the host asks where. */
  | { type: 'export'; fileName: string; mime: string; data: string; encoding: 'utf8' | 'base64' };

/** Host → usage dashboard webview. */
export type DashboardHostMessage =
  | { type: 'apiResult'; id: number; status: number; body: unknown }
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string };
