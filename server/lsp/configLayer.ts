/**
 * The language server's side of the shared configuration (analyzer/config): settings the client did
 * not set are taken from the site and user files, `[tool.pyrats]` of the folder's pyproject.toml
 * (program-running keys only when the workspace is trusted) and PYRATS_* variables — so an editor
 * with no PyRats settings at all checks against the centre's baseline and mirrors. Also watches
 * those files, so that edits take effect without a restart.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { configWarnings } from '../../analyzer/config/configReport';
import { ConfigFileError } from '../../analyzer/config/configFile';
import { EMPTY_VALUES } from '../../analyzer/config/keys';
import {
  resolveConfig,
  siteConfigPath,
  userConfigPath,
  type ResolvedConfig,
} from '../../analyzer/config/resolveConfig';
import type { ClientSettings, PyratsSettings } from './settings';

/** The configuration for a folder; a broken file is reported in `problems` and its layer left out. */
export function folderConfig(root: string, trusted: boolean, problems: string[]): ResolvedConfig | null {
  try {
    const config = resolveConfig({ projectDir: root, trustedProject: trusted });
    problems.push(...configWarnings(config));
    return config;
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    problems.push(`${err.message} (the configuration files are ignored until this is fixed)`);
    return null;
  }
}

/** `settings` with every value the client left unset taken from `config`. */
export function withConfig(settings: ClientSettings, config: ResolvedConfig | null): PyratsSettings {
  const c = config?.values ?? EMPTY_VALUES;
  const baselineFromConfig = !settings.baseline && Boolean(c.baseline);
  return {
    ...settings,
    baseline: settings.baseline || (c.baseline ?? ''),
    mirrors: settings.mirrors.length ? settings.mirrors : (c.mirrors ?? []),
    python: settings.python || (c.python ?? ''),
    cacheDir: settings.cacheDir || (c.cache_dir ?? ''),
    moduleUse: c.module_use,
    moduleInit: c.module_init ?? '',
    offline: c.offline,
    mirrorTimeoutMs: c.timeout,
    // from the site or user file or the server's environment, never from the untrusted workspace
    baselineTrusted: settings.trusted || baselineFromConfig,
  };
}

const POLL_MS = 2000;

/** Calls `onChange` when any of the watched configuration files is created, changed or removed. */
export class ConfigFileWatcher {
  private readonly watched = new Set<string>();
  private readonly listener = (cur: { mtimeMs: number }, prev: { mtimeMs: number }): void => {
    if (cur.mtimeMs !== prev.mtimeMs) this.onChange();
  };

  constructor(private readonly onChange: () => void) {}

  /**
   * Watches the site and user files and those `config` read or looked for (absent ones too: creating
   * one counts; and a broken one, so that its fix is seen).
   */
  watch(config: ResolvedConfig | null): void {
    const files = [siteConfigPath(), userConfigPath(), ...(config?.files.map((f) => f.file) ?? [])];
    for (const file of files) {
      if (this.watched.has(file)) continue;
      this.watched.add(file);
      watchFile(file, { interval: POLL_MS, persistent: false }, this.listener);
    }
  }

  dispose(): void {
    for (const file of this.watched) unwatchFile(file, this.listener);
    this.watched.clear();
  }
}
