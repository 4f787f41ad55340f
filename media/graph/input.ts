/**
 * Pointer and keyboard input on the graph canvas, turned into what the view acts on: the node under
 * the pointer (hover, click, right-click) and the key's command (keys.ts). Arrow, Enter, Space and
 * `/` keep the browser from scrolling or typing.
 */
import { keyCommand, type KeyCommand } from './keys';
import type { SimNode } from './scene';

export interface CanvasActions {
  /** The node under a point in client coordinates. */
  hit(clientX: number, clientY: number): SimNode | null;
  /** The pointer is over `n` (null: over nothing, or it left). */
  hover(n: SimNode | null, e?: PointerEvent): void;
  click(n: SimNode): void;
  contextMenu(n: SimNode): void;
  key(command: KeyCommand): void;
  /** The canvas got the keyboard focus. */
  focus(): void;
}

const PREVENT_DEFAULT: KeyCommand['kind'][] = ['move', 'pan', 'activate', 'search'];

export function listenToCanvas(canvas: HTMLCanvasElement, actions: CanvasActions): void {
  canvas.addEventListener('pointermove', (e) => {
    if (!e.buttons) actions.hover(actions.hit(e.clientX, e.clientY), e);
  });
  canvas.addEventListener('pointerleave', () => actions.hover(null));
  canvas.addEventListener('click', (e) => {
    const n = actions.hit(e.clientX, e.clientY);
    if (n) actions.click(n);
  });
  canvas.addEventListener('contextmenu', (e) => {
    const n = actions.hit(e.clientX, e.clientY);
    if (!n) return;
    e.preventDefault();
    actions.contextMenu(n);
  });
  canvas.addEventListener('keydown', (e) => {
    const command = keyCommand(e);
    if (!command) return;
    if (PREVENT_DEFAULT.includes(command.kind)) e.preventDefault();
    actions.key(command);
  });
  canvas.addEventListener('focus', () => actions.focus());
}
