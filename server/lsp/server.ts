/**
 * The pyrats language server: thin LSP glue around the analyzer. `capabilities()` says what it offers,
 * `register(connection)` wires the handlers. Documents are synced incrementally and re-parsed with
 * tree-sitter's incremental parse; checks are debounced per document and cancelled when a newer edit
 * arrives; one analyzer per workspace folder, rebuilt when its settings change.
 * Conversions to LSP types live in convert.ts; the analyzer calls in folderAnalyzer.ts.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import {
  CancellationTokenSource,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Connection,
  type DidChangeNotebookDocumentParams,
  type DidOpenNotebookDocumentParams,
  type TextDocumentItem,
  type Hover,
  type HoverParams,
  type InlayHint,
  type InlayHintParams,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import {
  DependencyGraphRequest,
  FileSummaryNotification,
  FileVerdictsRequest,
  RefreshMirrorIndexRequest,
  WorkspaceReportRequest,
  type FileVerdictsResult,
  type WorkspaceReportFolder,
  type WorkspaceReportResult,
} from '../protocol';
import { DEFAULT_MAX_BYTES } from '../../analyzer/extract/extractImports';
import { codeActionsFor, countVerdicts, diagnosticsFor, hoverFor, tooLargeDiagnostic } from './convert';
import { OpenDocument, type CheckResult } from './documents';
import { checkNotebookCell, OpenNotebooks } from './notebooks';
import { cancelled, untilCancelled } from './cancellation';
import { isInside, sourcePath, uriToPath } from './uris';
import { folderReport } from './workspaceReport';
import { inlayHintsFor } from './inlayHints';
import { pinAction, pinnableDiagnostics } from './pinAction';
import { FolderAnalyzer } from './folderAnalyzer';
import { analyzerKey, normalizeSettings, settingsSection, type PyratsSettings } from './settings';
import { SERVER_CAPABILITIES } from './capabilities';
import { ConfigFileWatcher, folderConfig, withConfig } from './configLayer';

/** Analyzer and settings of one workspace folder (or of the directory of a file outside every folder). */
interface FolderState {
  uri: string;
  root: string;
  settings: PyratsSettings;
  key: string;
  analyzer: Promise<FolderAnalyzer>;
}

export class PyratsLanguageServer {
  private connection!: Connection;
  private readonly documents = new Map<string, OpenDocument>();
  private readonly notebooks = new OpenNotebooks();
  private readonly folders = new Map<string, FolderState>();
  private readonly pendingFolders = new Map<string, Promise<FolderState>>();
  private pullConfiguration = false;
  private watchFilesDynamically = false;
  /** The client re-asks for inlay hints on `workspace/inlayHint/refresh` (after a settings change). */
  private refreshInlayHints = false;
  /**
   * Settings pushed (initializationOptions, didChangeConfiguration) by clients that do not answer
   * `workspace/configuration`, or that answer it with null for `pyrats`.
   */
  private pushedSettings: unknown = undefined;
  private initialFolders: WorkspaceFolder[] = [];
  /** The site, user and project configuration files: an edit re-reads every folder's settings. */
  private readonly configWatcher = new ConfigFileWatcher(() => void this.reloadSettings());
  /** After `shutdown`: requests fail with InvalidRequest (LSP), document notifications are ignored. */
  private shutDown = false;

  register(connection: Connection): void {
    this.connection = connection;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized());
    connection.onDidOpenTextDocument(({ textDocument: t }) => {
      if (this.shutDown || !this.isPython(t.uri, t.languageId)) return;
      this.openDocument(t);
    });
    this.registerNotebooks(connection);
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const doc = this.documents.get(textDocument.uri);
      if (!doc) return;
      const version = textDocument.version ?? doc.version + 1;
      if (version <= doc.version) {
        connection.console.warn(
          `pyrats: ${textDocument.uri}: change to version ${version} arrived after version ${doc.version}; applied in arrival order`,
        );
      }
      doc.applyChanges(contentChanges, version);
      this.schedule(doc, this.delayFor(doc));
    });
    connection.onDidSaveTextDocument(({ textDocument }) => {
      if (this.shutDown) return;
      // A saved file can change what other open files resolve to (a local module appeared), also in
      // editors that do not report file creation.
      for (const f of this.folders.values()) void f.analyzer.then((a) => a.invalidateFileSystem());
      this.recheckOpen((d) => d.uri !== textDocument.uri);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => this.closeDocument(textDocument.uri));
    connection.onDidChangeWatchedFiles(({ changes }) => {
      if (this.shutDown) return;
      let structural = false;
      for (const change of changes) {
        if (change.type === FileChangeType.Deleted) {
          if (!this.documents.has(change.uri)) {
            void connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
          }
          structural = true;
        } else if (change.type === FileChangeType.Created) {
          structural = true;
        }
      }
      if (structural) {
        for (const f of this.folders.values()) void f.analyzer.then((a) => a.invalidateFileSystem());
        this.recheckOpen(() => true);
      }
    });
    connection.onDidChangeConfiguration((params) => {
      if (this.shutDown) return;
      const pushed = settingsSection(params.settings, 'workspace/didChangeConfiguration settings', (m) =>
        this.connection.console.info(m),
      );
      // kept by pulling clients too: the fallback when their answer for `pyrats` is null
      if (pushed !== undefined || !this.pullConfiguration) this.pushedSettings = pushed;
      void this.reloadSettings();
    });
    connection.onHover((params, token) => this.whileRunning(() => this.hover(params, token)));
    connection.onCodeAction((params, token) => this.whileRunning(() => this.codeActions(params, token)));
    connection.languages.inlayHint.on((params, token) =>
      this.whileRunning(() => this.inlayHints(params, token)),
    );
    connection.onRequest(FileVerdictsRequest.type, (params, token) =>
      this.whileRunning(() => this.fileVerdicts(params.uri, token)),
    );
    connection.onRequest(WorkspaceReportRequest.type, (params, token) =>
      this.whileRunning(() => this.workspaceReport(params.folderUri, token)),
    );
    connection.onRequest(RefreshMirrorIndexRequest.type, (_params, token) =>
      this.whileRunning(() => this.refreshMirrorIndex(token)),
    );
    connection.onRequest(DependencyGraphRequest.type, (params, token) =>
      this.whileRunning(async () => {
        // a notebook cell: the graph of its notebook
        const file = sourcePath(params.uri);
        if (!file) throw new ResponseError(ErrorCodes.InvalidParams, `not a file URI: ${params.uri}`);
        const folder = await this.ensureFolder(this.folderUriFor(params.uri));
        const analyzer = await untilCancelled(folder.analyzer, token);
        try {
          return await untilCancelled(
            analyzer.dependencyGraph(file, params.scope === 'workspace' ? 'workspace' : 'script'),
            token,
          );
        } catch (err) {
          if (err instanceof ResponseError) throw err;
          throw new ResponseError(ErrorCodes.InternalError, err instanceof Error ? err.message : String(err));
        }
      }),
    );
    connection.onShutdown(() => {
      this.shutDown = true;
      this.configWatcher.dispose();
      for (const d of this.documents.values()) d.dispose();
      this.documents.clear();
      for (const f of this.folders.values()) void f.analyzer.then((a) => a.dispose());
      this.folders.clear();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle and configuration
  // -------------------------------------------------------------------------------------------

  /** Runs a request handler, or refuses it after `shutdown` (LSP: InvalidRequest). */
  private whileRunning<T>(handler: () => Promise<T>): Promise<T> {
    if (this.shutDown) {
      return Promise.reject(
        new ResponseError(ErrorCodes.InvalidRequest, 'the pyrats server is shutting down'),
      );
    }
    return handler();
  }

  private initialize(params: InitializeParams): InitializeResult {
    const ws = params.capabilities.workspace;
    this.pullConfiguration = Boolean(ws?.configuration);
    this.watchFilesDynamically = Boolean(ws?.didChangeWatchedFiles?.dynamicRegistration);
    this.refreshInlayHints = Boolean(ws?.inlayHint?.refreshSupport);
    // Clients without `workspace/configuration` (e.g. Neovim 0.7's start_client) pass the section here.
    const options = settingsSection(params.initializationOptions, 'initializationOptions', (m) =>
      this.connection.console.info(m),
    );
    if (options !== undefined) this.pushedSettings = options;
    this.initialFolders =
      params.workspaceFolders ??
      (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    return { capabilities: SERVER_CAPABILITIES, serverInfo: { name: 'pyrats', version: '0.1.0' } };
  }

  private async initialized(): Promise<void> {
    if (this.pullConfiguration) {
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'pyrats' });
    }
    if (this.watchFilesDynamically) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.py' }, { globPattern: '**/__init__.py' }],
      });
    }
    try {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const removed of e.removed) this.dropFolder(removed.uri);
        for (const added of e.added) this.initialFolders.push(added);
        void this.reloadSettings();
      });
    } catch {
      // the client does not support workspace folder changes
    }
    for (const f of this.initialFolders) await this.ensureFolder(f.uri);
  }

  private dropFolder(uri: string): void {
    const f = this.folders.get(uri);
    if (!f) return;
    this.folders.delete(uri);
    this.initialFolders = this.initialFolders.filter((w) => w.uri !== uri);
    void f.analyzer.then((a) => a.dispose());
  }

  /**
   * The `pyrats` section of pushed settings ({pyrats: {...}}); the object itself when it holds
   * setting names at the top level (a common slip: init_options = {baseline = ...}), which is said.
   */
  private async settingsFor(folderUri: string): Promise<PyratsSettings> {
    const problems: string[] = [];
    let raw: unknown = this.pushedSettings;
    if (this.pullConfiguration) {
      try {
        const pulled: unknown = await this.connection.workspace.getConfiguration({
          scopeUri: folderUri,
          section: 'pyrats',
        });
        // null: the client holds nothing under `pyrats` (Neovim 0.8+ answers from its `settings`,
        // which users leave empty when they pass the section in init_options): keep what was pushed
        if (pulled !== null && pulled !== undefined) raw = pulled;
      } catch (err) {
        problems.push(`cannot read settings: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const clientSettings = normalizeSettings(raw, problems);
    const root = uriToPath(folderUri) ?? process.cwd();
    const config = folderConfig(root, clientSettings.trusted, problems);
    this.configWatcher.watch(config);
    for (const p of problems) this.connection.console.warn(`${folderUri}: ${p}`);
    return withConfig(clientSettings, config);
  }

  /** The folder state for a folder URI, creating its analyzer on first use. */
  private ensureFolder(uri: string): Promise<FolderState> {
    const existing = this.folders.get(uri);
    if (existing) return Promise.resolve(existing);
    // one settings request (and one set of warnings) however many documents ask at once
    let pending = this.pendingFolders.get(uri);
    if (!pending) {
      pending = this.createFolder(uri).finally(() => this.pendingFolders.delete(uri));
      this.pendingFolders.set(uri, pending);
    }
    return pending;
  }

  private async createFolder(uri: string): Promise<FolderState> {
    const settings = await this.settingsFor(uri);
    const again = this.folders.get(uri);
    if (again) return again;
    const root = uriToPath(uri) ?? process.cwd();
    const state: FolderState = {
      uri,
      root,
      settings,
      key: analyzerKey(settings),
      analyzer: FolderAnalyzer.create(root, settings, this.connection.console),
    };
    this.folders.set(uri, state);
    return state;
  }

  /** Re-reads every folder's settings, rebuilds analyzers whose inputs changed, re-checks open files. */
  private async reloadSettings(): Promise<void> {
    const uris = new Set([...this.initialFolders.map((f) => f.uri), ...this.folders.keys()]);
    for (const uri of uris) {
      const settings = await this.settingsFor(uri);
      if (this.shutDown) return;
      const current = this.folders.get(uri);
      const key = analyzerKey(settings);
      if (current && current.key === key) {
        current.settings = settings;
        continue;
      }
      if (current) void current.analyzer.then((a) => a.dispose());
      const root = uriToPath(uri) ?? process.cwd();
      this.folders.set(uri, {
        uri,
        root,
        settings,
        key,
        analyzer: FolderAnalyzer.create(root, settings, this.connection.console),
      });
    }
    this.recheckOpen(() => true);
    if (this.refreshInlayHints) void this.connection.languages.inlayHint.refresh();
  }

  /**
   * The workspace folder holding a file (longest match), or a folder made for the file's directory.
   * A notebook cell belongs where its notebook is; a document with no place (`untitled:`) to the
   * first workspace folder (its settings, its local modules), else to the server's directory.
   */
  private folderUriFor(uri: string): string {
    const file = sourcePath(uri);
    let best: string | undefined;
    let bestLength = -1;
    for (const f of this.initialFolders) {
      // paths, not URI text: clients percent-encode differently (`%20`/space, `%40`/`@`, `%3A`/`:`)
      const dir = uriToPath(f.uri);
      const inside =
        file && dir ? isInside(file, dir) : uri.startsWith(f.uri.endsWith('/') ? f.uri : `${f.uri}/`);
      const length = dir?.length ?? f.uri.length;
      if (inside && length > bestLength) [best, bestLength] = [f.uri, length];
    }
    if (best) return best;
    if (file) return pathToFileURL(path.dirname(file)).toString();
    return this.initialFolders[0]?.uri ?? 'untitled:';
  }

  /** A Python document; a notebook file opened as text (JSON) is not one, whatever its language id. */
  private isPython(uri: string, languageId: string): boolean {
    if (/\.ipynb$/i.test(uri)) return false;
    return languageId === 'python' || uri.endsWith('.py') || uri.endsWith('.pyw');
  }

  private openDocument(t: TextDocumentItem, notebook?: string): void {
    this.documents.get(t.uri)?.dispose();
    const doc = new OpenDocument(t.uri, t.languageId, t.version, t.text);
    doc.notebook = notebook;
    this.documents.set(t.uri, doc);
    this.schedule(doc, 0);
  }

  private closeDocument(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc) return;
    doc.dispose();
    this.documents.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  // -------------------------------------------------------------------------------------------
  // Notebooks (LSP 3.17 notebookDocument/*)
  // -------------------------------------------------------------------------------------------

  private registerNotebooks(connection: Connection): void {
    const sync = connection.notebooks.synchronization;
    sync.onDidOpenNotebookDocument((params) => this.openNotebook(params));
    sync.onDidChangeNotebookDocument((params) => this.changeNotebook(params));
    sync.onDidSaveNotebookDocument(() => {
      if (this.shutDown) return;
      for (const f of this.folders.values()) void f.analyzer.then((a) => a.invalidateFileSystem());
      this.recheckOpen(() => true);
    });
    sync.onDidCloseNotebookDocument(({ notebookDocument }) => {
      for (const cell of this.notebooks.close(notebookDocument.uri)) this.closeDocument(cell);
    });
  }

  private openNotebook({ notebookDocument, cellTextDocuments }: DidOpenNotebookDocumentParams): void {
    if (this.shutDown) return;
    this.notebooks.open(notebookDocument.uri, notebookDocument.cells);
    for (const t of cellTextDocuments)
      if (OpenNotebooks.isPythonCell(t)) this.openDocument(t, notebookDocument.uri);
  }

  private changeNotebook({ notebookDocument, change }: DidChangeNotebookDocumentParams): void {
    if (this.shutDown) return;
    const nb = notebookDocument.uri;
    const structure = change.cells?.structure;
    if (structure) {
      const { start, deleteCount, cells } = structure.array;
      this.notebooks.splice(nb, start, deleteCount, cells);
      for (const closed of structure.didClose ?? []) this.closeDocument(closed.uri);
      for (const t of structure.didOpen ?? []) if (OpenNotebooks.isPythonCell(t)) this.openDocument(t, nb);
    }
    for (const { document, changes } of change.cells?.textContent ?? []) {
      this.documents.get(document.uri)?.applyChanges(changes, document.version);
    }
    // cell indexes and `%pip install` lines concern every cell of the notebook
    this.recheckOpen((d) => d.notebook === nb);
  }

  // -------------------------------------------------------------------------------------------
  // Checking
  // -------------------------------------------------------------------------------------------

  /**
   * Leading edge: an edit to a document with no check running or pending is checked at once; edits
   * that arrive while one is (typing faster than a check) cancel it and wait for a quiet time.
   */
  private delayFor(doc: OpenDocument): number {
    const folder = this.folders.get(this.folderUriFor(doc.uri));
    const busy = doc.running !== undefined || doc.timer !== undefined;
    return busy ? (folder?.settings.debounceMs ?? 50) : 0;
  }

  private schedule(doc: OpenDocument, delay: number): void {
    doc.running?.cancel();
    if (doc.timer) clearTimeout(doc.timer);
    doc.timer = setTimeout(() => {
      doc.timer = undefined;
      void this.check(doc);
    }, delay);
  }

  private recheckOpen(filter: (d: OpenDocument) => boolean): void {
    for (const doc of this.documents.values()) if (filter(doc)) this.schedule(doc, 0);
  }

  private async check(doc: OpenDocument): Promise<void> {
    const cts = new CancellationTokenSource();
    doc.running = cts;
    const version = doc.version;
    try {
      const folder = await this.ensureFolder(this.folderUriFor(doc.uri));
      const analyzer = await folder.analyzer;
      if (cts.token.isCancellationRequested || this.documents.get(doc.uri) !== doc) return;
      // The folder's analyzer was rebuilt (settings, trust, folder removed): its parser is gone, so
      // the document's tree from the old one is dropped and the text parsed again by the new one.
      if (doc.parsed && !analyzer.owns(doc.parsed)) {
        doc.parsed.dispose();
        doc.parsed = undefined;
      }
      let verdicts: CheckResult['verdicts'];
      if (doc.notebook) {
        const installs = this.notebooks.installs(doc.notebook, (u) => this.documents.get(u)?.text.getText());
        verdicts = await checkNotebookCell(doc, analyzer, installs, cts.token);
      } else {
        doc.parsed ??= await analyzer.parse(doc.text);
        verdicts = await analyzer.checkDocument(doc.parsed, doc.text, sourcePath(doc.uri), cts.token);
      }
      if (cts.token.isCancellationRequested || doc.version !== version || this.documents.get(doc.uri) !== doc)
        return;
      const result: CheckResult = {
        version,
        verdicts,
        baseline: analyzer.baselineName,
        problems: analyzer.problems,
      };
      // the summary first: a client that has the diagnostics also has the counts
      void this.connection.sendNotification(FileSummaryNotification.type, {
        uri: doc.uri,
        baseline: analyzer.baselineName,
        counts: countVerdicts(verdicts),
        trusted: folder.settings.trusted,
        problems: analyzer.problems,
      });
      const diagnostics = diagnosticsFor(verdicts, folder.settings);
      const size = doc.text.getText().length;
      if (size > DEFAULT_MAX_BYTES) diagnostics.push(tooLargeDiagnostic(size, DEFAULT_MAX_BYTES));
      void this.connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
      doc.finish(result);
    } catch (err) {
      this.connection.console.error(
        `pyrats: checking ${doc.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      doc.abandon(version);
    } finally {
      if (doc.running === cts) doc.running = undefined;
      cts.dispose();
    }
  }

  /** The check result for the document's current version, waiting for a pending check. */
  private async currentResult(uri: string, token: CancellationToken): Promise<CheckResult | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    if (!doc.running && !doc.timer && (!doc.last || doc.last.version !== doc.version)) this.schedule(doc, 0);
    return new Promise((resolve) => {
      const sub = token.onCancellationRequested(() => resolve(undefined));
      void doc.result().then((r) => {
        sub.dispose();
        resolve(r);
      });
    });
  }

  private async hover(params: HoverParams, token: CancellationToken): Promise<Hover | null> {
    const result = await this.currentResult(params.textDocument.uri, token);
    if (!result) return null;
    return hoverFor(result.verdicts, params.position, result.baseline);
  }

  private async inlayHints(params: InlayHintParams, token: CancellationToken): Promise<InlayHint[]> {
    const doc = this.documents.get(params.textDocument.uri);
    if (!doc || !(await this.ensureFolder(this.folderUriFor(doc.uri))).settings.inlayHints) return [];
    const result = await this.currentResult(params.textDocument.uri, token);
    return result ? inlayHintsFor(result.verdicts, params.range) : [];
  }

  private async codeActions(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    const doc = this.documents.get(params.textDocument.uri);
    const result = await this.currentResult(params.textDocument.uri, token);
    if (!result || !doc) return [];
    const actions = codeActionsFor(doc.uri, doc.text, result, params.range, params.context.diagnostics);
    const pin = await this.pinActionFor(doc, params.context.diagnostics);
    return pin ? [...actions, pin] : actions;
  }

  /** The "Add to the script's PEP 723 block" quick fix for a script file (not a notebook cell). */
  private async pinActionFor(doc: OpenDocument, diagnostics: Diagnostic[]): Promise<CodeAction | null> {
    const file = sourcePath(doc.uri);
    const wanted = pinnableDiagnostics(diagnostics);
    if (!file || doc.notebook || !wanted.length) return null;
    const analyzer = await (await this.ensureFolder(this.folderUriFor(doc.uri))).analyzer;
    if (!doc.parsed || !analyzer.owns(doc.parsed)) return null;
    const pinned = await analyzer.pinnedText(doc.parsed, doc.text, file);
    return pinAction(doc.text, pinned, analyzer.baselineName, wanted);
  }

  private async fileVerdicts(uri: string, token: CancellationToken): Promise<FileVerdictsResult> {
    const open = await this.currentResult(uri, token);
    if (token.isCancellationRequested) throw cancelled();
    if (open) return { uri, baseline: open.baseline, imports: open.verdicts };
    const file = uriToPath(uri);
    if (!file) throw new ResponseError(ErrorCodes.InvalidParams, `not a file URI: ${uri}`);
    const folder = await this.ensureFolder(this.folderUriFor(uri));
    const analyzer = await untilCancelled(folder.analyzer, token);
    const { imports } = await untilCancelled(analyzer.checkFile(file, token), token);
    if (token.isCancellationRequested) throw cancelled();
    return { uri, baseline: analyzer.baselineName, imports };
  }

  private async workspaceReport(
    folderUri: string | undefined,
    token: CancellationToken,
  ): Promise<WorkspaceReportResult> {
    // a folder that is not a file: URI would be read as the server's working directory: refused when
    // asked for, left out of "every folder" (a virtual folder has no files here)
    const explicit = folderUri !== undefined && folderUri !== null;
    const uris = explicit ? [folderUri] : this.initialFolders.map((f) => f.uri).filter((u) => uriToPath(u));
    const bad = uris.find((u) => typeof u !== 'string' || !uriToPath(u));
    if (bad !== undefined) {
      throw new ResponseError(ErrorCodes.InvalidParams, `not a file URI of a folder: ${JSON.stringify(bad)}`);
    }
    const folders: WorkspaceReportFolder[] = [];
    for (const uri of uris) {
      const folder = await this.ensureFolder(uri);
      const analyzer = await untilCancelled(folder.analyzer, token);
      folders.push(
        await folderReport(uri, folder.root, analyzer, (f) => this.documents.get(f)?.last?.verdicts, token),
      );
    }
    if (token.isCancellationRequested) throw cancelled();
    return { folders };
  }

  /** Cancelling answers at once; the refresh (up to a mirror timeout per source) still completes and re-checks. */
  private refreshMirrorIndex(token: CancellationToken): Promise<{ messages: string[] }> {
    const refresh = async () => {
      const messages: string[] = [];
      for (const folder of this.folders.values()) {
        const analyzer = await folder.analyzer;
        messages.push(`${folder.root}: ${await analyzer.refreshMirrors()}`);
      }
      this.recheckOpen(() => true);
      return { messages };
    };
    return untilCancelled(refresh(), token);
  }
}
