/**
 * An on-disk cache of extraction results keyed by file path, size and modification time, under
 * `$XDG_CACHE_HOME/pyrats` (default `~/.cache/pyrats`). Entries are sharded by source directory
 * (one small JSON file per directory), so a run that needs a few files reads a few shards.
 * Shards are loaded lazily and written atomically (temp file + rename) by `flush()`.
 *
 * It does not extract anything, and never caches I/O failures or size-cap refusals (those depend
 * on the moment or the options, not on the file's content). A corrupt shard counts as empty.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExtractResult } from './extractImports';

/** Bump when extraction results change meaning, so older caches are ignored. */
export const EXTRACT_CACHE_VERSION = 'extract-v1';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  result: ExtractResult;
}

interface Shard {
  dir: string;
  entries: Record<string, CacheEntry>;
  dirty: boolean;
}

/** The default cache root: `$XDG_CACHE_HOME/pyrats` or `~/.cache/pyrats`. */
export function defaultCacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'pyrats');
}

export class ExtractCache {
  /** Where the shards live (a version-specific folder under the cache root). */
  readonly dir: string;
  private readonly shards = new Map<string, Shard>();
  hits = 0;
  misses = 0;

  constructor(root: string = defaultCacheRoot()) {
    this.dir = path.join(root, EXTRACT_CACHE_VERSION);
  }

  private shardFile(sourceDir: string): string {
    return path.join(this.dir, `${createHash('sha1').update(sourceDir).digest('hex')}.json`);
  }

  private shard(sourceDir: string): Shard {
    let s = this.shards.get(sourceDir);
    if (s) return s;
    s = { dir: sourceDir, entries: {}, dirty: false };
    try {
      const data = JSON.parse(readFileSync(this.shardFile(sourceDir), 'utf8')) as Partial<Shard>;
      if (data && data.dir === sourceDir && data.entries && typeof data.entries === 'object')
        s.entries = data.entries;
    } catch {
      // missing or corrupt shard: start empty
    }
    this.shards.set(sourceDir, s);
    return s;
  }

  /** The cached result for this file, when its size and mtime are unchanged. */
  get(file: string, size: number, mtimeMs: number): ExtractResult | undefined {
    const abs = path.resolve(file);
    const e = this.shard(path.dirname(abs)).entries[path.basename(abs)];
    if (e && e.size === size && e.mtimeMs === mtimeMs) {
      this.hits++;
      return e.result;
    }
    this.misses++;
    return undefined;
  }

  /** Remembers a result (not for io or too-large outcomes). */
  set(file: string, size: number, mtimeMs: number, result: ExtractResult): void {
    if (result.problems.some((p) => p.kind === 'io' || p.kind === 'too-large')) return;
    const abs = path.resolve(file);
    const s = this.shard(path.dirname(abs));
    s.entries[path.basename(abs)] = { size, mtimeMs, result };
    s.dirty = true;
  }

  /** Writes changed shards. Failures (read-only home, full disk) are returned, not thrown. */
  flush(): Error | undefined {
    let failure: Error | undefined;
    for (const s of this.shards.values()) {
      if (!s.dirty) continue;
      try {
        mkdirSync(this.dir, { recursive: true });
        const file = this.shardFile(s.dir);
        const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        writeFileSync(tmp, JSON.stringify({ dir: s.dir, entries: s.entries }));
        renameSync(tmp, file);
        s.dirty = false;
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    return failure;
  }
}
