/**
 * *PyRats: Request Missing Packages* (palette, and the per-import quick fix, which passes
 * `RequestPackagesArgs`): pick the distributions (pre-selected: what the current file's verdicts say
 * is missing or only on the mirror), add an optional reason and preferred source, and send the request
 * through the bundled CLI (`pyrats request --packages-json -`) to the destinations in
 * `pyrats.requests.destinations` (syslog, webhook, mailto). The user sees what was sent and where;
 * failed deliveries stay in the shared outbox and *PyRats: Retry Package Requests* sends them again.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  FileVerdictsRequest,
  type FileVerdictsResult,
  type ImportVerdictInfo,
  type RequestPackagesArgs,
  type PackageCandidate as QuickFixPackage,
} from '../server/protocol';
import { runPyratsCli } from './cliProcess';
import { configuredRequestDestinations } from './configView';
import type { Ctx } from './ctx';
import { configuredConfig } from './showConfiguration';

/** One distribution the user may pick, with what we know about it (the CLI's `--packages-json` shape). */
interface Candidate {
  name: string;
  imports: string[];
  evidence: { file: string; line: number; text: string }[];
  baselineVersion: string | null;
  mirror: { kind: 'conda' | 'pypi'; source: string; versions: string[] }[];
  verdict: string;
}

interface DeliveryResult {
  sink: string;
  kind: string;
  ok: boolean;
  /** delivered (confirmed), unconfirmed (UDP, or a mailto link), failed (kept in the outbox). */
  status?: 'delivered' | 'unconfirmed' | 'failed';
  detail: string;
  error?: string;
  link?: string;
  /** When a failed delivery is due again. */
  nextAttempt?: string;
}

/** A malformed outbox entry the CLI moved to `bad/`. */
interface SetAside {
  file: string;
  movedTo: string;
  reason: string;
}

function mirrorOf(hits: QuickFixPackage['mirror']): Candidate['mirror'] {
  // Conda: the channel's short name; PyPI: the index URL. Newest version first.
  return hits.map((h) => ({
    kind: h.kind,
    source: h.kind === 'conda' ? h.label : h.source,
    versions: [...h.versions].reverse(),
  }));
}

function addCandidate(
  into: Map<string, Candidate>,
  name: string,
  module: string,
  evidence: Candidate['evidence'][number] | null,
  mirror: Candidate['mirror'],
  verdict: string,
  baselineVersion: string | null,
): void {
  const key = name.toLowerCase().replace(/[-_.]+/g, '-');
  const c = into.get(key) ?? { name, imports: [], evidence: [], baselineVersion, mirror, verdict };
  if (!c.imports.includes(module)) c.imports.push(module);
  if (evidence && !c.evidence.some((e) => e.file === evidence.file && e.line === evidence.line))
    c.evidence.push(evidence);
  if (!c.mirror.length && mirror.length) c.mirror = mirror;
  into.set(key, c);
}

function fromQuickFix(args: RequestPackagesArgs): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  for (const p of args.packages) {
    const file = vscode.Uri.parse(p.uri).fsPath;
    addCandidate(
      out,
      p.distribution ?? p.module,
      p.module,
      { file, line: p.line + 1, text: p.lineText.trim() },
      mirrorOf(p.mirror),
      p.kind,
      null,
    );
  }
  return out;
}

function fromVerdicts(result: FileVerdictsResult, lines: (n: number) => string): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  const file = vscode.Uri.parse(result.uri).fsPath;
  for (const i of result.imports as ImportVerdictInfo[]) {
    if (i.kind !== 'missing' && i.kind !== 'mirror') continue;
    addCandidate(
      out,
      i.distribution ?? i.topLevel,
      i.topLevel,
      { file, line: i.range.start.line + 1, text: lines(i.range.start.line).trim() },
      mirrorOf(i.mirror),
      i.kind,
      i.baselineVersion,
    );
  }
  return out;
}

function describeMirror(c: Candidate): string {
  if (!c.mirror.length) return c.verdict === 'missing' ? 'not on the mirror' : '';
  return c.mirror
    .map(
      (m) =>
        `${m.kind === 'conda' ? `conda ${m.source}` : m.source}: ${m.versions.slice(0, 3).join(', ') || 'none'}`,
    )
    .join('; ');
}

/** Number of deliveries in the outbox the CLI keeps (same location rules as `pyrats request`). */
function waitingDeliveries(env: NodeJS.ProcessEnv = process.env): number {
  const dir = env.PYRATS_OUTBOX
    ? path.resolve(env.PYRATS_OUTBOX)
    : path.join(
        env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)
          ? env.XDG_STATE_HOME
          : path.join(os.homedir(), '.local', 'state'),
        'pyrats',
        'outbox',
      );
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.request.json')).length;
  } catch {
    return 0;
  }
}

/** "delivered to A; sent (unconfirmed) to B" for the confirmation. */
function describeSent(sent: DeliveryResult[]): string {
  const to = (status: DeliveryResult['status']) =>
    sent.filter((r) => (r.status ?? 'delivered') === status).map((r) => r.sink);
  const parts = [];
  if (to('delivered').length) parts.push(`delivered to ${to('delivered').join(', ')}`);
  if (to('unconfirmed').length) parts.push(`sent (unconfirmed) to ${to('unconfirmed').join(', ')}`);
  return parts.join('; ');
}

function showResults(ctx: Ctx, results: DeliveryResult[], names: string, requestJson: string | null): void {
  const failed = results.filter((r) => !r.ok);
  const sent = results.filter((r) => r.ok);
  for (const r of results) {
    if (r.status === 'unconfirmed' && r.kind === 'syslog')
      ctx.output.info(`request ${names}: ${r.detail} (UDP cannot confirm arrival; tcp:// or a webhook can)`);
    else if (r.ok) ctx.output.info(`request ${names}: ${r.detail}`);
    else
      ctx.output.warn(
        `request ${names}: ${r.error ?? r.detail} (kept in the outbox${r.nextAttempt ? `; next attempt after ${r.nextAttempt}` : ''})`,
      );
    if (r.link) void vscode.env.openExternal(vscode.Uri.parse(r.link, true));
  }
  if (requestJson) ctx.output.info(`request sent: ${requestJson}`);
  if (sent.length) {
    void vscode.window
      .showInformationMessage(`PyRats: request for ${names} ${describeSent(sent)}.`, 'Show What Was Sent')
      .then((c) => c && ctx.output.show(true));
  }
  if (failed.length) {
    void vscode.window
      .showWarningMessage(
        `PyRats: the request for ${names} could not be delivered to ${failed
          .map((r) => `${r.sink} (${r.error ?? r.detail})`)
          .join(', ')}. It is kept and can be sent again.`,
        'Retry Now',
      )
      .then((c) => c && vscode.commands.executeCommand('pyrats.retryPackageRequests'));
  }
}

async function collectCandidates(
  ctx: Ctx,
  args?: RequestPackagesArgs,
): Promise<{ candidates: Map<string, Candidate>; uri?: vscode.Uri; baseline: string | null }> {
  if (args?.packages?.length) {
    return { candidates: fromQuickFix(args), uri: vscode.Uri.parse(args.uri), baseline: args.baseline };
  }
  const editor = vscode.window.activeTextEditor;
  const uri = args?.uri ? vscode.Uri.parse(args.uri) : editor?.document.uri;
  const client = ctx.client();
  if (uri && client) {
    try {
      const result = await client.sendRequest(FileVerdictsRequest.type, { uri: uri.toString() });
      const doc = await vscode.workspace.openTextDocument(uri);
      const lines = (n: number) => (n < doc.lineCount ? doc.lineAt(n).text : '');
      return { candidates: fromVerdicts(result, lines), uri, baseline: result.baseline };
    } catch (err) {
      ctx.output.warn(`PyRats: could not get the verdicts of ${uri.fsPath}: ${(err as Error).message}`);
    }
  }
  return { candidates: new Map(), uri, baseline: null };
}

/**
 * `pyrats.requests.destinations`, else the configuration's `[requests] to` (site or user file);
 * `fromConfiguration` says the user did not set them in VS Code.
 */
async function requestDestinations(
  ctx: Ctx,
): Promise<{ destinations: string[]; fromConfiguration: boolean }> {
  const set = vscode.workspace
    .getConfiguration('pyrats.requests')
    .get<string[]>('destinations', [])
    .map((d) => d.trim())
    .filter(Boolean);
  if (set.length) return { destinations: set, fromConfiguration: false };
  const config = await configuredConfig(ctx.extension);
  if (typeof config === 'string') {
    ctx.output.warn(`PyRats: could not read the configuration for request destinations: ${config}`);
    return { destinations: [], fromConfiguration: true };
  }
  return { destinations: configuredRequestDestinations(config), fromConfiguration: true };
}

export async function requestPackages(ctx: Ctx, args?: RequestPackagesArgs): Promise<void> {
  const { destinations, fromConfiguration } = await requestDestinations(ctx);
  if (!destinations.length) {
    const choice = await vscode.window.showErrorMessage(
      'PyRats: no destination for package requests: set pyrats.requests.destinations (udp://, tcp://, https:// or mailto:), or [requests] to in the PyRats configuration (PyRats: Show Configuration).',
      'Open Settings',
    );
    if (choice)
      await vscode.commands.executeCommand('workbench.action.openSettings', 'pyrats.requests.destinations');
    return;
  }
  const { candidates, uri, baseline } = await collectCandidates(ctx, args);
  let picked: Candidate[];
  if (candidates.size) {
    const items = [...candidates.values()].map((c) => ({
      label: c.name,
      description: c.imports.map((i) => `import ${i}`).join(', '),
      detail: [
        c.verdict === 'mirror' ? 'only on the mirror' : 'missing from the baseline',
        describeMirror(c),
        c.evidence.map((e) => `${path.basename(e.file)}:${e.line}`).join(', '),
      ]
        .filter(Boolean)
        .join(' — '),
      picked: true,
      candidate: c,
    }));
    const chosen = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: 'PyRats: request missing packages',
      placeHolder: 'Distributions to ask the centre for',
    });
    if (!chosen?.length) return;
    picked = chosen.map((i) => i.candidate);
  } else {
    const typed = await vscode.window.showInputBox({
      title: 'PyRats: request missing packages',
      prompt: 'Distribution names (PyPI or conda), separated by commas or spaces',
      validateInput: (v) =>
        v
          .split(/[\s,]+/)
          .filter(Boolean)
          .every((n) => /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(n))
          ? null
          : 'Only letters, digits, ".", "_" and "-"',
    });
    if (!typed?.trim()) return;
    picked = typed
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((name) => ({
        name,
        imports: [],
        evidence: [],
        baselineVersion: null,
        mirror: [],
        verdict: 'missing',
      }));
  }
  const reason = await vscode.window.showInputBox({
    title: 'PyRats: reason (optional)',
    prompt: 'Why do you need them? (optional; Enter to skip)',
  });
  if (reason === undefined) return;
  const condaSources = [
    ...new Set(picked.flatMap((c) => c.mirror.filter((m) => m.kind === 'conda').map((m) => m.source))),
  ];
  const sourceItems = [
    { label: 'No preference', value: '' },
    { label: 'PyPI', value: 'pypi' },
    ...(condaSources.length ? condaSources : ['conda-forge']).map((s) => ({
      label: `conda: ${s}`,
      value: `conda:${s}`,
    })),
  ];
  const source = await vscode.window.showQuickPick(sourceItems, {
    title: 'PyRats: preferred source (optional)',
  });
  if (!source) return;
  if (fromConfiguration) {
    // destinations the user did not set in VS Code: say where the request goes before it goes
    const go = await vscode.window.showInformationMessage(
      `PyRats: send the request for ${picked.map((c) => c.name).join(', ')} to ${destinations.join(', ')} (from the PyRats configuration)?`,
      { modal: true },
      'Send',
    );
    if (go !== 'Send') return;
  }

  const redact = vscode.workspace.getConfiguration('pyrats.records', uri).get<string>('redact', 'none');
  const argv = [
    'request',
    '--packages-json',
    '-',
    '--json',
    '--redact',
    redact,
    '--python',
    ctx.interpreter(uri),
  ];
  for (const d of destinations) argv.push('--to', d);
  if (reason.trim()) argv.push('--reason', reason.trim());
  if (source.value) argv.push('--source', source.value);
  if (baseline) argv.push('--baseline', baseline);
  const input = JSON.stringify({
    script: uri?.scheme === 'file' ? uri.fsPath : null,
    baseline,
    packages: picked.map(({ verdict: _verdict, ...p }) => p),
  });
  const names = picked.map((c) => c.name).join(', ');
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `PyRats: requesting ${names}` },
    () => runPyratsCli(ctx.extension, argv, { stdin: input, timeoutMs: 30_000 }),
  );
  let answer: { request?: unknown; results?: DeliveryResult[] } | undefined;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    answer = undefined;
  }
  if (!answer?.results) {
    const why = run.error ?? (run.stderr.trim() || `exit status ${run.code}`);
    ctx.output.error(`PyRats: request for ${names} failed: ${why}`);
    void vscode.window.showErrorMessage(`PyRats: the request for ${names} could not be made: ${why}`);
    return;
  }
  showResults(ctx, answer.results, names, JSON.stringify(answer.request));
}

export async function retryPackageRequests(ctx: Ctx): Promise<void> {
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'PyRats: sending waiting package requests' },
    () => runPyratsCli(ctx.extension, ['request', '--retry', '--json'], { timeoutMs: 60_000 }),
  );
  let answer: { results?: DeliveryResult[]; remaining?: number; bad?: SetAside[] } | undefined;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    answer = undefined;
  }
  if (!answer?.results) {
    void vscode.window.showErrorMessage(`PyRats: retry failed: ${run.error ?? run.stderr.trim()}`);
    return;
  }
  for (const b of answer.bad ?? [])
    ctx.output.warn(`PyRats: malformed outbox entry ${b.file} (${b.reason}); moved to ${b.movedTo}`);
  if (answer.bad?.length) {
    void vscode.window.showWarningMessage(
      `PyRats: ${answer.bad.length} malformed package request file(s) were set aside: ${answer.bad.map((b) => b.movedTo).join(', ')}`,
    );
  }
  if (!answer.results.length) {
    void vscode.window.showInformationMessage('PyRats: no package requests are waiting.');
    return;
  }
  showResults(ctx, answer.results, `${answer.results.length} waiting delivery(ies)`, null);
}

/** Deliveries that failed earlier (here or from the CLI) wait in the shared outbox: says so (at activation). */
export function announceWaitingRequests(): void {
  const waiting = waitingDeliveries();
  if (waiting > 0) {
    void vscode.window
      .showInformationMessage(
        `PyRats: ${waiting} package request deliver${waiting === 1 ? 'y is' : 'ies are'} waiting to be sent.`,
        'Retry Now',
      )
      .then((c) => c && vscode.commands.executeCommand('pyrats.retryPackageRequests'));
  }
}
