/**
 * The analyzer of one workspace folder, as the language server uses it: an incrementally re-parsed
 * tree per open document (tree-sitter `tree.edit` + `parser.parse(text, oldTree)`), the check of its
 * import sites against the folder's baseline and mirror (analyzer/check), and the conversion of
 * verdicts to the wire shape of server/protocol.ts. Also lists a folder's Python files for the
 * workspace report (with caps).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationToken, RemoteConsole } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { Checker } from '../../analyzer/check/checker';
import { ioProblem } from '../../analyzer/ioErrors';
import { readDeclarations } from '../../analyzer/declarations/declarations';
import { writeScriptBlock } from '../../analyzer/declarations/pep723';
import { planPin } from '../../analyzer/check/pin';
import type { MirrorHit, Verdict } from '../../analyzer/check/verdict';
import { markInstalledByNotebook } from '../../analyzer/check/notebookInstalls';
import type { NotebookFacts } from '../../analyzer/notebook/readNotebook';
import { createImportQueries, type ImportQueries } from '../../analyzer/extract/extractImports';
import { createPythonParser } from '../../analyzer/parse/pythonParser';
import { buildGraphPayload } from '../graphData';
import type { GraphPayload, GraphScope, ImportVerdictInfo, MirrorHitInfo } from '../protocol';
import { ParsedSource, TreeBudget } from './parsedSource';
import type { ClientSettings, PyratsSettings } from './settings';

export { ParsedSource } from './parsedSource';

/** Live syntax trees kept per folder (open documents beyond this are re-parsed in full when edited). */
export const LIVE_TREES = 48;
/** How long a verdict of an unchanged import is reused without asking the checker again. */
const VERDICT_CACHE_TTL_MS = 30_000;
const VERDICT_CACHE_MAX = 50_000;

/** After this long building a folder's analyzer, the log says what it is waiting for. */
export const SLOW_LOAD_NOTICE_MS = 5000;

function slowLoadMessage(root: string, settings: PyratsSettings): string {
  const mirrors = settings.mirrors.length
    ? `mirrors ${settings.mirrors.join(', ')}`
    : 'the mirrors of .condarc / pip.conf';
  return (
    `pyrats: ${root}: still loading after ${SLOW_LOAD_NOTICE_MS / 1000} s — baseline ${settings.baseline || '(none)'}, ` +
    `interpreter ${settings.python || 'python3'}, ${mirrors}; diagnostics follow when done ` +
    `(a module command gives up after 60 s unless its spec says ?timeout=SECONDS, a mirror after 15 s)`
  );
}

/**
 * Settings with their relative paths resolved against the workspace folder (`file:requirements.txt`,
 * `python:.venv/bin/python`, `.venv/bin/python`, a relative cacheDir): the server's working
 * directory is wherever the editor happened to start it. Bare names (`python3`) stay for PATH.
 */
export function resolveSettingPaths<T extends ClientSettings>(root: string, settings: T): T {
  const relative = (p: string) => p !== '' && !path.isAbsolute(p);
  let baseline = settings.baseline;
  const spec = /^(file|python):([^?]*)(\?.*)?$/s.exec(baseline);
  if (spec && relative(spec[2])) {
    baseline = `${spec[1]}:${path.resolve(root, spec[2])}${spec[3] ?? ''}`;
  } else if (!spec && !baseline.startsWith('module:') && relative(baseline)) {
    // a bare path is a file: spec when that file exists (loadBaseline's rule), here: in the folder
    if (existsSync(path.resolve(root, baseline))) baseline = path.resolve(root, baseline);
  }
  const python =
    settings.python.includes('/') && relative(settings.python)
      ? path.resolve(root, settings.python)
      : settings.python;
  const cacheDir = relative(settings.cacheDir) ? path.resolve(root, settings.cacheDir) : settings.cacheDir;
  return { ...settings, baseline, python, cacheDir };
}

/** The wire shape of one verdict. */
function mirrorHitInfo(m: MirrorHit): MirrorHitInfo {
  return {
    source: m.source,
    label: m.label,
    kind: m.kind,
    name: m.name,
    versions: m.versions,
    ...(m.provides !== undefined ? { provides: m.provides } : {}),
    ...(m.why ? { why: m.why } : {}),
    ...(m.forPython ? { forPython: m.forPython } : {}),
  };
}

export function toVerdictInfo(v: Verdict): ImportVerdictInfo {
  const site = v.site;
  const written =
    site.level > 0 ? `${'.'.repeat(site.level)}${site.module ?? ''}` : (site.module ?? v.module);
  return {
    module: site.kind === 'from' || site.kind === 'star' ? v.module || written : written,
    topLevel: v.topLevel,
    range: site.range,
    kind: v.kind,
    code: v.code,
    guarded: v.guarded,
    distribution: v.baseline?.name ?? v.distribution?.name ?? v.candidates[0]?.pypi ?? null,
    baselineVersion: v.baseline ? (v.baseline.version ?? v.baseline.specifier ?? null) : null,
    mirror: v.mirror.filter((m) => m.provides !== false).map(mirrorHitInfo),
    notProviders: v.mirror.filter((m) => m.provides === false).map(mirrorHitInfo),
    file: v.resolution.file ?? null,
    explanation: v.explanation,
    ...(v.requirement
      ? { requirement: { file: v.requirement.file, line: v.requirement.line, text: v.requirement.text } }
      : {}),
    action: v.action || null,
    ...(v.installedBy ? { installedBy: v.installedBy.text } : {}),
  };
}

/** Directories the workspace report never walks into. */
const SKIP_DIRS = new Set([
  'node_modules',
  '__pycache__',
  '.git',
  '.hg',
  '.svn',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  'site-packages',
  'dist-packages',
]);
export const MAX_REPORT_FILES = 20_000;

/** The `.py` files under `root` (hidden directories and virtual environments skipped), capped. */
export async function listPythonFiles(
  root: string,
  token: CancellationToken,
): Promise<{ files: string[]; skipped: { path: string; reason: string }[] }> {
  const files: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const stack = [root];
  while (stack.length && !token.isCancellationRequested) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const why = ioProblem(err, { path: dir, code: true });
      skipped.push({ path: dir, reason: dir === root ? `workspace folder: ${why}` : `cannot list: ${why}` });
      continue;
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg') && dir !== root) continue;
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) stack.push(p);
      } else if (e.isFile() && /\.(pyw?|ipynb)$/.test(e.name)) {
        if (files.length >= MAX_REPORT_FILES) {
          skipped.push({ path: p, reason: `over the ${MAX_REPORT_FILES}-file cap of the workspace report` });
        } else {
          files.push(p);
        }
      }
    }
  }
  files.sort();
  return { files, skipped };
}

/** One workspace folder's analyzer: a parser for its open documents and a Checker for its settings. */
export class FolderAnalyzer {
  private readonly budget = new TreeBudget(LIVE_TREES);
  /** The trees this analyzer's parser made: a tree of another (disposed) analyzer must not be re-parsed here. */
  private readonly made = new WeakSet<ParsedSource>();
  /** Recent verdicts of open documents' imports, by file and import (cleared when files appear or go). */
  private readonly verdictCache = new Map<string, { verdict: Verdict; at: number }>();

  private constructor(
    readonly root: string,
    private readonly parser: Parser,
    private readonly queries: ImportQueries,
    private checker: Checker,
    private readonly settings: PyratsSettings,
    private readonly console: RemoteConsole,
  ) {}

  static async create(
    root: string,
    folderSettings: PyratsSettings,
    console: RemoteConsole,
  ): Promise<FolderAnalyzer> {
    const settings = resolveSettingPaths(root, folderSettings);
    // A module command or a silent mirror can hold every diagnostic of the folder back: say so.
    const started = Date.now();
    const slow = setTimeout(() => console.info(slowLoadMessage(root, settings)), SLOW_LOAD_NOTICE_MS);
    try {
      const parser = await createPythonParser();
      const queries = createImportQueries(parser);
      const checker = await FolderAnalyzer.createChecker(settings, console);
      const seconds = (Date.now() - started) / 1000;
      if (seconds * 1000 >= SLOW_LOAD_NOTICE_MS)
        console.info(`pyrats: ${root}: loaded after ${seconds.toFixed(1)} s`);
      return new FolderAnalyzer(root, parser, queries, checker, settings, console);
    } finally {
      clearTimeout(slow);
    }
  }

  private static async createChecker(
    settings: PyratsSettings,
    console: RemoteConsole,
    mirrorTtlMs?: number,
  ): Promise<Checker> {
    // Untrusted workspace: `python` is what the client vetted (user settings or the default, never a
    // workspace value), so it may run; a baseline that runs something (module:, python:) may not.
    const baselineRuns = Boolean(settings.baseline) && !settings.baseline.startsWith('file:');
    const checker = await Checker.create({
      baseline: settings.baseline || undefined,
      // the configuration (configLayer.ts) has already folded in .condarc / pip.conf
      mirrors: settings.mirrors,
      python: settings.python || undefined,
      cacheDir: settings.cacheDir || undefined,
      trusted: settings.baselineTrusted || !baselineRuns,
      offline: settings.offline,
      moduleUse: settings.moduleUse,
      moduleInit: settings.moduleInit || undefined,
      mirrorTimeoutMs: settings.mirrorTimeoutMs ?? undefined,
      mirrorTtlMs,
    });
    for (const p of checker.problems) console.warn(`pyrats ${p.area} ${p.source}: ${p.message}`);
    return checker;
  }

  get baselineName(): string | null {
    return this.checker.baselineName ?? null;
  }

  get problems(): string[] {
    return this.checker.problems.map((p) => `${p.area} ${p.source}: ${p.message}`);
  }

  /** A tree for a newly opened document. */
  async parse(text: TextDocument): Promise<ParsedSource> {
    void text;
    const parsed = new ParsedSource(this.parser, this.queries, this.budget);
    this.made.add(parsed);
    return parsed;
  }

  /** True when `parsed` came from this analyzer's parser (not from one replaced by a settings change). */
  owns(parsed: ParsedSource): boolean {
    return this.made.has(parsed);
  }

  async checkDocument(
    parsed: ParsedSource,
    text: TextDocument,
    file: string | undefined,
    token: CancellationToken,
    /** A notebook cell: what the notebook installs itself (`%pip install`). */
    installs: NotebookFacts['installs'] = [],
  ): Promise<ImportVerdictInfo[]> {
    const sites = parsed.importSites(text);
    if (token.isCancellationRequested) return [];
    const from = file ?? path.join(this.root, '<untitled>.py');
    // Only imports not seen recently in this file go to the checker; the others reuse its verdict.
    const now = Date.now();
    if (this.verdictCache.size > VERDICT_CACHE_MAX) this.verdictCache.clear();
    const keys = sites.map(
      (s) => `${from}\u0000${s.kind}|${s.level}|${s.module}|${s.name}|${s.guarded}|${s.inFunction}`,
    );
    const todo: number[] = [];
    const out: Verdict[] = new Array(sites.length);
    sites.forEach((site, i) => {
      const hit = this.verdictCache.get(keys[i]);
      if (hit && now - hit.at < VERDICT_CACHE_TTL_MS) out[i] = { ...hit.verdict, site };
      else todo.push(i);
    });
    if (todo.length) {
      const fresh = await this.checker.checkSites(
        todo.map((i) => sites[i]),
        from,
      );
      todo.forEach((i, k) => {
        out[i] = fresh[k];
        this.verdictCache.set(keys[i], { verdict: fresh[k], at: now });
      });
    }
    const marked = installs.length ? out.map((v) => markInstalledByNotebook(v, installs)) : out;
    return this.checker.declare(marked, from, text.getText()).verdicts.map(toVerdictInfo);
  }

  /**
   * The text with its PEP 723 block written as `pyrats pin` writes it against this folder's
   * baseline (see analyzer/check/pin.ts), or null when there is no baseline, the script's own
   * block is broken, or nothing would change.
   */
  async pinnedText(parsed: ParsedSource, text: TextDocument, file: string): Promise<string | null> {
    if (!this.checker.baselineName || this.checker.fatal) return null;
    const source = text.getText();
    const declarations = readDeclarations(file, source);
    if (declarations.problems.some((p) => p.file === file)) return null;
    const verdicts = await this.checker.checkSites(parsed.importSites(text), file);
    const declared = this.checker.declare(verdicts, file, source).verdicts;
    const plan = planPin(declared, declarations, this.checker.pythonVersion);
    try {
      const pinned = writeScriptBlock(source, plan.dependencies, plan.requiresPython);
      return pinned === source ? null : pinned;
    } catch {
      return null; // a block the writer cannot update: `pyrats pin` says why
    }
  }

  /** Checks a file on disk; `problems` says why it was read only in part or not at all. */
  async checkFile(
    file: string,
    token: CancellationToken,
  ): Promise<{ imports: ImportVerdictInfo[]; problems: string[] }> {
    if (token.isCancellationRequested) return { imports: [], problems: [] };
    const result = await this.checker.checkFileDetailed(file);
    return { imports: result.verdicts.map(toVerdictInfo), problems: result.problems.map((p) => p.message) };
  }

  /**
   * The follow graph of a script (or of every Python file under this folder), with verdicts, for
   * the graph view. Follows files on disk (unsaved edits are not seen), capped at `maxFiles` nodes.
   */
  async dependencyGraph(file: string, scope: GraphScope, maxFiles = 5000): Promise<GraphPayload> {
    const env = this.checker.environment;
    if (!env) {
      throw new Error(
        `no interpreter to follow imports with (${this.problems.join('; ') || 'the interpreter could not be introspected'})`,
      );
    }
    return buildGraphPayload({
      inputs: [scope === 'workspace' ? this.root : file],
      env,
      scope,
      scopes: ['script', 'workspace'],
      checker: this.checker,
      maxFiles,
    });
  }

  /** Forgets cached directory listings (files were created or deleted). */
  invalidateFileSystem(): void {
    this.checker.invalidateFileSystem();
    this.verdictCache.clear();
  }

  /** Re-fetches the mirror indexes; says what happened. */
  async refreshMirrors(): Promise<string> {
    // TTL 0: every mirror source is asked again (revalidated with its ETag / Last-Modified)
    const fresh = await FolderAnalyzer.createChecker(this.settings, this.console, 0);
    this.checker.dispose();
    this.checker = fresh;
    this.verdictCache.clear();
    const failed = fresh.problems.filter((p) => p.area === 'mirror');
    const sources = fresh.mirror?.sources.length ?? 0;
    return failed.length
      ? `mirror index refreshed with problems: ${failed.map((p) => `${p.source}: ${p.message}`).join('; ')}`
      : `mirror index refreshed (${sources} source${sources === 1 ? '' : 's'})`;
  }

  dispose(): void {
    this.checker.dispose();
    this.queries.delete();
    this.parser.delete();
  }
}
