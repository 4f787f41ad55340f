/**
 * The graph canvas's keyboard map: which key does what (the help in the side panel lists the same).
 * `keyCommand` names the command for a key event; the view carries it out.
 */

export type KeyCommand =
  | { kind: 'move'; dx: number; dy: number }
  | { kind: 'pan'; dx: number; dy: number }
  | {
      kind:
        | 'activate'
        | 'collapse'
        | 'zoomIn'
        | 'zoomOut'
        | 'fit'
        | 'search'
        | 'nextMatch'
        | 'previousMatch'
        | 'nextCycle'
        | 'path'
        | 'clear';
    };

const DIRECTIONS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

const KEYS: Record<string, KeyCommand['kind']> = {
  Enter: 'activate',
  ' ': 'activate',
  c: 'collapse',
  C: 'collapse',
  '+': 'zoomIn',
  '=': 'zoomIn',
  '-': 'zoomOut',
  _: 'zoomOut',
  '0': 'fit',
  '/': 'search',
  n: 'nextMatch',
  p: 'previousMatch',
  N: 'previousMatch',
  y: 'nextCycle',
  t: 'path',
  T: 'path',
  Escape: 'clear',
};

/** Pixels one Shift+arrow pans. */
export const PAN_STEP = 60;

/** The command for a key (arrows: move the focus; Shift+arrows: pan), or null when the key is not ours. */
export function keyCommand(e: Pick<KeyboardEvent, 'key' | 'shiftKey'>): KeyCommand | null {
  const dir = DIRECTIONS[e.key];
  if (dir) return { kind: e.shiftKey ? 'pan' : 'move', dx: dir[0], dy: dir[1] };
  const kind = Object.prototype.hasOwnProperty.call(KEYS, e.key) ? KEYS[e.key] : undefined;
  return kind ? ({ kind } as KeyCommand) : null;
}

/** Whether a command moves the camera (then it no longer follows the layout by itself). */
export function movesCamera(command: KeyCommand): boolean {
  return ['move', 'pan', 'zoomIn', 'zoomOut'].includes(command.kind);
}
