/**
 * PyRats record messages: ordering (Python string order), the joiner, `(None, None)` markers dropped,
 * and splitting of messages at PyRats' 65220-character limit into records of complete tuples —
 * checked against what python3 builds from the same pairs.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RelPair } from '../../../analyzer/resolve/roots';
import {
  buildRecords,
  PYRATS_MESSAGE_LIMIT,
  type RecordSource,
} from '../../../analyzer/pyrats/recordMessage';

/** The messages PyRats' own code path builds (sorted sources and targets, repr, joiner), no splitting. */
function pythonMessages(sources: RecordSource[]): string[] {
  const script = String.raw`
import sys, json
srcs = json.loads(sys.stdin.read())
deps = {}
for s in srcs:
    deps.setdefault(tuple(s['from']), set()).update(tuple(t) if t else (None, None) for t in s['targets'])
out = []
for src in sorted(deps):
    ts = sorted(t for t in deps[src] if t != (None, None))
    if ts:
        out.append('(' + '),('.join(repr((src, t)) for t in ts) + ')')
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' }),
  );
}

describe('buildRecords', () => {
  it('orders sources and targets like Python (code points, astral after BMP) and joins tuples with "),("', () => {
    const sources: RecordSource[] = [
      { from: ['/z', 'b.py'], targets: [null, ['/z', 'c.py'], ['/a', 'x.py'], ['/z', 'c.py']] },
      { from: ['/z', 'a.py'], targets: [null] },
      {
        from: ['/a', '\u{1f40d}.py'],
        targets: [
          ['/a', '\uffee.py'],
          ['/a', "o'k.py"],
          ['/a', 'Z.py'],
        ],
      },
      { from: ['/a', '\uffee.py'], targets: [['/a', 'tab\t.py']] },
      { from: ['/Z', 'up.py'], targets: [['/a', 'é.py']] },
    ];
    const { records, dropped } = buildRecords(sources);
    expect(dropped).toEqual([]);
    expect(records.map((r) => r.message)).toEqual(pythonMessages(sources));
    expect(records.map((r) => r.from[1])).toEqual(['up.py', '\uffee.py', '\u{1f40d}.py', 'b.py']);
    expect(records[3].message).toBe("((('/z', 'b.py'), ('/a', 'x.py'))),((('/z', 'b.py'), ('/z', 'c.py')))");
  });

  it('a source listed twice with 150,000 targets each: merged, every edge sent once, no crash', () => {
    const targets = (from: number): RecordSource['targets'] =>
      Array.from({ length: 150_000 }, (_, i) => ['/a', `m${from + i}.py`] as [string, string]);
    const { records, dropped } = buildRecords([
      { from: ['/a', 'big.py'], targets: targets(0) },
      { from: ['/a', 'big.py'], targets: targets(100_000) },
    ]);
    expect(dropped).toEqual([]);
    const edges = records.reduce((n, r) => n + r.message.split('),(').length, 0);
    expect(edges).toBe(250_000);
  });

  it('a source with only the (None, None) marker sends nothing', () => {
    expect(buildRecords([{ from: ['/a', 'm.py'], targets: [null] }]).records).toEqual([]);
  });

  function bigSource(n: number, width: number): RecordSource {
    const targets: RelPair[] = [];
    for (let i = 0; i < n; i++)
      targets.push(['/site', `pkg/${String(i).padStart(5, '0')}${'x'.repeat(width)}.py`]);
    return { from: ['/home/user/project', 'main.py'], targets };
  }

  it('keeps a message just under the limit whole and splits one at the limit into complete tuples', () => {
    const one = bigSource(1, 10);
    const tokenLen = buildRecords([one]).records[0].message.length; // "(" + token + ")"
    // n tokens give a message of n * (tokenLen - 2) + 3 * (n - 1) + 2 characters
    const n = 600;
    const base = bigSource(n, 10);
    const len = buildRecords([base]).records[0]?.message.length;
    expect(len).toBe(n * (tokenLen - 2) + 3 * (n - 1) + 2);
    // pad the last target so that the whole message is exactly 65219, then exactly 65220 characters
    const exactly = (total: number): RecordSource => {
      const src = bigSource(n, 10);
      const current = pythonMessages([src])[0].length;
      const last = src.targets[n - 1] as RelPair;
      src.targets[n - 1] = [last[0], `${'y'.repeat(total - current)}${last[1]}`];
      return src;
    };
    const under = exactly(PYRATS_MESSAGE_LIMIT - 1);
    expect(pythonMessages([under])[0].length).toBe(PYRATS_MESSAGE_LIMIT - 1);
    expect(buildRecords([under]).records.map((x) => x.message)).toEqual(pythonMessages([under]));
    const at = exactly(PYRATS_MESSAGE_LIMIT);
    expect(pythonMessages([at])[0].length).toBe(PYRATS_MESSAGE_LIMIT);
    const atRecords = buildRecords([at]).records;
    expect(atRecords.length).toBe(2);
    expect(atRecords[1].deps.length).toBe(1);
    // one more target crosses the limit: several records, each < limit, complete tuples, same order
    const over = bigSource(n + 40, 100);
    const split = buildRecords([over]).records;
    const unsplit = pythonMessages([over])[0];
    expect(unsplit.length).toBeGreaterThanOrEqual(PYRATS_MESSAGE_LIMIT);
    expect(split.length).toBeGreaterThan(1);
    for (const rec of split) {
      expect(rec.message.length).toBeLessThan(PYRATS_MESSAGE_LIMIT);
      expect(rec.message.startsWith("((('/home/user/project', 'main.py'), ")).toBe(true);
      expect(rec.message.endsWith(".py')))")).toBe(true);
    }
    // joined back, the records are exactly PyRats' unsplit message
    expect(`(${split.map((x) => x.message.slice(1, -1)).join('),(')})`).toBe(unsplit);
    expect(split.flatMap((x) => x.deps)).toEqual(over.targets);
  });

  it('also bounds UTF-8 bytes when asked (multibyte paths near the limit)', () => {
    const src: RecordSource = {
      from: ['/home/ü', 'main.py'],
      targets: Array.from({ length: 400 }, (_, i): RelPair => ['/site', `数据${i}${'字'.repeat(40)}.py`]),
    };
    const maxBytes = 20000;
    const { records } = buildRecords([src], { maxBytes });
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) expect(Buffer.byteLength(r.message)).toBeLessThanOrEqual(maxBytes);
    expect(records.flatMap((r) => r.deps).length).toBe(400);
  });

  it('reports an edge that alone cannot fit instead of sending a broken record', () => {
    const { records, dropped } = buildRecords(
      [
        {
          from: ['/a', 'm.py'],
          targets: [
            ['/a', 'ok.py'],
            ['/b', 'y'.repeat(200)],
          ],
        },
      ],
      { maxChars: 100 },
    );
    expect(records.map((r) => r.deps)).toEqual([[['/a', 'ok.py']]]);
    expect(dropped.map((d) => d.to[0])).toEqual(['/b']);
  });
});
