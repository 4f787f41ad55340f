/**
 * *PyRats: Open Usage Dashboard*: asks for a usage store (DuckDB file) or a directory of log host
 * files (ingested first, incrementally, into a store kept in the extension's global storage), starts
 * the bundled `pyrats dashboard` on 127.0.0.1 for it, and shows the dashboard bundle in a webview.
 * The webview asks for data with typed messages (server/protocol.ts `DashboardViewMessage`); this
 * panel relays them to the local server's read-only JSON API, with the token the server printed (the
 * user never sees it; the webview never has it). CSP with a nonce; no inline script.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardHostMessage, DashboardViewMessage } from '../server/protocol';
import { runPyratsCli } from './cliProcess';
import type { Ctx } from './ctx';

const VIEW_TYPE = 'pyrats.usageDashboard';
const API_PATH = /^[a-z-]+(\?[\w%&=.+-]*)?$/;

interface DashboardProcess {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** The secret the server wants on every request (`Authorization: token ...`). */
  token: string;
  child: ChildProcess;
}

/** Starts `pyrats dashboard --db FILE` and resolves with its URL and token (or rejects with its stderr). */
function startServer(context: vscode.ExtensionContext, db: string): Promise<DashboardProcess> {
  const cli = context.asAbsolutePath('dist/cli.js');
  // a fresh random token each time, not a fixed one the user may have set for their own dashboards
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  delete env.PYRATS_DASHBOARD_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'dashboard', '--db', db, '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`pyrats dashboard did not start within 30 s ${err}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=(\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], token: decodeURIComponent(m[2]), child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 10_000) err += d.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pyrats dashboard exited (${code}): ${err.trim()}`));
    });
  });
}

async function chooseStore(context: vscode.ExtensionContext): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      {
        label: '$(database) Open a usage store…',
        description: 'a DuckDB file written by pyrats ingest',
        id: 'db',
      },
      {
        label: '$(folder) Ingest a log directory…',
        description: 'syslog-ng day files (and .gz)',
        id: 'logs',
      },
    ],
    { title: 'PyRats: Open Usage Dashboard' },
  );
  if (!pick) return undefined;
  if (pick.id === 'db') {
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Usage store': ['duckdb', 'db'], 'All files': ['*'] },
      title: 'Usage store (DuckDB)',
    });
    return files?.[0]?.fsPath;
  }
  const dirs = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    title: 'Directory of PyRats log files',
  });
  const dir = dirs?.[0]?.fsPath;
  if (!dir) return undefined;
  const storage = context.globalStorageUri.fsPath;
  mkdirSync(storage, { recursive: true });
  const db = path.join(
    storage,
    `usage-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.duckdb`,
  );
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `PyRats: ingesting ${dir}…` },
    () => runPyratsCli(context, ['ingest', dir, '--db', db, '--quiet'], { timeoutMs: 60 * 60_000 }),
  );
  if (run.code === null || run.code > 1) {
    void vscode.window.showErrorMessage(`PyRats: could not ingest ${dir}: ${run.error ?? run.stderr.trim()}`);
    return undefined;
  }
  if (run.code === 1)
    void vscode.window.showWarningMessage(`PyRats: some lines could not be read: ${run.stdout.trim()}`);
  return db;
}

function html(webview: vscode.Webview, context: vscode.ExtensionContext, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dashboard.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dashboard.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${style}">
</head>
<body>
<div id="pyrats-dashboard"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** *PyRats: Open Usage Dashboard* (`pyrats.openUsageDashboard`). */
export async function openDashboard(ctx: Ctx): Promise<void> {
  const context = ctx.extension;
  const db = await chooseStore(context);
  if (!db) return;
  let server: DashboardProcess;
  try {
    server = await startServer(context, db);
  } catch (err) {
    void vscode.window.showErrorMessage(`PyRats: ${(err as Error).message}`);
    return;
  }
  const title = `PyRats usage — ${path.basename(db)}`;
  const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'media')],
  });
  panel.webview.html = html(panel.webview, context, title);
  const post = (m: DashboardHostMessage) => void panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage(async (raw: DashboardViewMessage) => {
    if (raw.type === 'api') {
      if (!API_PATH.test(raw.path)) {
        post({ type: 'apiResult', id: raw.id, status: 400, body: { error: `bad API path '${raw.path}'` } });
        return;
      }
      try {
        const res = await fetch(`${server.url}api/${raw.path}`, {
          headers: { Authorization: `token ${server.token}` },
          signal: AbortSignal.timeout(60_000),
        });
        post({ type: 'apiResult', id: raw.id, status: res.status, body: await res.json() });
      } catch (err) {
        post({ type: 'apiResult', id: raw.id, status: 503, body: { error: (err as Error).message } });
      }
    } else if (raw.type === 'export') {
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(path.dirname(db), raw.fileName)),
        title: 'Save export',
      });
      if (!target) return;
      const bytes =
        raw.encoding === 'base64' ? Buffer.from(raw.data, 'base64') : Buffer.from(raw.data, 'utf8');
      await vscode.workspace.fs.writeFile(target, bytes);
    }
  });
  server.child.on('exit', () => post({ type: 'error', message: 'the dashboard server stopped' }));
  panel.onDidDispose(() => server.child.kill());
  context.subscriptions.push({ dispose: () => server.child.kill() });
}
