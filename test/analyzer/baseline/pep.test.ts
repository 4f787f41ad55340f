/** PEP 440 ordering/specifiers and PEP 508 markers. */
import { describe, expect, it } from 'vitest';
import { compareVersions, satisfies, sortVersions } from '../../../analyzer/baseline/pep440';
import {
  evaluateMarker,
  linuxMarkers,
  nameFromArchive,
  normalizeName,
} from '../../../analyzer/baseline/pep508';

describe('PEP 440', () => {
  it('orders dev, pre, final, local and post releases', () => {
    expect(
      sortVersions([
        '1.0.post1',
        '1.0',
        '1.0rc1',
        '1.0.dev0',
        '1.0a1',
        '1.0+local',
        '0.9',
        '1.10',
        '1.9',
        '2!0.1',
      ]),
    ).toEqual([
      '0.9',
      '1.0.dev0',
      '1.0a1',
      '1.0rc1',
      '1.0',
      '1.0+local',
      '1.0.post1',
      '1.9',
      '1.10',
      '2!0.1',
    ]);
  });
  it('orders non-PEP 440 strings segment-wise', () => {
    expect(compareVersions('1.1.1w', '1.1.1v')).toBe(1);
    expect(compareVersions('2022.12.1+dfsg', '2022.12.1')).toBe(1);
  });
  it.each([
    ['2.8.2', '~=2.8', true],
    ['3.0', '~=2.8', false],
    ['1.24.2', '>=1.2,<2', true],
    ['1.2.3', '==1.2.*', true],
    ['1.3.0', '==1.2.*', false],
    ['1.0', '!=1.0', false],
  ] as const)('%s satisfies %s: %s', (v, spec, ok) => {
    expect(satisfies(v, spec)).toBe(ok);
  });
});

describe('PEP 508', () => {
  const py311 = linuxMarkers('3.11.2');
  it.each([
    ['python_version < "3.11"', false],
    ['python_version >= "3.9"', true],
    ['sys_platform == "win32"', false],
    ['python_version<"3.10" and platform_python_implementation=="CPython"', false],
    ['(sys_platform == "linux" or sys_platform == "darwin") and python_full_version >= "3.11.1"', true],
    ['"linux" in sys_platform', true],
    ['extra == "test"', true],
  ] as const)('%s → %s on Linux CPython 3.11', (marker, value) => {
    expect(evaluateMarker(marker, py311)).toBe(value);
  });
  it('keeps a requirement whose marker names an unknown variable value', () => {
    expect(evaluateMarker('python_version < "3.8"', {})).toBe(true);
  });
  it('rejects unreadable markers', () => {
    expect(() => evaluateMarker('python_version <', py311)).toThrow(/marker/);
  });
  it('normalises names and reads archive names', () => {
    expect(normalizeName('Ruamel.YAML')).toBe('ruamel-yaml');
    expect(normalizeName('python__dateutil')).toBe('python-dateutil');
    expect(nameFromArchive('netCDF4-1.6.2-cp311-cp311-manylinux_2_17_x86_64.whl')).toEqual({
      name: 'netCDF4',
      version: '1.6.2',
    });
    expect(nameFromArchive('cftime-1.6.2.tar.gz')).toEqual({ name: 'cftime', version: '1.6.2' });
    expect(nameFromArchive('README')).toBeNull();
  });
});
