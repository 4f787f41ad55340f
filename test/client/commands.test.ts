/**
 * The command table (client/commands.ts) against the manifest: every command in package.json
 * `contributes.commands` is exactly one entry of the table, and no other client module registers a
 * command. Read from the source text (the client modules need VS Code to load).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..', '..');
const source = (file: string) => readFileSync(path.join(repo, 'client', file), 'utf8');

/** The ids the table in commands.ts lists, in order (repeats kept). */
function tableIds(text: string): string[] {
  const table = text.slice(
    text.indexOf('export const commands'),
    text.indexOf('\n};', text.indexOf('export const commands')),
  );
  return [...table.matchAll(/^ {2}'([\w.]+)':/gm)].map((m) => m[1]);
}

describe('command table (issue 19 item 6)', () => {
  it('has each contributed command once, and nothing else', () => {
    const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const ids = tableIds(source('commands.ts'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(manifest.contributes.commands.map((c) => c.command).sort());
  });

  it('is the only place that registers commands', () => {
    const registering = readdirSync(path.join(repo, 'client')).filter(
      (f) => f.endsWith('.ts') && source(f).includes('registerCommand('),
    );
    expect(registering).toEqual(['commands.ts']);
  });

  it('reads the table (the check itself can fail)', () => {
    expect(tableIds("export const commands = {\n  'a.b': (ctx) => 1,\n  'a.b': (ctx) => 2,\n};\n")).toEqual([
      'a.b',
      'a.b',
    ]);
  });
});
