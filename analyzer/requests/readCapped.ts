/**
 * Reads a small text file whole, refusing one larger than a cap (an `EFBIG` error naming the size)
 * without reading it: outbox entries are a few KiB, and a huge file there is not an entry.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export function readCapped(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) {
      throw Object.assign(new Error(`${size} bytes, more than the ${maxBytes}-byte limit for an entry`), {
        code: 'EFBIG',
      });
    }
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}
