/**
 * Neovim (Debian's 0.7, headless) as a second real LSP client: opens a file, starts the pyrats server
 * over stdio with the given settings, waits until diagnostics arrive (or the timeout passes), writes
 * them as JSON and exits with status 0 (diagnostics received) or 1 (timeout). Nothing is mocked: the
 * server is whatever command the test passes (normally `node dist/server.js --stdio`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NeovimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
  source: string | null;
  code: string | null;
}

export interface NeovimRun {
  exitCode: number;
  diagnostics: NeovimDiagnostic[];
  stderr: string;
}

/** Why Neovim cannot run here, or undefined. */
export function neovimUnavailable(): string | undefined {
  try {
    execFileSync('nvim', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'nvim is not installed (apt-get install neovim)';
  }
}

function lua(s: string): string {
  return JSON.stringify(s); // a JSON string literal is a valid Lua string literal for our paths
}

/** Converts a JSON-like value into a Lua table constructor. */
function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return lua(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(luaValue).join(', ')}}`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `[${lua(k)}] = ${luaValue(x)}`)
    .join(', ')}}`;
}

export async function runNeovimLsp(options: {
  cmd: string[];
  rootDir: string;
  file: string;
  settings: Record<string, unknown>;
  /** Diagnostics count to wait for (default: at least one). */
  minDiagnostics?: number;
  /**
   * `init_options` only: the settings go in init_options alone and the client answers
   * workspace/configuration (from its empty `settings`, so with null), as Neovim 0.8+ does.
   * Default: both `settings` and `init_options`, without workspace/configuration (Neovim 0.7).
   */
  settingsVia?: 'both' | 'init_options';
  timeoutMs?: number;
  /** Variables for Neovim and so for the server it starts (over this process's environment). */
  env?: NodeJS.ProcessEnv;
}): Promise<NeovimRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyrats-nvim-'));
  const out = path.join(dir, 'diagnostics.json');
  const script = path.join(dir, 'test.lua');
  const timeout = options.timeoutMs ?? 20_000;
  writeFileSync(
    script,
    `
vim.cmd('filetype on')
vim.cmd('edit ' .. vim.fn.fnameescape(${lua(options.file)}))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'python'
local capabilities = vim.lsp.protocol.make_client_capabilities()
${options.settingsVia === 'init_options' ? 'capabilities.workspace.configuration = true' : ''}
local client_id = vim.lsp.start_client({
  name = 'pyrats',
  cmd = ${luaValue(options.cmd)},
  root_dir = ${lua(options.rootDir)},
  workspace_folders = {{ uri = vim.uri_from_fname(${lua(options.rootDir)}), name = 'root' }},
  capabilities = capabilities,
  ${options.settingsVia === 'init_options' ? '' : `settings = { pyrats = ${luaValue(options.settings)} },`}
  -- Neovim 0.7 does not offer workspace/configuration: the server reads its section from here
  init_options = { pyrats = ${luaValue(options.settings)} },
})
if not client_id then
  io.stderr:write('could not start the language server\\n')
  vim.cmd('cquit! 2')
end
vim.lsp.buf_attach_client(buf, client_id)
local want = ${options.minDiagnostics ?? 1}
local ok = vim.wait(${timeout}, function() return #vim.diagnostic.get(buf) >= want end, 50)
local rows = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(rows, {
    lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    severity = d.severity, message = d.message, source = d.source or vim.NIL,
    code = d.code or lsp.code or vim.NIL,
  })
end
local f = io.open(${lua(out)}, 'w')
f:write(vim.fn.json_encode(rows))
f:close()
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
if ok then vim.cmd('qall!') else vim.cmd('cquit! 1') end
`,
  );
  return new Promise((resolve) => {
    execFile(
      'nvim',
      ['--headless', '-i', 'NONE', '-u', script],
      {
        timeout: timeout + 15_000,
        env: {
          ...process.env,
          XDG_STATE_HOME: dir,
          XDG_DATA_HOME: dir,
          XDG_CACHE_HOME: dir,
          TMPDIR: dir,
          ...options.env,
        },
      },
      (err, _stdout, stderr) => {
        const exitCode = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        let diagnostics: NeovimDiagnostic[] = [];
        try {
          if (existsSync(out))
            diagnostics = JSON.parse(readFileSync(out, 'utf8') || '[]') as NeovimDiagnostic[];
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        resolve({ exitCode, diagnostics: Array.isArray(diagnostics) ? diagnostics : [], stderr });
      },
    );
  });
}
