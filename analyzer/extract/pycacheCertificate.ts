/**
 * Whether CPython 3 has already compiled a source file successfully: a `__pycache__/<name>.cpython-3NN
 * [.opt-N].pyc` beside it whose header (PEP 552, timestamp-based) records exactly the source's
 * current size and modification time — the check CPython itself makes before reusing bytecode.
 * Compilation succeeding implies `ast.parse` accepts the file, so such a file needs no syntax check.
 *
 * Hash-based pycs and other implementations are not trusted. It reads 16 bytes per candidate and
 * keeps a bounded cache of `__pycache__` listings; it does not parse or extract anything.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';

const PYC_NAME = /^(.+)\.cpython-3\d+(?:\.opt-\d+)?\.pyc$/;
const LISTING_CACHE_LIMIT = 4096;

const listings = new Map<string, Map<string, string[]>>();

/** Stem → pyc file names in a `__pycache__` directory (empty when there is none). */
function pycacheListing(dir: string): Map<string, string[]> {
  let listing = listings.get(dir);
  if (listing) return listing;
  listing = new Map();
  try {
    for (const name of readdirSync(path.join(dir, '__pycache__'))) {
      const m = PYC_NAME.exec(name);
      if (!m) continue;
      const list = listing.get(m[1]);
      if (list) list.push(name);
      else listing.set(m[1], [name]);
    }
  } catch {
    // no __pycache__: nothing to trust
  }
  if (listings.size >= LISTING_CACHE_LIMIT) listings.clear();
  listings.set(dir, listing);
  return listing;
}

const header = Buffer.alloc(16);

function headerMatches(pyc: string, size: number, mtimeSeconds: number): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(pyc, 'r');
    if (readSync(fd, header, 0, 16, 0) !== 16) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header[2] !== 0x0d || header[3] !== 0x0a) return false; // magic ends with \r\n
  const flags = header.readUInt32LE(4);
  return (
    flags === 0 && header.readUInt32LE(8) === mtimeSeconds >>> 0 && header.readUInt32LE(12) === size >>> 0
  );
}

/** True when a CPython 3 pyc certifies this exact source (by size and mtime) as compilable. */
export function compiledByCPython(file: string, size: number, mtimeMs: number): boolean {
  const base = path.basename(file);
  if (!base.endsWith('.py')) return false;
  const dir = path.dirname(file);
  const candidates = pycacheListing(dir).get(base.slice(0, -3));
  if (!candidates) return false;
  const seconds = Math.floor(mtimeMs / 1000);
  return candidates.some((name) => headerMatches(path.join(dir, '__pycache__', name), size, seconds));
}

/** Forgets cached `__pycache__` listings (e.g. after files were compiled). */
export function clearPycacheListings(): void {
  listings.clear();
}
