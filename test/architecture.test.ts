/**
 * Enforces the import boundaries of DESIGN.md section 3 on every TypeScript source file:
 * which top-level folder may import which, and which npm packages each may use.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

interface Rule {
  /** Folders (top level) whose files may be imported, value-level. */
  folders: string[];
  /** Files that may be imported with `import type` only. */
  typeOnlyFiles?: string[];
  /**
   * Files of other folders that may be imported value-level (they bundle with this folder): each
   * must itself import types only, or for the protocol file only vscode-jsonrpc (checked below), so
   * it brings no code of its folder along.
   */
  sharedFiles?: string[];
  /** npm packages allowed (prefix match on the package name). */
  packages: (pkg: string) => boolean;
  nodeBuiltins: boolean;
}

/**
 * What the webview bundles use as it is: the graph writers and node names (one rule for the CLI,
 * the server and the view), and the dashboard API's routes, parameters and answer types (the page
 * builds its calls with them).
 */
const MEDIA_SHARED = [
  'analyzer/graph/writers.ts',
  'analyzer/graph/nodeNames.ts',
  'server/dashboard/dashboardApi.ts',
];
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
    sharedFiles: [PROTOCOL],
    packages: (p) => p === 'vscode' || p.startsWith('vscode-languageclient'),
    nodeBuiltins: true,
  },
  media: {
    folders: ['media'],
    typeOnlyFiles: ['server/protocol.ts', 'analyzer/graph/dependencyGraph.ts', 'analyzer/usage/answers.ts'],
    sharedFiles: MEDIA_SHARED,
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
        if (typeOnly && rule.typeOnlyFiles?.includes(targetFile)) continue;
        if (rule.sharedFiles?.includes(targetFile)) continue;
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

/** The imports of `file` that are not `import type` / `export type`: code it brings along. */
function valueImports(file: string): string[] {
  return importsOf(file)
    .filter((i) => !i.typeOnly)
    .map((i) => `${path.relative(repo, file)} imports '${i.spec}' value-level`);
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

/**
 * The engine's stages in pipeline order: a stage may import itself, the stages before it and the
 * shared files directly in analyzer/ (which import only each other), never a later stage, type
 * imports included. A new folder must be placed here.
 */
const STAGE_ORDER = [
  'parse',
  'notebook',
  'extract',
  'env',
  'names',
  'baseline',
  'declarations',
  'resolve',
  'pyrats',
  'graph',
  'mirror',
  'check',
  'config',
  'usage',
  'requests',
];

/** Imports in analyzer/ that run back up the stage order (or name a stage missing from it). */
function backArrows(files: string[]): string[] {
  const analyzer = path.join(repo, 'analyzer');
  const stageOf = (file: string) => {
    const parts = path.relative(analyzer, file).split(path.sep);
    return parts.length > 1 ? parts[0] : null;
  };
  const problems: string[] = [];
  for (const file of files) {
    const from = stageOf(file);
    if (from !== null && !STAGE_ORDER.includes(from))
      problems.push(`analyzer/${from}/ is not in STAGE_ORDER`);
    for (const target of localImports(file)) {
      const to = stageOf(target);
      if (to === from) continue;
      const back = to !== null && (from === null || STAGE_ORDER.indexOf(to) > STAGE_ORDER.indexOf(from));
      if (back)
        problems.push(
          `${path.relative(repo, file)} imports ${path.relative(repo, target)}: ${from ?? 'a shared file'} comes before ${to}`,
        );
    }
  }
  return [...new Set(problems)];
}

describe('stage order in analyzer/ (issue 19): no stage imports a later one', () => {
  it(`follows ${STAGE_ORDER.join(' → ')}`, () => {
    expect(backArrows(tsFiles(path.join(repo, 'analyzer')))).toEqual([]);
  });

  it('finds a back arrow, a shared file that imports a stage, and an unplaced stage (the check itself can fail)', () => {
    const probes = {
      back: path.join(repo, 'analyzer', 'mirror', '__stage_probe__.ts'),
      shared: path.join(repo, 'analyzer', '__stage_probe__.ts'),
    };
    writeFileSync(
      probes.back,
      "import type { Verdict } from '../check/verdict';\nexport type V = Verdict;\n",
    );
    writeFileSync(
      probes.shared,
      "import type { Verdict } from './check/verdict';\nexport type V = Verdict;\n",
    );
    try {
      const found = backArrows(Object.values(probes));
      expect(found).toHaveLength(2);
      expect(found[0]).toMatch(/mirror comes before check/);
      expect(found[1]).toMatch(/a shared file comes before check/);
      const renamed = path.join(repo, 'analyzer', '__unplaced_probe__');
      mkdirSync(renamed);
      writeFileSync(path.join(renamed, 'x.ts'), 'export const x = 1;\n');
      try {
        expect(backArrows([path.join(renamed, 'x.ts')])).toEqual([
          'analyzer/__unplaced_probe__/ is not in STAGE_ORDER',
        ]);
      } finally {
        rmSync(renamed, { recursive: true });
      }
    } finally {
      for (const p of Object.values(probes)) rmSync(p);
    }
  });
});

describe('import boundaries (DESIGN.md section 3)', () => {
  for (const folder of Object.keys(rules)) {
    it(`${folder}/ imports only what it may`, () => {
      expect(violations(folder)).toEqual([]);
    });
  }

  for (const shared of MEDIA_SHARED)
    it(`${shared}, imported by media/, imports types only`, () => {
      expect(valueImports(path.join(repo, shared))).toEqual([]);
    });

  it('catches a shared file that imports code, and a server file media may not import', () => {
    const probe = path.join(repo, 'media', '__shared_probe__.ts');
    writeFileSync(
      probe,
      "import { apiPath } from '../server/dashboard/dashboardApi';\n" +
        "import { answerApi } from '../server/dashboard/dashboardAnswers';\n" +
        "import type { UsageStore } from '../analyzer/usage/store';\n" +
        "import path from 'node:path';\n",
    );
    try {
      const found = violations('media').filter((v) => v.includes('__shared_probe__'));
      expect(found).toHaveLength(3);
      expect(found.some((v) => v.includes('dashboardApi'))).toBe(false);
      expect(found.some((v) => v.includes("'../server/dashboard/dashboardAnswers'"))).toBe(true);
      expect(found.some((v) => v.includes("'../analyzer/usage/store'"))).toBe(true);
      expect(valueImports(probe)).toHaveLength(3);
    } finally {
      rmSync(probe);
    }
  });

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
