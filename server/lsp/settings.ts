/**
 * The language server's settings (section `pyrats`), read per workspace folder with
 * `workspace/configuration`, validated, with defaults for anything absent or malformed.
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { PyratsSettingsWire, SeverityName, SeveritySettingKey } from '../protocol';

/** What the client sends (section `pyrats`), validated. */
export interface ClientSettings {
  /** Baseline spec (`module:NAME`, `file:PATH`, `python:PATH`, ...); empty = none. */
  baseline: string;
  /** Mirror URLs (conda channels, PyPI simple indexes; `http(s)://` or `file://`). */
  mirrors: string[];
  /** Target interpreter; empty = `python3`. */
  python: string;
  /** Cache directory for the analyzer (mirror indexes, environments); empty = its default. */
  cacheDir: string;
  severity: Record<SeveritySettingKey, SeverityName>;
  /** Quiet time after an edit before re-checking, when edits come in bursts. */
  debounceMs: number;
  /** False: run no interpreter and no `module` command (untrusted workspace). */
  trusted: boolean;
  /** Versions inline after third-party imports (`textDocument/inlayHint`). */
  inlayHints: boolean;
}

/** The client's settings with what it left unset taken from the configuration files (configLayer.ts). */
export interface PyratsSettings extends ClientSettings {
  moduleUse: string[];
  moduleInit: string;
  offline: boolean;
  /** Per-request mirror bound; null: the analyzer's default. */
  mirrorTimeoutMs: number | null;
  /** The baseline may run a program: the workspace is trusted, or the baseline came from the configuration. */
  baselineTrusted: boolean;
}

export const DEFAULT_SEVERITY: Record<SeveritySettingKey, SeverityName> = {
  missing: 'error',
  missingGuarded: 'warning',
  mirrorOnly: 'warning',
  mirrorOnlyGuarded: 'information',
  baseline: 'none',
  stdlib: 'none',
  local: 'none',
};

export const DEFAULT_SETTINGS: ClientSettings = {
  baseline: '',
  mirrors: [],
  python: '',
  cacheDir: '',
  severity: DEFAULT_SEVERITY,
  debounceMs: 50,
  trusted: true,
  inlayHints: true,
};

const SEVERITY_NAMES: readonly SeverityName[] = ['error', 'warning', 'information', 'hint', 'none'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Settings from whatever a client sent (possibly null, partial or of the wrong types).
 * `problems` receives one line per ignored value.
 */
export function normalizeSettings(raw: unknown, problems: string[] = []): ClientSettings {
  const s: Partial<PyratsSettingsWire> = isRecord(raw) ? (raw as Partial<PyratsSettingsWire>) : {};
  const str = (key: 'baseline' | 'python' | 'cacheDir'): string => {
    const v = s[key];
    if (v === undefined || v === null) return DEFAULT_SETTINGS[key];
    if (typeof v !== 'string') {
      problems.push(`setting pyrats.${key} must be a string; ignored`);
      return DEFAULT_SETTINGS[key];
    }
    return v.trim();
  };
  const baseline = str('baseline');
  let mirrors: string[] = [];
  // one URL written as a string (a common slip in Lua and JSON configs) is a list of one
  const rawMirrors: unknown = s.mirrors;
  const mirrorList: unknown =
    typeof rawMirrors === 'string' ? rawMirrors.split(/\s+/).filter(Boolean) : rawMirrors;
  if (Array.isArray(mirrorList)) {
    for (const m of mirrorList as unknown[]) {
      if (typeof m === 'string' && m.trim()) mirrors.push(m.trim());
      else problems.push(`setting pyrats.mirrors: ignored entry ${JSON.stringify(m)}`);
    }
  } else if (mirrorList !== undefined && mirrorList !== null) {
    problems.push('setting pyrats.mirrors must be a list of URLs; ignored');
  }
  mirrors = [...new Set(mirrors)];
  const severity = { ...DEFAULT_SEVERITY };
  if (isRecord(s.severity)) {
    for (const [key, value] of Object.entries(s.severity)) {
      const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
      if (!(key in DEFAULT_SEVERITY)) {
        problems.push(
          `setting pyrats.severity.${key} is unknown (known: ${Object.keys(DEFAULT_SEVERITY).join(', ')}); ignored`,
        );
      } else if (!SEVERITY_NAMES.includes(name as SeverityName)) {
        problems.push(
          `setting pyrats.severity.${key} must be one of ${SEVERITY_NAMES.join(', ')} (got ${JSON.stringify(value)}); ignored`,
        );
      } else {
        severity[key as SeveritySettingKey] = name as SeverityName;
      }
    }
  } else if (s.severity !== undefined && s.severity !== null) {
    problems.push(
      `setting pyrats.severity must be an object such as {"missing": "error", "mirrorOnly": "warning"}; ignored`,
    );
  }
  let debounceMs = DEFAULT_SETTINGS.debounceMs;
  if (typeof s.debounceMs === 'number' && Number.isFinite(s.debounceMs) && s.debounceMs >= 0) {
    debounceMs = Math.min(s.debounceMs, 5000);
  } else if (s.debounceMs !== undefined && s.debounceMs !== null) {
    problems.push('setting pyrats.debounceMs must be a number of milliseconds ≥ 0; ignored');
  }
  let inlayHints = DEFAULT_SETTINGS.inlayHints;
  if (typeof s.inlayHints === 'boolean') inlayHints = s.inlayHints;
  else if (s.inlayHints !== undefined && s.inlayHints !== null) {
    problems.push(
      `setting pyrats.inlayHints must be true or false (got ${JSON.stringify(s.inlayHints)}); ignored`,
    );
  }
  return {
    baseline,
    mirrors,
    python: str('python'),
    cacheDir: str('cacheDir'),
    severity,
    debounceMs,
    trusted: trustedSetting(s.trusted, problems),
    inlayHints,
  };
}

/** Absent: trusted (editors without workspace trust). Anything but true/false: not trusted, and said. */
function trustedSetting(v: unknown, problems: string[]): boolean {
  if (v === undefined || v === null || v === true) return true;
  if (v === false) return false;
  problems.push(
    `setting pyrats.trusted must be true or false (got ${JSON.stringify(v)}); treated as false: no interpreter or module command from settings is run`,
  );
  return false;
}

/** The LSP severity for a setting value; undefined for `none` (no diagnostic). */
export function lspSeverity(name: SeverityName): DiagnosticSeverity | undefined {
  switch (name) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
    case 'none':
      return undefined;
  }
}

/** A stable key: two folders with equal keys can share nothing but may reuse a built analyzer. */
export function analyzerKey(s: PyratsSettings): string {
  return JSON.stringify([
    s.baseline,
    s.mirrors,
    s.python,
    s.cacheDir,
    s.trusted,
    s.moduleUse,
    s.moduleInit,
    s.offline,
    s.mirrorTimeoutMs,
    s.baselineTrusted,
  ]);
}

/**
 * The pyrats settings in what a client sent: its `pyrats` section, or the object itself when it holds
 * pyrats keys at the top level (some clients pass the section's contents; `log` says so).
 */
export function settingsSection(value: unknown, where: string, log: (message: string) => void): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if ('pyrats' in record) return record.pyrats;
  const flat = Object.keys(record).filter((k) => k in DEFAULT_SETTINGS);
  if (flat.length === 0) return undefined;
  log(
    `pyrats: ${where} has ${flat.join(', ')} at the top level, not under "pyrats"; read as the pyrats settings`,
  );
  return record;
}
