/**
 * IPython syntax in a notebook's code cell, handled line by line the way IPython's input
 * transformers do: `%line magics`, `!shell` commands (also `x = !cmd` / `x = %magic`) and `?` / `??`
 * help lines are not Python, so each is replaced by `pass` at its own indentation (the line count
 * and every other line stay as written, so positions keep their meaning). A cell that starts with a
 * cell magic is skipped — except `%%time`, `%%timeit` and `%%capture`, whose body IPython runs as
 * Python and which are analysed after the magic line. Lines inside triple-quoted strings are left
 * alone. Along the way it collects `%pip install` / `!pip install` / `%conda install` requirements
 * and `%run` targets.
 *
 * It does not parse Python and does not read the files `%run` names.
 */

/** A distribution the notebook installs into its own kernel. */
export interface NotebookInstall {
  /** The distribution name as written (`scikit-learn`). */
  name: string;
  /** What followed the name (`==1.4`, `[extra]>=2`), '' when nothing. */
  specifier: string;
  /** The whole command as written (`%pip install -q scikit-learn==1.4`). */
  text: string;
  /** Zero-based line within the cell. */
  line: number;
  via: 'pip' | 'conda';
}

/** A `%run` of another script or notebook. */
export interface NotebookRun {
  /** The path as written (relative to the notebook's directory unless absolute). */
  target: string;
  line: number;
}

export interface MaskedCell {
  /** The cell as Python, or null when the whole cell is skipped. */
  code: string | null;
  /** Why the cell was skipped (`%%bash`). */
  skippedMagic?: string;
  installs: NotebookInstall[];
  runs: NotebookRun[];
}

/** Cell magics whose body IPython runs as ordinary Python in the kernel. */
const PYTHON_BODY_MAGICS = new Set(['time', 'timeit', 'capture']);
const ASSIGNED_COMMAND = /^\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[!%]/;
const PIP_COMMAND =
  /^(?:%|!)\s*(?:(?:\{[^}]*\}|[\w./-]*python[\d.]*)\s+-m\s+)?(pip3?|conda|mamba)\s+install\s+(.*)$/;
/** Installer options that take a value (the value is not a requirement). */
const OPTIONS_WITH_VALUE = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '-e',
  '--editable',
  '--channel',
  '-n',
  '--name',
  '-p',
  '--platform',
  '--python-version',
  '--trusted-host',
  '--src',
  '--upgrade-strategy',
]);
const REQUIREMENT = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(.*)$/;

function isIPythonLine(stripped: string): boolean {
  if (stripped.startsWith('%') || stripped.startsWith('!') || stripped.startsWith('?')) return true;
  if (stripped.endsWith('?') && !stripped.includes('#')) return true;
  return false;
}

/** The requirements named by an install command. */
function installsOf(command: string, line: number): NotebookInstall[] {
  const m = PIP_COMMAND.exec(command.trim());
  if (!m) return [];
  const via = m[1] === 'conda' || m[1] === 'mamba' ? 'conda' : 'pip';
  const out: NotebookInstall[] = [];
  const words = m[2].split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i].replace(/^["']|["']$/g, '');
    if (word.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(word)) i++;
      continue;
    }
    if (/[/\\${}]|^\.|:\/\//.test(word)) continue; // paths, URLs, variables
    const r = REQUIREMENT.exec(word);
    if (r) out.push({ name: r[1], specifier: r[2], text: command.trim(), line, via });
  }
  return out;
}

/** Toggles the open triple-quote delimiter for each one on the line (comments outside strings ignored). */
function tripleQuoteState(line: string, open: string | null): string | null {
  let i = 0;
  while (i < line.length) {
    if (open) {
      const close = line.indexOf(open, i);
      if (close < 0) return open;
      i = close + 3;
      open = null;
      continue;
    }
    const rest = line.slice(i);
    const m = /#|"""|'''|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/.exec(rest);
    if (!m || m[0] === '#') return null;
    if (m[0] === '"""' || m[0] === "'''") open = m[0];
    i += m.index + m[0].length;
  }
  return open;
}

function maskLine(line: string): string {
  return `${/^\s*/.exec(line)![0]}pass`;
}

/** Masks one code cell's IPython syntax; see the module comment. */
export function maskIPythonCell(source: string): MaskedCell {
  const original = source.split('\n');
  const lines = [...original];
  const installs: NotebookInstall[] = [];
  const runs: NotebookRun[] = [];
  let start = 0;
  const magic = /^%%(\w+)/.exec(lines[0] ?? '');
  if (magic) {
    if (!PYTHON_BODY_MAGICS.has(magic[1]))
      return { code: null, skippedMagic: `%%${magic[1]}`, installs, runs };
    lines[0] = '';
    start = 1;
  }
  let open: string | null = null;
  for (let i = start; i < lines.length; i++) {
    const stripped = lines[i].trim();
    if (open || !(isIPythonLine(stripped) || ASSIGNED_COMMAND.test(lines[i]))) {
      open = tripleQuoteState(lines[i], open);
      continue;
    }
    let command = stripped.replace(/\s*\\$/, '');
    const first = i;
    lines[i] = maskLine(lines[i]);
    while (/\\\s*$/.test(original[i]) && i + 1 < lines.length) {
      i++;
      command += ` ${lines[i].trim().replace(/\s*\\$/, '')}`;
      lines[i] = maskLine(lines[i]);
    }
    installs.push(...installsOf(command, first));
    const run = /^%run\s+(?:-\w+\s+)*("[^"]+"|'[^']+'|\S+)/.exec(command);
    if (run) runs.push({ target: run[1].replace(/^["']|["']$/g, ''), line: first });
  }
  return { code: lines.join('\n'), installs, runs };
}
