/**
 * Worker-thread entry for batchExtract.ts: owns one ImportExtractor (its own parser and wasm
 * memory) and answers `{id, file}` jobs with `{id, result}`. Bundled as `dist/extractWorker.js`.
 * It does no caching and no scheduling.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImportExtractor, type ExtractorOptions } from './extractImports';

interface Job {
  id: number;
  file: string;
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('extractWorker must run in a worker thread');
  const extractor = await ImportExtractor.create(workerData as ExtractorOptions);
  port.on('message', (job: Job | null) => {
    if (job === null) {
      extractor.dispose();
      port.close();
      return;
    }
    extractor.extractFile(job.file).then(
      (result) => port.postMessage({ id: job.id, result }),
      (err: unknown) =>
        port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}

void serve();
