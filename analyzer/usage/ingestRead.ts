/**
 * Ingest's read stage: opens an input as a stream of decompressed bytes (a plain file from an offset,
 * a `.gz` file, a pipe or stdin), fingerprints a plain file's first line, and says why an input could
 * not be read in words. Does not split lines or write the store.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errnoPhrase, ioProblem } from '../ioErrors';
import { HEAD_BYTES } from './store';

/** An input being read: its decompressed bytes, its size and mtime (files), the bytes read so far. */
export interface OpenedInput {
  stream: AsyncIterable<Buffer>;
  size: number | null;
  mtime: Date | null;
  counter: () => number;
}

/** Opens an input as a stream of decompressed bytes (plain files from `start`) plus its size and mtime. */
export async function openInput(
  p: string,
  stdin: NodeJS.ReadableStream | undefined,
  start: number,
): Promise<OpenedInput> {
  if (p === '-') {
    if (!stdin) throw new Error('no stdin stream');
    let n = 0;
    const s = stdin as Readable;
    async function* counted() {
      for await (const b of s) {
        const buf = typeof b === 'string' ? Buffer.from(b) : (b as Buffer);
        n += buf.length;
        yield buf;
      }
    }
    return { stream: gunzipIfNeeded(counted()), size: null, mtime: null, counter: () => n };
  }
  const st = await fsp.stat(p);
  if (st.isDirectory()) throw new Error('is a directory');
  const regular = st.isFile();
  // a position makes Node read with pread, which a pipe refuses (ESPIPE)
  const raw = createReadStream(p, regular ? { highWaterMark: 4 << 20, start } : { highWaterMark: 4 << 20 });
  return {
    stream: start > 0 ? raw : gunzipIfNeeded(raw),
    size: regular ? st.size : null,
    mtime: regular ? st.mtime : null,
    counter: () => start + raw.bytesRead,
  };
}

/**
 * For a plain (not gzipped) file: the fingerprint of its first line, or null when the file is gzipped
 * (read as a stream) or its first line is not complete yet.
 */
export async function plainFileFingerprint(
  p: string,
): Promise<{ gzip: boolean; fingerprint: string | null; head: Buffer }> {
  const fh = await fsp.open(p, 'r');
  try {
    const b = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    const head = Buffer.from(b.subarray(0, Math.min(bytesRead, HEAD_BYTES)));
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { gzip: true, fingerprint: null, head };
    const nl = b.subarray(0, bytesRead).indexOf(10);
    if (nl < 0 && bytesRead < b.length) return { gzip: false, fingerprint: null, head };
    const end = nl < 0 ? b.length : nl + 1;
    return {
      gzip: false,
      fingerprint: createHash('sha256').update(b.subarray(0, end)).digest('hex'),
      head,
    };
  } finally {
    await fh.close();
  }
}

/** Passes bytes through, gunzipping when the stream starts with the gzip magic bytes. */
async function* gunzipIfNeeded(src: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        gunzip.write(head);
        for (let r = await it.next(); !r.done; r = await it.next()) {
          if (!gunzip.write(r.value)) await new Promise((res) => gunzip.once('drain', res));
        }
        gunzip.end();
      } catch (err) {
        gunzip.destroy(err as Error);
      }
    })();
    for await (const b of gunzip) yield b as Buffer;
    await feed;
    return;
  }
  yield head;
  for (let r = await it.next(); !r.done; r = await it.next())
    yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
}

/**
 * A read error of an input as one short phrase: file-system errors by what they mean with their code
 * (`no such file or directory (ENOENT)`), not Node's `CODE: …, open 'x'`; gzip errors in words.
 */
export function inputProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && errnoPhrase(e.code)) return ioProblem(err, { code: true });
  if (e && typeof e.code === 'string' && e.code === 'Z_BUF_ERROR')
    return 'truncated gzip data (unexpected end of file)';
  if (e && typeof e.code === 'string' && e.code.startsWith('Z_')) return `not valid gzip data (${e.message})`;
  return err instanceof Error ? err.message : String(err);
}
