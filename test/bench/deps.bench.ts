/**
 * The PyRats records of a script importing matplotlib.pyplot, xarray and scipy with Debian's
 * /usr/bin/python3, as whole processes: `pyrats deps --format records` (computed and printed) and
 * `pyrats emit --to udp://127.0.0.1:PORT` (computed and sent), cold (no interpreter, extraction or
 * closure cache) ≤ 1.2 s and warm ≤ 0.3 s.
 *
 * References measured in the same run, with the same interpreter:
 * * PyRats itself (issue 11: warm ≥ 25×, cold ≥ 8× faster), when PYRATS_REFERENCE names its
 *   sitecustomize.py (github.com/daniel-gall/pyrats; not shipped here). A small driver of ours loads
 *   it as a module and calls its gendeps() for the script with a UDP log host on 127.0.0.1, which is
 *   what its hook does at interpreter start; it has no cache, so the same figure serves warm and cold.
 *   `node -e 0` is printed beside it: the floor of any Node process on this machine.
 * * a small follow written for this bench in Python (ast parse of each file, the same local-first /
 *   sys.path lookup, the same python*-directory rule, PyRats' closure).
 *
 * Our closure is larger than PyRats': the compat profile resolves `from . import x`, which PyRats
 * drops (SPEC section 8), so it sends more records for the same script.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSuite } from './benchmark';

const PYTHON = '/usr/bin/python3';
const NEEDED = ['matplotlib/pyplot.py', 'xarray/__init__.py', 'scipy/__init__.py'].map((f) =>
  path.join('/usr/lib/python3/dist-packages', f),
);

/** Our own ast-based follow, the reference: same lookup order, same closure rules, Python speed. */
const AST_FOLLOW = String.raw`
import ast, os, sys, time, importlib.machinery as m
t0 = time.perf_counter()
script = os.path.realpath(sys.argv[1])
path = [os.path.dirname(script)] + sys.path[1:]
suffixes = m.EXTENSION_SUFFIXES + ['.py', '.pyc']
builtin = set(sys.builtin_module_names)
def find(name, dirs):
    for d in dirs:
        pkg = os.path.join(d, name)
        if os.path.isfile(os.path.join(pkg, '__init__.py')):
            return os.path.join(os.path.realpath(pkg), '__init__.py')
        for s in suffixes:
            f = os.path.join(d, name + s)
            if os.path.isfile(f):
                return f
    return None
def dotted(parts, d):
    f = None
    for i, p in enumerate(parts):
        f = find(p, [d] if d else path)
        if f is None:
            return None
        d = os.path.dirname(f)
    return f
def resolve(mod, name, d, level):
    for _ in range(max(level - 1, 0)):
        d = os.path.dirname(d)
    parts = mod.split('.')
    f = dotted(parts, d) or dotted(parts, None)
    if f and name:
        f = dotted([name], os.path.dirname(f)) or f
    return f and os.path.realpath(f)
done, todo, nbytes, edges = set(), [script], 0, 0
while todo:
    nxt = set()
    for fn in todo:
        if fn in done:
            continue
        done.add(fn)
        if os.path.basename(fn) == '__init__.py' or not fn.endswith('.py'):
            continue
        try:
            src = open(fn, 'rb').read()
            nbytes += len(src)
            tree = ast.parse(src)
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                deps = [(a.name, None, 0) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module != '__future__':
                deps = [(node.module, a.name, node.level) for a in node.names]
            else:
                continue
            for mod, name, level in deps:
                if mod in builtin:
                    continue
                f = resolve(mod, name, os.path.dirname(fn), level)
                if not f:
                    continue
                x = os.path.dirname(f) if os.path.basename(f) == '__init__.py' else f
                if os.path.basename(os.path.dirname(x)).startswith('python'):
                    continue
                edges += 1
                nxt.add(f)
    todo = sorted(nxt - done)
print(len([f for f in done if f.endswith('.py') and os.path.basename(f) != '__init__.py']), nbytes, edges, time.perf_counter() - t0)
`;

/**
 * Our driver for PyRats' own code: loads its sitecustomize.py as a module (argv[0] '-' keeps its hook
 * from running at import), then does what the hook does for `python SCRIPT`: argv = [SCRIPT], sys.path
 * as at interpreter start (no script directory), gendeps() to the log host, sys.path restored.
 */
const PYRATS_DRIVER = String.raw`
import sys, importlib.util
ref, script, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
del sys.path[0]
sys.argv = ['-']
spec = importlib.util.spec_from_file_location('pyrats_reference', ref)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
sys.argv = [script]
saved = sys.path
mod.gendeps(('127.0.0.1', port), 20)
sys.path = saved
`;

/** A UDP log host on 127.0.0.1 that counts what it receives. */
async function udpCounter(): Promise<{ port: number; count: () => number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  let n = 0;
  socket.on('message', () => n++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  return { port: socket.address().port, count: () => n, close: () => socket.close() };
}

/** Wall time of one whole process run without blocking this one (the UDP counter keeps receiving). */
function timedAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`${cmd} failed: ${err}`)),
    );
  });
}

/** Lets datagrams still in flight arrive. */
const settle = () => new Promise((r) => setTimeout(r, 300));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time and peak RSS of one whole process (RSS from GNU time when installed). */
function runTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
        env,
        cwd,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
    : spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const rssKb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, stdout: r.stdout, rssMb: rssKb / 1024 };
}

export const depsSuite: BenchSuite = {
  name: 'deps: pyrats deps --format records (matplotlib.pyplot + xarray + scipy, Debian python3)',
  async run(log) {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is absent`);
    const missing = NEEDED.filter((f) => !existsSync(f));
    if (missing.length)
      throw new Error(
        `needs python3-matplotlib, python3-xarray, python3-scipy (${missing.join(', ')} absent)`,
      );
    const cli = path.join(__dirname, 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is absent (npm run build)`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-deps-bench-'));
    const logHost = await udpCounter();
    try {
      // the script in a folder of its own, a minute old, as a user's script is: the closure cache
      // saves only what was not changed just before the run
      const work = path.join(tmp, 'work');
      mkdirSync(work);
      const script = path.join(work, 'analyse.py');
      writeFileSync(script, 'import matplotlib.pyplot as plt\nimport xarray as xr\nimport scipy\n');
      const past = new Date(Date.now() - 60_000);
      utimesSync(script, past, past);
      utimesSync(work, past, past);
      const cache = path.join(tmp, 'cache');
      const env = { ...process.env, XDG_CACHE_HOME: cache };
      const args = [cli, 'deps', 'analyse.py', '--python', PYTHON, '--format', 'records'];
      const emitArgs = [
        cli,
        'emit',
        'analyse.py',
        '--python',
        PYTHON,
        '--to',
        `udp://127.0.0.1:${logHost.port}`,
      ];

      // closure size, from the JSON output
      const doc = JSON.parse(
        runTimed(
          process.execPath,
          [cli, 'deps', 'analyse.py', '--python', PYTHON, '--format', 'json', '--no-cache'],
          env,
          work,
        ).stdout,
      ) as { sources: { file: string; analysed: boolean }[] };
      const read = doc.sources.filter((s) => s.analysed).map((s) => s.file);
      const mb = read.reduce((n, f) => n + statSync(f).size, 0) / 1e6;
      log(`closure: ${read.length} files read, ${mb.toFixed(2)} MB`);

      const cold: number[] = [];
      const coldRss: number[] = [];
      let records = '';
      for (let i = 0; i < 3; i++) {
        rmSync(cache, { recursive: true, force: true });
        const r = runTimed(process.execPath, args, env, work);
        cold.push(r.seconds);
        coldRss.push(r.rssMb);
        records = r.stdout;
      }
      const warm: number[] = [];
      const warmRss: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = runTimed(process.execPath, args, env, work);
        if (r.stdout !== records) throw new Error('warm run printed different records than the cold run');
        warm.push(r.seconds);
        warmRss.push(r.rssMb);
      }
      const recordCount = records.split('\n').filter(Boolean).length;
      log(`records: ${recordCount}`);

      // emit: computed and sent to a UDP log host, as PyRats does
      const emitCold: number[] = [];
      const emitWarm: number[] = [];
      for (let i = 0; i < 3; i++) {
        rmSync(cache, { recursive: true, force: true });
        emitCold.push(await timedAsync(process.execPath, emitArgs, env, work));
      }
      for (let i = 0; i < 5; i++) emitWarm.push(await timedAsync(process.execPath, emitArgs, env, work));
      await settle();
      log(`emit: ${logHost.count()} datagrams received of ${8 * recordCount} sent`);

      const ref: number[] = [];
      let refDetail = '';
      for (let i = 0; i < 3; i++) {
        const refScript = path.join(tmp, 'astfollow.py');
        writeFileSync(refScript, AST_FOLLOW);
        const r = runTimed(PYTHON, [refScript, script], process.env, work);
        ref.push(r.seconds);
        const [files, bytes, edges] = r.stdout.trim().split(' ').map(Number);
        refDetail = `${files} files, ${(bytes / 1e6).toFixed(2)} MB, ${edges} edges`;
      }
      log(`reference (Python ast follow, same interpreter, whole process): ${refDetail}`);

      const nodeFloor: number[] = [];
      for (let i = 0; i < 9; i++)
        nodeFloor.push(runTimed(process.execPath, ['-e', '0'], process.env, work).seconds);

      const detail = (rss: number[]) =>
        `${read.length} files, ${mb.toFixed(1)} MB, peak RSS ${median(rss).toFixed(0)} MB`;
      const rows: BenchRow[] = [
        {
          name: 'deps --format records, cold (no caches)',
          value: median(cold),
          unit: 's',
          reference: median(ref),
          referenceName: 'python ast follow',
          budget: 1.2,
          better: 'lower',
          detail: detail(coldRss),
        },
        {
          name: 'deps --format records, warm (caches)',
          value: median(warm),
          unit: 's',
          reference: median(ref),
          referenceName: 'python ast follow',
          budget: 0.3,
          better: 'lower',
          detail: detail(warmRss),
        },
        {
          name: 'emit to UDP, cold (no caches)',
          value: median(emitCold),
          unit: 's',
          budget: 1.2,
          better: 'lower',
        },
        {
          name: 'emit to UDP, warm (caches)',
          value: median(emitWarm),
          unit: 's',
          budget: 0.3,
          better: 'lower',
        },
      ];

      const reference = process.env.PYRATS_REFERENCE;
      if (!reference || !existsSync(reference)) {
        log(
          `PyRats itself: not measured (${reference ? `${reference} is absent` : 'PYRATS_REFERENCE is not set'}); set ` +
            'PYRATS_REFERENCE to the sitecustomize.py of github.com/daniel-gall/pyrats to compare with it',
        );
        return rows;
      }
      const driver = path.join(tmp, 'pyrats_driver.py');
      writeFileSync(driver, PYRATS_DRIVER);
      const pyrats: number[] = [];
      const before = logHost.count();
      for (let i = 0; i < 3; i++)
        pyrats.push(
          await timedAsync(
            PYTHON,
            [driver, reference, 'analyse.py', String(logHost.port)],
            process.env,
            work,
          ),
        );
      await settle();
      const pyratsRecords = (logHost.count() - before) / 3;
      if (!pyratsRecords) throw new Error(`PyRats (${reference}) sent no record with ${PYTHON}`);
      const p = median(pyrats);
      const floor = median(nodeFloor);
      log(
        `PyRats (${reference}, ${PYTHON}, whole process): ${p.toFixed(2)} s, ${pyratsRecords} records; ` +
          `node -e 0: ${floor.toFixed(3)} s, so no Node process can be more than ${(p / floor).toFixed(1)}x faster here`,
      );
      const speedUp = (name: string, ours: number[], budget: number): BenchRow => ({
        name,
        value: p / median(ours),
        unit: 'x',
        budget,
        better: 'higher',
        detail: `PyRats ${p.toFixed(2)} s (${pyratsRecords} records), ours ${median(ours).toFixed(3)} s (${recordCount} records)`,
      });
      rows.push(
        speedUp('records vs PyRats, warm: speed-up (deps)', warm, 25),
        speedUp('records vs PyRats, cold: speed-up (deps)', cold, 8),
        speedUp('records vs PyRats, warm: speed-up (emit)', emitWarm, 25),
        speedUp('records vs PyRats, cold: speed-up (emit)', emitCold, 8),
      );
      return rows;
    } finally {
      logHost.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
