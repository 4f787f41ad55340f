/**
 * Records and requests in real VS Code (code-server 4.100.3 + Debian chromium via playwright-core),
 * with a real syslog-ng on loopback as the centre's log host: previewing the records, running a
 * script with records enabled (consent asked once, then records in syslog-ng's file), a task that
 * runs `python3 SCRIPT` also counts as a run, and the request quick fix on a missing import produces
 * a `loggerName=PyRatsRequest` line. Screenshots go to test/artifacts/records-e2e/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  E2E_TEST_TIMEOUT_MS,
  e2eUnavailable,
  finishE2e,
  makeWorkspace,
  openWorkbench,
  prepareE2e,
  REPO,
  startCodeServer,
  waitFor,
  type CodeServer,
  type Workbench,
} from '../support/codeServer';
import { startSyslogNg, stopSyslogNg, syslogNgMissing, type SyslogNgHost } from '../support/syslogNg';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'lsp');
const ARTIFACTS = path.join(REPO, 'test', 'artifacts', 'records-e2e');
const skip = e2eUnavailable() ?? syslogNgMissing() ?? undefined;

let tmp: string;
let ws: string;
let cs: CodeServer;
let wb: Workbench;
let host: SyslogNgHost;

beforeAll(async () => {
  if (skip) return;
  const prepared = await prepareE2e('pyrats-records-e2e-');
  tmp = prepared.tmp;
  const vsix = prepared.vsix;
  host = await startSyslogNg();
  ws = path.join(tmp, 'workspace');
  makeWorkspace(
    ws,
    {
      'pyrats.baseline': `file:${path.join(ws, 'baseline.txt')}`,
      'pyrats.mirrors': [pathToFileURL(path.join(FIXTURE, 'mirror', 'conda-forge')).toString()],
      'pyrats.cacheDir': path.join(tmp, 'pyrats-cache'),
    },
    path.join(FIXTURE, 'workspace'),
  );
  writeFileSync(
    path.join(ws, '.vscode', 'tasks.json'),
    JSON.stringify({
      version: '2.0.0',
      tasks: [
        { label: 'run task script', type: 'shell', command: 'python3 task_main.py', problemMatcher: [] },
      ],
    }),
  );
  writeFileSync(
    path.join(ws, 'task_main.py'),
    'import helpers\n\nprint(helpers.cruise("/data/c1_sst.nc"))\n',
  );
  writeFileSync(
    path.join(ws, 'term_main.py'),
    'import helpers\n\nprint(helpers.cruise("/data/c2_sst.nc"))\n',
  );
  // Records settings are machine-scoped (a workspace cannot redirect them): user and machine settings.
  const machine = {
    'pyrats.records.enabled': true,
    'pyrats.records.server': host.udpUrl,
    'pyrats.records.pathName': '/e2e/sitecustomize.py',
    'pyrats.requests.destinations': [host.tcpUrl],
  };
  cs = await startCodeServer({
    vsix,
    trusted: true,
    settings: machine,
    env: { PYRATS_OUTBOX: path.join(tmp, 'outbox'), PYRATS_DISABLE: '' },
  });
  mkdirSync(path.join(cs.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(path.join(cs.userDataDir, 'Machine', 'settings.json'), JSON.stringify(machine));
  rmSync(ARTIFACTS, { recursive: true, force: true });
  wb = await openWorkbench(cs, ws, ARTIFACTS);
}, 900_000);

/** The extension host's log and our output channel, for diagnosing a failed step. */
function extensionLogs(): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/PyRats|exthost\.log$/.test(e.name))
        out.push(`--- ${p}\n${readFileSync(p, 'utf8').slice(-6000)}`);
    }
  };
  if (cs && existsSync(cs.logsDir)) walk(cs.logsDir);
  return out.join('\n');
}

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  process.stderr.write(`${extensionLogs()}\n`);
  await wb?.shot(`failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`);
});

afterAll(async () => {
  await finishE2e(wb, cs, tmp);
  await stopSyslogNg(host);
});

async function goTo(line: number, column: number): Promise<void> {
  await wb.page.keyboard.press('Control+G');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await wb.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Runs a palette command by its exact title (pressing Enter could pick a fuzzy-ranked neighbour). */
async function runExactly(title: string): Promise<void> {
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = wb.page.locator('.quick-input-list .monaco-list-row', {
    has: wb.page.getByText(title, { exact: true }),
  });
  await row.first().waitFor({ timeout: 15_000 });
  await row.first().click();
}

/** Closes whatever pick list, hover or widget a previous step left open. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Escape');
}

const recordLines = (tag: string) => (lines: string[]) =>
  lines.filter((l) => l.includes('loggerName=PyRats;') && l.includes(tag));

describe.skipIf(Boolean(skip))(
  `Records and requests in code-server${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: E2E_TEST_TIMEOUT_MS },
  () => {
    it('previews the records of the open script without sending anything', async () => {
      await settle();
      await wb.openFile('analysis.py');
      await runExactly('PyRats: Preview Records');
      const editor = wb.page
        .locator('.editor-instance .view-lines', { hasText: 'loggerName=PyRats;' })
        .first();
      await editor.waitFor({ timeout: 90_000 });
      const text = (await editor.textContent()) ?? '';
      expect(text).toMatch(/pathName=\/e2e\/sitecustomize\.py/);
      expect(text).toContain('helpers.py');
      await wb.shot('preview-records');
      expect(host.lines()).toEqual([]);
      await wb.page.keyboard.press('Control+W');
    }, 180_000);

    it('asks once for consent, then Run and Record sends the records to the log host', async () => {
      await settle();
      await wb.openFile('analysis.py');
      await runExactly('PyRats: Run and Record');
      const allow = wb.page.locator('.notifications-toasts .monaco-button', { hasText: /^Allow$/ });
      await allow.first().waitFor({ timeout: 60_000 });
      await wb.shot('consent');
      await allow.first().click();
      const lines = recordLines(`('${ws}', 'analysis.py'), ('${ws}', 'helpers.py')`);
      const got = lines(await host.waitForLines((ls) => lines(ls).length > 0, 60_000));
      expect(got[0]).toMatch(
        /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d 127\.0\.0\.1 Python: ts=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3};loggerName=PyRats;pathName=\/e2e\/sitecustomize\.py;python=[^;]+;logRecordCreationTime=\d+\.\d{6};levelNo=20;levelName=INFO;message=\(\(\(/,
      );
      await wb.shot('run-and-record');
    }, 180_000);

    it('counts a task that runs python3 SCRIPT as a run (no second consent)', async () => {
      await settle();
      await runExactly('Tasks: Run Task');
      const row = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'run task script' });
      await row.first().waitFor({ timeout: 30_000 });
      await row.first().click();
      const lines = recordLines(`('${ws}', 'task_main.py'), ('${ws}', 'helpers.py')`);
      await host.waitForLines((ls) => lines(ls).length > 0, 60_000);
      expect(
        await wb.page.locator('.notifications-toasts .monaco-button', { hasText: /^Allow$/ }).count(),
      ).toBe(0);
      await wb.shot('task-run');
    }, 180_000);

    it('counts a python3 SCRIPT typed in the terminal as a run, and each run only once', async () => {
      await settle();
      await runExactly('Terminal: Create New Terminal');
      const terminal = wb.page.locator('.terminal-wrapper.active .xterm');
      await terminal.first().waitFor({ timeout: 30_000 });
      await terminal.first().click();
      // VS Code reports a command only once the shell's integration script has announced itself;
      // retype the command until the run is recorded.
      const term = recordLines(`('${ws}', 'term_main.py'), ('${ws}', 'helpers.py')`);
      await waitFor(
        'a record of the terminal run',
        async () => {
          if (term(host.lines()).length > 0) return true;
          await wb.page.keyboard.type('python3 term_main.py\n', { delay: 10 });
          await host.waitForLines((ls) => term(ls).length > 0, 5_000).catch(() => undefined);
          return term(host.lines()).length > 0;
        },
        90_000,
      );
      await wb.shot('terminal-run');
      // Everything sent before the terminal run has arrived by now: each earlier run gave one record.
      const lines = host.lines();
      expect(recordLines(`('${ws}', 'task_main.py'), ('${ws}', 'helpers.py')`)(lines)).toHaveLength(1);
      expect(recordLines(`('${ws}', 'analysis.py'), ('${ws}', 'helpers.py')`)(lines)).toHaveLength(1);
    }, 180_000);

    it('the request quick fix on a missing import produces a request line', async () => {
      await settle();
      await wb.openFile('analysis.py');
      await wb.page.locator('.monaco-editor .view-lines').first().click();
      await goTo(17, 12); // import notarealpackage_xyz
      await wb.page.keyboard.press('Control+.');
      // The action widget blocks pointer events while it opens: choose the fix with the keyboard.
      const fix = wb.page.locator('.action-widget .monaco-list-row', {
        hasText: 'Request this package: notarealpackage_xyz',
      });
      await fix.first().waitFor({ timeout: 60_000 });
      for (let i = 0; i < 10; i++) {
        const focused = wb.page.locator('.action-widget .monaco-list-row.focused');
        if (
          /Request this package: notarealpackage_xyz/.test(
            (await focused.first().getAttribute('aria-label')) ?? '',
          )
        )
          break;
        await wb.page.keyboard.press('ArrowDown');
      }
      await wb.page.keyboard.press('Enter');
      const pick = wb.page.locator('.quick-input-widget');
      await waitFor(
        'the package pick list',
        async () => /notarealpackage_xyz/.test((await pick.textContent()) ?? ''),
        30_000,
      );
      await wb.shot('request-pick');
      await wb.page.keyboard.press('Enter');
      const input = wb.page.locator('.quick-input-widget input');
      await waitFor('the reason box', async () => /reason/i.test((await pick.textContent()) ?? ''), 30_000);
      await input.fill('needed for the cruise analysis');
      await wb.page.keyboard.press('Enter');
      await waitFor(
        'the source pick list',
        async () => /No preference/.test((await pick.textContent()) ?? ''),
        30_000,
      );
      await wb.page.keyboard.press('Enter');
      const requests = (ls: string[]) => ls.filter((l) => l.includes('loggerName=PyRatsRequest'));
      const [line] = requests(await host.waitForLines((ls) => requests(ls).length > 0, 60_000));
      const request = JSON.parse(line.slice(line.indexOf(';message=') + 9));
      expect(request).toMatchObject({
        format: 'pyrats-request/1',
        reason: 'needed for the cruise analysis',
        baseline: expect.stringContaining('baseline.txt'),
      });
      expect(request.packages[0]).toMatchObject({
        name: 'notarealpackage_xyz',
        evidence: [{ line: 17, text: 'import notarealpackage_xyz' }],
      });
      const toast = wb.page.locator('.notifications-toasts', {
        hasText: 'request for notarealpackage_xyz delivered to tcp:',
      });
      await toast.first().waitFor({ timeout: 30_000 });
      await wb.shot('request-sent');
    }, 180_000);

    it('reports a request the log host did not take, keeps it, and Retry Now delivers it', async () => {
      await settle();
      await host.stop();
      await wb.openFile('analysis.py');
      await runExactly('PyRats: Request Missing Packages');
      const pick = wb.page.locator('.quick-input-widget');
      // Pre-selected from the file's verdicts: the missing import and the mirror-only ones.
      await waitFor(
        'the package pick list',
        async () => /xarray/.test((await pick.textContent()) ?? ''),
        60_000,
      );
      expect((await pick.textContent()) ?? '').toContain('notarealpackage_xyz');
      await wb.page.keyboard.press('Enter');
      await waitFor('the reason box', async () => /reason/i.test((await pick.textContent()) ?? ''), 30_000);
      await wb.page.keyboard.press('Enter');
      await waitFor(
        'the source pick list',
        async () => /No preference/.test((await pick.textContent()) ?? ''),
        30_000,
      );
      await wb.page.keyboard.press('Enter');
      const retry = wb.page.locator('.notifications-toasts .monaco-button', { hasText: /^Retry Now$/ });
      await retry.first().waitFor({ timeout: 60_000 });
      const warning = (await wb.page.locator('.notifications-toasts').textContent()) ?? '';
      expect(warning).toMatch(/could not be delivered to tcp:\/\/127\.0\.0\.1:\d+ \(log host .* refused/);
      await wb.shot('request-failed');
      const before = host.lines().filter((l) => l.includes('loggerName=PyRatsRequest')).length;

      await host.restart();
      await retry.first().click();
      const requests = (ls: string[]) => ls.filter((l) => l.includes('loggerName=PyRatsRequest'));
      const lines = requests(await host.waitForLines((ls) => requests(ls).length > before, 60_000));
      const request = JSON.parse(
        lines[lines.length - 1].slice(lines[lines.length - 1].indexOf(';message=') + 9),
      );
      expect(request.packages.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['notarealpackage_xyz', 'xarray']),
      );
      await wb.shot('request-retried');
    }, 180_000);
  },
);
