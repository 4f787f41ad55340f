# An independent compat follow for the tests (test/analyzer/graph/debianClosure.test.ts,
# test/server/cli/emit.test.ts): Python's own `ast`, the lookup rules of pyrats SPEC section 2 with
# the section 8 fix for `from . import x`, the python*-directory rule, packages not followed through
# `__init__.py`. Run by the interpreter under test, so what it finds is what that machine has installed.
#   python3 compatFollowOracle.py SCRIPT   -> JSON: sorted [source, dependency] pairs (real paths)
import ast, json, os, sys, importlib.machinery as m
script = os.path.realpath(sys.argv[1])
path = [os.path.dirname(script)] + sys.path[1:]
suffixes = m.EXTENSION_SUFFIXES + ['.py', '.pyc']
skip = set(sys.builtin_module_names) | {'os.path'}
def find(name, dirs):
    for d in dirs:
        pkg = os.path.join(d, name)
        if os.path.isfile(os.path.join(pkg, '__init__.py')) or os.path.isfile(os.path.join(pkg, '__init__.pyc')):
            return find('__init__', [os.path.realpath(pkg)])
        for s in suffixes:
            f = os.path.join(d, name + s)
            if os.path.isfile(f):
                return f
    return None
def dotted(parts, d):
    f = None
    for p in parts:
        f = find(p, [os.path.realpath(d)] if d else path)
        if f is None:
            return None
        d = os.path.dirname(f)
    return f
def is_pkg(d):
    return os.path.isfile(os.path.join(d, '__init__.py')) or os.path.isfile(os.path.join(d, '__init__.pyc'))
def resolve(mod, name, d, level):
    if mod is None:
        for _ in range(level - 1):
            if not is_pkg(d):
                return None
            d = os.path.dirname(d)
        if not is_pkg(d):
            return None
        f = (dotted([name], d) if name else None) or find('__init__', [os.path.realpath(d)])
        return f and os.path.realpath(f)
    if mod in skip:
        return None
    for _ in range(max(level - 1, 0)):
        d = os.path.dirname(d)
    parts = mod.split('.')
    f = dotted(parts, d) or dotted(parts, None)
    if f and name:
        f = dotted([name], os.path.dirname(f)) or f
    return f and os.path.realpath(f)
def node(f):
    return os.path.dirname(f) if os.path.basename(f) == '__init__.py' else f
done, todo, edges = set(), [script], set()
while todo:
    nxt = set()
    for fn in todo:
        if fn in done:
            continue
        done.add(fn)
        src = node(fn)
        if not src.endswith('.py'):
            continue
        try:
            tree = ast.parse(open(fn, 'rb').read())
        except (SyntaxError, ValueError):
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                deps = [(a.name, None, 0) for a in n.names]
            elif isinstance(n, ast.ImportFrom) and n.module != '__future__':
                deps = [(n.module, None if a.name == '*' else a.name, n.level) for a in n.names]
            else:
                continue
            for mod, name, level in deps:
                f = resolve(mod, name, os.path.dirname(fn), level)
                if not f:
                    continue
                x = node(f)
                if os.path.basename(os.path.dirname(x)).startswith('python'):
                    continue
                edges.add((src, x))
                nxt.add(f)
    todo = sorted(nxt - done)
print(json.dumps(sorted(edges)))
