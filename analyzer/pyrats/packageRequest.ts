/**
 * The package-request model and its wire format: a user asks the centre to provide distributions their
 * script imports but the baseline lacks. The same JSON object is the `message=` of a syslog record with
 * `loggerName=PyRatsRequest`, the body POSTed to a webhook, and the payload of a `mailto:` link, so the
 * admin side (`queue.ts`) parses one format whichever way a request arrived.
 *
 * Format `pyrats-request/1` (documented field by field in README "Package requests"). This module
 * builds, validates and serialises requests; it sends nothing (requestSinks.ts does) and does not decide
 * what is missing (check/ does).
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_FORMAT = 'pyrats-request/1';
export const REQUEST_LOGGER = 'PyRatsRequest';

/** Caps that keep one request well inside one syslog record. */
export const LIMITS = {
  packages: 50,
  evidencePerPackage: 20,
  evidenceText: 200,
  reason: 2000,
  name: 200,
  mirrorEntries: 20,
  versionsPerMirror: 20,
} as const;

/** An import line that shows the package is needed. */
export interface RequestEvidence {
  /** Path of the file (redacted as the user chose). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** The source line, trimmed and capped. */
  text: string;
}

/** What one mirror source has of the package. */
export interface MirrorAvailability {
  /** `conda` channel or `pypi` index. */
  kind: 'conda' | 'pypi';
  /** Channel name or index URL. */
  source: string;
  /** Versions offered, newest first (capped); empty when the source does not have it. */
  versions: string[];
}

export interface RequestedPackage {
  /** Distribution name as the user picked it (PyPI or conda name). */
  name: string;
  /** Import names in the user's code that this distribution provides (e.g. `yaml` for PyYAML). */
  imports: string[];
  evidence: RequestEvidence[];
  /** Version of it in the baseline, null when the baseline lacks it (the usual reason to ask). */
  baselineVersion: string | null;
  /** What the mirror has; empty when no mirror was consulted. */
  mirror: MirrorAvailability[];
}

export interface PackageRequest {
  format: typeof REQUEST_FORMAT;
  /** Random UUID; the same request re-sent after a failure keeps its id (admins de-duplicate on it). */
  id: string;
  /** ISO 8601 UTC time the user made the request. */
  created: string;
  user: string;
  host: string;
  /** The script the request comes from (redacted), or null (from the command line without a script). */
  script: string | null;
  /** The baseline checked against, e.g. `module:PythonEnv-noaa/3.11`, or null when none was configured. */
  baseline: string | null;
  packages: RequestedPackage[];
  /** Free text from the user, or null. */
  reason: string | null;
  /** `conda:CHANNEL`, `pypi` or null (no preference). */
  preferredSource: string | null;
  /** What made the request, e.g. `pyrats-lens 0.1.0 cli`. */
  client: string;
}

export interface NewRequest {
  user: string;
  host: string;
  script?: string | null;
  baseline?: string | null;
  packages: RequestedPackage[];
  reason?: string | null;
  preferredSource?: string | null;
  client: string;
  /** Overrides for tests and re-creation. */
  id?: string;
  created?: Date;
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Builds a request, trimming and capping fields; throws a specific Error when it would be empty or invalid. */
export function createPackageRequest(input: NewRequest): PackageRequest {
  const packages = input.packages.map(normalisePackage);
  const request: PackageRequest = {
    format: REQUEST_FORMAT,
    id: input.id ?? randomUUID(),
    created: (input.created ?? new Date()).toISOString(),
    user: cap(input.user, LIMITS.name),
    host: cap(input.host, LIMITS.name),
    script: input.script ?? null,
    baseline: input.baseline ?? null,
    packages,
    reason: input.reason?.trim() ? cap(input.reason.trim(), LIMITS.reason) : null,
    preferredSource: input.preferredSource?.trim() || null,
    client: input.client,
  };
  const problems = validateRequest(request);
  if (problems.length) throw new Error(`invalid package request: ${problems.join('; ')}`);
  return request;
}

function normalisePackage(p: RequestedPackage): RequestedPackage {
  return {
    name: p.name.trim(),
    imports: [...new Set(p.imports.map((i) => i.trim()).filter(Boolean))],
    evidence: p.evidence.slice(0, LIMITS.evidencePerPackage).map((e) => ({
      file: e.file,
      line: e.line,
      text: cap(e.text.trim(), LIMITS.evidenceText),
    })),
    baselineVersion: p.baselineVersion,
    mirror: p.mirror.slice(0, LIMITS.mirrorEntries).map((m) => ({
      kind: m.kind,
      source: m.source,
      versions: m.versions.slice(0, LIMITS.versionsPerMirror),
    })),
  };
}

/** A distribution name as PEP 508 / conda allow it (letters, digits, `.`, `_`, `-`). */
export const DISTRIBUTION_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Preferred source syntax: `pypi` or `conda:CHANNEL`. */
export const PREFERRED_SOURCE = /^(pypi|conda:[A-Za-z0-9._/:-]+)$/;

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Every problem with a (possibly foreign) request object; empty when it is a valid `pyrats-request/1`. */
export function validateRequest(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['not a JSON object'];
  const r = value as Record<string, unknown>;
  if (r.format !== REQUEST_FORMAT)
    problems.push(`format is ${JSON.stringify(r.format)}, not ${REQUEST_FORMAT}`);
  for (const key of ['id', 'created', 'user', 'host', 'client'] as const) {
    if (!isString(r[key]) || !r[key]) problems.push(`${key} must be a non-empty string`);
  }
  if (isString(r.created) && Number.isNaN(Date.parse(r.created))) problems.push('created is not a date');
  for (const key of ['script', 'baseline', 'reason', 'preferredSource'] as const) {
    if (r[key] !== null && !isString(r[key])) problems.push(`${key} must be a string or null`);
  }
  if (isString(r.preferredSource) && !PREFERRED_SOURCE.test(r.preferredSource)) {
    problems.push(`preferredSource '${r.preferredSource}' is not 'pypi' or 'conda:CHANNEL'`);
  }
  if (!Array.isArray(r.packages) || r.packages.length === 0) {
    problems.push('packages must be a non-empty list');
    return problems;
  }
  if (r.packages.length > LIMITS.packages) problems.push(`more than ${LIMITS.packages} packages`);
  const seen = new Set<string>();
  r.packages.forEach((p: unknown, i: number) => {
    const where = `packages[${i}]`;
    if (typeof p !== 'object' || p === null) return void problems.push(`${where} is not an object`);
    const q = p as Record<string, unknown>;
    if (!isString(q.name) || !DISTRIBUTION_NAME.test(q.name) || q.name.length > LIMITS.name) {
      problems.push(`${where}.name ${JSON.stringify(q.name)} is not a distribution name`);
    } else {
      const key = q.name.toLowerCase().replace(/[-_.]+/g, '-');
      if (seen.has(key)) problems.push(`${where}.name '${q.name}' is listed twice`);
      seen.add(key);
    }
    if (!Array.isArray(q.imports) || !q.imports.every(isString))
      problems.push(`${where}.imports must be strings`);
    if (
      !Array.isArray(q.evidence) ||
      !q.evidence.every(
        (e: unknown) =>
          typeof e === 'object' &&
          e !== null &&
          isString((e as RequestEvidence).file) &&
          Number.isInteger((e as RequestEvidence).line) &&
          isString((e as RequestEvidence).text),
      )
    ) {
      problems.push(`${where}.evidence must be {file, line, text} objects`);
    }
    if (q.baselineVersion !== null && !isString(q.baselineVersion)) {
      problems.push(`${where}.baselineVersion must be a string or null`);
    }
    if (
      !Array.isArray(q.mirror) ||
      !q.mirror.every(
        (m: unknown) =>
          typeof m === 'object' &&
          m !== null &&
          ((m as MirrorAvailability).kind === 'conda' || (m as MirrorAvailability).kind === 'pypi') &&
          isString((m as MirrorAvailability).source) &&
          Array.isArray((m as MirrorAvailability).versions) &&
          (m as MirrorAvailability).versions.every(isString),
      )
    ) {
      problems.push(`${where}.mirror must be {kind: conda|pypi, source, versions[]} objects`);
    }
  });
  return problems;
}

/** The single-line JSON text sent as the record message / webhook body. */
export function requestToJson(request: PackageRequest): string {
  return JSON.stringify(request);
}

/**
 * Parses the message of a `loggerName=PyRatsRequest` record (or a webhook body) back into a request;
 * throws an Error naming every problem. For the admin side's queue.
 */
export function parseRequestMessage(text: string): PackageRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`request message is not JSON: ${(err as Error).message}`);
  }
  const problems = validateRequest(value);
  if (problems.length) throw new Error(`request message is not a ${REQUEST_FORMAT}: ${problems.join('; ')}`);
  return value as PackageRequest;
}

/** A short human summary: `PyYAML, xarray (reason: …)`. */
export function summariseRequest(request: PackageRequest): string {
  const names = request.packages.map((p) => p.name).join(', ');
  return request.reason ? `${names} (reason: ${request.reason})` : names;
}
