/**
 * The follow closure as the CLI commands that print or send it (deps, emit) compute it: the target
 * interpreter from `--env FILE` or `--python P`, and unless `--no-cache` the interpreter, extraction
 * and closure caches (analyzer/graph/followCache.ts).
 */
import { loadEnvironment, type Environment } from '../../analyzer/env/environment';
import { defaultCacheDir } from '../../analyzer/cacheRoot';
import { interpreterEnvironment } from '../../analyzer/env/introspect';
import type { FollowOptions, FollowResult } from '../../analyzer/graph/follow';
import { followWithCache } from '../../analyzer/graph/followCache';

export interface TargetOptions {
  python?: string;
  env?: string;
  'no-cache'?: boolean;
}

/** The target interpreter of `--python P` (default `python3`) or a saved `--env FILE` (deps, graph). */
export async function targetEnvironment(values: TargetOptions): Promise<Environment> {
  return knownOrPendingEnvironment(values);
}

/** The target environment: known at once from `--env` or the interpreter cache, else a promise. */
function knownOrPendingEnvironment(values: TargetOptions): Environment | Promise<Environment> {
  if (values.env) return loadEnvironment(values.env);
  return interpreterEnvironment(values.python ?? 'python3', values['no-cache'] ? { cacheDir: false } : {});
}

/**
 * The closure of `scripts`. The environment is known at once when it comes from `--env` or the cache;
 * then a saved closure whose grounds still hold is used. Otherwise the interpreter is asked while the
 * scripts are parsed. Cache writes happen after the caller's output (deferredWritesDone()).
 */
export async function followForCli(
  scripts: string[],
  target: TargetOptions,
  opts: FollowOptions,
): Promise<{ result: FollowResult; env: Environment; fromCache: boolean }> {
  const useCache = !target['no-cache'];
  const env = knownOrPendingEnvironment(target);
  const extraction = { ...opts.extraction, cache: useCache, deferCacheWrite: true };
  const { result, fromCache } = await followWithCache(
    scripts,
    env,
    { ...opts, extraction },
    useCache ? { dir: defaultCacheDir(), salt: process.env.PYRATS_VERSION ?? '' } : undefined,
  );
  return { result, env: await env, fromCache };
}
