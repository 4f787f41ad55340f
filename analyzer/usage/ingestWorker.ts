/**
 * Worker thread entry of ingest's parse stage (bundled as dist/ingestWorker.js): parses the pieces
 * ingestParsing.ts sends, in order, with one PieceParser for the run, and answers each with its
 * ParsedPiece (the typed arrays moved, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PieceParser } from './ingestParse';
import type { PieceAnswer, PieceJob } from './ingestParsing';

const parser = new PieceParser((workerData as { maxLine: number }).maxLine);

parentPort!.on('message', (job: PieceJob) => {
  const piece = parser.parse(Buffer.from(job.bytes, 0, job.length), new Date(job.referenceDate));
  const answer: PieceAnswer = { id: job.id, piece, bytes: job.bytes };
  const moved = [piece.kinds.buffer as ArrayBuffer, piece.records.buffer as ArrayBuffer, job.bytes];
  parentPort!.postMessage(answer, moved);
});
