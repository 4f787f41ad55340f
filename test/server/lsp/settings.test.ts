/**
 * The server's settings: what clients send (VS Code's nested object, Neovim's Lua tables, nothing,
 * garbage) becomes validated settings with defaults, and every ignored value is reported once.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, lspSeverity, normalizeSettings } from '../../../server/lsp/settings';

describe('normalizeSettings', () => {
  it('gives the defaults for nothing at all', () => {
    for (const raw of [undefined, null, 42, 'x', []]) {
      const problems: string[] = [];
      expect(normalizeSettings(raw, problems)).toEqual(DEFAULT_SETTINGS);
      expect(problems).toEqual([]);
    }
  });

  it('reads a full VS Code settings object', () => {
    const s = normalizeSettings({
      baseline: ' module:PythonEnv-noaa/3.11 ',
      mirrors: ['https://m/conda-forge', 'https://m/conda-forge', 'file:///srv/pypi/simple'],
      python: '/opt/py/bin/python3',
      cacheDir: '/tmp/c',
      severity: { missing: 'warning', mirrorOnly: 'none' },
      debounceMs: 120,
      trusted: false,
      inlayHints: false,
    });
    expect(s).toEqual({
      baseline: 'module:PythonEnv-noaa/3.11',
      mirrors: ['https://m/conda-forge', 'file:///srv/pypi/simple'],
      python: '/opt/py/bin/python3',
      cacheDir: '/tmp/c',
      severity: { ...DEFAULT_SETTINGS.severity, missing: 'warning', mirrorOnly: 'none' },
      debounceMs: 120,
      trusted: false,
      inlayHints: false,
    });
  });

  it('ignores bad values one by one, saying which', () => {
    const problems: string[] = [];
    const s = normalizeSettings(
      {
        baseline: 3,
        mirrors: ['ok', '', 7],
        severity: { missing: 'fatal', nonsense: 'error', local: 'hint' },
        debounceMs: -1,
      },
      problems,
    );
    expect(s.baseline).toBe('');
    expect(s.mirrors).toEqual(['ok']);
    expect(s.severity.missing).toBe('error');
    expect(s.severity.local).toBe('hint');
    expect(s.debounceMs).toBe(DEFAULT_SETTINGS.debounceMs);
    expect(problems).toEqual([
      'setting pyrats.baseline must be a string; ignored',
      'setting pyrats.mirrors: ignored entry ""',
      'setting pyrats.mirrors: ignored entry 7',
      'setting pyrats.severity.missing must be one of error, warning, information, hint, none (got "fatal"); ignored',
      'setting pyrats.severity.nonsense is unknown (known: missing, missingGuarded, mirrorOnly, mirrorOnlyGuarded, baseline, stdlib, local); ignored',
      'setting pyrats.debounceMs must be a number of milliseconds ≥ 0; ignored',
    ]);
  });

  it('takes a single mirror URL string as a list; reads severity names in any case', () => {
    const problems: string[] = [];
    const s = normalizeSettings(
      { mirrors: ' https://m/conda-forge ', severity: { missing: 'Warning', local: ' HINT ' } },
      problems,
    );
    expect(s.mirrors).toEqual(['https://m/conda-forge']);
    expect(s.severity).toMatchObject({ missing: 'warning', local: 'hint' });
    expect(problems).toEqual([]);
  });

  it('says so when severity is not an object, and fails closed on a trusted value that is not a boolean', () => {
    const problems: string[] = [];
    const s = normalizeSettings({ severity: 'warning', trusted: 'false' }, problems);
    expect(s.severity).toEqual(DEFAULT_SETTINGS.severity);
    expect(s.trusted).toBe(false);
    expect(problems).toEqual([
      'setting pyrats.severity must be an object such as {"missing": "error", "mirrorOnly": "warning"}; ignored',
      'setting pyrats.trusted must be true or false (got "false"); treated as false: no interpreter or module command from settings is run',
    ]);
    expect(normalizeSettings({ trusted: 0 }).trusted).toBe(false);
    expect(normalizeSettings({ trusted: null }).trusted).toBe(true);
  });

  it('maps severity names to LSP severities, none to no diagnostic', () => {
    expect(lspSeverity('error')).toBe(DiagnosticSeverity.Error);
    expect(lspSeverity('warning')).toBe(DiagnosticSeverity.Warning);
    expect(lspSeverity('information')).toBe(DiagnosticSeverity.Information);
    expect(lspSeverity('hint')).toBe(DiagnosticSeverity.Hint);
    expect(lspSeverity('none')).toBeUndefined();
  });
});
