/**
 * Time limits as the user writes them: one unit everywhere, seconds, with explicit suffixes accepted
 * (`15`, `1.5`, `500ms`, `2s`, `1m`). Used by every command's `--timeout`/`--module-timeout`, by the
 * `timeout` key of the configuration files and by PYRATS_TIMEOUT. Parses text only; it knows nothing
 * of what is being timed.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds for `text` (a bare number is seconds); throws a readable error for anything else. */
export function parseDuration(text: string | number, what = 'timeout'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text > 0) return text * 1000;
    throw new Error(`${what} must be a positive number of seconds, not ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()] : NaN;
  if (!(ms > 0)) {
    throw new Error(
      `${what} '${text}' is not a duration: use a positive number of seconds (15, 1.5) or 500ms, 2s, 1m`,
    );
  }
  return ms;
}

/**
 * `request` and `emit` took milliseconds before the unit became seconds: a bare number above this is
 * read as the old milliseconds (nobody means a 2-minute-plus delivery bound), with a note.
 */
export const LEGACY_MS_THRESHOLD = 120;

/** Like parseDuration, but a bare number above LEGACY_MS_THRESHOLD is old-style milliseconds. */
export function parseLegacyDuration(text: string, what: string): { ms: number; note?: string } {
  if (/^\s*\d+(\.\d+)?\s*$/.test(text) && Number(text) > LEGACY_MS_THRESHOLD) {
    const ms = Number(text);
    return {
      ms,
      note: `${what} ${text}: read as milliseconds (the old unit); write ${ms}ms or ${ms / 1000}s`,
    };
  }
  return { ms: parseDuration(text, what) };
}

/** `15000` → `15s`, `500` → `500ms`: how a duration is shown back to the user. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 || ms >= 10_000 ? `${ms / 1000}s` : `${ms}ms`;
}
