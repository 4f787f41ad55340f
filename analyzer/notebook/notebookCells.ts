/**
 * The Notebook model: the cells of a Jupyter notebook (nbformat 4, and the worksheets of nbformat 3)
 * in order, each with its index among all cells (markdown included, as a person counts them), its
 * type, its nbformat ≥ 4.5 id and its source, plus the kernel's language. Built from the JSON value
 * notebookJson.ts parsed, or from the cells an editor sends.
 *
 * It does not read files and does not look inside code (see ipythonSyntax.ts); a JSON value that
 * is not a notebook this reads throws NotebookFormatError with a message a person can act on.
 */

export interface NotebookCell {
  /** Zero-based index among all cells of the notebook, markdown and raw cells included. */
  index: number;
  /** `code`, `markdown`, `raw` (nbformat 3 also `heading`). */
  type: string;
  /** The cell id (nbformat ≥ 4.5). */
  id?: string;
  source: string;
  /** nbformat 3 code cells name their own language. */
  language?: string;
  /** The execution count shown as `In [n]`, null when never run. */
  executionCount: number | null;
}

export interface Notebook {
  /** `4.5`, `3.0`, ... */
  nbformat: string;
  /** The kernel's language, lower case (`python` when the notebook does not say). */
  language: string;
  cells: NotebookCell[];
}

export class NotebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotebookFormatError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** nbformat stores multi-line strings as one string or as a list of lines (each with its `\n`). */
function multiline(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('');
  if (v === undefined) return '';
  throw new NotebookFormatError(`not a Jupyter notebook this reads: ${where} is not text`);
}

function kernelLanguage(metadata: unknown): string {
  if (!isObject(metadata)) return 'python';
  const spec = metadata.kernelspec;
  if (isObject(spec) && typeof spec.language === 'string' && spec.language)
    return spec.language.toLowerCase();
  const info = metadata.language_info;
  if (isObject(info) && typeof info.name === 'string' && info.name) return info.name.toLowerCase();
  if (typeof metadata.language === 'string' && metadata.language) return metadata.language.toLowerCase();
  return 'python';
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function cellsV4(raw: unknown[]): NotebookCell[] {
  return raw.map((c, index) => {
    if (!isObject(c) || typeof c.cell_type !== 'string')
      throw new NotebookFormatError(`not a Jupyter notebook this reads: cell ${index + 1} has no cell_type`);
    return {
      index,
      type: c.cell_type,
      ...(typeof c.id === 'string' ? { id: c.id } : {}),
      source: multiline(c.source, `the source of cell ${index + 1}`),
      executionCount: count(c.execution_count),
    };
  });
}

function cellsV3(worksheets: unknown[]): NotebookCell[] {
  const cells: NotebookCell[] = [];
  for (const ws of worksheets) {
    const list = isObject(ws) && Array.isArray(ws.cells) ? ws.cells : [];
    for (const c of list) {
      const index = cells.length;
      if (!isObject(c) || typeof c.cell_type !== 'string')
        throw new NotebookFormatError(
          `not a Jupyter notebook this reads: cell ${index + 1} has no cell_type`,
        );
      const code = c.cell_type === 'code';
      cells.push({
        index,
        type: c.cell_type,
        source: multiline(code ? c.input : c.source, `the source of cell ${index + 1}`),
        ...(code && typeof c.language === 'string' ? { language: c.language.toLowerCase() } : {}),
        executionCount: count(c.prompt_number),
      });
    }
  }
  return cells;
}

/** The notebook in a parsed `.ipynb` value; throws NotebookFormatError for anything but nbformat 3 or 4. */
export function notebookFromJson(value: unknown): Notebook {
  if (!isObject(value) || !('nbformat' in value))
    throw new NotebookFormatError('not a Jupyter notebook: no nbformat field');
  const major = value.nbformat;
  const minor = typeof value.nbformat_minor === 'number' ? value.nbformat_minor : 0;
  const nbformat = `${String(major)}.${minor}`;
  const language = kernelLanguage(value.metadata);
  if (major === 4) {
    if (!Array.isArray(value.cells))
      throw new NotebookFormatError('not a Jupyter notebook this reads: nbformat 4 without a cells list');
    return { nbformat, language, cells: cellsV4(value.cells) };
  }
  if (major === 3) {
    if (!Array.isArray(value.worksheets))
      throw new NotebookFormatError('not a Jupyter notebook this reads: nbformat 3 without worksheets');
    return { nbformat, language, cells: cellsV3(value.worksheets) };
  }
  throw new NotebookFormatError(
    `unsupported notebook format: nbformat ${String(major)} (this reads nbformat 4 and 3; convert it with 'jupyter nbconvert --to notebook')`,
  );
}

/** True when the kernel (or, nbformat 3, the cell) runs Python. */
export function isPythonLanguage(language: string | undefined): boolean {
  return language === undefined || /^(i?python[23]?)$/.test(language);
}
