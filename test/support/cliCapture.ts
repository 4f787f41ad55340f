/**
 * Runs a CLI entry point (`main` or one command's `run`) in-process with in-memory streams and
 * returns its exit status and everything it wrote to stdout (`out`) and stderr (`err`).
 */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../server/cli/command';

export interface CliCapture {
  code: number;
  out: string;
  err: string;
}

/** `stdinText` is written to stdin and ended; without it stdin is an empty stream left open. */
export async function captureCli(
  run: (io: CliIO) => Promise<number>,
  stdinText?: string,
): Promise<CliCapture> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  if (stdinText !== undefined) stdin.end(stdinText);
  const code = await run({ stdout, stderr, stdin });
  return { code, out, err };
}
