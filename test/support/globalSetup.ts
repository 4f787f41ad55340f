/**
 * Runs once before any test file: builds dist/ (the CLI, server, client, worker and webview
 * bundles that many tests execute). Building here, and never inside a test file, means no test
 * rebuilds a bundle while another test file is running it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, ['build.mjs'], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
}
