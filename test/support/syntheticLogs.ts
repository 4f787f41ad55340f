/**
 * Synthetic PyRats log host files for tests and the bench: N users, M scripts with realistic paths
 * (/home, /scratch1, /glade/work, /lustre/...), Zipf-distributed package popularity, one script record
 * per run followed by library records of the packages' own modules, written as syslog-ng day files
 * (`YYYYMMDD`, BSD header, `Python: ts=…;…;message=…`). Messages are built with the project's own
 * record formatter (Python repr rules). Deterministic for a seed.
 *
 * Also a corrupt-lines corpus: good lines interleaved with truncated, garbled, non-UTF-8, over-long
 * and forged lines, with the line numbers of the bad ones.
 *
 * Returns the ground truth (per package: distinct users and script records importing it) computed
 * while generating, so tests can compare the store with an independent count.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { edgeToken, joinTokens } from '../../analyzer/pyrats/recordMessage';
import { formatRecordLine } from '../../analyzer/pyrats/syslogRecord';
import { mulberry32 } from './prng';

export interface SyntheticOptions {
  lines: number;
  users: number;
  scripts: number;
  packages: number;
  hosts: number;
  days: number;
  /** First day, `YYYY-MM-DD`. */
  start: string;
  seed: number;
  /** Zipf exponent of package popularity (default 1.1). */
  zipf?: number;
  /** Library records per script record on average (default 3). */
  libraryPerRun?: number;
}

export interface SyntheticTruth {
  lines: number;
  bytes: number;
  scriptRecords: number;
  libraryRecords: number;
  /** package → {users, imports} over the whole corpus. */
  packages: Map<string, { users: Set<string>; imports: number }>;
  users: Set<string>;
  files: string[];
}

/** Mulberry32 (test/support/prng.ts): small deterministic PRNG. */
export const rng = mulberry32;

const REAL_PACKAGES = [
  'numpy',
  'matplotlib',
  'pandas',
  'scipy',
  'xarray',
  'netCDF4',
  'yaml',
  'requests',
  'sklearn',
  'dask',
  'cartopy',
  'h5py',
  'numba',
  'seaborn',
  'metpy',
  'pyproj',
  'shapely',
  'statsmodels',
  'torch',
  'tensorflow',
  'cftime',
  'zarr',
  'PIL',
  'bs4',
  'cv2',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SITE = [
  '/usr/lib/python3/dist-packages',
  '/contrib/anaconda/anaconda3/lib/python3.11/site-packages',
  '/apps/spack/pythonenv-noaa-3.11/lib/python3.11/site-packages',
];
const PATH_NAME = '/contrib/anaconda/anaconda3/lib/python3.11/site-packages/sitecustomize.py';

export function packageName(i: number): string {
  return i < REAL_PACKAGES.length ? REAL_PACKAGES[i] : `pkg${String(i).padStart(4, '0')}`;
}

function userName(i: number): string {
  return `u${String(i).padStart(5, '0')}`;
}

function userDir(r: () => number, user: string): string {
  const x = r();
  if (x < 0.5) return `/home/${user}`;
  if (x < 0.7) return `/scratch${1 + Math.floor(r() * 3)}/${user}`;
  if (x < 0.85) return `/glade/work/${user}`;
  return `/lustre/f2/${user}`;
}

/** Zipf sampler over 0..n-1 by inverse CDF. */
function zipf(n: number, s: number, r: () => number): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) cdf[k] = acc += 1 / Math.pow(k + 1, s);
  for (let k = 0; k < n; k++) cdf[k] /= acc;
  return () => {
    const x = r();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function bsdDate(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const t = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${t}`;
}

interface Script {
  user: string;
  root: string;
  rel: string;
  packages: number[];
  message: string;
}

/**
 * Writes day files into `dir` and returns the truth. Lines are spread evenly over the days; each run
 * is one script record (targets: the script's packages) plus library records.
 */
export async function writeSyntheticLogs(dir: string, o: SyntheticOptions): Promise<SyntheticTruth> {
  mkdirSync(dir, { recursive: true });
  const r = rng(o.seed);
  const pick = zipf(o.packages, o.zipf ?? 1.1, r);
  const site = (p: number) => SITE[p % SITE.length];
  const scripts: Script[] = [];
  const userDirs = new Map<string, string>();
  for (let s = 0; s < o.scripts; s++) {
    const user = userName(Math.floor(Math.pow(r(), 1.5) * o.users)); // some users own many scripts
    if (!userDirs.has(user)) userDirs.set(user, userDir(r, user));
    const root = `${userDirs.get(user)}/${['analysis', 'runs', 'proj/ocean', 'work/model_out', 'scripts'][s % 5]}`;
    const rel = `${['plot', 'run', 'fit', 'process', 'convert', 'verify'][s % 6]}_${s}.py`;
    const n = 1 + Math.floor(r() * r() * 8);
    const pk = new Set<number>();
    while (pk.size < n) pk.add(pick());
    const packages = [...pk].sort((a, b) => a - b);
    const targets: [string, string][] = packages.map((p) => [
      site(p),
      p % 3 === 0 ? `${packageName(p)}/core.py` : packageName(p),
    ]);
    targets.sort((a, b) => (a[0] + '\0' + a[1] < b[0] + '\0' + b[1] ? -1 : 1));
    const message = joinTokens(targets.map((t) => edgeToken([root, rel], t)));
    scripts.push({ user, root, rel, packages, message });
  }
  // library records: a package module importing 1-4 other packages
  const libMessages: string[] = [];
  for (let p = 0; p < Math.min(o.packages, 400); p++) {
    const src: [string, string] = [site(p), `${packageName(p)}/_impl_${p % 7}.py`];
    const n = 1 + Math.floor(r() * 4);
    const t = new Set<number>();
    while (t.size < n) t.add(pick());
    const targets = [...t]
      .map((q): [string, string] => [site(q), q === p ? `${packageName(q)}/util.py` : packageName(q)])
      .sort((a, b) => (a[0] + '\0' + a[1] < b[0] + '\0' + b[1] ? -1 : 1));
    libMessages.push(joinTokens(targets.map((x) => edgeToken(src, x))));
  }
  const scriptPick = zipf(o.scripts, 0.8, r);
  const libPerRun = o.libraryPerRun ?? 3;
  const truth: SyntheticTruth = {
    lines: 0,
    bytes: 0,
    scriptRecords: 0,
    libraryRecords: 0,
    packages: new Map(),
    users: new Set(),
    files: [],
  };
  const hosts = Array.from({ length: o.hosts }, (_, i) => `hfe${String(i + 1).padStart(2, '0')}`);
  const [y, m, d] = o.start.split('-').map(Number);
  const startMs = Date.UTC(y, m - 1, d);
  const perDay = Math.ceil(o.lines / o.days);
  let written = 0;
  for (let day = 0; day < o.days && written < o.lines; day++) {
    const dayMs = startMs + day * 86_400_000;
    const name = new Date(dayMs).toISOString().slice(0, 10).replace(/-/g, '');
    const file = path.join(dir, name);
    truth.files.push(file);
    const out = createWriteStream(file);
    const n = Math.min(perDay, o.lines - written);
    let buf: string[] = [];
    let t = dayMs;
    const step = 86_000_000 / n;
    for (let i = 0; i < n;) {
      const sc = scripts[scriptPick()];
      const host = hosts[Math.floor(r() * hosts.length)];
      const runLines = [sc.message];
      const libs = Math.floor(r() * (2 * libPerRun + 1));
      for (let k = 0; k < libs && i + runLines.length < n; k++)
        runLines.push(libMessages[Math.floor(r() * libMessages.length)]);
      for (let k = 0; k < runLines.length && i < n; k++, i++) {
        t += step;
        const created = t / 1000;
        const line = `${bsdDate(t + 3000)} ${host} ${formatRecordLine(
          { loggerName: 'PyRats', pathName: PATH_NAME, python: '/usr/bin/python3' },
          runLines[k],
          created,
        )}\n`;
        buf.push(line);
        truth.bytes += Buffer.byteLength(line);
        if (k === 0) {
          truth.scriptRecords++;
          truth.users.add(sc.user);
          for (const p of sc.packages) {
            const e = truth.packages.get(packageName(p)) ?? { users: new Set<string>(), imports: 0 };
            e.users.add(sc.user);
            e.imports++;
            truth.packages.set(packageName(p), e);
          }
        } else truth.libraryRecords++;
      }
      if (buf.length >= 4096) {
        if (!out.write(buf.join(''))) await new Promise<void>((res) => out.once('drain', () => res()));
        buf = [];
      }
    }
    out.write(buf.join(''));
    await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
    written += n;
  }
  truth.lines = written;
  return truth;
}

export interface CorruptCorpus {
  /** The file's bytes. */
  bytes: Buffer;
  /** 1-based numbers of the lines that must be reported bad, with what is wrong. */
  bad: { line: number; kind: string }[];
  /** Number of good record lines. */
  goodRecords: number;
  /** Lines that are valid syslog but not PyRats. */
  other: number;
}

/** A day file mixing good records with every kind of damage a log host sees. */
export function corruptCorpus(seed = 7): CorruptCorpus {
  const r = rng(seed);
  const header = { loggerName: 'PyRats', pathName: PATH_NAME, python: '/usr/bin/python3' };
  const good = (i: number) =>
    `Nov 25 06:${String(10 + (i % 50)).padStart(2, '0')}:00 hfe01 ${formatRecordLine(
      header,
      joinTokens([
        edgeToken([`/home/user${i % 4}/work`, `s${i}.py`], ['/usr/lib/python3/dist-packages', 'numpy']),
        edgeToken(
          [`/home/user${i % 4}/work`, `s${i}.py`],
          ['/usr/lib/python3/dist-packages', `scipy/optimize`],
        ),
      ]),
      1795587538 + i,
    )}`;
  const parts: Buffer[] = [];
  const bad: { line: number; kind: string }[] = [];
  let goodRecords = 0;
  let other = 0;
  const damaged: [string, (s: string) => Buffer | string][] = [
    ['truncated', (s) => s.slice(0, Math.floor(s.length * 0.7))],
    ['truncated-in-header', (s) => s.slice(0, 12)],
    ['garbled-message', (s) => s.replace("'), ('", "')) ('")],
    ['unbalanced-quote', (s) => s.replace("'numpy'", "'numpy")],
    [
      'non-utf8',
      (s) =>
        Buffer.concat([
          Buffer.from(s.slice(0, 60)),
          Buffer.from([0xff, 0xfe, 0x80]),
          Buffer.from(s.slice(60)),
        ]),
    ],
    ['bad-ts', (s) => s.replace(/ts=\d{4}-\d\d-\d\d/, 'ts=yesterday')],
    ['missing-field', (s) => s.replace(';levelNo=20', '')],
    ['garbage', () => '\u0000\u0001binary \u00ff garbage ))))(((('],
    ['empty', () => ''],
    [
      'bad-request-json',
      () =>
        `Nov 25 06:30:00 hfe01 Python: ts=2026-11-25 06:30:00,000;loggerName=PyRatsRequest;pathName=x;python=y;logRecordCreationTime=1795587538.000000;levelNo=20;levelName=INFO;message={"format": "pyrats-request/1", "packages": [`,
    ],
    ['impossible-date', (s) => s.replace(/^Nov 25/, 'Feb 30')],
  ];
  let line = 0;
  const push = (b: Buffer | string) => {
    parts.push(typeof b === 'string' ? Buffer.from(b) : b, Buffer.from('\n'));
    line++;
  };
  for (let i = 0; i < 200; i++) {
    if (i % 4 === 3) {
      const [kind, f] = damaged[Math.floor(r() * damaged.length)];
      push(f(good(i)));
      bad.push({ line, kind });
    } else if (i % 37 === 5) {
      push(`Nov 25 06:00:00 hfe01 sshd[123]: Accepted publickey for root`);
      other++;
    } else {
      push(good(i));
      goodRecords++;
    }
  }
  // an over-long line (2 MiB without newline inside) is bad too
  push('x'.repeat(2 << 20));
  bad.push({ line, kind: 'over-long' });
  push(good(999));
  goodRecords++;
  return { bytes: Buffer.concat(parts), bad, goodRecords, other };
}
