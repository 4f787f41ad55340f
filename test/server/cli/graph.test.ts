/**
 * `pyrats graph`, run in-process: formats, --from-json validation (bad entries reported and skipped),
 * usage errors, a real script's closure with verdicts from the checker, the standalone page's
 * safety (CSP, escaped data), and the graph payload builder on the fixture project.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphCommand } from '../../../server/cli/commands/graph';
import { jsonForScriptElement } from '../../../server/graphPage';
import type { GraphPayload } from '../../../server/protocol';
import { syntheticGraph } from '../../support/syntheticGraph';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'graph', 'project', 'analyse.py');
const DEBIAN_PYTHON = '/usr/bin/python3';

async function run(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const input = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  input.end(stdin);
  let code: number;
  try {
    code = await graphCommand.run(args, { stdout: out, stderr: err, stdin: input });
  } catch (e) {
    code = (e as Error).name === 'UsageError' || (e as Error).constructor.name === 'UsageError' ? 2 : -1;
    stderr += (e as Error).message;
  }
  return { code, stdout, stderr };
}

describe('pyrats graph', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyrats-graph-cli-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('graphs a script: closure, scripts as roots, missing imports, stdlib verdicts', async () => {
    const r = await run([FIXTURE, '--format', 'json', '--no-mirror']);
    expect(r.code, r.stderr).toBe(0);
    const payload = JSON.parse(r.stdout) as GraphPayload;
    const byRel = new Map(payload.graph.nodes.map((n) => [n.rel, n]));
    expect(payload.title).toBe('analyse.py');
    expect(payload.roots).toEqual([byRel.get('analyse.py')!.id]);
    expect(byRel.get('lab/helpers.py')).toMatchObject({ verdict: 'local', source: true });
    expect(byRel.get('lab/util.py')?.file).toBe(path.join(path.dirname(FIXTURE), 'lab', 'util.py'));
    expect(byRel.get('absentpkg_for_graph_test')).toMatchObject({ verdict: 'missing', root: '' });
    expect(byRel.get('missing_plotting_lib')).toMatchObject({ verdict: 'missing' });
    expect(byRel.get('email/mime/text.py')?.verdict).toBe('stdlib');
    // Frozen and built-in modules PyRats cannot find are not "missing".
    expect(
      payload.graph.nodes
        .filter((n) => n.verdict === 'missing')
        .map((n) => n.rel)
        .sort(),
    ).toEqual(['absentpkg_for_graph_test', 'missing_plotting_lib']);
    const helpers = byRel.get('lab/helpers.py')!.id;
    const util = byRel.get('lab/util.py')!.id;
    expect(payload.graph.edges).toEqual(
      expect.arrayContaining([
        { from: helpers, to: util },
        { from: util, to: helpers },
      ]),
    );
  });

  it('graphs a whole folder with --workspace: every file is drawn, entry points first', async () => {
    const r = await run(['--workspace', path.dirname(FIXTURE), '--format', 'json', '--no-mirror']);
    expect(r.code, r.stderr).toBe(0);
    const payload = JSON.parse(r.stdout) as GraphPayload;
    const rel = (id: string) => payload.graph.nodes.find((n) => n.id === id)!.rel;
    expect(payload.scope).toBe('workspace');
    expect(payload.title).toBe('project (workspace)');
    // analyse.py is imported by nothing; the package directory `lab` is reached by no import either.
    expect(payload.roots!.map(rel)).toEqual(['analyse.py', 'lab']);
  });

  it.skipIf(!existsSync(DEBIAN_PYTHON) || !existsSync('/usr/lib/python3/dist-packages/numpy'))(
    "colours third-party packages with the checker's verdicts (Debian python3 + numpy as the baseline)",
    async () => {
      const script = path.join(tmp, 'uses_numpy.py');
      writeFileSync(script, 'import numpy\nimport surely_not_a_package_xyz\n');
      const r = await run([script, '--python', DEBIAN_PYTHON, '--format', 'json', '--no-mirror']);
      expect(r.code, r.stderr).toBe(0);
      const nodes = (JSON.parse(r.stdout) as GraphPayload).graph.nodes;
      expect(nodes.find((n) => n.rel.startsWith('numpy'))?.verdict).toBe('baseline');
      expect(nodes.find((n) => n.rel === 'surely_not_a_package_xyz')?.verdict).toBe('missing');
      const unchecked = await run([script, '--python', DEBIAN_PYTHON, '--format', 'json', '--no-check']);
      const plain = (JSON.parse(unchecked.stdout) as GraphPayload).graph.nodes;
      expect(plain.find((n) => n.rel.startsWith('numpy'))?.verdict).toBeUndefined();
    },
  );

  it('colours packages as the baseline file and a local conda channel say (every verdict kind)', async () => {
    const ws = path.join(REPO, 'test', 'fixtures', 'lsp', 'workspace');
    const channel = pathToFileURL(
      path.join(REPO, 'test', 'fixtures', 'lsp', 'mirror', 'conda-forge'),
    ).toString();
    const r = await run([
      path.join(ws, 'analysis.py'),
      '--baseline',
      `file:${path.join(ws, 'baseline.txt')}`,
      '--mirror',
      channel,
      '--format',
      'json',
      '--no-cache',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const verdictOf = new Map(
      (JSON.parse(r.stdout) as GraphPayload).graph.nodes.map((n) => [
        n.rel.split('/')[0].split('.')[0],
        n.verdict,
      ]),
    );
    expect(verdictOf.get('analysis')).toBe('local');
    expect(verdictOf.get('helpers')).toBe('local');
    expect(verdictOf.get('numpy')).toBe('baseline');
    expect(verdictOf.get('scipy')).toBe('baseline');
    expect(verdictOf.get('xarray')).toBe('mirror');
    expect(verdictOf.get('notarealpackage_xyz')).toBe('missing');
    // Each checked package says why, as pyrats check does.
    const xarray = (JSON.parse(r.stdout) as GraphPayload).graph.nodes.find((n) => n.rel === 'xarray')!;
    expect(xarray.note).toMatch(
      /not in baseline .*the mirror has it: conda channel conda-forge: xarray \(2023\.1\.0, 2024\.1\.1\) provides it/,
    );
  });

  it('writes dot and Mermaid grouped by package, the format following the output name', async () => {
    const out = path.join(tmp, 'g.dot');
    const r = await run([FIXTURE, '-o', out, '--no-mirror']);
    expect(r.code, r.stderr).toBe(0);
    const dot = readFileSync(out, 'utf8');
    expect(dot).toMatch(/^digraph "analyse.py" \{/);
    expect(dot).toContain('label="lab";');
    expect(dot).toContain('label="lab.helpers"');
    expect(dot).not.toContain('\u0000');
    const mmd = await run([FIXTURE, '--format', 'mermaid', '--no-mirror']);
    expect(mmd.stdout).toContain('flowchart LR');
    expect(mmd.stdout).toMatch(/subgraph c\d+\["email"\]/);
    expect(mmd.stdout).toContain(':::missing');
  });

  it('writes one self-contained page: inline bundle with a nonce, CSP, data that cannot break out', async () => {
    const g = syntheticGraph({ nodes: 50, seed: 2 });
    g.nodes[5].rel = '</script><script>alert(1)</script>';
    const json = path.join(tmp, 'g.json');
    writeFileSync(
      json,
      JSON.stringify({ title: 'x</title><b>', roots: g.roots, graph: { nodes: g.nodes, edges: g.edges } }),
    );
    const html = path.join(tmp, 'g.html');
    const r = await run(['--from-json', json, '-o', html]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    const nonce = page.match(/script-src 'nonce-([^']+)'/)![1];
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'`,
    );
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page).toContain(`<script nonce="${nonce}">`);
    expect(page).toContain('<script type="application/json" id="pyrats-graph-data">');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('<title>x&#60;/title&#62;&#60;b&#62; — dependency graph</title>');
    expect(page).not.toMatch(/src="http|href="http/);
    const data = page.match(/id="pyrats-graph-data">([^<]*)<\/script>/)![1];
    expect((JSON.parse(data) as GraphPayload).graph.nodes[5].rel).toBe('</script><script>alert(1)</script>');
    expect(jsonForScriptElement({ a: '\u2028<!--' })).toBe('{"a":"\\u2028\\u003c!--"}');
  });

  it('reads a graph from JSON, reporting and skipping bad entries, and from standard input', async () => {
    const doc = {
      nodes: [
        { id: 'a', root: '/p', rel: 'a.py', source: true },
        { id: 'b', root: '/p', rel: 'b.py', verdict: 'strange' },
        { id: 'a', root: '/p', rel: 'dup.py' },
        { rel: 'no-id.py' },
        'garbage',
      ],
      edges: [{ from: 'a', to: 'b', weight: 3 }, { from: 'a', to: 'nowhere' }, { to: 'b' }],
    };
    const r = await run(['--from-json', '-', '--format', 'json'], JSON.stringify(doc));
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as GraphPayload;
    expect(payload.graph.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(payload.graph.edges).toEqual([{ from: 'a', to: 'b', weight: 3 }]);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      'pyrats graph: standard input: nodes[1]: unknown verdict "strange"; left out',
      'pyrats graph: standard input: nodes[2]: duplicate id "a"; skipped',
      'pyrats graph: standard input: nodes[3]: needs a string "id"; skipped',
      'pyrats graph: standard input: nodes[4]: needs a string "id"; skipped',
      'pyrats graph: standard input: edges[1]: to names no node; skipped',
      'pyrats graph: standard input: edges[2]: needs string "from" and "to"; skipped',
    ]);
  });

  it('fails clearly on unreadable input and bad usage', async () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"nodes": [');
    let r = await run(['--from-json', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${bad}: not valid JSON`);
    writeFileSync(bad, '{"edges": []}');
    r = await run(['--from-json', bad]);
    expect(r.stderr).toContain('no "nodes" array');
    r = await run(['--from-json', path.join(tmp, 'absent.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${path.join(tmp, 'absent.json')}: no such file`);
    expect((await run([FIXTURE, '--format', 'svg'])).stderr).toContain("svg needs the page's layout");
    expect((await run([FIXTURE, '--format', 'svg'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    expect((await run([FIXTURE, '--from-json', bad])).code).toBe(2);
    const missing = await run([path.join(tmp, 'nope.py'), '--format', 'json', '--no-check']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nope.py: no such file or directory');
  });

  it('a --baseline that cannot be loaded: the graph is still drawn, without verdicts, and the exit status is 3', async () => {
    const yml = path.join(tmp, 'environment.yml');
    writeFileSync(yml, 'name: analysis\ndependencies:\n\t- numpy\n'); // tabs: not valid YAML
    const r = await run([FIXTURE, '--format', 'json', '--no-mirror', '--baseline', `file:${yml}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`baseline file ${yml}: not valid YAML`);
    const payload = JSON.parse(r.stdout) as GraphPayload;
    expect(payload.graph.nodes.find((n) => n.rel === 'analyse.py')?.verdict).toBe('local');
  });
});
