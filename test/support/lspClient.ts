/**
 * A real LSP client for tests: spawns `node dist/server.js --stdio` and talks JSON-RPC over its
 * stdin/stdout (vscode-languageserver-protocol's node connection). It answers `workspace/configuration`
 * from a settings object the test can change, accepts capability registrations, and records every
 * `publishDiagnostics` and `pyrats/fileSummary` so tests can poll for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import type { FileSummaryParams } from '../../server/protocol';
import { REPO } from './repo';

export { REPO };
export const SERVER_JS = path.join(REPO, 'dist', 'server.js');

export const fileUri = (p: string): string => pathToFileURL(p).toString();

export interface LspSession {
  connection: ProtocolConnection;
  process: ChildProcess;
  initializeResult: InitializeResult;
  /** The settings `workspace/configuration` answers with (section `pyrats`); mutate, then `configurationChanged()`. */
  settings: Record<string, unknown>;
  /** Per-folder settings (by folder URI prefix of the scope), answered before `settings`. */
  folderSettings: Record<string, Record<string, unknown>>;
  /** Every publishDiagnostics, in arrival order, with the time (performance.now()) it arrived. */
  published: (PublishDiagnosticsParams & { at: number })[];
  summaries: FileSummaryParams[];
  /** Resolves with the first publication for `uri` after index `from` that satisfies `pred`. */
  waitForDiagnostics(
    uri: string,
    pred?: (p: PublishDiagnosticsParams) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<PublishDiagnosticsParams & { at: number }>;
  open(uri: string, text: string, version?: number): Promise<void>;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void>;
  save(uri: string): Promise<void>;
  close(uri: string): Promise<void>;
  configurationChanged(): Promise<void>;
  /** Server-side log messages (window/logMessage). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startLspSession(options: {
  rootDir: string;
  /** More workspace folders besides rootDir. */
  extraFolders?: string[];
  settings?: Record<string, unknown>;
  /** Answer `workspace/configuration` (VS Code does); false = push settings like simple clients. */
  pullConfiguration?: boolean;
  command?: string[];
  /** Variables for the server (over this process's environment). */
  env?: NodeJS.ProcessEnv;
}): Promise<LspSession> {
  const [cmd, ...args] = options.command ?? [process.execPath, SERVER_JS, '--stdio'];
  const child = spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: LspSession['published'] = [];
  const summaries: FileSummaryParams[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const session: Partial<LspSession> = {
    settings: { ...(options.settings ?? {}) },
    folderSettings: {},
    published,
    summaries,
    logs,
  };
  const pull = options.pullConfiguration ?? true;

  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push({ ...p, at: performance.now() });
    wake();
  });
  connection.onNotification('pyrats/fileSummary', (p: FileSummaryParams) => {
    summaries.push(p);
    wake();
  });
  connection.onNotification(LogMessageNotification.type, (p) => {
    logs.push(p.message);
  });
  connection.onRequest(ConfigurationRequest.type, (params) =>
    params.items.map((item) => {
      if (item.section !== 'pyrats') return null;
      const folder = Object.keys(session.folderSettings!).find((f) => item.scopeUri?.startsWith(f));
      return folder ? session.folderSettings![folder] : session.settings;
    }),
  );
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.listen();

  const root = fileUri(options.rootDir);
  const capabilities: ClientCapabilities = {
    workspace: {
      configuration: pull,
      didChangeConfiguration: { dynamicRegistration: pull },
      didChangeWatchedFiles: { dynamicRegistration: true },
      workspaceFolders: true,
    },
    textDocument: {
      synchronization: { didSave: true, dynamicRegistration: false },
      publishDiagnostics: { versionSupport: true },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
    },
    notebookDocument: { synchronization: { dynamicRegistration: false } },
  };
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: root,
    capabilities,
    workspaceFolders: [options.rootDir, ...(options.extraFolders ?? [])].map((d) => ({
      uri: fileUri(d),
      name: path.basename(d),
    })),
    initializationOptions: pull ? undefined : { pyrats: session.settings },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  if (!pull) {
    await connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { pyrats: session.settings },
    });
  }

  Object.assign(session, {
    connection,
    process: child,
    initializeResult,
    waitForDiagnostics(uri, pred = () => true, opts = {}) {
      const from = opts.from ?? 0;
      const timeoutMs = opts.timeoutMs ?? 20_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < published.length; i++) {
            const p = published[i];
            if (p.uri === uri && pred(p)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(p);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = published.filter((p) => p.uri === uri).map((p) => p.diagnostics.map((d) => d.code));
          reject(
            new Error(
              `no matching diagnostics for ${uri} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}; stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    open: (uri, text, version = 1) =>
      connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'python', version, text },
      }),
    change: (uri, version, changes) =>
      connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: changes,
      }),
    save: (uri) =>
      connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } }),
    close: (uri) =>
      connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }),
    configurationChanged: () =>
      connection.sendNotification(DidChangeConfigurationNotification.type, {
        settings: pull ? null : { pyrats: session.settings },
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        await Promise.race([
          connection.sendRequest(ShutdownRequest.type),
          new Promise((r) => setTimeout(r, 3000)),
        ]);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // the server is already gone
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      connection.dispose();
    },
  } satisfies Partial<LspSession>);
  return session as LspSession;
}
