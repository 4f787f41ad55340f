/**
 * Conversions from per-import verdicts to LSP types: diagnostics (stable code per verdict, severity
 * from settings), hover markdown, and code actions that run the client's request and graph commands.
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  ImportVerdictInfo,
  InstallFromMirrorArgs,
  MirrorInstallCandidate,
  PackageCandidate,
  RequestPackagesArgs,
  SeveritySettingKey,
  ShowDependencyGraphArgs,
  VerdictCounts,
  VerdictKind,
} from '../protocol';
import type { CheckResult } from './documents';
import { suitedVersion } from '../../analyzer/check/mirrorVerdict';
import { providingHits } from './inlayHints';
import { lspSeverity, type PyratsSettings } from './settings';

export const DIAGNOSTIC_SOURCE = 'pyrats';

/** Command ids the code actions invoke (implemented by the VS Code client; other editors may bind them). */
export const REQUEST_PACKAGES_COMMAND = 'pyrats.requestPackages';
export const SHOW_GRAPH_COMMAND = 'pyrats.showDependencyGraph';
export const INSTALL_FROM_MIRROR_COMMAND = 'pyrats.installFromMirror';

/** What a diagnostic carries in `data`, so code actions know the import without re-checking. */
export interface DiagnosticData {
  module: string;
  topLevel: string;
  kind: VerdictKind;
}

function severityKey(v: ImportVerdictInfo): SeveritySettingKey {
  // a notebook that installs the package itself is handled like a guarded import
  const guarded = v.guarded === 'try' || v.installedBy !== undefined;
  switch (v.kind) {
    case 'missing':
    case 'conflict':
      return guarded ? 'missingGuarded' : 'missing';
    case 'mirror':
    case 'undeclared':
      return guarded ? 'mirrorOnlyGuarded' : 'mirrorOnly';
    case 'baseline':
      return 'baseline';
    case 'stdlib':
    case 'builtin':
      return 'stdlib';
    case 'local':
      return 'local';
  }
}

function diagnosticMessage(v: ImportVerdictInfo): string {
  const guard = v.guarded === 'try' ? ' (guarded by try/except ImportError)' : '';
  const name = v.distribution && v.distribution !== v.topLevel ? `${v.module} (${v.distribution})` : v.module;
  if (v.installedBy) return `${name}: installed by the notebook itself — ${v.explanation}`;
  switch (v.kind) {
    case 'missing':
      return `${name}: missing everywhere — ${v.explanation}${guard}`;
    case 'mirror':
      return `${name}: only on the mirror — ${v.explanation}${guard}`;
    case 'conflict':
      return `${name}: version conflict — ${v.explanation}`;
    case 'undeclared':
      return `${name}: not declared — ${v.explanation}`;
    case 'baseline':
      return `${name}: in the baseline${v.baselineVersion ? ` (${v.baselineVersion})` : ''}`;
    case 'stdlib':
    case 'builtin':
      return `${name}: standard library`;
    case 'local':
      return `${name}: local module${v.file ? ` (${v.file})` : ''}`;
  }
}

export function diagnosticsFor(verdicts: ImportVerdictInfo[], settings: PyratsSettings): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const v of verdicts) {
    const severity = lspSeverity(settings.severity[severityKey(v)]);
    if (severity === undefined) continue;
    const data: DiagnosticData = { module: v.module, topLevel: v.topLevel, kind: v.kind };
    const req = v.requirement;
    out.push({
      range: v.range,
      severity,
      code: v.code,
      source: DIAGNOSTIC_SOURCE,
      message: diagnosticMessage(v),
      data,
      ...(req
        ? {
            relatedInformation: [
              {
                location: {
                  uri: pathToFileURL(req.file).toString(),
                  range: {
                    start: { line: req.line - 1, character: 0 },
                    end: { line: req.line - 1, character: 0 },
                  },
                },
                message: `declared: ${req.text}`,
              },
            ],
          }
        : {}),
    });
  }
  return out;
}

/** Said once, at the top, for a document over the size cap (its imports are not checked). */
export function tooLargeDiagnostic(size: number, limit: number): Diagnostic {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    code: 'pyrats.too-large',
    source: DIAGNOSTIC_SOURCE,
    message: `File too large to check its imports: ${mib(size)} (limit ${mib(limit)}).`,
  };
}

export function countVerdicts(verdicts: ImportVerdictInfo[]): VerdictCounts {
  const counts: VerdictCounts = {
    stdlib: 0,
    builtin: 0,
    local: 0,
    baseline: 0,
    mirror: 0,
    missing: 0,
    conflict: 0,
    undeclared: 0,
  };
  for (const v of verdicts) counts[v.kind]++;
  return counts;
}

function contains(range: Range, p: Position): boolean {
  const afterStart =
    p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const beforeEnd =
    p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return afterStart && beforeEnd;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Position, y: Position) =>
    x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

const KIND_TITLE: Record<VerdictKind, string> = {
  stdlib: 'standard library',
  builtin: 'built into the interpreter',
  local: 'local module',
  baseline: 'in the baseline',
  mirror: 'only on the mirror',
  missing: 'missing everywhere',
  conflict: 'in the baseline, but not in a declared version',
  undeclared: 'in the baseline, but not declared',
};

/** Markdown for the import under the cursor, or null when the cursor is on no import. */
export function hoverFor(
  verdicts: ImportVerdictInfo[],
  position: Position,
  baseline: string | null,
): Hover | null {
  const v = verdicts.find((x) => contains(x.range, position));
  if (!v) return null;
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const lines = [`**${code(v.module)}** — ${KIND_TITLE[v.kind]}`, ''];
  if (v.file) lines.push(`- resolves to ${code(v.file)}`);
  if (v.distribution) lines.push(`- distribution: ${code(v.distribution)}`);
  if (baseline) {
    lines.push(
      v.baselineVersion
        ? `- baseline ${code(baseline)}: ${code(v.baselineVersion)}`
        : `- baseline ${code(baseline)}: ${v.kind === 'stdlib' || v.kind === 'builtin' || v.kind === 'local' ? 'not needed' : 'not provided'}`,
    );
  }
  for (const m of v.mirror) {
    const shown = m.versions.slice(0, 8).join(', ');
    const more = m.versions.length > 8 ? ` (+${m.versions.length - 8} more)` : '';
    const provides = m.provides === 'probably' ? 'probably provides it' : m.provides ? 'provides it' : '';
    const why = provides ? ` — ${provides}${m.why ? `: ${m.why}` : ''}` : '';
    lines.push(
      `- mirror ${m.kind} ${code(m.label)}${m.name !== v.distribution ? ` as ${code(m.name)}` : ''}: ${shown}${more}${why}`,
    );
  }
  for (const m of v.notProviders ?? [])
    lines.push(
      `- mirror ${m.kind} ${code(m.label)} has ${code(m.name)}, which does NOT provide it: ${m.why ?? 'no evidence'}`,
    );
  if (v.guarded === 'try') lines.push('- guarded by `try/except ImportError`');
  lines.push('', `Why: ${v.explanation}`);
  if (v.action) lines.push('', `Action: ${v.action}`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: v.range };
}

function candidate(uri: string, text: TextDocument, v: ImportVerdictInfo): PackageCandidate {
  const line = v.range.start.line;
  const lineText = text
    .getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } })
    .trim();
  return {
    module: v.topLevel,
    distribution: v.distribution,
    uri,
    line,
    lineText: lineText.slice(0, 200),
    kind: v.kind,
    mirror: v.mirror,
  };
}

/** Missing everywhere: what "Request all missing packages" counts and sends. */
const isMissing = (v: ImportVerdictInfo) => v.kind === 'missing';
/** Imports a request could be about: missing everywhere, or only on the mirror (for the baseline). */
const requestable = (v: ImportVerdictInfo) => v.kind === 'missing' || v.kind === 'mirror';

function installCandidates(v: ImportVerdictInfo): MirrorInstallCandidate[] {
  return providingHits(v).map((m) => ({
    module: v.topLevel,
    name: m.name,
    kind: m.kind,
    source: m.source,
    label: m.label,
    version: suitedVersion(m),
  }));
}

/** "Install from the mirror" for a mirror-only import: the client runs pip or conda after asking. */
function installAction(uri: string, v: ImportVerdictInfo, diagnostics: Diagnostic[]): CodeAction | null {
  const packages = installCandidates(v);
  if (packages.length === 0) return null;
  const sources = [...new Set(packages.map((p) => p.label))].join(', ');
  const args: InstallFromMirrorArgs = { uri, packages };
  const title = `Install ${packages[0].name} from the mirror (${sources})`;
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics,
    isPreferred: true,
    command: { title, command: INSTALL_FROM_MIRROR_COMMAND, arguments: [args] },
  };
}

/** Quick fixes for the imports in `range`: install from the mirror, request, request all, show in graph. */
export function codeActionsFor(
  uri: string,
  text: TextDocument,
  result: CheckResult,
  range: Range,
  diagnostics: Diagnostic[],
): CodeAction[] {
  const here = result.verdicts.filter((v) => overlaps(v.range, range));
  const actions: CodeAction[] = [];
  const diagnosticsOf = (v: ImportVerdictInfo) =>
    diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && overlaps(d.range, v.range));
  const seen = new Set<string>();
  for (const v of here.filter(requestable)) {
    const key = v.distribution ?? v.topLevel;
    if (seen.has(key)) continue;
    seen.add(key);
    const install = v.kind === 'mirror' ? installAction(uri, v, diagnosticsOf(v)) : null;
    if (install) actions.push(install);
    const args: RequestPackagesArgs = { uri, baseline: result.baseline, packages: [candidate(uri, text, v)] };
    const title = v.kind === 'missing' ? `Request this package: ${key}` : `Request ${key} for the baseline`;
    actions.push({
      title,
      kind: CodeActionKind.QuickFix,
      diagnostics: diagnosticsOf(v),
      isPreferred: v.kind === 'missing',
      command: { title, command: REQUEST_PACKAGES_COMMAND, arguments: [args] },
    });
  }
  const all = new Map<string, PackageCandidate>();
  for (const v of result.verdicts.filter(isMissing)) {
    const key = v.distribution ?? v.topLevel;
    if (!all.has(key)) all.set(key, candidate(uri, text, v));
  }
  if (here.some(requestable) && all.size > 0) {
    const args: RequestPackagesArgs = { uri, baseline: result.baseline, packages: [...all.values()] };
    actions.push({
      title: `Request all missing packages in this file (${all.size})`,
      kind: CodeActionKind.QuickFix,
      command: {
        title: 'Request all missing packages in this file',
        command: REQUEST_PACKAGES_COMMAND,
        arguments: [args],
      },
    });
  }
  const shown = new Set<string>();
  for (const v of here) {
    if (shown.has(v.module)) continue;
    shown.add(v.module);
    const args: ShowDependencyGraphArgs = { uri, module: v.module };
    actions.push({
      title: `Show in dependency graph: ${v.module}`,
      kind: CodeActionKind.QuickFix,
      command: { title: 'Show in dependency graph', command: SHOW_GRAPH_COMMAND, arguments: [args] },
    });
  }
  return actions;
}
