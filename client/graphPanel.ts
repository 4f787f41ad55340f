/**
 * *PyRats: Show Dependency Graph*: a webview panel drawing a script's follow closure (or its
 * workspace folder's graph) with the graph bundle (dist/media/graph.js). The page says `ready`,
 * then gets the graph; the data comes from the language server (`pyrats/dependencyGraph`), or from
 * the bundled CLI (`pyrats graph --format json`) when the server does not offer that request.
 * CSP `default-src 'none'` with a nonce, assets through `asWebviewUri`. The page keeps its own view
 * state (getState/setState); a serializer brings the panel back after a window reload; saving a
 * Python file refreshes the graph with positions kept.
 */
import * as vscode from 'vscode';
import {
  DependencyGraphRequest,
  type DependencyGraphParams,
  type GraphHostMessage,
  type GraphPayload,
  type GraphScope,
  type GraphViewMessage,
  type ShowDependencyGraphArgs,
} from '../server/protocol';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';

const VIEW_TYPE = 'pyrats.dependencyGraph';
const METHOD_NOT_FOUND = -32601;
const REFRESH_DELAY_MS = 400;
/** Largest export the panel writes (an SVG or PNG of a big view is a few MB). */
const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

interface PanelSource {
  uri: string;
  scope: GraphScope;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars[Math.floor(Math.random() * chars.length)];
  return out;
}

function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'graph.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'graph.css'));
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style.toString()}">
<title>Dependency graph</title>
</head>
<body>
<div id="pyrats-graph"></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

function isPython(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'python' || doc.uri.path.endsWith('.py');
}

/** One panel shows one source (a script, or a workspace folder through one of its files). */
class GraphPanel {
  private payload: GraphPayload | undefined;
  private loading: Promise<void> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private files = new Set<string>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    private source: PanelSource,
    private select: string | undefined,
    private readonly host: GraphPanelHost,
  ) {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(host.ctx.extension.extensionUri, 'dist', 'media')],
    };
    panel.webview.html = pageHtml(panel.webview, host.ctx.extension.extensionUri);
    this.setTitle();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: GraphViewMessage) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (isPython(doc)) this.scheduleRefresh();
      }),
    );
  }

  private setTitle(): void {
    const name = vscode.Uri.parse(this.source.uri).path.split('/').pop() ?? 'graph';
    this.panel.title =
      this.source.scope === 'workspace' ? 'Dependency graph: workspace' : `Dependency graph: ${name}`;
  }

  show(source: PanelSource, select?: string): void {
    const changed = source.uri !== this.source.uri || source.scope !== this.source.scope;
    this.source = source;
    this.select = select;
    this.setTitle();
    this.panel.reveal(undefined, false);
    if (changed || select) void this.load();
  }

  private post(message: GraphHostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(message: GraphViewMessage): Promise<void> {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'ready':
        // A fresh page (first open, panel shown again, window reloaded): send what we have.
        if (this.payload) this.post({ type: 'graph', payload: this.payload });
        else await this.load();
        break;
      case 'open':
        if (typeof message.file === 'string') await this.open(message.file);
        break;
      case 'export':
        // The page's messages are checked, not trusted: strings of a sane size only.
        if (
          typeof message.fileName === 'string' &&
          typeof message.data === 'string' &&
          message.data.length <= MAX_EXPORT_CHARS &&
          (message.encoding === 'utf8' || message.encoding === 'base64')
        ) {
          await this.save(message);
        } else this.host.ctx.output.warn('graph: ignored a malformed export from the page');
        break;
      case 'requestGraph':
        if (message.scope === 'script' || message.scope === 'workspace') {
          this.source = { ...this.source, scope: message.scope };
          this.setTitle();
          await this.load();
        }
        break;
    }
  }

  private async open(file: string): Promise<void> {
    // Only files the graph holds: the page's messages are not trusted blindly.
    if (!this.files.has(file)) {
      this.host.ctx.output.warn(`graph: refused to open ${file}: not a node of the graph`);
      return;
    }
    const uri = vscode.Uri.file(file);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return;
      }
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: true });
    } catch (err) {
      void vscode.window.showErrorMessage(
        `PyRats: cannot open ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async save(message: Extract<GraphViewMessage, { type: 'export' }>): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(this.source.uri))?.uri;
    const name = message.fileName.replace(/[/\\]/g, '_');
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: ext ? { [ext.toUpperCase()]: [ext] } : undefined,
      saveLabel: 'Export graph',
    });
    if (!target) return;
    const bytes =
      message.encoding === 'base64' ? Buffer.from(message.data, 'base64') : Buffer.from(message.data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`PyRats: graph exported to ${target.fsPath}`);
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.load(), REFRESH_DELAY_MS);
  }

  /** Fetches the graph for the current source and sends it (one load at a time; the last wins). */
  async load(): Promise<void> {
    if (this.loading) {
      await this.loading;
    }
    const run = async () => {
      const source = this.source;
      this.post({
        type: 'loading',
        message: source.scope === 'workspace' ? 'Reading the workspace…' : 'Following the imports…',
      });
      try {
        const payload = await this.host.fetch(source);
        if (source !== this.source) return;
        payload.scopes = ['script', 'workspace'];
        payload.scope = source.scope;
        payload.source = source;
        if (this.select) payload.select = this.select;
        this.payload = payload;
        this.files = new Set(payload.graph.nodes.flatMap((n) => (n.file ? [n.file] : [])));
        this.post({ type: 'graph', payload });
        // The selection is for this showing only; a page rebuilt later keeps its own focus.
        delete payload.select;
        this.select = undefined;
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        this.host.ctx.output.error(`graph: ${text}`);
        this.post({ type: 'error', message: `Cannot build the dependency graph: ${text}` });
      }
    };
    this.loading = run().finally(() => (this.loading = undefined));
    await this.loading;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
    this.host.forget(this);
  }
}

/**
 * *PyRats: Show Dependency Graph* (`pyrats.showDependencyGraph`, `show`; arguments: none = the
 * active editor, a file Uri, or `ShowDependencyGraphArgs` from a code action) and the panel
 * serializer (registered when made, at activation).
 */
export class GraphPanelHost implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private current: GraphPanel | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(readonly ctx: Ctx) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, this);
  }

  dispose(): void {
    this.serializer.dispose();
  }

  async show(arg?: ShowDependencyGraphArgs | vscode.Uri): Promise<void> {
    let uri: vscode.Uri | undefined;
    let select: string | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (arg && typeof arg.uri === 'string') {
      uri = vscode.Uri.parse(arg.uri);
      select = arg.module;
    } else {
      // a notebook cell (or a notebook without a focused cell): the graph of the notebook's file
      const doc = vscode.window.activeTextEditor?.document;
      const notebook = vscode.window.activeNotebookEditor?.notebook.uri;
      if (doc && doc.uri.scheme !== 'vscode-notebook-cell' && isPython(doc)) uri = doc.uri;
      else if (notebook?.path.endsWith('.ipynb')) uri = notebook;
    }
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(
        'PyRats: open a Python file or Jupyter notebook (saved on disk) to show its dependency graph.',
      );
      return;
    }
    const source: PanelSource = { uri: uri.toString(), scope: 'script' };
    if (this.current) {
      this.current.show(source, select);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Dependency graph', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'media')],
    });
    this.current = new GraphPanel(panel, source, select, this);
  }

  /** Restores a panel after a window reload: the page's saved state says what it showed. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = (state as { source?: PanelSource } | undefined)?.source;
    if (
      !saved ||
      typeof saved.uri !== 'string' ||
      (saved.scope !== 'script' && saved.scope !== 'workspace')
    ) {
      panel.dispose();
      return;
    }
    this.current?.panel.dispose();
    this.current = new GraphPanel(panel, saved, undefined, this);
  }

  forget(panel: GraphPanel): void {
    if (this.current === panel) this.current = undefined;
  }

  /** The graph from the language server, or from the CLI when the server lacks the request. */
  async fetch(source: PanelSource): Promise<GraphPayload> {
    const client = this.ctx.client();
    if (client?.isRunning()) {
      const params: DependencyGraphParams = { uri: source.uri, scope: source.scope };
      try {
        return await client.sendRequest(DependencyGraphRequest.type, params);
      } catch (err) {
        if ((err as { code?: number }).code !== METHOD_NOT_FOUND) throw err;
      }
    }
    return this.fetchFromCli(source);
  }

  private async fetchFromCli(source: PanelSource): Promise<GraphPayload> {
    const uri = vscode.Uri.parse(source.uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const args = ['graph', '--format', 'json'];
    if (source.scope === 'workspace')
      args.push('--workspace', folder ?? vscode.Uri.joinPath(uri, '..').fsPath);
    else args.push(uri.fsPath);
    // The resolver already ignores interpreters named by an untrusted workspace's settings.
    const python = this.ctx.interpreter(uri);
    if (python) args.push('--python', python);
    const run = await runPyratsCli(this.ctx.extension, args, { cwd: folder, timeoutMs: 120_000 });
    if (run.error) throw new Error(run.error);
    if (!run.stdout.trim())
      throw new Error(run.stderr.trim() || `pyrats graph exited with status ${run.code}`);
    if (run.stderr.trim()) this.ctx.output.warn(`pyrats graph: ${run.stderr.trim()}`);
    return JSON.parse(run.stdout) as GraphPayload;
  }
}
