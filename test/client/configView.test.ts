/**
 * *PyRats: Show Configuration* and the request destinations from the configuration: the real
 * `pyrats config --json` (dist/cli.js) over a site file (PYRATS_SITE_CONFIG) and a user file
 * (XDG_CONFIG_HOME), rendered by client/configView.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configMarkdown, configuredRequestDestinations, parseConfigJson } from '../../client/configView';
import { runBundledCli } from '../support/bundledCli';
import { tempDirForTest } from '../support/tempDir';

/** `pyrats config --json DIR` with only this test's files and no PYRATS_* / XDG_* / PIP_* variables. */
async function configJson(tmp: string, dir: string): Promise<string> {
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => /^(PYRATS_|XDG_|PIP_)/.test(k) || k === 'CONDARC')
      .map((k) => [k, undefined]),
  );
  const r = await runBundledCli(['config', '--json', dir], {
    env: {
      ...cleared,
      PYRATS_CLI: process.env.PYRATS_CLI,
      HOME: path.join(tmp, 'home'),
      XDG_CONFIG_HOME: path.join(tmp, 'xdg'),
      PYRATS_SITE_CONFIG: path.join(tmp, 'site.toml'),
    },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('Show Configuration', () => {
  it('renders every setting with its value and origin; the user file overrides the site file', async () => {
    const tmp = tempDirForTest('pyrats-configview-');
    mkdirSync(path.join(tmp, 'xdg/pyrats'), { recursive: true });
    mkdirSync(path.join(tmp, 'home'));
    mkdirSync(path.join(tmp, 'project'));
    writeFileSync(
      path.join(tmp, 'site.toml'),
      'baseline = "module:PythonEnv-noaa/3.11"\n[requests]\nto = ["tcp://127.0.0.1:6514", "https://127.0.0.1:9/hook|x"]\n',
    );
    writeFileSync(path.join(tmp, 'xdg/pyrats/config.toml'), 'baseline = "module:PythonEnv-noaa/3.12"\n');
    const config = parseConfigJson(await configJson(tmp, path.join(tmp, 'project')));
    if (typeof config === 'string') throw new Error(config);
    const md = configMarkdown(path.join(tmp, 'project'), config);
    const row = (key: string) => md.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row('baseline')).toBe(
      `| \`baseline\` | \`module:PythonEnv-noaa/3.12\` | ${path.join(tmp, 'xdg/pyrats/config.toml')}:1 |`,
    );
    // a pipe inside a value does not break the table
    expect(row('requests.to')).toBe(
      `| \`requests.to\` | \`tcp://127.0.0.1:6514\`, \`https://127.0.0.1:9/hook\\|x\` | ${path.join(tmp, 'site.toml')}:3 |`,
    );
    expect(row('python')).toBe('| `python` | *(not set)* | default |');
    expect(md).toContain(`- site: \`${path.join(tmp, 'site.toml')}\` (`);
    expect(configuredRequestDestinations(config)).toEqual([
      'tcp://127.0.0.1:6514',
      'https://127.0.0.1:9/hook|x',
    ]);
  });

  it('no destinations configured: none; not JSON: a sentence, not a throw', async () => {
    const tmp = tempDirForTest('pyrats-configview-');
    mkdirSync(path.join(tmp, 'home'));
    const config = parseConfigJson(await configJson(tmp, tmp));
    if (typeof config === 'string') throw new Error(config);
    expect(configuredRequestDestinations(config)).toEqual([]);
    expect(parseConfigJson('pyrats: oops')).toBe('pyrats config printed no JSON');
    expect(parseConfigJson('{"x": 1}')).toBe('pyrats config printed JSON without settings');
  });
});
