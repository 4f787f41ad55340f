/**
 * Privacy for paths that leave the machine (records, requests): `home` replaces the user's home
 * directory by `~`; `hash` does that and also replaces every path component below it by a short
 * stable hash, keeping the file extension (so `~/9f86d081884c/1b4f0e9851971.py` still reads as a
 * Python file and the same file always maps to the same text); `none` leaves paths as they are.
 * Paths outside the home directory (the interpreter's own libraries) are never changed.
 *
 * Hashes are SHA-256 of an optional salt plus the component, cut to 12 hex digits: they hide names
 * from casual reading but are not secret against someone guessing common names. This module rewrites
 * strings; it reads the file system only to find the real path of the home directory.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import os from 'node:os';

export type RedactMode = 'none' | 'home' | 'hash';

export const REDACT_MODES: readonly RedactMode[] = ['none', 'home', 'hash'];

export interface RedactOptions {
  mode: RedactMode;
  /** The home directory and its other spellings (e.g. its real path when `/home` is a symlink). */
  homes: readonly string[];
  /** Mixed into every hash (e.g. a per-centre secret) so hashes cannot be matched across centres. */
  salt?: string;
}

function hashComponent(component: string, salt: string, keepExtension: boolean): string {
  const h = createHash('sha256').update(salt).update(component).digest('hex').slice(0, 12);
  if (!keepExtension) return h;
  const dot = component.lastIndexOf('.');
  return dot > 0 ? `${h}${component.slice(dot)}` : h;
}

/** The part of `p` below one of the home directories (`''` for the home itself), or null. */
function belowHome(p: string, homes: readonly string[]): string | null {
  for (const raw of homes) {
    const home = raw.replace(/\/+$/, '');
    if (!home) continue;
    if (p === home) return '';
    if (p.startsWith(`${home}/`)) return p.slice(home.length + 1);
  }
  return null;
}

function hashRelative(rel: string, salt: string): string {
  const parts = rel.split('/');
  return parts.map((c, i) => (c ? hashComponent(c, salt, i === parts.length - 1) : c)).join('/');
}

/** Redacts one absolute path. */
export function redactPath(p: string, options: RedactOptions): string {
  if (options.mode === 'none') return p;
  const rest = belowHome(p, options.homes);
  if (rest === null) return p;
  if (rest === '') return '~';
  return options.mode === 'home' ? `~/${rest}` : `~/${hashRelative(rest, options.salt ?? '')}`;
}

/**
 * Redacts a PyRats (root, relative-path) pair. With `hash`, the relative part of a pair whose root is in
 * the home directory is hashed too (it names the user's files); for other roots it is kept.
 */
export function redactPair(root: string, rel: string, options: RedactOptions): [string, string] {
  if (options.mode === 'none') return [root, rel];
  const rest = belowHome(root, options.homes);
  if (rest === null) return [root, rel];
  const newRoot = redactPath(root, options);
  return [newRoot, options.mode === 'hash' ? hashRelative(rel, options.salt ?? '') : rel];
}

/** Parses a mode name from a flag or setting; throws a specific Error for anything else. */
export function parseRedactMode(text: string): RedactMode {
  if ((REDACT_MODES as readonly string[]).includes(text)) return text as RedactMode;
  throw new Error(`'${text}' is not a redaction mode: use one of ${REDACT_MODES.join(', ')}`);
}

/** The current user's home directory and, when different, its real path. */
export function defaultHomes(): string[] {
  const home = os.homedir();
  if (!home || home === '/') return [];
  try {
    const real = realpathSync(home);
    return real === home ? [home] : [home, real];
  } catch {
    return [home];
  }
}
