/**
 * Builds the graph payload the graph view draws (webview, standalone page, `pyrats graph`): the
 * follow closure of scripts (or of every Python file under a folder: the workspace view) as a
 * DependencyGraph, with a node per missing import (PyRats drops them; the graph shows them), the
 * scripts as roots, verdicts applied by top-level module when the caller has them, and problems as
 * short lines. Shared by the CLI and the language server's `pyrats/dependencyGraph` request.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from '../analyzer/env/environment';
import {
  nodeId,
  type DependencyGraph,
  type GraphNode,
  type VerdictKind,
} from '../analyzer/graph/dependencyGraph';
import { followDependencies, type FollowOptions, type FollowResult } from '../analyzer/graph/follow';
import { toDependencyGraph } from '../analyzer/graph/formats';
import type { ImportSite } from '../analyzer/extract/importSite';
import type { GraphPayload, GraphScope } from './protocol';

/** What the graph needs of the Checker (analyzer/check): a verdict per import site. */
export interface SiteChecker {
  checkSites(
    sites: ImportSite[],
    file: string,
  ): Promise<{ topLevel: string; kind: VerdictKind; explanation?: string }[]>;
}

export interface BuildGraphOptions {
  /** Script files (script scope) or folders (workspace scope: every Python file below). */
  inputs: string[];
  env: Environment;
  scope?: GraphScope;
  title?: string;
  profile?: FollowOptions['profile'];
  /** Verdicts by top-level module name (`numpy` → `baseline`), e.g. from the checker. */
  verdicts?: Map<string, VerdictKind>;
  /** Decides baseline / mirror / missing for every third-party and unresolved package of the graph. */
  checker?: SiteChecker;
  /** Scopes the receiver may switch to. */
  scopes?: GraphScope[];
  /** Stop following after this many files (a size cap; the payload says it was cut). */
  maxFiles?: number;
  /** Passed to the follow loop (a shared directory-listing cache, an extractor). */
  follow?: Pick<FollowOptions, 'fs' | 'extractFiles'>;
}

/** Leading dots and the first name of an import as written: `.pkg.mod` → `.pkg`, `numpy.linalg` → `numpy`. */
function topLevelOfImport(module: string): string {
  const m = module.match(/^(\.*)([^.]*)/);
  return m ? `${m[1]}${m[2]}` || module : module;
}

/**
 * Adds one node per top-level import that resolved to nothing, with an edge from each file that
 * imports it: missing, unless the interpreter has it built in or frozen or lists it in its standard
 * library (PyRats' finder cannot see those: they have no file), which makes it builtin or stdlib.
 */
export function addUnresolvedImports(graph: DependencyGraph, result: FollowResult, env?: Environment): void {
  const byFile = new Map<string, string>();
  for (const s of result.sources) {
    const id = nodeId(s.from[0], s.from[1]);
    byFile.set(s.file, id);
    byFile.set(path.join(s.file, '__init__.py'), id);
  }
  const builtin = new Set(env?.builtinModules ?? []);
  const stdlib = new Set([
    ...(env?.stdlibModules ?? []),
    ...(env?.frozenModules ?? []).map((m) => m.split('.')[0]),
  ]);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = new Set(graph.edges.map((e) => `${e.from}\u0001${e.to}`));
  for (const u of result.unresolved) {
    const from = byFile.get(u.file);
    if (!from) continue;
    const top = topLevelOfImport(u.module);
    const verdict: VerdictKind = builtin.has(top) ? 'builtin' : stdlib.has(top) ? 'stdlib' : 'missing';
    const root = verdict === 'missing' ? '' : (env?.stdlibDir ?? '');
    const id = nodeId(root, top);
    if (!nodes.has(id)) {
      const node: GraphNode = { id, root, rel: top, cluster: top, verdict, source: false };
      nodes.set(id, node);
      graph.nodes.push(node);
    }
    const key = `${from}\u0001${id}`;
    if (!edges.has(key)) {
      edges.add(key);
      graph.edges.push({ from, to: id });
    }
  }
}

const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Top-level names of the nodes whose verdict the resolution alone cannot give: third party and missing. */
export function packagesToCheck(graph: DependencyGraph): string[] {
  const names = new Set<string>();
  for (const n of graph.nodes) {
    if (n.verdict && n.verdict !== 'missing') continue;
    if (n.verdict !== 'missing' && !/(^|\/)(site|dist)-packages(\/|$)/.test(n.root)) continue;
    const top = n.rel.split('/')[0].split('.')[0];
    if (top && /^[A-Za-z_][\w]*$/.test(top)) names.add(top);
  }
  return [...names].sort();
}

/** Asks the checker about each package of the graph as if `from` imported it. */
export async function checkPackages(
  graph: DependencyGraph,
  checker: SiteChecker,
  from: string,
): Promise<Map<string, VerdictKind | { kind: VerdictKind; note?: string }>> {
  const sites: ImportSite[] = packagesToCheck(graph).map((module) => ({
    module,
    name: null,
    asname: null,
    level: 0,
    range: zero,
    statementRange: zero,
    kind: 'import',
    guarded: null,
    inFunction: false,
  }));
  const verdicts = await checker.checkSites(sites, from);
  return new Map(
    verdicts.map((v) => [v.topLevel, { kind: v.kind, ...(v.explanation ? { note: v.explanation } : {}) }]),
  );
}

/**
 * Applies verdicts by top-level module name to nodes without one, and to unresolved ones (the
 * checker knows the mirror: a module missing here may be one request away).
 */
export function applyVerdicts(
  graph: DependencyGraph,
  verdicts: Map<string, VerdictKind | { kind: VerdictKind; note?: string }>,
): void {
  for (const n of graph.nodes) {
    if (n.verdict && n.verdict !== 'missing') continue;
    const top = n.rel.split('/')[0].split('.')[0];
    const v = verdicts.get(top) ?? (n.cluster ? verdicts.get(n.cluster) : undefined);
    if (!v) continue;
    if (typeof v === 'string') n.verdict = v;
    else {
      n.verdict = v.kind;
      if (v.note) n.note = v.note;
    }
  }
}

/**
 * Roots of a workspace graph: the files of the input roots that nothing imports, then any file of
 * them still unreachable (a package's `__init__`, modules only in an import cycle), so the whole
 * workspace is drawn.
 */
export function workspaceRoots(graph: DependencyGraph, inputRoots: string[]): string[] {
  const rootDirs = new Set(inputRoots);
  const local = graph.nodes.filter((n) => rootDirs.has(n.root));
  const imported = new Set(graph.edges.map((e) => e.to));
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  const reached = new Set<string>();
  const visit = (start: string) => {
    const stack = [start];
    while (stack.length) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      stack.push(...(out.get(id) ?? []));
    }
  };
  const roots = local.filter((n) => !imported.has(n.id)).map((n) => n.id);
  roots.forEach(visit);
  for (const n of local) {
    if (reached.has(n.id)) continue;
    roots.push(n.id);
    visit(n.id);
  }
  return roots;
}

export async function buildGraphPayload(options: BuildGraphOptions): Promise<GraphPayload> {
  const scope = options.scope ?? 'script';
  const result = await followDependencies(options.inputs, options.env, {
    profile: options.profile ?? 'compat',
    ...options.follow,
  });
  const graph = toDependencyGraph(result);
  addUnresolvedImports(graph, result, options.env);
  if (options.verdicts) applyVerdicts(graph, options.verdicts);
  if (options.checker) {
    // Imports are checked as if written in the first script (or in a file of the first folder).
    let from = path.resolve(options.inputs[0] ?? '.');
    if (existsSync(from) && statSync(from).isDirectory()) from = path.join(from, '__graph__.py');
    applyVerdicts(graph, await checkPackages(graph, options.checker, from));
  }
  // Scripts are roots; in the workspace view every file nothing else imports is one.
  const ids = new Set(graph.nodes.map((n) => n.id));
  const seeds = new Set(result.scripts.map((s) => path.resolve(s)));
  let roots = result.sources
    .filter((s) => seeds.has(s.file) || seeds.has(path.join(s.file, '__init__.py')))
    .map((s) => nodeId(s.from[0], s.from[1]))
    .filter((id) => ids.has(id));
  if (scope === 'workspace' || !roots.length) roots = workspaceRoots(graph, result.roots);
  const rootSet = new Set(roots);
  for (const n of graph.nodes) if (rootSet.has(n.id)) n.verdict ??= 'local';
  const problems = result.problems.map(
    (p) => `${p.file}${p.line !== undefined ? `:${p.line + 1}` : ''}: ${p.message}`,
  );
  if (options.maxFiles !== undefined && graph.nodes.length > options.maxFiles) {
    const keep = new Set(graph.nodes.slice(0, options.maxFiles).map((n) => n.id));
    for (const r of roots) keep.add(r);
    graph.nodes = graph.nodes.filter((n) => keep.has(n.id));
    graph.edges = graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to));
    problems.unshift(`The graph was cut at ${options.maxFiles} nodes.`);
  }
  const title =
    options.title ??
    (scope === 'workspace'
      ? `${path.basename(path.resolve(options.inputs[0] ?? '.'))} (workspace)`
      : options.inputs.map((s) => path.basename(s)).join(', '));
  return {
    graph,
    title,
    roots,
    scope,
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(problems.length ? { problems: problems.slice(0, 50) } : {}),
  };
}
