/**
 * The `pyrats` process: runs main() with the real standard streams and sets the exit status.
 * Bundled as an ES module with one chunk per command (build.mjs), so a command loads only its own
 * code; dist/cli.js starts it.
 */
import { EXIT } from './command';
import { main } from './main';

// `pyrats deps … | head`: once the reader has gone, what is left to print is not wanted — end
// quietly, as command-line tools do, instead of dying on an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
}).then((code) => {
  process.exitCode = code;
});
