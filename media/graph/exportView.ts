/**
 * Turns the graph view as it stands into a file to save: DOT, Mermaid and JSON from the view model,
 * SVG of the viewport, PNG of the canvas. The writers are in exporters.ts; this picks the name, the
 * MIME type and the encoding for each format.
 */
import type { ZoomTransform } from 'd3';
import type { SavedFile } from '../shared/bridge';
import type { Colours } from './draw';
import { toDot, toJson, toMermaid, toSvg, type Point } from './exporters';
import type { GraphExportFormat } from './messages';
import { radiusOf } from './scene';
import type { ViewGraph } from './transforms';

/** The view at the moment of the export. */
export interface ExportSource {
  view: ViewGraph;
  title: string;
  positions: Map<string, Point>;
  transform: ZoomTransform;
  width: number;
  height: number;
  colours: Colours;
  /** The node ids whose labels are drawn now (the SVG shows the same). */
  labelled(): Set<string>;
  /** The canvas, freshly drawn, as a PNG data URL. */
  pngDataUrl(): string;
}

export function safeFileName(title: string): string {
  return (title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'dependencies').slice(0, 80);
}

export function exportFile(format: GraphExportFormat, s: ExportSource): SavedFile {
  const base = safeFileName(s.title);
  const text = (ext: string, mime: string, data: string): SavedFile => ({
    fileName: `${base}.${ext}`,
    mime,
    data,
    encoding: 'utf8',
  });
  switch (format) {
    case 'dot':
      return text('dot', 'text/vnd.graphviz', toDot(s.view, s.title));
    case 'mermaid':
      return text('mmd', 'text/plain', toMermaid(s.view, s.title));
    case 'json':
      return text('json', 'application/json', toJson(s.view, s.title, s.positions));
    case 'svg': {
      const t = s.transform;
      const svg = toSvg({
        view: s.view,
        positions: s.positions,
        radius: radiusOf,
        transform: { x: t.x, y: t.y, k: t.k },
        width: s.width,
        height: s.height,
        palette: s.colours,
        title: s.title,
        labelled: s.labelled(),
      });
      return text('svg', 'image/svg+xml', svg);
    }
    case 'png': {
      const url = s.pngDataUrl();
      return {
        fileName: `${base}.png`,
        mime: 'image/png',
        data: url.slice(url.indexOf(',') + 1),
        encoding: 'base64',
      };
    }
  }
}
