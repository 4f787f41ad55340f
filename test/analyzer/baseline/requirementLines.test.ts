/** Table-driven: tricky requirements-file lines, each classified exactly. */
import { describe, expect, it } from 'vitest';
import { parseRequirementLine, type RequirementLine } from '../../../analyzer/baseline/requirementsFile';

type Expect = Partial<Record<string, unknown>> & { kind: RequirementLine['kind'] };

const cases: [string, Expect][] = [
  ['numpy==1.24.2', { kind: 'requirement', name: 'numpy', specifier: '==1.24.2', marker: null, url: null }],
  ['Pillow>=9.4,<11', { kind: 'requirement', name: 'Pillow', specifier: '>=9.4,<11' }],
  ['python_dateutil ~= 2.8', { kind: 'requirement', name: 'python_dateutil', specifier: '~=2.8' }],
  [
    'ruamel.yaml==0.17.21  # comment after',
    { kind: 'requirement', name: 'ruamel.yaml', specifier: '==0.17.21' },
  ],
  ['requests (>=2.28, <3)', { kind: 'requirement', name: 'requests', specifier: '>=2.28,<3' }],
  [
    'celery[redis]==5.6.3 --hash=sha256:aa --hash=sha256:bb',
    { kind: 'requirement', name: 'celery', extras: ['redis'], hashes: ['sha256:aa', 'sha256:bb'] },
  ],
  [
    'dask[array, dataframe]>=2022.12 ; python_version >= "3.9"',
    { kind: 'requirement', name: 'dask', extras: ['array', 'dataframe'], marker: 'python_version >= "3.9"' },
  ],
  [
    'pywin32>=306; sys_platform == "win32"',
    { kind: 'requirement', name: 'pywin32', marker: 'sys_platform == "win32"' },
  ],
  [
    'netCDF4 @ https://files.example.org/netCDF4-1.6.2-cp311-cp311-manylinux_2_17_x86_64.whl',
    {
      kind: 'requirement',
      name: 'netCDF4',
      url: 'https://files.example.org/netCDF4-1.6.2-cp311-cp311-manylinux_2_17_x86_64.whl',
    },
  ],
  [
    'mylib @ git+https://github.com/jdoe/mylib.git@v1.4.0#subdirectory=python ; python_version>"3.8"',
    { kind: 'requirement', name: 'mylib', marker: 'python_version>"3.8"' },
  ],
  [
    'https://files.example.org/wheels/cftime-1.6.2.tar.gz#egg=cftime',
    { kind: 'requirement', name: 'cftime', specifier: '==1.6.2' },
  ],
  ['./vendor/localpkg-0.1-py3-none-any.whl', { kind: 'requirement', name: 'localpkg', specifier: '==0.1' }],
  ['-e /home/jdoe/src/jdoe-utils', { kind: 'editable', name: null, target: '/home/jdoe/src/jdoe-utils' }],
  [
    '-e git+https://github.com/jdoe/noaa-plotting.git@d0bd2ad4#egg=noaa_plotting',
    { kind: 'editable', name: 'noaa_plotting' },
  ],
  [
    '--editable=git+ssh://git@github.com/jdoe/met-tools.git@main#egg=met-tools[plots]',
    { kind: 'editable', name: 'met-tools' },
  ],
  ['-r requirements-base.txt', { kind: 'include', file: 'requirements-base.txt' }],
  ['--requirement=requirements-dev.txt', { kind: 'include', file: 'requirements-dev.txt' }],
  ['-c constraints.txt', { kind: 'constraint', file: 'constraints.txt' }],
  [
    '--index-url https://pypi.example-hpc.org/simple',
    { kind: 'index-url', value: 'https://pypi.example-hpc.org/simple' },
  ],
  ['-i https://mirror/simple', { kind: 'index-url', value: 'https://mirror/simple' }],
  ['--extra-index-url https://download.pytorch.org/whl/cpu', { kind: 'extra-index-url' }],
  ['--trusted-host pypi.example-hpc.org', { kind: 'trusted-host' }],
  ['--pre', { kind: 'option', option: '--pre' }],
  ['# just a comment', { kind: 'comment' }],
  ['   ', { kind: 'empty' }],
  [
    'h5py.-debian-h5py-serial==3.7.0',
    { kind: 'requirement', name: 'h5py.-debian-h5py-serial', specifier: '==3.7.0' },
  ],
  [
    'met-tools @ file:///home/jdoe/work/urlpkg',
    { kind: 'requirement', name: 'met-tools', url: 'file:///home/jdoe/work/urlpkg' },
  ],
];

const errors: [string, RegExp][] = [
  ['numpy=1.24', /bad version specifier/],
  ['--frobnicate x', /unknown option --frobnicate/],
  ['-r', /needs a value|cannot read option/],
  ['https://example.org/download/archive', /cannot tell the distribution name/],
  ['pkg[extra==1', /unclosed/],
  ['pkg @', /without a URL/],
  ['numpy==1.2 --bogus', /unknown option --bogus/],
];

describe('requirements lines', () => {
  it.each(cases)('%s', (line, expected) => {
    expect(parseRequirementLine(line)).toMatchObject(expected);
  });
  it.each(errors)('rejects %s', (line, message) => {
    expect(() => parseRequirementLine(line)).toThrow(message);
  });
});
