# Independent count of a PyRats log file, for the usage tests: Python's own literal parser
# (ast.literal_eval) reads each message. Prints JSON: records, script records, users, and per
# third-party package the distinct users and script records importing it.
import ast, json, re, sys

STD = re.compile(r'(^|/)lib(64)?/python\d+(\.\d+)?[a-z]*(/|$)')
SITE = re.compile(r'(^|/)(site|dist)-packages(/|$)')
USER = [re.compile(p) for p in (r'^/home/([^/]+)', r'^/scratch[^/]*/([^/]+)', r'^/work[^/]*/([^/]+)',
                                r'^/lustre/[^/]+/([^/]+)', r'^/gpfs/[^/]+/([^/]+)', r'^/glade/[^/]+/([^/]+)')]

def user_of(p):
    for r in USER:
        m = r.match(p)
        if m:
            return m.group(1)
    return None

records = scripts = 0
users = set()
packages = {}
for raw in open(sys.argv[1], encoding='utf-8'):
    head, sep, msg = raw.rstrip('\n').partition(';message=')
    if not sep or ';loggerName=PyRats;' not in head:
        continue
    tuples = ast.literal_eval('[' + msg + ']')
    records += 1
    (sroot, srel) = tuples[0][0]
    src = sroot + '/' + srel
    if SITE.search(src) or STD.search(src):
        continue
    scripts += 1
    u = user_of(src)
    if u:
        users.add(u)
    seen = set()
    for (_, (troot, trel)) in tuples:
        full = troot + '/' + trel
        m = SITE.search(full)
        if not m:
            continue
        top = full[m.end():].split('/')[0]
        top = re.sub(r'(\.cpython-[^./]*|\.abi3)?\.(so|py|pyc)$', '', top)
        seen.add(top)
    for p in seen:
        e = packages.setdefault(p, {'users': set(), 'imports': 0})
        e['imports'] += 1
        if u:
            e['users'].add(u)

print(json.dumps({'records': records, 'scripts': scripts, 'users': sorted(users),
                  'packages': {k: {'users': len(v['users']), 'imports': v['imports']} for k, v in packages.items()}}))
