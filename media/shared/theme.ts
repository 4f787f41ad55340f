/**
 * Theme for webview canvases: reads the page's CSS custom properties (which map VS Code's
 * `--vscode-*` variables, with light and dark fallbacks for a standalone page) into opaque colours a
 * canvas can use, and tells when the theme changes (VS Code swaps body classes and the html style;
 * a browser changes `prefers-color-scheme`).
 */

/** `rgb(...)`/`#rgb[a]`/named colour → [r, g, b, a]; null when the browser cannot parse it. */
function parseColour(ctx: CanvasRenderingContext2D, colour: string): [number, number, number, number] | null {
  ctx.fillStyle = '#010203';
  ctx.fillStyle = colour;
  const norm = String(ctx.fillStyle);
  if (norm === '#010203' && colour.trim().toLowerCase() !== '#010203') return null;
  if (norm.startsWith('#')) {
    const n = parseInt(norm.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const m = norm.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const [r, g, b, a] = m[1].split(',').map((s) => parseFloat(s));
  return [r, g, b, a ?? 1];
}

const hex = (v: number) => Math.round(v).toString(16).padStart(2, '0');

let scratch: CanvasRenderingContext2D | null = null;

/**
 * Reads the custom property `name` on `element` and returns it as an opaque `#rrggbb` colour,
 * blended over `background` when it is translucent (VS Code theme colours often are).
 */
export function cssColour(element: Element, name: string, fallback: string, background?: string): string {
  scratch ??= document.createElement('canvas').getContext('2d');
  const raw = getComputedStyle(element).getPropertyValue(name).trim() || fallback;
  if (!scratch) return raw;
  const c = parseColour(scratch, raw) ?? parseColour(scratch, fallback);
  if (!c) return fallback;
  let [r, g, b] = c;
  const a = c[3];
  if (a < 1 && background) {
    const bg = parseColour(scratch, background) ?? [255, 255, 255, 1];
    r = r * a + bg[0] * (1 - a);
    g = g * a + bg[1] * (1 - a);
    b = b * a + bg[2] * (1 - a);
  }
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

export function cssValue(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** True when VS Code (or the OS, for a standalone page) asks for a high-contrast theme. */
export function isHighContrast(): boolean {
  const cls = document.body.classList;
  return (
    cls.contains('vscode-high-contrast') ||
    cls.contains('vscode-high-contrast-light') ||
    (typeof matchMedia === 'function' && matchMedia('(forced-colors: active)').matches)
  );
}

/** Calls `onChange` whenever the theme may have changed; returns a function that stops watching. */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  media?.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', onChange);
  };
}
