/** Mirror specs and the defaults read from .condarc and pip.conf. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configuredMirrors,
  parseCondarc,
  parseMirrorSpec,
  parsePipConf,
} from '../../../analyzer/mirror/mirrorConfig';
import { tempDirForTest } from '../../support/tempDir';

describe('mirror specs', () => {
  it.each([
    ['conda:https://m.example/conda/main', 'conda', 'https://m.example/conda/main'],
    ['pypi:https://m.example/pypi/', 'pypi', 'https://m.example/pypi'],
    ['https://m.example/simple/', 'pypi', 'https://m.example/simple'],
    [
      'https://m.example/repository/pypi-proxy/simple',
      'pypi',
      'https://m.example/repository/pypi-proxy/simple',
    ],
    ['https://m.example/conda/conda-forge', 'conda', 'https://m.example/conda/conda-forge'],
    ['file:///srv/mirror/simple', 'pypi', 'file:///srv/mirror/simple'],
  ] as const)('%s → %s', (spec, kind, url) => {
    expect(parseMirrorSpec(spec)).toMatchObject({ kind, url });
  });
  it('turns local paths into file URLs and refuses other schemes', () => {
    expect(parseMirrorSpec('/srv/mirror/conda/main').url).toBe('file:///srv/mirror/conda/main');
    expect(() => parseMirrorSpec('ftp://m.example/conda/main')).toThrow(
      /only http:\/\/, https:\/\/ and file:\/\//,
    );
    expect(() => parseMirrorSpec('conda:')).toThrow(/nothing after 'conda:'/);
  });
});

describe('configuration files', () => {
  it('pip.conf: index-url and multi-line extra-index-url in [global] and [install]', () => {
    const c = parsePipConf(
      '[global]\nindex-url = https://m.example/simple\ntimeout = 60\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\n[install]\nextra_index_url = https://c.example/simple\n[freeze]\nindex-url = https://ignored/\n',
    );
    expect(c).toEqual({
      indexUrl: 'https://m.example/simple',
      extraIndexUrls: ['https://a.example/simple', 'https://b.example/simple', 'https://c.example/simple'],
    });
  });
  it('.condarc: names through channel_alias and custom_channels, defaults expanded, URLs kept', () => {
    const urls = parseCondarc(
      'channel_alias: https://m.example/conda\ncustom_channels:\n  internal: https://int.example/channels\ndefault_channels:\n  - https://m.example/conda/main\nchannels:\n  - conda-forge\n  - internal\n  - defaults\n  - https://other.example/ch/\n',
    );
    expect(urls).toEqual([
      'https://m.example/conda/conda-forge',
      'https://int.example/channels/internal',
      'https://m.example/conda/main',
      'https://other.example/ch',
    ]);
  });
  it('configured mirrors come only from the files and variables found, never a public default', () => {
    const home = tempDirForTest('pyrats-home-');
    expect(configuredMirrors({ PATH: '/usr/bin' }, home).filter((m) => m.from.startsWith(home))).toEqual([]);
    mkdirSync(path.join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(
      path.join(home, '.config', 'pip', 'pip.conf'),
      '[global]\nindex-url = http://127.0.0.1:9/simple\n',
    );
    writeFileSync(path.join(home, '.condarc'), 'channels:\n  - http://127.0.0.1:9/conda/main\n');
    const found = configuredMirrors(
      { PATH: '/usr/bin', PIP_EXTRA_INDEX_URL: 'http://127.0.0.1:9/extra/simple' },
      home,
    );
    expect(found.filter((m) => m.from !== '/etc/pip.conf' && !m.from.startsWith('/etc/'))).toEqual([
      { kind: 'conda', url: 'http://127.0.0.1:9/conda/main', from: path.join(home, '.condarc') },
      { kind: 'pypi', url: 'http://127.0.0.1:9/simple', from: path.join(home, '.config', 'pip', 'pip.conf') },
      { kind: 'pypi', url: 'http://127.0.0.1:9/extra/simple', from: 'PIP_EXTRA_INDEX_URL' },
    ]);
  });
});
