/**
 * The text of PyRats records (SPEC section 5): one record per source node that has at least one
 * target, sources in (root, rel) order, targets in (root, rel) order, each edge written as Python's
 * `repr(((src_root, src_rel), (dst_root, dst_rel)))` and the message
 * `"(" + "),(".join(tokens) + ")"`.
 *
 * Where PyRats silently drops a message of 65220 characters or more, we split it into several records,
 * each made of complete edge tuples and shorter than the limit (optionally also bounded in UTF-8
 * bytes, for datagram size). It does not build log lines or datagrams (syslogRecord.ts does).
 */
import { comparePairs, type RelPair } from '../resolve/roots';
import { pythonRepr } from './pythonRepr';

/** PyRats drops messages of this many characters or more. */
export const PYRATS_MESSAGE_LIMIT = 65220;

export interface RecordSource {
  from: RelPair;
  /** Targets; `null` entries stand for the `(None, None)` marker and are dropped. */
  targets: (RelPair | null)[];
}

export interface PyRatsRecord {
  from: RelPair;
  deps: RelPair[];
  /** Exact text after `message=`. */
  message: string;
}

export interface RecordOptions {
  /** Messages must be shorter than this many characters; default 65220 (PyRats' limit). */
  maxChars?: number;
  /** Messages must also fit in this many UTF-8 bytes, when set. */
  maxBytes?: number;
}

export interface RecordsResult {
  records: PyRatsRecord[];
  /** Edges that alone exceed the limits (cannot be sent in any record). */
  dropped: { from: RelPair; to: RelPair; length: number }[];
}

/** `repr(((src_root, src_rel), (dst_root, dst_rel)))`. */
export function edgeToken(from: RelPair, to: RelPair): string {
  return pythonRepr([from, to]);
}

/** `"(" + "),(".join(tokens) + ")"`. */
export function joinTokens(tokens: readonly string[]): string {
  return `(${tokens.join('),(')})`;
}

function uniqueSorted(pairs: RelPair[]): RelPair[] {
  const sorted = [...pairs].sort(comparePairs);
  return sorted.filter((p, i) => i === 0 || comparePairs(sorted[i - 1], p) !== 0);
}

/**
 * The records PyRats sends for these sources, in send order, splitting over-long messages. Sources
 * with no target (after dropping `(None, None)`) send nothing.
 */
export function buildRecords(sources: RecordSource[], opts: RecordOptions = {}): RecordsResult {
  const maxChars = opts.maxChars ?? PYRATS_MESSAGE_LIMIT;
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const merged = new Map<string, RecordSource>();
  for (const s of sources) {
    const key = `${s.from[0]}\0${s.from[1]}`;
    const m = merged.get(key);
    // one by one, not push(...): a file may import more modules than a call takes arguments
    if (m) for (const t of s.targets) m.targets.push(t);
    else merged.set(key, { from: s.from, targets: [...s.targets] });
  }
  const ordered = [...merged.values()].sort((a, b) => comparePairs(a.from, b.from));
  const records: PyRatsRecord[] = [];
  const dropped: RecordsResult['dropped'] = [];
  for (const s of ordered) {
    const targets = uniqueSorted(s.targets.filter((t): t is RelPair => t !== null));
    if (!targets.length) continue;
    let tokens: string[] = [];
    let deps: RelPair[] = [];
    // length of "(" + tokens.join("),(") + ")" so far, in characters and UTF-8 bytes
    let chars = 0;
    let bytes = 0;
    const flush = () => {
      if (tokens.length) records.push({ from: s.from, deps, message: joinTokens(tokens) });
      tokens = [];
      deps = [];
    };
    for (const t of targets) {
      const token = edgeToken(s.from, t);
      const tokenBytes = Buffer.byteLength(token, 'utf8');
      if (token.length + 2 >= maxChars || tokenBytes + 2 > maxBytes) {
        dropped.push({ from: s.from, to: t, length: token.length + 2 });
        continue;
      }
      if (tokens.length && (chars + 3 + token.length >= maxChars || bytes + 3 + tokenBytes > maxBytes))
        flush();
      if (tokens.length) {
        chars += 3 + token.length;
        bytes += 3 + tokenBytes;
      } else {
        chars = 2 + token.length;
        bytes = 2 + tokenBytes;
      }
      tokens.push(token);
      deps.push(t);
    }
    flush();
  }
  return { records, dropped };
}
