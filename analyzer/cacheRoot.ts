/** Where every pyrats cache lives unless a caller names another root. */
import os from 'node:os';
import path from 'node:path';

/** `$XDG_CACHE_HOME/pyrats` (an absolute XDG_CACHE_HOME only, as the XDG spec asks) or `~/.cache/pyrats`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'pyrats');
}
