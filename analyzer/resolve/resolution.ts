/**
 * The Resolution model: where one ImportSite leads in a given Environment under a given profile.
 * Pure data. Produced by resolveImport (resolveImport.ts); consumed by check, the editor glue and the
 * follow loop.
 */
import type { ImportSite } from '../extract/importSite';

export type ResolutionStatus = 'stdlib' | 'builtin' | 'local' | 'thirdParty' | 'unresolved';

export type ResolutionProfile = 'compat' | 'python';

export interface Resolution {
  site: ImportSite;
  /**
   * `builtin`: compiled into the interpreter; `stdlib`: the standard library (frozen modules too);
   * `thirdParty`: below a site-packages/dist-packages directory or a distribution's location;
   * `local`: found anywhere else (the script's tree, PYTHONPATH); `unresolved`: not found.
   */
  status: ResolutionStatus;
  /**
   * Real path of the module file the import leads to (a package's `__init__` file, an extension
   * module, a `.py`); for a PEP 420 namespace package (python profile) the first portion's directory.
   * Absent for builtins, frozen modules without source, and unresolved imports.
   */
  file?: string;
  /** PyRats node of `file` (`__init__.py` → its package directory). */
  root?: string;
  rel?: string;
  /** The installed distribution providing the top-level module, when the Environment knows it. */
  distribution?: { name: string; version: string };
  /** Python profile: why an import is unresolved (e.g. relative import beyond the top-level package). */
  reason?: string;
}
