/**
 * Cache writes a command does after it has printed its result: the result is not held up by them,
 * and the command awaits `deferredWritesDone()` before it exits so that none is lost. Knows nothing
 * about what is written.
 */

const pending = new Set<Promise<void>>();

/** Runs `write` on the next turn of the event loop (after the output in progress). */
export function deferWrite(write: () => void): void {
  const done = new Promise<void>((resolve) =>
    setImmediate(() => {
      try {
        write();
      } catch {
        // a cache that cannot be written only costs time on the next run
      }
      resolve();
    }),
  );
  pending.add(done);
  void done.then(() => pending.delete(done));
}

/** Resolves when every deferred write has been done. */
export async function deferredWritesDone(): Promise<void> {
  await Promise.all([...pending]);
}
