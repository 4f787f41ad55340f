/**
 * The problem type of the extract stage, in its own module so the stage's parts (syntax checks,
 * Python 2 detection, nesting limits, the cache) need not import the extractor that uses them.
 */
/** Why a file could not be analysed, or was analysed only in part. */
export interface SourceProblem {
  kind: 'binary' | 'too-large' | 'decode' | 'syntax' | 'python2' | 'io';
  message: string;
  /** Zero-based line, when known (LSP style, like ImportSite ranges); within `cell` in a notebook. */
  line?: number;
  /** In a notebook: the zero-based index of the cell `line` is in. */
  cell?: number;
}
