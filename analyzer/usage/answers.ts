/**
 * The shapes of the usage store's answers (analyzer/usage/queries.ts) as they leave the process: the
 * CLI's JSON and the dashboard API, which the dashboard page (media/dashboard) reads with these same
 * types. Types only: no code, no imports.
 */
export interface PackageUsage {
  package: string;
  kind: 'thirdParty' | 'stdlib';
  distribution: string | null;
  /** Distinct users of the script records importing it. */
  users: number;
  /** Script records with a target in it. */
  imports: number;
  scripts: number;
  hosts: number;
  firstSeen: string;
  lastSeen: string;
}

export interface UsageTotals {
  /** All records ingested in the range (script and library). */
  records: number;
  /** Script records (runs). */
  scriptRecords: number;
  users: number;
  scripts: number;
  hosts: number;
  thirdPartyPackages: number;
  firstDay: string | null;
  lastDay: string | null;
}

export interface MonthlyPoint {
  month: string;
  package: string;
  users: number;
  imports: number;
}

export interface HostUsage {
  host: string;
  users: number;
  runs: number;
  scripts: number;
  packages: number;
  topPackages: string[];
}

export interface ScriptUsage {
  script: string;
  user: string | null;
  runs: number;
  hosts: number;
  packages: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface CoUsage {
  a: string;
  b: string;
  /** Distinct users with a script importing both. */
  users: number;
  /** Scripts importing both. */
  scripts: number;
  /** scripts(a ∧ b) / scripts(a ∨ b). */
  jaccard: number;
}

/** Packages that the same scripts import together (3 or more; see bundles.ts). */
export interface PackageBundle {
  packages: string[];
  /** Distinct users with a script importing all of them. */
  users: number;
  /** Scripts importing all of them. */
  scripts: number;
}

export interface PackageDrillDown {
  package: string;
  distribution: string | null;
  users: { user: string | null; imports: number; scripts: number; firstSeen: string; lastSeen: string }[];
  scripts: { script: string; user: string | null; imports: number; firstSeen: string; lastSeen: string }[];
  hosts: { host: string; users: number; imports: number }[];
  /** Other packages whose modules import this one (library records). */
  importedBy: { package: string; records: number }[];
  /** Packages this one's modules import (library records). */
  importsPackages: { package: string; records: number }[];
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface CoverStep {
  /** Number of packages added so far (1-based). */
  n: number;
  package: string;
  distribution: string | null;
  users: number;
  imports: number;
  /** Share of users / runs fully covered (every third-party package they use available) after adding it. */
  coveredUsersPct: number;
  coveredRunsPct: number;
}

export interface MissingReport {
  baseline: string;
  /** Packages used but not in the baseline, ranked by users. */
  missing: PackageUsage[];
  /** Covered before adding anything. */
  coveredUsersPct: number;
  coveredRunsPct: number;
  /** Greedy what-if: add, one at a time, the package that newly covers the most users (then runs). */
  whatIf: CoverStep[];
}

/** The store's answers for one filter: what the report and the dashboard's summary show. */
export interface UsageOverview {
  totals: UsageTotals;
  packages: PackageUsage[];
  monthly: MonthlyPoint[];
  hosts: HostUsage[];
  scripts: ScriptUsage[];
  coUsage: CoUsage[];
  /** Sets of 3–4 packages the same scripts import together, by distinct users. */
  bundles: PackageBundle[];
}

/** The days and hosts of the store's script records (its daily rows). */
export interface StoreCoverage {
  firstDay: string | null;
  lastDay: string | null;
  hosts: string[];
}

/** An ingested input with lines the ingest could not read. */
export interface SourceBadLines {
  path: string;
  /** Lines not read. */
  bad: number;
  /** All its lines. */
  lines: number;
}

/** The admin's request queue (requests/queue.ts builds it from the store's request tables). */
export const REQUEST_STATUSES = ['new', 'approved', 'rejected', 'mirrored'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface QueueEntry {
  /** PEP 503-normalised name. */
  package: string;
  /** Names as the requesters spelled them. */
  spellings: string[];
  status: RequestStatus;
  /** Distinct requesters (user, or host when the user is unknown). */
  requesters: number;
  /** Distinct requests (by request id). */
  requests: number;
  reasons: string[];
  preferred: string[];
  users: string[];
  hosts: string[];
  firstRequested: string;
  lastRequested: string;
  /** When the status was last changed, and the admin's note. */
  changed: string | null;
  note: string | null;
}
