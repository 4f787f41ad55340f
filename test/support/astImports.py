"""Reference import extractor built on CPython's own `ast` (used by tests and the bench).

Reads file paths, one per line, on stdin (or takes them as arguments) and prints one JSON object per
file: {"file", "ok", "imports": [[module, name, level, lineno], ...]} where `ok` is false when
`ast.parse` rejects the file (then `error` says why). `import a.b as c` gives [a.b, null, 0, line];
`from m import *` gives [m, "*", level, line]; `from __future__ import ...` is left out. Imports are in
source order (line, column, then the order of the names in the statement).

With --count it prints only one summary line {"files", "bytes", "seconds", "imports", "maxrss_kb"};
with --summary it prints the per-file lines and then that summary line as {"summary": {...}}.
"seconds" covers reading, parsing and walking only (not writing the JSON lines).
"""
import ast
import json
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


def main():
    count_only = '--count' in sys.argv
    summary = '--summary' in sys.argv
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
        except (SyntaxError, ValueError, TypeError, UnicodeError, RecursionError, MemoryError, OSError) as err:
            spent += time.perf_counter() - start
            if not count_only:
                out.write(json.dumps({'file': path, 'ok': False, 'error': f'{type(err).__name__}: {err}'}) + '\n')
            continue
        spent += time.perf_counter() - start
        total_imports += len(found)
        if not count_only:
            out.write(json.dumps({'file': path, 'ok': True, 'imports': found}) + '\n')
    result = {'files': len(paths), 'bytes': total_bytes, 'seconds': spent, 'imports': total_imports,
              'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    if count_only:
        out.write(json.dumps(result) + '\n')
    elif summary:
        out.write(json.dumps({'summary': result}) + '\n')


if __name__ == '__main__':
    main()
