/**
 * Extracts many files at once: unchanged files come from the on-disk ExtractCache (path, size,
 * mtime), the rest are parsed in parallel by worker threads (each with its own parser, see
 * extractWorker.ts) plus this thread, biggest files first. A BatchExtractor keeps its workers for
 * repeated calls (the follow loop extracts wave after wave); `extractFiles` is the one-shot form.
 *
 * Results come back in the order of the input paths, one per path, never thrown: unreadable files
 * get an `io` problem. Without the bundled worker script (e.g. tests running TypeScript sources)
 * everything runs in this thread. It does not resolve or follow imports.
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { deferWrite } from '../deferredWrites';
import { ExtractCache } from './extractCache';
import { ioProblem } from '../ioErrors';
import type { NotebookReading } from '../notebook/notebookModule';
import {
  factsOf,
  ImportExtractor,
  type ExtractorOptions,
  type ExtractResult,
  type FileFacts,
} from './extractImports';

export interface BatchOptions {
  /** Parallel extractors, this thread included (default: up to 2, bounded by the CPU count). 1 = no workers. */
  workers?: number;
  /** `true` for the default cache directory, or a cache instance; default none. */
  cache?: boolean | ExtractCache;
  /** Size cap per file in bytes (default 5 MiB). */
  maxBytes?: number;
  /** Per-file parse time limit in ms (default 10 s). */
  timeoutMs?: number;
  /** Trust matching `__pycache__` bytecode as proof of valid syntax (see ExtractorOptions). Default true. */
  trustPycache?: boolean;
  /** How notebooks are read (see ExtractorOptions.notebookReading). Default `kernel`. */
  notebookReading?: NotebookReading;
  /** The bundled worker script; default `extractWorker.js` beside this bundle, or `$PYRATS_EXTRACT_WORKER`. */
  workerScript?: string;
  /**
   * Write the on-disk cache once, after dispose() has returned (on the next turn of the event loop),
   * instead of after every batch: a command's output is not held up by the cache write. The command
   * then awaits deferredWritesDone() (analyzer/deferredWrites.ts) before it ends. Default false.
   */
  deferCacheWrite?: boolean;
}

/**
 * A worker takes 100–500 ms to start (bundle, wasm); it pays off only for a batch with this many
 * bytes per extra thread (and a few files). Smaller batches stay in this thread unless warmUp()
 * started the workers already.
 */
const BYTES_PER_WORKER = 4 * 1024 * 1024;
const FILES_PER_WORKER = 6;
/** Jobs sent ahead to each worker so it never waits for this thread. */
const IN_FLIGHT = 3;

interface Job {
  index: number;
  file: string;
  facts: FileFacts;
}

interface WorkerHandle {
  worker: Worker;
  ready: boolean;
  whenReady: Promise<void>;
  dead: boolean;
  inFlight: Map<number, Job>;
}

function locateWorkerScript(explicit?: string): string | undefined {
  const candidates = [explicit, process.env.PYRATS_EXTRACT_WORKER];
  if (typeof __dirname !== 'undefined') candidates.push(path.join(__dirname, 'extractWorker.js'));
  return candidates.find((c): c is string => !!c && existsSync(c));
}

function ioFailure(message: string): ExtractResult {
  return { sites: [], syntaxOk: false, encoding: 'utf-8', problems: [{ kind: 'io', message }] };
}

export class BatchExtractor {
  private readonly workers: WorkerHandle[] = [];
  private local: ImportExtractor | undefined;
  private readonly cache: ExtractCache | undefined;
  private readonly parallelism: number;
  private readonly workerScript: string | undefined;
  private nextId = 1;
  private queue: Job[] = [];

  constructor(private readonly options: BatchOptions = {}) {
    const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.parallelism = Math.max(1, Math.floor(options.workers ?? Math.min(2, cpus)));
    this.cache = options.cache === true ? new ExtractCache() : options.cache || undefined;
    this.workerScript = this.parallelism > 1 ? locateWorkerScript(options.workerScript) : undefined;
  }

  private extractorOptions(): ExtractorOptions {
    const { maxBytes, trustPycache, timeoutMs, notebookReading } = this.options;
    return { maxBytes, trustPycache, timeoutMs, notebookReading };
  }

  /** How many files were extracted by worker threads and by this thread. */
  readonly stats = { byWorkers: 0, inThisThread: 0 };

  /**
   * Starts all worker threads now and waits until they have loaded the grammar, so that the first
   * batch is shared from the start (e.g. before a follow loop). Without a worker script: nothing.
   */
  async warmUp(): Promise<void> {
    if (this.workerScript)
      while (this.workers.length < this.parallelism - 1) this.startWorker(this.workerScript);
    await Promise.all(this.workers.map((w) => w.whenReady));
  }

  /** Cache statistics of this extractor's lifetime (hits, misses). */
  get cacheStats(): { hits: number; misses: number } {
    return { hits: this.cache?.hits ?? 0, misses: this.cache?.misses ?? 0 };
  }

  /** One result per file, in the same order. Calls are served one after the other. */
  extract(files: readonly string[]): Promise<ExtractResult[]> {
    const next = this.serial.then(() => this.extractNow(files));
    this.serial = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private serial: Promise<void> = Promise.resolve();

  private async extractNow(files: readonly string[]): Promise<ExtractResult[]> {
    const results: ExtractResult[] = new Array(files.length);
    const todo: Job[] = [];
    for (let index = 0; index < files.length; index++) {
      const file = files[index];
      let facts: FileFacts;
      try {
        facts = factsOf(statSync(file));
      } catch (err) {
        results[index] = ioFailure(ioProblem(err));
        continue;
      }
      const hit = facts.regular ? this.cache?.get(file, facts.size, facts.mtimeMs) : undefined;
      if (hit) results[index] = hit;
      else todo.push({ index, file, facts });
    }
    if (todo.length) {
      todo.sort((a, b) => b.facts.size - a.facts.size);
      await this.run(todo, results);
    }
    if (!this.options.deferCacheWrite) this.cache?.flush();
    return results;
  }

  private async run(todo: Job[], results: ExtractResult[]): Promise<void> {
    const bytes = todo.reduce((n, j) => n + j.facts.size, 0);
    const wanted = Math.min(
      this.parallelism - 1,
      Math.floor(todo.length / FILES_PER_WORKER),
      Math.floor(bytes / BYTES_PER_WORKER),
    );
    if (this.workerScript) while (this.workers.length < wanted) this.startWorker(this.workerScript);
    this.queue = todo;
    let remaining = todo.length;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const store = (job: Job, result: ExtractResult): void => {
      results[job.index] = result;
      this.cache?.set(job.file, job.facts.size, job.facts.mtimeMs, result);
      if (--remaining === 0) finish();
    };
    this.onResult = store;
    for (const w of this.workers) this.feed(w);
    // this thread works through the queue too, yielding between files so workers stay fed
    this.local ??= await ImportExtractor.create(this.extractorOptions());
    while (this.queue.length) {
      const job = this.queue.shift()!;
      store(job, this.local.extractFileSync(job.file, job.facts));
      this.stats.inThisThread++;
      // let worker replies in before the next file
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const w of this.workers) this.feed(w);
    }
    if (remaining > 0) await finished;
    this.onResult = undefined;
  }

  private onResult: ((job: Job, result: ExtractResult) => void) | undefined;

  private feed(w: WorkerHandle): void {
    if (!w.ready || w.dead) return;
    while (w.inFlight.size < IN_FLIGHT && this.queue.length) {
      const job = this.queue.shift()!;
      const id = this.nextId++;
      w.inFlight.set(id, job);
      w.worker.postMessage({ id, file: job.file, facts: job.facts });
    }
  }

  private startWorker(script: string): void {
    // loaded here, not at module level: ~3 ms of start-up that a run of one or two files never needs
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new Worker(script, { workerData: this.extractorOptions() });
    let readyNow!: () => void;
    const whenReady = new Promise<void>((resolve) => (readyNow = resolve));
    const handle: WorkerHandle = { worker, ready: false, whenReady, dead: false, inFlight: new Map() };
    worker.unref();
    worker.on('message', (msg: { ready?: boolean; id?: number; result?: ExtractResult; error?: string }) => {
      if (msg.ready) {
        handle.ready = true;
        readyNow();
        this.feed(handle);
        return;
      }
      const job = msg.id !== undefined ? handle.inFlight.get(msg.id) : undefined;
      if (!job) return;
      handle.inFlight.delete(msg.id!);
      this.stats.byWorkers++;
      this.onResult?.(job, msg.result ?? ioFailure(`extraction failed: ${msg.error ?? 'unknown error'}`));
      this.feed(handle);
    });
    const lost = (): void => {
      if (handle.dead) return;
      handle.dead = true;
      readyNow();
      // give the worker's jobs back: this thread (or another worker) does them
      for (const job of handle.inFlight.values()) this.queue.unshift(job);
      handle.inFlight.clear();
      this.rescue();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.workers.push(handle);
  }

  /** After a worker died with the local loop already finished, drain what it left behind. */
  private rescue(): void {
    if (!this.onResult || !this.local) return;
    const local = this.local;
    const store = this.onResult;
    void (async () => {
      while (this.queue.length) {
        const job = this.queue.shift()!;
        store(job, local.extractFileSync(job.file, job.facts));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
  }

  /** Writes the cache (now, or just after this returns with `deferCacheWrite`) and stops the workers. */
  async dispose(): Promise<void> {
    const cache = this.cache;
    if (this.options.deferCacheWrite && cache) deferWrite(() => cache.flush());
    else cache?.flush();
    const workers = this.workers.splice(0);
    await Promise.all(
      workers.map((w) => {
        w.dead = true;
        return w.worker.terminate();
      }),
    );
    this.local?.dispose();
    this.local = undefined;
  }
}

/** Extracts `files` once (cache, workers, then cleanup); one result per file, in order. */
export async function extractFiles(
  files: readonly string[],
  options: BatchOptions = {},
): Promise<ExtractResult[]> {
  const batch = new BatchExtractor(options);
  try {
    return await batch.extract(files);
  } finally {
    await batch.dispose();
  }
}
