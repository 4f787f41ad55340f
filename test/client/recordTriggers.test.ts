import { describe, expect, it } from 'vitest';
import {
  scriptFromCommandLine,
  scriptFromDebugConfiguration,
  shellWords,
  substituteVariables,
} from '../../client/recordTriggers';

describe('scriptFromDebugConfiguration', () => {
  it('takes the program of a Python launch (debug or no-debug), with its interpreter', () => {
    expect(
      scriptFromDebugConfiguration({
        type: 'debugpy',
        request: 'launch',
        program: '/w/fit.py',
        python: '/opt/py/bin/python3',
        cwd: '/w',
      }),
    ).toEqual({ script: '/w/fit.py', python: '/opt/py/bin/python3', cwd: '/w' });
    expect(scriptFromDebugConfiguration({ type: 'python', request: 'launch', program: 'a.py' })).toEqual({
      script: 'a.py',
    });
  });
  it('ignores module runs, attach, and other debuggers', () => {
    expect(
      scriptFromDebugConfiguration({ type: 'debugpy', request: 'launch', module: 'pkg.main' }),
    ).toBeNull();
    expect(scriptFromDebugConfiguration({ type: 'debugpy', request: 'attach', program: 'a.py' })).toBeNull();
    expect(scriptFromDebugConfiguration({ type: 'node', request: 'launch', program: 'a.js' })).toBeNull();
  });
});

describe('scriptFromCommandLine', () => {
  it('finds the script after interpreter options', () => {
    expect(scriptFromCommandLine(shellWords('python3 -u -W ignore -X dev "my dir/run.py" --n 3'))).toEqual({
      script: 'my dir/run.py',
      python: 'python3',
    });
    expect(
      scriptFromCommandLine(shellWords('env OMP_NUM_THREADS=4 /usr/bin/python3.11 fit.py && echo done')),
    ).toEqual({
      script: 'fit.py',
      python: '/usr/bin/python3.11',
    });
  });
  it("skips the debugger's launcher, which a debug session already reports", () => {
    expect(
      scriptFromCommandLine(
        shellWords(
          '/usr/bin/env /usr/bin/python3 /home/u/.vscode/extensions/ms-python.debugpy-2024/bundled/libs/debugpy/adapter/../../debugpy/launcher 41235 -- /w/fit.py',
        ),
      ),
    ).toBeNull();
    expect(scriptFromCommandLine(shellWords('/usr/bin/env python3 fit.py'))).toEqual({
      script: 'fit.py',
      python: 'python3',
    });
  });

  it('gives null for -m, -c, the REPL and other programs', () => {
    expect(scriptFromCommandLine(shellWords('python -m pytest'))).toBeNull();
    expect(scriptFromCommandLine(shellWords("python3 -c 'import x'"))).toBeNull();
    expect(scriptFromCommandLine(shellWords('python3'))).toBeNull();
    expect(scriptFromCommandLine(shellWords('make all'))).toBeNull();
  });
});

describe('shellWords', () => {
  it('handles quotes, escapes and stops at a separator', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g; h`)).toEqual(['a', 'b c', 'd "e"', 'f g']);
    expect(shellWords(`x ''`)).toEqual(['x', '']);
  });
});

describe('substituteVariables', () => {
  it('resolves the task variables VS Code leaves in a task definition', () => {
    const v = {
      workspaceFolder: '/w/proj',
      folders: { lib: '/w/lib' },
      file: '/w/proj/src/fit.py',
      userHome: '/home/jdoe',
      env: { RUN: 'x' },
    };
    expect(substituteVariables('${workspaceFolder}', v)).toBe('/w/proj');
    expect(substituteVariables('${workspaceFolder:lib}/a.py', v)).toBe('/w/lib/a.py');
    expect(substituteVariables('${fileDirname}/${fileBasename}', v)).toBe('/w/proj/src/fit.py');
    expect(substituteVariables('${userHome}/${env:RUN}/${env:NOPE}', v)).toBe('/home/jdoe/x/');
    expect(substituteVariables('${command:python.interpreterPath}', v)).toBe(
      '${command:python.interpreterPath}',
    );
  });
});
