/**
 * Bench for baseline/mirror/check (issue 3):
 *  - loading a generated conda repodata.json with 100,000 entries: time and peak RSS of a fresh
 *    process that reads and indexes it (budget ≤ 1.5 s, ≤ 300 MB), side by side with Python's
 *    json.load of the same file in the same run; and the warm load from the derived index;
 *  - `pyrats check` of a 30-import script, whole process (node dist/cli.js), with warm caches
 *    (budget ≤ 0.3 s), against a file: baseline and a conda channel + PyPI index served from 127.0.0.1.
 * The child-process mode (PYRATS_BENCH_CHILD=repodata) runs synchronously at load, before the suites.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseRepodata } from '../../analyzer/mirror/condaChannel';
import { HttpCache } from '../../analyzer/mirror/httpCache';
import { CondaChannel } from '../../analyzer/mirror/condaChannel';
import type { BenchRow, BenchSuite } from './benchmark';

if (process.env.PYRATS_BENCH_CHILD === 'repodata') {
  const t0 = process.hrtime.bigint();
  const r = parseRepodata(readFileSync(process.env.PYRATS_BENCH_FILE!));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  writeSync(
    1,
    JSON.stringify({
      ms,
      names: Object.keys(r.index).length,
      count: r.count,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
}

/** A repodata.json shaped like conda-forge's: 100,000 entries over ~8,000 names, .tar.bz2 and .conda. */
function generateRepodata(entries: number): string {
  const packages: Record<string, unknown> = {};
  const condaPackages: Record<string, unknown> = {};
  const names = Math.ceil(entries / 12);
  for (let i = 0; i < entries; i++) {
    const name = `pkg-${(i % names).toString(36)}-${['lib', 'py', 'r', 'tool'][i % 4]}`;
    const version = `${1 + (i % 7)}.${Math.floor(i / names) % 20}.${i % 3}`;
    const build = `py311h${((i * 2654435761) % 0xfffffff).toString(16).padStart(7, '0')}_${i % 4}`;
    const entry = {
      build,
      build_number: i % 4,
      depends: [
        'python >=3.11,<3.12.0a0',
        'python_abi 3.11.* *_cp311',
        `libgcc-ng >=12`,
        `numpy >=1.${i % 30}`,
      ],
      license: 'BSD-3-Clause',
      license_family: 'BSD',
      md5: (i * 7919).toString(16).padStart(32, '0'),
      name,
      sha256: (i * 104729).toString(16).padStart(64, '0'),
      size: 100000 + i,
      subdir: 'linux-64',
      timestamp: 1700000000000 + i,
      version,
    };
    if (i % 2) condaPackages[`${name}-${version}-${build}.conda`] = entry;
    else packages[`${name}-${version}-${build}.tar.bz2`] = entry;
  }
  return JSON.stringify({
    info: { subdir: 'linux-64' },
    packages,
    'packages.conda': condaPackages,
    removed: [],
    repodata_version: 1,
  });
}

function serve(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const target = existsSync(path.join(file, 'index.json')) ? path.join(file, 'index.json') : file;
    if (!file.startsWith(root) || !existsSync(target) || target.endsWith('/')) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(target);
    const etag = `"${body.length}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': target.endsWith('index.json')
          ? 'application/vnd.pypi.simple.v1+json'
          : 'application/json',
        etag,
      })
      .end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const thirtyImports = [
  'import os',
  'import sys',
  'import json',
  'import re',
  'import math',
  'import pathlib',
  'import argparse',
  'import logging',
  'import datetime',
  'import collections',
  'import itertools',
  'import functools',
  'import subprocess',
  'import numpy as np',
  'import scipy.stats',
  'import matplotlib.pyplot as plt',
  'import pandas as pd',
  'import xarray as xr',
  'import netCDF4',
  'import yaml',
  'import requests',
  'from mpl_toolkits.mplot3d import Axes3D',
  'import cartopy.crs as ccrs',
  'import metpy.calc',
  'import seaborn as sns',
  'import sklearn',
  'import torch',
  'import cv2',
  'import helper',
  'import nothere_pkg',
];

export const checkSuite: BenchSuite = {
  name: 'check: baseline, mirror and verdicts',
  async run(log) {
    const rows: BenchRow[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-bench-check-'));
    try {
      // --- repodata with 100,000 entries
      const channel = path.join(dir, 'mirror', 'conda', 'big', 'linux-64');
      mkdirSync(channel, { recursive: true });
      mkdirSync(path.join(dir, 'mirror', 'conda', 'big', 'noarch'), { recursive: true });
      const repodata = path.join(channel, 'repodata.json');
      const text = generateRepodata(100_000);
      writeFileSync(repodata, text);
      writeFileSync(
        path.join(dir, 'mirror', 'conda', 'big', 'noarch', 'repodata.json'),
        JSON.stringify({ info: { subdir: 'noarch' }, packages: {} }),
      );
      const mb = text.length / 1e6;
      log(`generated ${repodata}: 100,000 entries, ${mb.toFixed(1)} MB`);
      const child = spawnSync(process.execPath, [process.argv[1]], {
        env: { ...process.env, PYRATS_BENCH_CHILD: 'repodata', PYRATS_BENCH_FILE: repodata },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`repodata child failed: ${child.stderr.split('\n')[0]}`);
      const r = JSON.parse(child.stdout) as { ms: number; names: number; count: number; maxRssKb: number };
      let pyMs: number | undefined;
      try {
        const out = execFileSync(
          'python3',
          [
            '-c',
            'import json,sys,time\nt=time.perf_counter()\nd=json.load(open(sys.argv[1]))\nprint((time.perf_counter()-t)*1000)',
            repodata,
          ],
          { encoding: 'utf8' },
        );
        pyMs = Number(out.trim());
      } catch {
        pyMs = undefined;
      }
      rows.push({
        name: 'repodata.json 100k entries: read + index',
        value: r.ms / 1000,
        unit: 's',
        reference: pyMs !== undefined ? pyMs / 1000 : undefined,
        referenceName: 'python3 json.load',
        budget: 1.5,
        better: 'lower',
        detail: `${r.count} entries, ${r.names} names, ${mb.toFixed(1)} MB`,
      });
      rows.push({
        name: 'repodata.json 100k entries: peak RSS (process)',
        value: r.maxRssKb / 1024,
        unit: 'MB',
        budget: 300,
        better: 'lower',
      });

      // --- the same channel through the cache: cold over HTTP, then warm (derived index)
      const mirrorRoot = path.join(dir, 'mirror');
      mkdirSync(path.join(mirrorRoot, 'simple', 'seaborn'), { recursive: true });
      writeFileSync(
        path.join(mirrorRoot, 'simple', 'seaborn', 'index.json'),
        JSON.stringify({
          meta: { 'api-version': '1.1' },
          name: 'seaborn',
          versions: ['0.13.0'],
          files: [{ filename: 'seaborn-0.13.0-py3-none-any.whl', url: 'x', hashes: {} }],
        }),
      );
      const small = path.join(mirrorRoot, 'conda', 'main', 'linux-64');
      mkdirSync(small, { recursive: true });
      mkdirSync(path.join(mirrorRoot, 'conda', 'main', 'noarch'), { recursive: true });
      writeFileSync(
        path.join(small, 'repodata.json'),
        JSON.stringify({
          info: { subdir: 'linux-64' },
          packages: { 'cartopy-0.22.0-py311_0.tar.bz2': { name: 'cartopy', version: '0.22.0' } },
        }),
      );
      writeFileSync(
        path.join(mirrorRoot, 'conda', 'main', 'noarch', 'repodata.json'),
        JSON.stringify({
          info: { subdir: 'noarch' },
          packages: { 'metpy-1.6.0-py_0.tar.bz2': { name: 'metpy', version: '1.6.0' } },
        }),
      );
      const server = await serve(mirrorRoot);
      try {
        const cacheDir = path.join(dir, 'cache');
        for (const phase of ['cold', 'warm'] as const) {
          const cache = new HttpCache(cacheDir);
          const ch = new CondaChannel(`${server.url}/conda/big`);
          const t0 = performance.now();
          await ch.load(cache, { subdirs: ['linux-64', 'noarch'] });
          rows.push({
            name: `conda channel load over HTTP, ${phase} cache`,
            value: (performance.now() - t0) / 1000,
            unit: 's',
            better: 'lower',
            detail: ch.states.map((s) => `${s.subdir}: ${s.via}`).join(', '),
          });
        }

        // --- pyrats check, whole process, warm caches
        const cli = path.resolve(path.dirname(process.argv[1]), 'cli.js');
        if (!existsSync(cli)) throw new Error(`${cli} not built`);
        const project = path.join(dir, 'project');
        mkdirSync(project);
        writeFileSync(path.join(project, 'analyse.py'), `${thirtyImports.join('\n')}\n`);
        writeFileSync(path.join(project, 'helper.py'), 'X = 1\n');
        writeFileSync(
          path.join(project, 'baseline.txt'),
          'numpy==1.24.2\nscipy==1.10.1\nmatplotlib==3.6.3\npandas==1.5.3\nxarray==2023.1.0\nnetCDF4==1.6.2\nPyYAML==6.0\nrequests==2.28.1\n',
        );
        const cpuFile = path.join(dir, 'cpu.js');
        writeFileSync(
          cpuFile,
          "process.on('exit', () => { const r = process.resourceUsage(); process.stderr.write(`\\n@@cpu ${r.userCPUTime} ${r.systemCPUTime}\\n`); });\n",
        );
        const args = [
          '-r',
          cpuFile,
          cli,
          'check',
          path.join(project, 'analyse.py'),
          '--baseline',
          `file:${path.join(project, 'baseline.txt')}`,
          '--mirror',
          `conda:${server.url}/conda/main`,
          '--mirror',
          `pypi:${server.url}/simple`,
          '--subdir',
          'linux-64',
          '--subdir',
          'noarch',
          '--cache-dir',
          cacheDir,
          '--format',
          'json',
        ];
        // Async: the mirror server lives in this process and must keep answering while the CLI runs.
        const once = (): Promise<{
          ms: number;
          cpuMs: number;
          status: number | null;
          stderr: string;
          stdout: string;
        }> =>
          new Promise((resolve) => {
            const t0 = performance.now();
            const child = spawn(process.execPath, args);
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d) => (stdout += d));
            child.stderr.on('data', (d) => (stderr += d));
            child.on('close', (status) => {
              const ms = performance.now() - t0;
              const cpu = /^@@cpu (\d+) (\d+)$/m.exec(stderr);
              resolve({
                ms,
                cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) / 1000 : NaN,
                status,
                stderr,
                stdout,
              });
            });
          });
        const cold = await once();
        if ((cold.status !== 1 && cold.status !== 0) || !cold.stdout.startsWith('{')) {
          const why = cold.stderr.split('\n').find((l) => /error/i.test(l)) ?? cold.stderr.split('\n')[0];
          log(`pyrats check could not run (exit ${cold.status}): ${why}`);
          return rows;
        }
        const imports = (JSON.parse(cold.stdout) as { files: { verdicts: unknown[] }[] }).files[0].verdicts
          .length;
        const warmRuns = [];
        for (let i = 0; i < 5; i++) warmRuns.push(await once());
        warmRuns.sort((a, b) => a.ms - b.ms);
        const median = warmRuns[2];
        const nodeStart = (() => {
          const t0 = performance.now();
          spawnSync(process.execPath, ['-e', '0']);
          return performance.now() - t0;
        })();
        rows.push({
          name: 'pyrats check, 30 imports, first run (cold caches)',
          value: cold.ms / 1000,
          unit: 's',
          better: 'lower',
          detail: `${imports} imports`,
        });
        rows.push({
          name: 'pyrats check, 30 imports, warm caches (median of 5)',
          value: median.ms / 1000,
          unit: 's',
          reference: nodeStart / 1000,
          referenceName: 'node -e 0',
          budget: 0.3,
          better: 'lower',
          detail: `whole process, ${imports} imports; fastest ${(warmRuns[0].ms / 1000).toFixed(3)} s; CPU (user+sys) ${Number.isNaN(median.cpuMs) ? '?' : `${(median.cpuMs / 1000).toFixed(3)} s`}; load average ${os.loadavg()[0].toFixed(1)}`,
        });
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
