/**
 * An on-disk cache of extraction results keyed by file path, size and modification time, under
 * `$XDG_CACHE_HOME/pyrats` (default `~/.cache/pyrats`). Entries are sharded by source directory
 * (one small JSON file per directory), so a run that needs a few files reads a few shards.
 * Shards are loaded lazily and written atomically (temp file + rename) by `flush()`.
 *
 * It does not extract anything, and never caches I/O failures or size-cap refusals (those depend
 * on the moment or the options, not on the file's content). A corrupt shard counts as empty.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExtractResult, SourceProblem } from './extractImports';
import type { ImportSite } from './importSite';
import { isNotebookPath } from '../notebook/readNotebook';
import { defaultCacheDir } from '../cacheRoot';
import { replacePrivateFile } from '../privateFiles';

/** Bump when extraction results change meaning, so older caches are ignored. */
export const EXTRACT_CACHE_VERSION = 'extract-v2';

/**
 * On disk a result is packed into arrays (a third of the size of plain JSON, and much faster to
 * parse): [encoding, syntaxOk 0|1, problems [[kind, message, line|null]...], syntaxFrom|null, sites]
 * where sites is one flat array of SITE_FIELDS values per site.
 */
type PackedResult = [
  string,
  0 | 1,
  [SourceProblem['kind'], string, number | null][],
  'pycache' | null,
  unknown[],
];
type PackedEntry = [size: number, mtimeMs: number, result: PackedResult];

const KINDS: ImportSite['kind'][] = ['import', 'from', 'star', 'dynamic'];
const GUARDS: ImportSite['guarded'][] = [null, 'try', 'if'];
const SITE_FIELDS = 15;

function packResult(r: ExtractResult): PackedResult {
  const sites: unknown[] = [];
  for (const s of r.sites) {
    sites.push(
      KINDS.indexOf(s.kind),
      s.module,
      s.name,
      s.asname,
      s.level,
      s.range.start.line,
      s.range.start.character,
      s.range.end.line,
      s.range.end.character,
      s.statementRange.start.line,
      s.statementRange.start.character,
      s.statementRange.end.line,
      s.statementRange.end.character,
      GUARDS.indexOf(s.guarded),
      s.inFunction ? 1 : 0,
    );
  }
  return [
    r.encoding,
    r.syntaxOk ? 1 : 0,
    r.problems.map((p) => [p.kind, p.message, p.line ?? null]),
    r.syntaxFrom ?? null,
    sites,
  ];
}

/** The result of a packed entry, or undefined when it is malformed. */
function unpackResult(p: PackedResult): ExtractResult | undefined {
  if (!Array.isArray(p) || p.length !== 5 || !Array.isArray(p[2]) || !Array.isArray(p[4])) return undefined;
  const flat = p[4] as (string | number | null)[];
  if (flat.length % SITE_FIELDS !== 0) return undefined;
  const sites: ImportSite[] = [];
  for (let i = 0; i < flat.length; i += SITE_FIELDS) {
    const n = flat as number[];
    const t = flat as (string | null)[];
    sites.push({
      module: t[i + 1],
      name: t[i + 2],
      asname: t[i + 3],
      level: n[i + 4],
      range: { start: { line: n[i + 5], character: n[i + 6] }, end: { line: n[i + 7], character: n[i + 8] } },
      statementRange: {
        start: { line: n[i + 9], character: n[i + 10] },
        end: { line: n[i + 11], character: n[i + 12] },
      },
      kind: KINDS[n[i]],
      guarded: GUARDS[n[i + 13]],
      inFunction: n[i + 14] === 1,
    });
  }
  const problems: SourceProblem[] = p[2].map(([kind, message, line]) =>
    line === null ? { kind, message } : { kind, message, line },
  );
  const result: ExtractResult = { sites, syntaxOk: p[1] === 1, encoding: p[0], problems };
  if (p[3]) result.syntaxFrom = p[3];
  return result;
}

interface Shard {
  dir: string;
  entries: Record<string, PackedEntry>;
  dirty: boolean;
}

/** node:crypto is loaded on first use: it costs ~5 ms of start-up, and most runs never open a shard. */
function sha1Hex(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha1').update(text).digest('hex');
}

export class ExtractCache {
  /** Where the shards live (a version-specific folder under the cache root). */
  readonly dir: string;
  private readonly shards = new Map<string, Shard>();
  hits = 0;
  misses = 0;

  constructor(root: string = defaultCacheDir()) {
    this.dir = path.join(root, EXTRACT_CACHE_VERSION);
  }

  private shardFile(sourceDir: string): string {
    return path.join(this.dir, `${sha1Hex(sourceDir)}.json`);
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
    const result = Array.isArray(e) && e[0] === size && e[1] === mtimeMs ? unpackResult(e[2]) : undefined;
    if (result) this.hits++;
    else this.misses++;
    return result;
  }

  /**
   * Remembers a result (not for io or too-large outcomes, nor for notebooks: their sites carry
   * cells, and how they read depends on the extractor's notebookReading).
   */
  set(file: string, size: number, mtimeMs: number, result: ExtractResult): void {
    if (result.problems.some((p) => p.kind === 'io' || p.kind === 'too-large')) return;
    if (isNotebookPath(file)) return;
    const abs = path.resolve(file);
    const s = this.shard(path.dirname(abs));
    s.entries[path.basename(abs)] = [size, mtimeMs, packResult(result)];
    s.dirty = true;
  }

  /** Writes changed shards. Failures (read-only home, full disk) are returned, not thrown. */
  flush(): Error | undefined {
    let failure: Error | undefined;
    for (const s of this.shards.values()) {
      if (!s.dirty) continue;
      try {
        replacePrivateFile(this.shardFile(s.dir), JSON.stringify({ dir: s.dir, entries: s.entries }));
        s.dirty = false;
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    return failure;
  }
}
