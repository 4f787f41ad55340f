/**
 * Enforces the import boundaries of DESIGN.md section 3 on every TypeScript source file:
 * which top-level folder may import which, and which npm packages each may use.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

interface Rule {
  /** Folders (top level) whose files may be imported, value-level. */
  folders: string[];
  /** Files of other folders that may be imported, value-level (they bundle with this folder). */
  runtimeFiles?: string[];
  /** Files that may be imported with `import type` only. */
  typeOnlyFiles?: string[];
  /** npm packages allowed (prefix match on the package name). */
  packages: (pkg: string) => boolean;
  nodeBuiltins: boolean;
}

/** The one file of server/ the client bundles (DESIGN section 3). */
const PROTOCOL = 'server/protocol.ts';
/** What PROTOCOL may import at run time: the message classes only, no server library. */
const protocolPackages = ['vscode-jsonrpc'];

const forbiddenInAnalyzer = ['vscode', 'vscode-languageserver', 'vscode-languageclient', 'vscode-jsonrpc'];

const rules: Record<string, Rule> = {
  analyzer: {
    folders: ['analyzer'],
    packages: (p) =>
      !forbiddenInAnalyzer.some((f) => p === f || p.startsWith(`${f}-`) || p.startsWith(`${f}/`)),
    nodeBuiltins: true,
  },
  server: {
    folders: ['server', 'analyzer'],
    packages: (p) =>
      p !== 'vscode' && !p.startsWith('vscode-languageclient') && p !== 'd3' && !p.startsWith('d3-'),
    nodeBuiltins: true,
  },
  client: {
    folders: ['client'],
    // the message namespaces (`X.type`, `X.method`); protocol.ts itself imports only vscode-jsonrpc
    runtimeFiles: [PROTOCOL],
    packages: (p) => p === 'vscode' || p.startsWith('vscode-languageclient'),
    nodeBuiltins: true,
  },
  media: {
    folders: ['media'],
    typeOnlyFiles: ['server/protocol.ts', 'analyzer/graph/dependencyGraph.ts', 'analyzer/usage/answers.ts'],
    packages: (p) => p === 'd3' || p.startsWith('d3-'),
    nodeBuiltins: false,
  },
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importPattern =
  /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

export function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    found.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return found;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function violations(folder: string): string[] {
  const rule = rules[folder];
  const problems: string[] = [];
  for (const file of tsFiles(path.join(repo, folder))) {
    for (const { spec, typeOnly } of importsOf(file)) {
      const where = `${path.relative(repo, file)} imports '${spec}'`;
      if (spec.startsWith('.')) {
        const target = path.relative(repo, path.resolve(path.dirname(file), spec));
        const top = target.split(path.sep)[0];
        if (rule.folders.includes(top)) continue;
        const targetFile = target.endsWith('.ts') ? target : `${target}.ts`;
        if (rule.runtimeFiles?.includes(targetFile)) continue;
        if (typeOnly && rule.typeOnlyFiles?.includes(targetFile)) continue;
        problems.push(`${where}: ${folder}/ may not import from ${top}/`);
      } else if (builtins.has(spec)) {
        if (!rule.nodeBuiltins) problems.push(`${where}: ${folder}/ runs in a browser, no Node built-ins`);
      } else if (!rule.packages(packageName(spec))) {
        problems.push(`${where}: package not allowed in ${folder}/`);
      }
    }
  }
  return problems;
}

/** Run-time imports of `file` (the protocol file) other than `protocolPackages`. */
function protocolViolations(file: string): string[] {
  return importsOf(file)
    .filter(({ spec, typeOnly }) => !typeOnly && !protocolPackages.includes(spec))
    .map(({ spec }) => `${path.relative(repo, file)} imports '${spec}' at run time`);
}

/** The source files `file` imports from its own tree (relative specs that name a .ts file). */
function localImports(file: string): string[] {
  const out: string[] = [];
  for (const { spec } of importsOf(file)) {
    if (!spec.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec);
    for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')])
      if (candidate.endsWith('.ts') && existsSync(candidate)) {
        out.push(candidate);
        break;
      }
  }
  return out;
}

/** Import cycles among the files below `folder` (type imports count too), as lists of files. */
function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, localImports(f).filter((t) => files.includes(t))]));
  // Tarjan's strongly connected components (recursive: a few hundred files)
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(repo, w));
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

describe('one-way arrows (issue 19): no module imports one that imports it back', () => {
  for (const folder of Object.keys(rules)) {
    it(`${folder}/ has no import cycles`, () => {
      expect(importCycles(tsFiles(path.join(repo, folder)))).toEqual([]);
    });
  }

  it('finds a cycle (the check itself can fail)', () => {
    const a = path.join(repo, 'analyzer', '__cycle_probe_a__.ts');
    const b = path.join(repo, 'analyzer', '__cycle_probe_b__.ts');
    writeFileSync(a, "import type { B } from './__cycle_probe_b__';\nexport type A = B;\n");
    writeFileSync(b, "import type { A } from './__cycle_probe_a__';\nexport type B = A | 1;\n");
    try {
      expect(importCycles([a, b])).toEqual([
        ['analyzer/__cycle_probe_a__.ts', 'analyzer/__cycle_probe_b__.ts'],
      ]);
    } finally {
      rmSync(a);
      rmSync(b);
    }
  });
});

describe('import boundaries (DESIGN.md section 3)', () => {
  for (const folder of Object.keys(rules)) {
    it(`${folder}/ imports only what it may`, () => {
      expect(violations(folder)).toEqual([]);
    });
  }

  it(`${PROTOCOL} imports at run time only ${protocolPackages.join(', ')} (the client bundles it)`, () => {
    expect(protocolViolations(path.join(repo, PROTOCOL))).toEqual([]);
  });

  it('catches a protocol file that imports the server library (the check itself can fail)', () => {
    const probe = path.join(repo, 'server', '__protocol_probe__.ts');
    writeFileSync(
      probe,
      "import { RequestType } from 'vscode-jsonrpc';\n" +
        "import type { Connection } from 'vscode-languageserver';\n" +
        "import { createConnection } from 'vscode-languageserver/node';\n",
    );
    try {
      expect(protocolViolations(probe)).toEqual([
        "server/__protocol_probe__.ts imports 'vscode-languageserver/node' at run time",
      ]);
    } finally {
      rmSync(probe);
    }
  });

  it('lets the client import the protocol file, and no other server file (the check itself can fail)', () => {
    const probe = path.join(repo, 'client', '__boundary_probe__.ts');
    writeFileSync(
      probe,
      "import { FileSummaryNotification } from '../server/protocol';\n" +
        "import { x } from '../server/lsp/server';\n",
    );
    try {
      const found = violations('client').filter((v) => v.includes('__boundary_probe__'));
      expect(found).toEqual([
        "client/__boundary_probe__.ts imports '../server/lsp/server': client/ may not import from server/",
      ]);
    } finally {
      rmSync(probe);
    }
  });

  it('catches a forbidden import (the check itself can fail)', () => {
    const probe = path.join(repo, 'analyzer', '__boundary_probe__.ts');
    writeFileSync(probe, "import * as vscode from 'vscode';\nimport { x } from '../client/extension';\n");
    try {
      const found = violations('analyzer');
      expect(found.some((v) => v.includes("'vscode'"))).toBe(true);
      expect(found.some((v) => v.includes('may not import from client/'))).toBe(true);
    } finally {
      rmSync(probe);
    }
  });
});
