/** Where the running program is. */

/** The file of the running program (PyRats writes its sitecustomize.py as the records' pathName=). */
export function bundlePath(): string {
  return typeof __filename !== 'undefined' ? __filename : (process.argv[1] ?? 'pyrats');
}
