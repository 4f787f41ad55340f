/**
 * One time budget for a network operation: name lookup, connect, send (and, for TCP and webhooks,
 * the confirmation) all draw on the same deadline, so `--timeout 2000` means two seconds in all.
 *
 * The name lookup is the part the operating system would otherwise let hang: glibc's getaddrinfo
 * waits for unreachable DNS servers (5 s × 2 attempts by default) and cannot be cancelled, and a
 * pending one keeps a Node process alive after its work is done. So `lookupWithin`:
 *
 * 1. takes IP literals as they are;
 * 2. asks the system (`dns.lookup`) for names listed in /etc/hosts — answered locally, no DNS;
 * 3. asks DNS through c-ares (`dns.Resolver`), which is cancelled when the budget runs out;
 * 4. when DNS has a definite answer that the name does not exist, asks the system after all (search
 *    domains, NIS/LDAP hosts): DNS just answered, so that lookup cannot hang on it.
 *
 * The result plugs into `net.connect`/`dgram` as their `lookup` option. This module sends nothing.
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { timerDelay } from '../timerDelay';

/** A deadline shared by the steps of one network operation. */
export class NetBudget {
  readonly deadline: number;
  /** True while a name lookup is under way (a time-out then names the lookup). */
  lookingUp = false;
  constructor(readonly timeoutMs: number) {
    this.deadline = performance.now() + timeoutMs;
  }
  /** Milliseconds left (0 when spent). */
  remaining(): number {
    return Math.max(0, this.deadline - performance.now());
  }
}

export interface LookupOptions {
  /** DNS servers to ask instead of the system's (`IP` or `IP:PORT`); for sites and tests. */
  dnsServers?: readonly string[];
  /** The hosts file consulted first (default /etc/hosts). */
  hostsFile?: string;
}

export interface LookedUp {
  address: string;
  family: 4 | 6;
}

/** Error codes that mean "DNS answered: no such name" (a system lookup will not wait on DNS). */
const DEFINITE_NO = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME', 'ENOTIMP', 'EREFUSED']);

/** Names of the hosts file (lower case), read each time: it is small and may change. */
function hostsFileNames(file: string): Set<string> {
  try {
    const names = readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1));
    return new Set(names.map((n) => n.toLowerCase()));
  } catch {
    return new Set();
  }
}

function systemLookup(host: string, family: 0 | 4 | 6): Promise<LookedUp> {
  return new Promise((resolve, reject) => {
    dns.lookup(host, { family }, (err, address, fam) =>
      err ? reject(err) : resolve({ address, family: fam === 6 ? 6 : 4 }),
    );
  });
}

/** The error of a lookup that ran out of time (also what a caller's own time-out reports then). */
export function lookupTimedOut(host: string, budget: NetBudget): NodeJS.ErrnoException {
  return Object.assign(
    new Error(`the name lookup of '${host}' did not finish within the ${budget.timeoutMs} ms time limit`),
    { code: 'ETIMEOUT_LOOKUP' },
  );
}

/** Rejects with a lookup time-out when the budget runs out first; calls `onTimeout` then. */
function withinBudget<T>(
  work: Promise<T>,
  host: string,
  budget: NetBudget,
  onTimeout = () => {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(lookupTimedOut(host, budget));
    }, timerDelay(budget.remaining()));
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** Asks DNS (A, then AAAA unless only IPv4 is wanted); cancelled when the budget runs out. */
async function dnsLookup(
  host: string,
  family: 0 | 4 | 6,
  budget: NetBudget,
  options: LookupOptions,
): Promise<LookedUp> {
  const resolver = new dns.promises.Resolver({
    timeout: Math.max(1, Math.ceil(budget.remaining())),
    tries: 1,
  });
  if (options.dnsServers?.length) resolver.setServers([...options.dnsServers]);
  const ask = async (): Promise<LookedUp> => {
    if (family !== 6) {
      try {
        const [address] = await resolver.resolve4(host);
        if (address) return { address, family: 4 };
      } catch (err) {
        if (family === 4) throw err;
      }
    }
    const [address] = await resolver.resolve6(host);
    if (!address) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENODATA' });
    return { address, family: 6 };
  };
  return withinBudget(ask(), host, budget, () => resolver.cancel());
}

/** Resolves `host` within what is left of `budget`; rejects with a code-carrying Error. */
export async function lookupWithin(
  host: string,
  family: 0 | 4 | 6,
  budget: NetBudget,
  options: LookupOptions = {},
): Promise<LookedUp> {
  const ipFamily = net.isIP(host);
  if (ipFamily) return { address: host, family: ipFamily as 4 | 6 };
  if (budget.remaining() <= 0) throw lookupTimedOut(host, budget);
  budget.lookingUp = true;
  try {
    return await resolveName(host, family, budget, options);
  } finally {
    budget.lookingUp = false;
  }
}

async function resolveName(
  host: string,
  family: 0 | 4 | 6,
  budget: NetBudget,
  options: LookupOptions,
): Promise<LookedUp> {
  if (
    !options.dnsServers?.length &&
    hostsFileNames(options.hostsFile ?? '/etc/hosts').has(host.toLowerCase())
  ) {
    return withinBudget(systemLookup(host, family), host, budget);
  }
  try {
    return await dnsLookup(host, family, budget, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ETIMEOUT_LOOKUP' || options.dnsServers?.length) throw err;
    if (!DEFINITE_NO.has(code) && code !== 'ECONNREFUSED') throw err;
    return withinBudget(systemLookup(host, family), host, budget);
  }
}

/** A `lookup` function for `net.connect` / `dgram.createSocket` drawing on `budget`. */
export function budgetLookup(budget: NetBudget, options: LookupOptions = {}): net.LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
    lookupWithin(hostname, family, budget, options).then(
      ({ address, family: fam }) => {
        if (lookupOptions.all)
          (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [
            { address, family: fam },
          ]);
        else callback(null, address, fam);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
