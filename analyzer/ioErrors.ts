/**
 * What a file-system error means, in the C library's words (what `ls` or `cat` would print), once for
 * every command: `ioProblem(err)` turns `ENOENT: no such file or directory, open '/x'` into "no such
 * file or directory", a dangling symbolic link into "broken symbolic link", and a name that is not
 * UTF-8 into advice to rename it. Errors without an errno keep their own message.
 */
import { lstatSync } from 'node:fs';

/** strerror(3) for the errors a file or directory read meets. */
const PHRASES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device or address',
};

/** The replacement character Node puts in a file name that is not valid UTF-8. */
const UNDECODABLE_NAME = '\uFFFD';
export const NOT_UTF8_NAME = 'no such file: its name is not valid UTF-8 (rename it to read it)';
export const BROKEN_LINK = 'broken symbolic link: its target does not exist';

/** A symbolic link whose target is missing (ENOENT on a path that is there). */
function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The meaning of an errno code (`ENOENT` → "no such file or directory"), or undefined. */
export function errnoPhrase(code: string | undefined): string | undefined {
  return code ? PHRASES[code] : undefined;
}

/**
 * An error as one short phrase. `path` (default: the error's own) is checked for a dangling link
 * or an undecodable name on ENOENT; `code: true` appends the code, as `(ENOENT)`.
 */
export function ioProblem(err: unknown, opts: { path?: string; code?: boolean } = {}): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let phrase = errnoPhrase(code);
  if (!phrase) return err instanceof Error ? err.message : String(err);
  const p = opts.path ?? (typeof e?.path === 'string' ? e.path : undefined);
  if (code === 'ENOENT' && p?.includes(UNDECODABLE_NAME)) return NOT_UTF8_NAME;
  if (code === 'ENOENT' && p && isDanglingLink(p)) phrase = BROKEN_LINK;
  return opts.code ? `${phrase} (${code})` : phrase;
}
