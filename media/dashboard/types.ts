/** The JSON shapes of the dashboard API (`pyrats dashboard --help`), as the page reads them. */
export interface Meta {
  store: string;
  firstDay: string | null;
  lastDay: string | null;
  hosts: string[];
}
export interface PackageRow {
  package: string;
  kind: string;
  distribution: string | null;
  users: number;
  imports: number;
  scripts: number;
  hosts: number;
  firstSeen: string;
  lastSeen: string;
}
export interface Summary {
  totals: {
    records: number;
    scriptRecords: number;
    users: number;
    scripts: number;
    hosts: number;
    thirdPartyPackages: number;
    firstDay: string | null;
    lastDay: string | null;
  };
  packages: PackageRow[];
  monthly: { month: string; package: string; users: number; imports: number }[];
  hosts: {
    host: string;
    users: number;
    runs: number;
    scripts: number;
    packages: number;
    topPackages: string[];
  }[];
  scripts: {
    script: string;
    user: string | null;
    runs: number;
    hosts: number;
    packages: string[];
    firstSeen: string;
    lastSeen: string;
  }[];
  coUsage: { a: string; b: string; users: number; scripts: number; jaccard: number }[];
}
export interface DrillDown {
  package: string;
  distribution: string | null;
  users: { user: string | null; imports: number; scripts: number; firstSeen: string; lastSeen: string }[];
  scripts: { script: string; user: string | null; imports: number; firstSeen: string; lastSeen: string }[];
  hosts: { host: string; users: number; imports: number }[];
  importedBy: { package: string; records: number }[];
  importsPackages: { package: string; records: number }[];
  firstSeen: string | null;
  lastSeen: string | null;
}
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
