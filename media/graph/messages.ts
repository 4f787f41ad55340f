/**
 * Messages between the graph webview and its host, and the payload both carry: defined once in
 * server/protocol.ts (the client uses the same types), re-exported here for the media code.
 */
export type {
  GraphExportFormat,
  GraphHostMessage,
  GraphPayload,
  GraphScope,
  GraphViewMessage,
} from '../../server/protocol';
