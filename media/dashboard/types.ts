/**
 * The JSON shapes of the dashboard API (`pyrats dashboard --help`), as the page reads them: the usage
 * store's answers are the analyzer's own types (analyzer/usage/answers.ts, imported type-only).
 */
import type {
  CoUsage,
  HostUsage,
  MonthlyPoint,
  PackageBundle,
  PackageDrillDown,
  PackageUsage,
  ScriptUsage,
  UsageTotals,
} from '../../analyzer/usage/answers';

export interface Meta {
  store: string;
  firstDay: string | null;
  lastDay: string | null;
  hosts: string[];
}
export type PackageRow = PackageUsage;
/** `api/summary`: the store's answers for the filter, each typed where it is made. */
export interface Summary {
  totals: UsageTotals;
  packages: PackageUsage[];
  monthly: MonthlyPoint[];
  hosts: HostUsage[];
  scripts: ScriptUsage[];
  coUsage: CoUsage[];
  bundles: PackageBundle[];
}
export type DrillDown = PackageDrillDown;
export interface RequestRow {
  package: string;
  status: string;
  requesters: number;
  requests: number;
  reasons: string[];
  users: string[];
  hosts: string[];
  firstRequested: string;
  lastRequested: string;
}
