# Builds a pure-Python wheel from a fixture folder, for tests that install it with pip --no-index
# (there is no package index here). Every file below SRC goes into the wheel as it is.
#   python3 buildWheel.py SRC NAME VERSION OUTDIR   -> prints the wheel's path
import base64, hashlib, os, sys, zipfile

src, name, version, outdir = sys.argv[1:5]
info = f'{name}-{version}.dist-info'
files = {}
for dirpath, _, names in os.walk(src):
    for n in sorted(names):
        full = os.path.join(dirpath, n)
        with open(full, 'rb') as f:
            files[os.path.relpath(full, src).replace(os.sep, '/')] = f.read()
files[f'{info}/METADATA'] = f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n'.encode()
files[f'{info}/WHEEL'] = b'Wheel-Version: 1.0\nGenerator: pyrats-lens tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n'
record = []
for p, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    record.append(f'{p},sha256={digest},{len(data)}')
record.append(f'{info}/RECORD,,')
files[f'{info}/RECORD'] = ('\n'.join(record) + '\n').encode()
wheel = os.path.join(outdir, f'{name}-{version}-py3-none-any.whl')
with zipfile.ZipFile(wheel, 'w', zipfile.ZIP_DEFLATED) as z:
    for p, data in files.items():
        z.writestr(p, data)
print(wheel)
