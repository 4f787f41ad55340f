/**
 * The admin's request queue: package requests (ingested from `loggerName=PyRatsRequest` records into
 * the usage store) grouped by PEP 503-normalised package name, with the number of distinct requesters,
 * their reasons and a status — `new`, `approved`, `rejected`, or `mirrored` (set automatically once the
 * mirror index has the package). Re-sent requests (same request id) count once.
 *
 * Reads and writes only the store's `requests` / `request_status` tables; it does not fetch mirror
 * indexes (the caller passes a predicate) or write mirror configuration (mirrorLists.ts).
 */
import type { QueueEntry, RequestStatus } from '../usage/answers';
import type { UsageStore } from '../usage/store';

export { REQUEST_STATUSES, type QueueEntry, type RequestStatus } from '../usage/answers';

export function normalizePackageName(name: string): string {
  return name
    .trim()
    .replace(/[-_.]+/g, '-')
    .toLowerCase();
}

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The queue, most requesters first; `status` filters. */
export async function listQueue(
  store: UsageStore,
  opts: { status?: RequestStatus[] } = {},
): Promise<QueueEntry[]> {
  const rows = await store.rows<{
    package: string;
    spellings: string[];
    requesters: number;
    requests: number;
    reasons: string[];
    preferred: string[];
    users: string[];
    hosts: string[];
    first: number;
    last: number;
    status: string | null;
    changed: string | null;
    note: string | null;
  }>(
    `WITH r AS (
       SELECT lower(regexp_replace(trim(package), '[-_.]+', '-', 'g')) AS package, package AS spelling,
         coalesce(requester, '@' || host) AS who, requester, host, request_key, reason, preferred, received
       FROM requests)
     SELECT r.package, list(DISTINCT r.spelling ORDER BY r.spelling) AS spellings,
       count(DISTINCT r.who)::INTEGER AS requesters, count(DISTINCT r.request_key)::INTEGER AS requests,
       coalesce(list(DISTINCT r.reason ORDER BY r.reason) FILTER (WHERE r.reason IS NOT NULL), []) AS reasons,
       coalesce(list(DISTINCT r.preferred ORDER BY r.preferred) FILTER (WHERE r.preferred IS NOT NULL), []) AS preferred,
       coalesce(list(DISTINCT r.requester ORDER BY r.requester) FILTER (WHERE r.requester IS NOT NULL), []) AS users,
       list(DISTINCT r.host ORDER BY r.host) AS hosts,
       min(r.received) AS first, max(r.received) AS last,
       any_value(s.status) AS status, strftime(any_value(s.changed), '%Y-%m-%dT%H:%M:%S') AS changed, any_value(s.note) AS note
     FROM r LEFT JOIN request_status s ON s.package = r.package
     GROUP BY r.package ORDER BY requesters DESC, requests DESC, r.package`,
  );
  const want = opts.status ? new Set(opts.status) : null;
  return rows
    .map((r) => ({
      package: r.package,
      spellings: r.spellings,
      status: (r.status ?? 'new') as RequestStatus,
      requesters: r.requesters,
      requests: r.requests,
      reasons: r.reasons,
      preferred: r.preferred,
      users: r.users,
      hosts: r.hosts,
      firstRequested: isoTime(r.first),
      lastRequested: isoTime(r.last),
      changed: r.changed,
      note: r.note,
    }))
    .filter((e) => !want || want.has(e.status));
}

/**
 * Sets the status of packages (normalised names). Names never requested are refused unless
 * `allowUnrequested` (an admin may pre-approve). Returns the names changed.
 */
export async function setStatus(
  store: UsageStore,
  packages: string[],
  status: RequestStatus,
  opts: { note?: string | null; allowUnrequested?: boolean } = {},
): Promise<string[]> {
  const names = [...new Set(packages.map(normalizePackageName))];
  if (!names.length) throw new Error('no package named');
  if (!opts.allowUnrequested) {
    const known = new Set((await listQueue(store)).map((e) => e.package));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length)
      throw new Error(`never requested: ${unknown.join(', ')} (use --force to set it anyway)`);
  }
  await store.begin();
  try {
    for (const n of names) {
      await store.run(`DELETE FROM request_status WHERE package = $1`, [n]);
      await store.run(`INSERT INTO request_status VALUES ($1, $2, current_localtimestamp(), $3)`, [
        n,
        status,
        opts.note ?? null,
      ]);
    }
    await store.commit();
  } catch (err) {
    await store.rollback();
    throw err;
  }
  return names;
}

/**
 * Closes requests the mirror now provides: every `new` or `approved` entry for which `isMirrored`
 * says yes becomes `mirrored`. Returns the names closed.
 */
export async function closeMirrored(
  store: UsageStore,
  isMirrored: (normalized: string) => boolean,
): Promise<string[]> {
  const open = await listQueue(store, { status: ['new', 'approved'] });
  const done = open.filter(
    (e) => isMirrored(e.package) || e.spellings.some((s) => isMirrored(normalizePackageName(s))),
  );
  if (done.length)
    await setStatus(
      store,
      done.map((e) => e.package),
      'mirrored',
      { note: 'closed automatically: the mirror index has it' },
    );
  return done.map((e) => e.package);
}

/**
 * Package names listed by a mirror index document: a PEP 691 JSON root (`projects[].name`), a conda
 * `repodata.json` / `channeldata.json`, a PEP 503 HTML root (anchor texts), or a plain list (one name a
 * line, `#` comments). Returned normalised. Throws when the text is none of these.
 */
export function mirrorNamesFromText(text: string, source = 'mirror index'): Set<string> {
  const names = new Set<string>();
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
    }
    if (Array.isArray(doc.projects))
      for (const p of doc.projects as { name?: unknown }[])
        if (typeof p?.name === 'string') names.add(normalizePackageName(p.name));
    for (const key of ['packages', 'packages.conda'])
      if (doc[key] && typeof doc[key] === 'object') {
        const entries = doc[key] as Record<string, { name?: unknown } | unknown>;
        for (const [k, v] of Object.entries(entries)) {
          const name =
            v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string'
              ? (v as { name: string }).name
              : key === 'packages' && !k.includes('.')
                ? k
                : null;
          if (name) names.add(normalizePackageName(name));
        }
      }
    if (!names.size && !Array.isArray(doc.projects) && !doc.packages)
      throw new Error(`${source}: JSON without 'projects' (PEP 691) or 'packages' (conda)`);
    return names;
  }
  if (/^<(!doctype|html)/i.test(trimmed)) {
    for (const m of text.matchAll(/<a\b[^>]*>([^<]+)<\/a>/gi)) names.add(normalizePackageName(m[1].trim()));
    return names;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*/, '').trim();
    if (!line) continue;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(line))
      throw new Error(`${source}:${i + 1}: '${line.slice(0, 80)}' is not a package name`);
    names.add(normalizePackageName(line));
  }
  return names;
}
