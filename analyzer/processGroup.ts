/**
 * Stopping a child that runs in a process group of its own (spawned with `detached: true`).
 * SIGTERM first, so that shells run their EXIT traps: a login shell killed outright in the middle
 * of `pyenv rehash` leaves pyenv's lock file behind, and every later login shell then waits 60 s
 * for it. Whatever still runs after the grace period gets SIGKILL.
 */
const GRACE_MS = 2_000;

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

/** Sends SIGTERM to the group `pid` leads, then SIGKILL to what is left after `graceMs`. */
export function stopProcessGroup(pid: number | undefined, graceMs = GRACE_MS): void {
  if (!pid || !signalGroup(pid, 'SIGTERM')) return;
  const timer = setTimeout(() => {
    if (signalGroup(pid, 0)) signalGroup(pid, 'SIGKILL');
  }, graceMs);
  timer.unref();
}
