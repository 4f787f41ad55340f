"""Rewrites conda-forge-to-pypi.json (beside this script) from a newer copy of parselmouth's
files/v0/conda-forge/compressed_mapping.json: conda package -> list of PyPI names, or null.
It writes one line, keys lower case and sorted, PyPI names PEP 503-normalised, `, ` and `: ` as
separators: analyzer/names/condaForgeMapping.ts searches that text instead of parsing it."""
import json
import os
import re
import sys

if len(sys.argv) != 2:
    sys.exit('usage: refresh-conda-forge-mapping.py PATH/TO/compressed_mapping.json')
with open(sys.argv[1], encoding='utf-8') as f:
    data = json.load(f)
if not isinstance(data, dict):
    sys.exit('not a JSON object')
out = {}
for name, dists in sorted(data.items(), key=lambda kv: kv[0].lower()):
    if dists is not None and not (isinstance(dists, list) and all(isinstance(d, str) for d in dists)):
        sys.exit('%s: value is neither null nor a list of names' % name)
    out[name.lower()] = None if dists is None else [re.sub(r'[-_.]+', '-', d).lower() for d in dists]
target = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'conda-forge-to-pypi.json')
with open(target, 'w', encoding='utf-8') as f:
    json.dump(out, f, separators=(', ', ': '))
print('%d packages, %d without a Python distribution -> %s'
      % (len(out), sum(v is None for v in out.values()), target))
