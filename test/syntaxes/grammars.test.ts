/**
 * TextMate grammars of syntaxes/ through vscode-tmgrammar-test's snapshot runner (the same
 * vscode-textmate engine VS Code uses): the snapshots beside each case must match, and they must
 * give the scopes we promise (date, host, each key=value field, the message tuples and their strings).
 * Update snapshots after a deliberate grammar change with UPDATE_GRAMMAR_SNAPSHOTS=1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const SNAP = path.join(REPO, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'snapshot.js');

function snap(grammar: string, scope: string, cases: string) {
  const args = [SNAP, '-s', scope, '-g', grammar, cases];
  if (process.env.UPDATE_GRAMMAR_SNAPSHOTS) args.push('-u');
  return spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
}

/** Scopes of one token of a .snap file: the `^^^` line under `text` on line `lineNo` (0-based source lines). */
function scopesOf(snapText: string, sourceLine: number, token: string): string[] {
  const lines = snapText.split('\n');
  let src = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('>')) continue;
    src++;
    if (src !== sourceLine) continue;
    const col = lines[i].slice(1).indexOf(token);
    expect(col, `'${token}' not on line ${sourceLine}`).toBeGreaterThanOrEqual(0);
    for (let j = i + 1; j < lines.length && lines[j].startsWith('#'); j++) {
      const m = /^#( *)(\^+) (.*)$/.exec(lines[j]);
      if (m && m[1].length === col) return m[3].split(' ');
    }
  }
  return [];
}

describe('TextMate grammars (vscode-tmgrammar-test snapshots)', () => {
  it('PyRats log: snapshot matches', () => {
    const r = snap(
      'syntaxes/pyrats-log.tmLanguage.json',
      'text.log.pyrats',
      'test/syntaxes/pyrats-log/*.pyrats-log',
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = readFileSync(path.join(REPO, 'test/syntaxes/pyrats-log/day-file.pyrats-log.snap'), 'utf8');
    expect(scopesOf(s, 0, 'Nov 25 06:28:41')).toContain('constant.other.date.pyrats');
    expect(scopesOf(s, 0, 'localhost')).toContain('entity.name.tag.host.pyrats');
    expect(scopesOf(s, 0, 'Python')).toContain('entity.name.function.program.pyrats');
    expect(scopesOf(s, 0, 'loggerName')).toContain('variable.other.key.pyrats');
    expect(scopesOf(s, 0, '1795587538.058567')).toContain('constant.numeric.pyrats');
    expect(scopesOf(s, 0, 'csv_pipeline.py')).toContain('string.quoted.single.pyrats');
    expect(scopesOf(s, 3, '\\xe9')).toContain('constant.character.escape.pyrats');
    expect(scopesOf(s, 3, "/home/o'brien/x")).toContain('string.quoted.double.pyrats');
    expect(scopesOf(s, 4, 'node7')).toContain('entity.name.tag.host.pyrats');
    expect(scopesOf(s, 5, '"reason"')).toContain('support.type.property-name.json.pyrats');
    expect(scopesOf(s, 6, 'sshd')).toContain('entity.name.function.program.pyrats');
  });

  it('mirror package list: snapshot matches', () => {
    const r = snap(
      'syntaxes/mirror-package-list.tmLanguage.json',
      'source.pyrats-mirror-list',
      'test/syntaxes/mirror-list/*.mirrorlist',
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = readFileSync(path.join(REPO, 'test/syntaxes/mirror-list/base.mirrorlist.snap'), 'utf8');
    expect(scopesOf(s, 1, 'numpy')).toContain('entity.name.package.pyrats-mirror-list');
    expect(scopesOf(s, 2, 'pypi')).toContain('keyword.other.ecosystem.pyrats-mirror-list');
    expect(scopesOf(s, 4, '-*')).toContain('keyword.operator.wildcard.pyrats-mirror-list');
    expect(scopesOf(s, 5, 'not a package!')).toContain('invalid.illegal.not-a-package.pyrats-mirror-list');
  });

  it('the PyRats log language is recognised by its first line only when it is a PyRats day file', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      contributes: { languages: { id: string; firstLine?: string }[] };
    };
    const re = new RegExp(pkg.contributes.languages.find((l) => l.id === 'pyrats-log')!.firstLine!);
    const sample = readFileSync(
      path.join(REPO, 'test/fixtures/usage/syslog-pyrats-sample.log'),
      'utf8',
    ).split('\n');
    expect(re.test(sample[0])).toBe(true);
    expect(
      re.test('<14>1 2026-11-25T06:28:41Z n Python - - - ts=2026-11-25 06:18:58,058;loggerName=PyRats;x'),
    ).toBe(true);
    expect(re.test('Nov 25 06:00:00 h sshd[1]: Accepted publickey')).toBe(false);
    expect(re.test('import numpy')).toBe(false);
  });
});
