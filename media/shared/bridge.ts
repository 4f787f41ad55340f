/**
 * The one place a webview app learns where it runs. Inside VS Code it talks to the extension host
 * through `acquireVsCodeApi()` (messages, getState/setState); in a plain browser page (the standalone
 * `pyrats graph` file, the `pyrats dashboard` page) the same calls are served by the page: data
 * embedded in a `<script type="application/json">` element, state in sessionStorage, files saved as
 * downloads. App code talks only to `HostBridge`.
 */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside webviews only.
  function acquireVsCodeApi(): VsCodeApi;
}

export interface SavedFile {
  fileName: string;
  mime: string;
  /** Text, or base64 for binary files (PNG). */
  data: string;
  encoding: 'utf8' | 'base64';
}

export interface HostBridge {
  /** `vscode` inside a VS Code webview; `page` in a plain browser page. */
  readonly kind: 'vscode' | 'page';
  post(message: { type: string }): void;
  onMessage(handler: (message: { type: string }) => void): void;
  getState<T>(): T | undefined;
  setState(state: unknown): void;
  /** Inside VS Code the host shows a save dialog (it gets an `export` message); a page downloads. */
  saveFile(file: SavedFile): void;
}

function base64ToBytes(data: string): Uint8Array<ArrayBuffer> {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** `file://` URL of an absolute path (POSIX or Windows). */
export function fileUrl(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  const parts = slashed
    .split('/')
    .map((p, i) => (i === 0 && /^[A-Za-z]:$/.test(p) ? p : encodeURIComponent(p)));
  return `file://${slashed.startsWith('/') ? '' : '/'}${parts.join('/')}`;
}

/** Downloads a file from a plain page. */
export function downloadFile(file: SavedFile): void {
  const body = file.encoding === 'base64' ? base64ToBytes(file.data) : file.data;
  const url = URL.createObjectURL(new Blob([body], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

class VsCodeBridge implements HostBridge {
  readonly kind = 'vscode' as const;
  constructor(private readonly api: VsCodeApi) {}
  post(message: { type: string }): void {
    this.api.postMessage(message);
  }
  onMessage(handler: (message: { type: string }) => void): void {
    window.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') {
        handler(data as { type: string });
      }
    });
  }
  getState<T>(): T | undefined {
    return (this.api.getState() as T | null) ?? undefined;
  }
  setState(state: unknown): void {
    this.api.setState(state);
  }
  saveFile(file: SavedFile): void {
    this.api.postMessage({ type: 'export', ...file });
  }
}

/**
 * A page bridge answers `ready` itself with `{type: <replyType>, payload}` from the JSON data
 * element, opens `{type: 'open', file}` as a file URL in a new tab, and ignores other messages (a
 * plain page has no host to ask).
 */
class PageBridge implements HostBridge {
  readonly kind = 'page' as const;
  private handlers: ((message: { type: string }) => void)[] = [];
  constructor(
    private readonly dataElementId: string,
    private readonly replyType: string,
    private readonly storageKey: string,
  ) {}
  post(message: { type: string }): void {
    const file = (message as { file?: unknown }).file;
    if (message.type === 'open' && typeof file === 'string') {
      // A page from disk can open the file beside it in a new tab.
      window.open(fileUrl(file), '_blank', 'noopener');
      return;
    }
    if (message.type !== 'ready') return;
    const element = document.getElementById(this.dataElementId);
    let reply: { type: string; payload?: unknown; message?: string };
    try {
      if (!element) throw new Error(`this page holds no data (no #${this.dataElementId} element)`);
      reply = { type: this.replyType, payload: JSON.parse(element.textContent ?? '') };
    } catch (err) {
      reply = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    queueMicrotask(() => this.handlers.forEach((h) => h(reply)));
  }
  onMessage(handler: (message: { type: string }) => void): void {
    this.handlers.push(handler);
  }
  getState<T>(): T | undefined {
    try {
      const raw = sessionStorage.getItem(this.storageKey);
      return raw ? (JSON.parse(raw) as T) : undefined;
    } catch {
      return undefined;
    }
  }
  setState(state: unknown): void {
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(state));
    } catch {
      // Storage full or disabled (file:// in some browsers): the view still works, without memory.
    }
  }
  saveFile(file: SavedFile): void {
    downloadFile(file);
  }
}

export function connectHost(options: {
  dataElementId: string;
  replyType: string;
  storageKey: string;
}): HostBridge {
  if (typeof acquireVsCodeApi === 'function') return new VsCodeBridge(acquireVsCodeApi());
  return new PageBridge(options.dataElementId, options.replyType, options.storageKey);
}
