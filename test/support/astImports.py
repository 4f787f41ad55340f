"""Reference import extractor built on CPython's own `ast` (used by tests and the bench).

Reads file paths, one per line, on stdin (or takes them as arguments) and prints one JSON object per
file: {"file", "ok", "imports": [[module, name, level, lineno], ...]} where `ok` is false when
`ast.parse` rejects the file (then `error` says why). `import a.b as c` gives [a.b, null, 0, line];
`from m import *` gives [m, "*", level, line]; `from __future__ import ...` is left out. Imports are in
source order (line, column, then the order of the names in the statement).

With --dynamic each object also has "dynamic": [[module, level, lineno], ...]: the calls Python would
make with a literal module name — `__import__('x')` (also `name='x'`, `builtins.__import__`,
`importlib.__import__`), `importlib.import_module('x')` and any name bound to one of them by an import
(`from importlib import import_module as im`) or a plain assignment (`im = importlib.import_module`).
The literal is whatever ast's str constant holds (implicit concatenation and escapes resolved); a
leading-dot name is kept only for import_module.

With --count it prints only one summary line {"files", "bytes", "seconds", "imports", "maxrss_kb"};
with --summary it prints the per-file lines and then that summary line as {"summary": {...}}.
"seconds" covers reading, parsing and walking only (not writing the JSON lines).
"""
import ast
import json
import re
import resource
import sys
import time


def imports_of(tree):
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for i, alias in enumerate(node.names):
                found.append((node.lineno, node.col_offset, i, [alias.name, None, 0, node.lineno]))
        elif isinstance(node, ast.ImportFrom):
            if node.module == '__future__' and node.level == 0:
                continue
            for i, alias in enumerate(node.names):
                found.append((node.lineno, node.col_offset, i, [node.module, alias.name, node.level, node.lineno]))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found]


DOTTED = re.compile(r'(\.*)((?:[^\W\d]\w*)(?:\.[^\W\d]\w*)*)?')


def dynamic_imports_of(tree):
    modules = {'importlib': 'importlib'}
    functions = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in ('importlib', 'builtins'):
                    modules[a.asname or a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in ('importlib', 'builtins'):
            for a in node.names:
                if a.name == '__import__' or (a.name == 'import_module' and node.module == 'importlib'):
                    functions[a.asname or a.name] = a.name

    def function_of(func):
        if isinstance(func, ast.Name):
            return '__import__' if func.id == '__import__' else functions.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = modules.get(func.value.id)
            if module == 'importlib' and func.attr in ('import_module', '__import__'):
                return func.attr
            if module == 'builtins' and func.attr == '__import__':
                return '__import__'
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            fn = function_of(node.value)
            if fn:
                functions[node.targets[0].id] = fn
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = function_of(node.func)
        if not fn:
            continue
        arg = None
        if node.args:
            arg = None if isinstance(node.args[0], ast.Starred) else node.args[0]
        else:
            arg = next((k.value for k in node.keywords if k.arg == 'name'), None)
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            continue
        m = DOTTED.fullmatch(arg.value)
        if not m:
            continue
        level = len(m.group(1))
        module = m.group(2)
        if (level and fn == '__import__') or (not level and not module):
            continue
        found.append((node.lineno, node.col_offset, [module, level, node.lineno]))
    found.sort(key=lambda t: t[:2])
    return [t[2] for t in found]


def main():
    count_only = '--count' in sys.argv
    summary = '--summary' in sys.argv
    dynamic = '--dynamic' in sys.argv
    paths = [a for a in sys.argv[1:] if not a.startswith('--')] or [line.rstrip('\n') for line in sys.stdin]
    spent = 0.0
    total_bytes = 0
    total_imports = 0
    out = sys.stdout
    for path in paths:
        if not path:
            continue
        start = time.perf_counter()
        try:
            with open(path, 'rb') as f:
                data = f.read()
            total_bytes += len(data)
            tree = ast.parse(data, filename=path)
            found = imports_of(tree)
            calls = dynamic_imports_of(tree) if dynamic else None
        except (SyntaxError, ValueError, TypeError, UnicodeError, RecursionError, MemoryError, OSError) as err:
            spent += time.perf_counter() - start
            if not count_only:
                out.write(json.dumps({'file': path, 'ok': False, 'error': f'{type(err).__name__}: {err}'}) + '\n')
            continue
        spent += time.perf_counter() - start
        total_imports += len(found)
        if not count_only:
            result = {'file': path, 'ok': True, 'imports': found}
            if calls is not None:
                result['dynamic'] = calls
            out.write(json.dumps(result) + '\n')
    result = {'files': len(paths), 'bytes': total_bytes, 'seconds': spent, 'imports': total_imports,
              'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    if count_only:
        out.write(json.dumps(result) + '\n')
    elif summary:
        out.write(json.dumps({'summary': result}) + '\n')


if __name__ == '__main__':
    main()
