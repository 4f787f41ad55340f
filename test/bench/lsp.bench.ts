/**
 * Language server and extension figures (issue 4), measured over the real stdio connection of
 * `node dist/server.js --stdio` with the LSP fixture (a `file:` baseline, a conda channel on disk,
 * python3):
 *  - diagnostics published after an edit in a 2,000-line file (p95 and median; each edit waits for
 *    its own publication), against the same edits sent as full-text changes (no incremental parse);
 *  - server start: spawn → `initialize` result;
 *  - server RSS with a 2,000-file workspace open (every file opened, diagnostics for each, plus a
 *    workspace report);
 *  - extension activation as VS Code measures it ("Developer: Show Running Extensions" in code-server
 *    with the packaged .vsix), when code-server and chromium are installed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchRow, BenchSuite } from './benchmark';
import { fileUri, REPO, SERVER_JS, startLspSession, type LspSession } from '../support/lspClient';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function bigScript(lines: number): string {
  const out: string[] = ['import os', 'import json', 'import numpy as np', 'import xarray', 'import helpers'];
  for (let i = 0; out.length < lines; i++) {
    if (i % 40 === 0) out.push(`import missing_mod_${i}`);
    else if (i % 3 === 0) out.push(`def f${i}(x):`);
    else out.push(`    return np.asarray(os.path.join(str(x), "${i}"))`);
  }
  return `${out.join('\n')}\n`;
}

/** Edits in the middle of the file, each awaited until its diagnostics arrive; returns ms per edit. */
async function editLatencies(
  s: LspSession,
  uri: string,
  text: string,
  count: number,
  fullText: boolean,
): Promise<number[]> {
  const lines = text.split('\n');
  const times: number[] = [];
  let version = 1;
  for (let i = 0; i < count; i++) {
    version++;
    const insert = i % 2 === 0;
    const at = 1000;
    const mark = s.published.length;
    let changes;
    if (fullText) {
      const next = insert ? [...lines.slice(0, at), `import edited_${i}`, ...lines.slice(at)] : lines;
      changes = [{ text: next.join('\n') }];
    } else {
      changes = [
        insert
          ? {
              range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } },
              text: `import edited_${i}\n`,
            }
          : { range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } }, text: '' },
      ];
    }
    const t0 = performance.now();
    await s.change(uri, version, changes);
    const p = await s.waitForDiagnostics(uri, (d) => d.version === version, { from: mark });
    times.push(p.at - t0);
  }
  return times;
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function activationInCodeServer(tmp: string, log: (s: string) => void): Promise<BenchRow | undefined> {
  const cs = await import('../support/codeServer');
  const why = cs.e2eUnavailable();
  if (why) {
    log(`extension activation: skipped (${why})`);
    return undefined;
  }
  const { existsSync } = await import('node:fs');
  if (!existsSync(path.join(cs.CACHE_DIR, `.installed-${cs.CODE_SERVER_VERSION}`))) {
    log(
      'extension activation: skipped (code-server not installed in .cache/code-server; the e2e tests install it)',
    );
    return undefined;
  }
  const vsix = await cs.packageExtension(path.join(tmp, 'pyrats-lens.vsix'));
  const ws = path.join(tmp, 'activation-ws');
  cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
  const server = await cs.startCodeServer({ vsix, trusted: true });
  try {
    const wb = await cs.openWorkbench(server, ws, path.join(tmp, 'shots'));
    try {
      await wb.openFile('analysis.py');
      await wb.runCommand('Developer: Show Running Extensions');
      const row = wb.page
        .locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'PyRats Lens' })
        .first();
      await row.waitFor({ timeout: 60_000 });
      const text = (await row.textContent()) ?? '';
      const ms = /Activation:\s*(\d+)\s*ms/.exec(text);
      if (!ms) throw new Error(`no activation time in "${text}"`);
      return {
        name: 'extension activation (code-server 4.100.3)',
        value: Number(ms[1]),
        unit: 'ms',
        budget: 300,
        better: 'lower',
        detail: 'VS Code’s own figure: require of dist/client.js + activate()',
      };
    } finally {
      await wb.close();
    }
  } finally {
    await server.stop();
  }
}

export const lspSuite: BenchSuite = {
  name: 'lsp: language server and extension',
  async run(log) {
    const rows: BenchRow[] = [];
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-bench-lsp-'));
    try {
      const ws = path.join(tmp, 'workspace');
      cpSync(path.join(FIXTURE, 'workspace'), ws, { recursive: true });
      const settings = {
        baseline: `file:${path.join(ws, 'baseline.txt')}`,
        mirrors: [pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString()],
        python: 'python3',
        cacheDir: path.join(tmp, 'cache'),
      };

      // --- server start
      const starts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const s = await startLspSession({ rootDir: ws, settings });
        starts.push(performance.now() - t0);
        await s.stop();
      }
      rows.push({
        name: 'server start (spawn → initialize result)',
        value: percentile(starts, 50),
        unit: 'ms',
        better: 'lower',
        detail: `median of 5; node ${path.relative(REPO, SERVER_JS)} --stdio`,
      });

      // --- edit → diagnostics, 2,000-line file
      const big = path.join(ws, 'big_script.py');
      const text = bigScript(2000);
      writeFileSync(big, text);
      const uri = fileUri(big);
      const s = await startLspSession({ rootDir: ws, settings });
      try {
        await s.open(uri, text, 1);
        await s.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
        await editLatencies(s, uri, text, 10, false); // warm-up
        await s.close(uri);
        await s.open(uri, text, 1);
        await s.waitForDiagnostics(uri, (d) => d.version === 1);
        const incremental = await editLatencies(s, uri, text, 200, false);
        await s.close(uri);
        await s.open(uri, text, 1);
        await s.waitForDiagnostics(uri, (d) => d.version === 1);
        const full = await editLatencies(s, uri, text, 200, true);
        rows.push({
          name: 'diagnostics after an edit, 2,000-line file (p95)',
          value: percentile(incremental, 95),
          unit: 'ms',
          reference: percentile(full, 95),
          referenceName: 'full-text sync',
          budget: 30,
          better: 'lower',
          detail: `median ${percentile(incremental, 50).toFixed(1)} ms over 200 edits; ${text.length} chars; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
        });
      } finally {
        await s.stop();
      }

      // --- RSS with a 2,000-file workspace open
      const many = path.join(tmp, 'many');
      const files: string[] = [];
      for (let pkg = 0; pkg < 20; pkg++) {
        const dir = path.join(many, `pkg${pkg}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, '__init__.py'), '');
        for (let i = 0; i < 100; i++) {
          const f = path.join(dir, `mod${i}.py`);
          const body = [
            '"""A module of the synthetic workspace."""',
            'import os',
            'import json',
            'import numpy as np',
            'import xarray',
            `import nowhere_${i % 7}`,
            `from . import mod${(i + 1) % 100}`,
            '',
            ...Array.from(
              { length: 40 },
              (_, k) => `def f${k}(x):\n    return np.asarray(os.path.join(str(x), "${k}"))`,
            ),
          ].join('\n');
          writeFileSync(f, `${body}\n`);
          files.push(f);
        }
      }
      const w = await startLspSession({ rootDir: many, settings });
      try {
        const t0 = performance.now();
        const mark = w.published.length;
        for (const f of files) await w.open(fileUri(f), readFileSync(f, 'utf8'));
        await w.waitForDiagnostics(fileUri(files.at(-1)!), () => true, { from: mark, timeoutMs: 120_000 });
        const openMs = performance.now() - t0;
        const t1 = performance.now();
        await w.connection.sendRequest('pyrats/workspaceReport', {});
        const reportMs = performance.now() - t1;
        const mem = rssMb(w.process.pid!);
        rows.push({
          name: 'server RSS, 2,000 files open + workspace report',
          value: mem.rss,
          unit: 'MB',
          budget: 200,
          better: 'lower',
          detail: `peak ${mem.peak.toFixed(0)} MB; opened and checked in ${(openMs / 1000).toFixed(1)} s, report ${(reportMs / 1000).toFixed(1)} s`,
        });
      } finally {
        await w.stop();
      }

      // --- activation in real VS Code
      try {
        const row = await activationInCodeServer(tmp, log);
        if (row) rows.push(row);
      } catch (err) {
        log(`extension activation: failed (${err instanceof Error ? err.message : String(err)})`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};
