/**
 * Entry of the graph bundle (dist/media/graph.js): connects to the host (VS Code webview or the
 * standalone page), says `ready`, and renders each graph it receives. The same bundle serves both.
 */
import './graph.css';
import './page.css';
import { connectHost } from '../shared/bridge';
import type { GraphHostMessage, GraphPayload, GraphViewMessage } from './messages';
import { renderGraph, type GraphView, type GraphViewState } from './render';

export { renderGraph } from './render';

declare global {
  interface Window {
    /** The live view, for scripting the standalone page (and for tests). */
    pyratsGraph?: GraphView;
  }
}

const container = document.getElementById('pyrats-graph') ?? document.body;
const host = connectHost({
  dataElementId: 'pyrats-graph-data',
  replyType: 'graph',
  storageKey: `pyrats-graph:${location.pathname}`,
});
const post = (message: GraphViewMessage) => host.post(message);

let view: GraphView | undefined;
let message: HTMLElement | undefined;

function showMessage(text: string, error = false): void {
  message ??= container.insertBefore(document.createElement('div'), container.firstChild);
  message.className = error ? 'pg-message pg-error' : 'pg-message';
  message.setAttribute('role', error ? 'alert' : 'status');
  message.textContent = text;
  message.hidden = false;
}

let latestSource: GraphPayload['source'];

function show(payload: GraphPayload): void {
  if (message) message.hidden = true;
  latestSource = payload.source;
  if (view) {
    view.update(payload);
    return;
  }
  const saved = host.getState<{ view?: GraphViewState }>();
  // The host's own note (what the graph shows) is kept beside the view so it can restore the panel.
  const source = payload.source;
  view = renderGraph(container, payload, {
    initialState: saved?.view,
    onOpen: (node) => node.file && post({ type: 'open', file: node.file }),
    onSave: (file) => host.saveFile(file),
    onStateChange: (state) => host.setState({ view: state, source: latestSource ?? source }),
    onScopeChange: (scope) => {
      showMessage(`Loading the ${scope === 'script' ? "script's" : "workspace's"} graph…`);
      post({ type: 'requestGraph', scope });
    },
  });
  window.pyratsGraph = view;
}

host.onMessage((raw) => {
  const msg = raw as GraphHostMessage;
  switch (msg.type) {
    case 'graph':
      try {
        show(msg.payload);
      } catch (err) {
        showMessage(`Cannot draw this graph: ${err instanceof Error ? err.message : String(err)}`, true);
      }
      break;
    case 'loading':
      showMessage(msg.message);
      break;
    case 'error':
      showMessage(msg.message, true);
      break;
  }
});

post({ type: 'ready' });
