/**
 * Time limits as `setTimeout` delays. It takes at most 2^31-1 ms (about 24.8 days) and fires at
 * once for anything longer, so a generous limit (`--timeout 1e10`) would act as no time at all.
 * Shared by every stage that bounds a child process, a socket or a request; it knows nothing else.
 */
const MAX_TIMER_MS = 2_147_483_647;

/** `ms` as a delay `setTimeout` honours: capped at its largest (a limit that long is "no limit"). */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
