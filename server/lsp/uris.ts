/**
 * Document and folder URIs as the language server reads them: file paths of `file:` URIs, the
 * notebook a cell belongs to, and whether a file lies below a folder.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file a document's imports are resolved from: its path for `file:` URIs, the notebook's path
 * for a notebook cell (`vscode-notebook-cell:/dir/nb.ipynb#cell`: Jupyter runs cells in the notebook's
 * folder); undefined for documents that live nowhere (`untitled:`) or elsewhere.
 */
export function sourcePath(uri: string): string | undefined {
  const file = uriToPath(uri);
  if (file || !uri.startsWith('vscode-notebook-cell:')) return file;
  try {
    const notebook = decodeURIComponent(new URL(uri).pathname);
    return path.isAbsolute(notebook) ? path.normalize(notebook) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `file` is below the directory `dir`. */
export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
