/**
 * Batch extraction: real worker threads (the bundled worker) give the same results as this thread,
 * in input order; the on-disk cache answers unchanged files and re-extracts changed ones; bad
 * input never stops the batch.
 */
import { readFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../../analyzer/cacheRoot';
import { BatchExtractor, extractFiles } from '../../../analyzer/extract/batchExtract';
import { ExtractCache, EXTRACT_CACHE_VERSION } from '../../../analyzer/extract/extractCache';
import { makeBadInputDir, type BadInputDir } from '../../support/badInputDir';
import { buildExtractWorker } from '../../support/buildWorker';

let worker: { script: string; remove(): void };
let bad: BadInputDir;
let files: string[];
beforeAll(async () => {
  worker = await buildExtractWorker();
  bad = makeBadInputDir();
  files = [
    ...Object.keys(bad.expected).map((f) => path.join(bad.dir, f)),
    path.join(bad.dir, 'missing.py'),
    // a few dozen real files so that workers are started
    ...readdirSync(path.resolve(__dirname, '../../fixtures/pyrats-cases'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.py'))
      .map((f) => path.resolve(__dirname, '../../fixtures/pyrats-cases', f)),
  ];
});
afterAll(() => {
  worker.remove();
  bad.remove();
});

describe('extractFiles', () => {
  it('gives the same results with worker threads as in this thread, in input order', async () => {
    expect(files.length).toBeGreaterThan(30);
    const inThread = await extractFiles(files, { workers: 1 });
    const batch = new BatchExtractor({ workers: 2, workerScript: worker.script });
    try {
      await batch.warmUp();
      const withWorkers = await batch.extract(files);
      expect(withWorkers).toEqual(inThread);
      expect(batch.stats.byWorkers).toBeGreaterThan(0);
      expect(batch.stats.byWorkers + batch.stats.inThisThread).toBe(files.length - 1); // missing.py: stat fails
      // later calls reuse the same workers; overlapping calls are served one after the other
      const [x, y] = await Promise.all([batch.extract(files.slice(0, 5)), batch.extract(files.slice(5))]);
      expect([...x, ...y]).toEqual(inThread);
    } finally {
      await batch.dispose();
    }
    for (const [name, exp] of Object.entries(bad.expected)) {
      const r = inThread[files.indexOf(path.join(bad.dir, name))];
      expect(
        r.problems.map((p) => p.kind),
        name,
      ).toEqual(exp.problems);
    }
    expect(inThread[files.indexOf(path.join(bad.dir, 'missing.py'))].problems).toEqual([
      { kind: 'io', message: 'no such file or directory' },
    ]);
  });

  it('finishes the batch in this thread when a worker dies', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-dying-'));
    try {
      const script = path.join(dir, 'dying.js');
      writeFileSync(
        script,
        "const { parentPort } = require('node:worker_threads');\n" +
          'parentPort.postMessage({ ready: true });\n' +
          "parentPort.on('message', () => { throw new Error('worker crashed'); });\n",
      );
      const batch = new BatchExtractor({ workers: 2, workerScript: script });
      try {
        await batch.warmUp();
        const results = await batch.extract(files);
        expect(results).toEqual(await extractFiles(files, { workers: 1 }));
        expect(batch.stats.byWorkers).toBe(0);
      } finally {
        await batch.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers unchanged files from the cache and re-extracts changed ones', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pyrats-cache-'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-src-'));
    try {
      const a = path.join(dir, 'a.py');
      const b = path.join(dir, 'b.py');
      writeFileSync(a, 'import os\ntry:\n    from .x import (y as z)\nexcept ImportError:\n    pass\n');
      writeFileSync(b, 'import sys\nprint "py2"\n');
      const first = new ExtractCache(root);
      const fresh = await extractFiles([a, b], { cache: first, workers: 1 });
      expect([first.hits, first.misses]).toEqual([0, 2]);
      expect(readdirSync(first.dir)).toHaveLength(1); // one shard for the one directory

      const second = new ExtractCache(root);
      const again = await extractFiles([a, b], { cache: second, workers: 1 });
      expect([second.hits, second.misses]).toEqual([2, 0]);
      expect(again).toEqual(fresh);
      expect(again.map((r) => r.sites[0].module)).toEqual(['os', 'sys']);
      expect(again[1].problems.map((p) => p.kind)).toEqual(['python2']);

      writeFileSync(b, 'import json\n');
      const later = new Date(Date.now() + 3000);
      utimesSync(b, later, later);
      const third = new ExtractCache(root);
      const changed = await extractFiles([a, b], { cache: third, workers: 1 });
      expect([third.hits, third.misses]).toEqual([1, 1]);
      expect(changed[1].sites[0].module).toBe('json');

      // a corrupt shard is an empty shard
      const shard = path.join(third.dir, readdirSync(third.dir)[0]);
      writeFileSync(shard, '{ not json');
      const fourth = new ExtractCache(root);
      await extractFiles([a, b], { cache: fourth, workers: 1 });
      expect([fourth.hits, fourth.misses]).toEqual([0, 2]);
      expect(JSON.parse(readFileSync(shard, 'utf8')).dir).toBe(dir);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts the default cache under $XDG_CACHE_HOME/pyrats', () => {
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = path.join(os.tmpdir(), 'xdg');
      expect(defaultCacheDir()).toBe(path.join(os.tmpdir(), 'xdg', 'pyrats'));
      expect(new ExtractCache().dir).toBe(path.join(os.tmpdir(), 'xdg', 'pyrats', EXTRACT_CACHE_VERSION));
      delete process.env.XDG_CACHE_HOME;
      expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'pyrats'));
      // a relative XDG_CACHE_HOME is ignored, as the XDG spec asks
      process.env.XDG_CACHE_HOME = 'relative/cache';
      expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'pyrats'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
