/**
 * The bounds ingest puts on what one log line may add to the store: anyone on a node can write such
 * a line, so a 900,000-character reason or a 10,000-package request must not reach the store whole.
 * A request's reason is cut to REASON_CHARS with a visible mark; user and host names, paths and
 * other request fields longer than NAME_CHARS are not stored (package names and their number are
 * bounded more tightly still by the request format's own check, packageRequest.ts: a request beyond
 * those is refused whole). A record's script path or host name beyond NAME_CHARS refuses the record;
 * its dependencies beyond the bounds are left out. Each
 * cut is returned as a problem (ingest counts it in bad_lines) and the rest of the line is kept where
 * it still means something. Does not parse lines or write the store.
 */
import type { NodePair } from '../pyrats/logLine';

export const REASON_CHARS = 2_000;
export const NAME_CHARS = 1_024;
/** Targets (imported files) one PyRats record may list; the rest are counted, not stored. */
export const TARGETS_PER_RECORD = 1_024;
/** The raw request message kept beside the parsed fields. */
export const MESSAGE_CHARS = 4_096;
export const TRUNCATED_MARK = ' [truncated]';

/** `text` cut to `max` characters plus the mark, when longer. */
export function truncateWithMark(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}${TRUNCATED_MARK}` : text;
}

export interface RequestFields {
  packages: string[];
  requester: string | null;
  host: string | null;
  reason: string | null;
  preferred: string | null;
  script: string | null;
  id: string | null;
}

/** The request's fields within the bounds, and what was cut (empty when nothing was). */
export function boundRequestFields(f: RequestFields): { fields: RequestFields; problems: string[] } {
  const problems: string[] = [];
  const fields = { ...f };
  if (f.reason !== null && f.reason.length > REASON_CHARS) {
    problems.push(`request reason of ${f.reason.length} characters cut to ${REASON_CHARS}`);
    fields.reason = truncateWithMark(f.reason, REASON_CHARS);
  }
  for (const key of ['requester', 'host', 'preferred', 'script', 'id'] as const) {
    const v = f[key];
    if (v !== null && v.length > NAME_CHARS) {
      problems.push(`request ${key} of ${v.length} characters dropped (limit ${NAME_CHARS})`);
      fields[key] = null;
    }
  }
  return { fields, problems };
}

/** Why a record's source file cannot be stored, or null. */
export function sourceProblem([root, rel]: NodePair): string | null {
  const n = root.length + rel.length;
  return n > NAME_CHARS ? `script path of ${n} characters is longer than ${NAME_CHARS}` : null;
}

/** The targets a record may store, and what was left out (null when none). */
export function boundTargets(targets: NodePair[]): { kept: NodePair[]; problem: string | null } {
  const kept = targets.filter(([root, rel]) => root.length + rel.length <= NAME_CHARS);
  const long = targets.length - kept.length;
  const over = Math.max(0, kept.length - TARGETS_PER_RECORD);
  if (!long && !over) return { kept: targets, problem: null };
  const parts: string[] = [];
  if (long) parts.push(`${long} dependency path(s) longer than ${NAME_CHARS} characters dropped`);
  if (over) parts.push(`${kept.length} dependencies; the first ${TARGETS_PER_RECORD} are kept`);
  return { kept: kept.slice(0, TARGETS_PER_RECORD), problem: parts.join('; ') };
}

/** Why a record's host name cannot be stored, or null. */
export function hostProblem(host: string): string | null {
  return host.length > NAME_CHARS
    ? `host name of ${host.length} characters is longer than ${NAME_CHARS}`
    : null;
}
