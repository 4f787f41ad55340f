/**
 * Worker-thread entry for batchExtract.ts: owns one ImportExtractor (its own parser and wasm
 * memory) and answers `{id, file}` jobs with `{id, result}`. Bundled as `dist/extractWorker.js`.
 * It does no caching and no scheduling.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImportExtractor, type ExtractorOptions, type ExtractResult, type FileFacts } from './extractImports';

interface Job {
  id: number;
  file: string;
  facts?: FileFacts;
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
    let reply: { id: number; result?: ExtractResult; error?: string };
    try {
      reply = { id: job.id, result: extractor.extractFileSync(job.file, job.facts) };
    } catch (err) {
      reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}

void serve();
