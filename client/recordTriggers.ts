/**
 * Which script a *run* starts, read from what VS Code tells us: a Python debug configuration (the
 * Python extension's `python`/`debugpy` sessions, with or without debugging) or a command line (a
 * task's, or one the terminal's shell integration reports: `python3 -u script.py …`). Pure
 * functions, no `vscode` import, so they are unit-tested. Module runs (`-m`), `-c` and the REPL start no script and give null, as PyRats skips them.
 */

export interface StartedScript {
  /** The script path as given (may be relative to `cwd`). */
  script: string;
  /** The interpreter named by the configuration or command line, when one is. */
  python?: string;
  cwd?: string;
}

/** Debug configuration fields we read (a resolved `launch.json` entry). */
export interface DebugConfigurationLike {
  type?: string;
  request?: string;
  program?: unknown;
  module?: unknown;
  python?: unknown;
  pythonPath?: unknown;
  cwd?: unknown;
}

export function scriptFromDebugConfiguration(config: DebugConfigurationLike): StartedScript | null {
  if (config.type !== 'python' && config.type !== 'debugpy') return null;
  if (config.request !== 'launch' || config.module) return null;
  if (typeof config.program !== 'string' || !config.program) return null;
  const python =
    typeof config.python === 'string'
      ? config.python
      : Array.isArray(config.python) && typeof config.python[0] === 'string'
        ? config.python[0]
        : typeof config.pythonPath === 'string'
          ? config.pythonPath
          : undefined;
  return {
    script: config.program,
    ...(python ? { python } : {}),
    ...(typeof config.cwd === 'string' ? { cwd: config.cwd } : {}),
  };
}

/** Splits a shell command line into words (single/double quotes and backslashes; no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]))
        cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (';&|'.includes(c)) {
      // A command separator ends the first command: we only look at it.
      if (inWord) words.push(cur);
      return words;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const PYTHON_EXE = /(^|[\\/])python(\d+(\.\d+)*)?(\.exe)?$/i;
/** Interpreter options that take a separate argument. */
const OPTIONS_WITH_ARGUMENT = new Set(['-W', '-X', '--check-hash-based-pycs']);

/** The script of `python [options] SCRIPT args…` (also after `env VAR=x` or `exec`), or null. */
export function scriptFromCommandLine(argv: readonly string[]): StartedScript | null {
  let i = 0;
  while (
    i < argv.length &&
    (/(^|\/)env$/.test(argv[i]) || argv[i] === 'exec' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]))
  )
    i++;
  if (i >= argv.length || !PYTHON_EXE.test(argv[i])) return null;
  const python = argv[i++];
  while (i < argv.length) {
    const a = argv[i];
    if (a === '-m' || a === '-c' || a === '-' || a.startsWith('-m') || a.startsWith('-c')) return null;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    i += OPTIONS_WITH_ARGUMENT.has(a) ? 2 : 1;
  }
  if (i >= argv.length) return null;
  // The debugger's launcher (a debug session, recorded through the debug API instead).
  if (/[\\/](debugpy|pydevd)[\\/]/.test(argv[i])) return null;
  return { script: argv[i], python };
}

/** What `${…}` variables of a task stand for (VS Code substitutes them only when it runs the task). */
export interface TaskVariables {
  workspaceFolder?: string;
  /** Folder paths by name, for `${workspaceFolder:NAME}`. */
  folders?: Record<string, string>;
  file?: string;
  userHome?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Substitutes the common predefined variables (`${workspaceFolder}`, `${workspaceFolder:NAME}`,
 * `${workspaceRoot}`, `${workspaceFolderBasename}`, `${file}`, `${fileDirname}`, `${fileBasename}`,
 * `${userHome}`, `${env:NAME}`, `${pathSeparator}`); unknown ones are left as written.
 */
export function substituteVariables(text: string, v: TaskVariables): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const [key, arg] = name.split(':', 2);
    const dirname = (p: string) => p.replace(/[\\/][^\\/]*$/, '') || '/';
    const basename = (p: string) => p.replace(/^.*[\\/]/, '');
    let value: string | undefined;
    switch (key) {
      case 'workspaceFolder':
      case 'workspaceRoot':
        value = arg ? v.folders?.[arg] : v.workspaceFolder;
        break;
      case 'workspaceFolderBasename':
        value = v.workspaceFolder && basename(v.workspaceFolder);
        break;
      case 'file':
        value = v.file;
        break;
      case 'fileDirname':
        value = v.file && dirname(v.file);
        break;
      case 'fileBasename':
        value = v.file && basename(v.file);
        break;
      case 'userHome':
        value = v.userHome;
        break;
      case 'env':
        value = arg ? (v.env?.[arg] ?? '') : undefined;
        break;
      case 'pathSeparator':
        value = '/';
        break;
    }
    return value ?? whole;
  });
}
