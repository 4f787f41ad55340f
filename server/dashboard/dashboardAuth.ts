/**
 * The dashboard's secret, Jupyter's way: a random token per start (or a fixed one from a token file
 * or PYRATS_DASHBOARD_TOKEN), accepted once in the URL (`?token=`), which sets an HttpOnly,
 * SameSite=Strict cookie, or on every request as `Authorization: token ...`; and the Host check
 * against DNS rebinding. Decides who may talk to the server; serves nothing itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { formatMode, readableByOthers, writePrivateFile } from '../../analyzer/privateFiles';

/** The environment variable holding a fixed dashboard token. */
export const TOKEN_ENV = 'PYRATS_DASHBOARD_TOKEN';
/** Fixed tokens shorter than this are refused: 32 hex digits are 128 bits. */
const MIN_FIXED_TOKEN = 32;
const MAX_TOKEN = 1024;
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

/** A fresh token: 192 random bits as 48 hex digits. */
export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** Checks a fixed token from `source` (a file name or the variable): printable, long enough. */
function fixedToken(text: string, source: string): string {
  const token = text.trim();
  if (!token) throw new Error(`${source}: empty; a dashboard token needs ${MIN_FIXED_TOKEN}+ characters`);
  if (!TOKEN_TEXT.test(token) || token.length > MAX_TOKEN)
    throw new Error(
      `${source}: a dashboard token is one word of printable ASCII, at most ${MAX_TOKEN} characters`,
    );
  if (token.length < MIN_FIXED_TOKEN)
    throw new Error(
      `${source}: a dashboard token of ${token.length} characters is too easy to guess; use ` +
        `${MIN_FIXED_TOKEN} or more (e.g. openssl rand -hex 24)`,
    );
  return token;
}

/**
 * The token in `file`, made (a new random token, mode 0600) when the file is absent. A file that
 * others may read is refused: its token would not be a secret.
 */
export function tokenFromFile(file: string): string {
  try {
    writePrivateFile(file, `${newToken()}\n`, { exclusive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST')
      throw new Error(`${file}: cannot make the token file (${code ?? (err as Error).message})`);
  }
  const open = readableByOthers(file);
  if (open !== null)
    throw new Error(`${file}: readable by other users (mode ${formatMode(open)}); chmod 600 ${file} first`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the token file (${(err as NodeJS.ErrnoException).code})`);
  }
  return fixedToken(text.split('\n')[0], file);
}

/** The dashboard's token: from `tokenFile`, else from PYRATS_DASHBOARD_TOKEN, else a fresh one. */
export function dashboardToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string {
  if (tokenFile) return tokenFromFile(tokenFile);
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined) return fixedToken(fromEnv, TOKEN_ENV);
  return newToken();
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'pyrats-compare').update(a).digest();
  const hb = createHmac('sha256', 'pyrats-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** What a request brings: a valid credential, the token in its URL (log in), nothing, or a wrong one. */
export type Credential = 'valid' | 'login' | 'missing' | 'wrong';

export class DashboardAuth {
  /** The cookie's value: derived from the token, not the token itself. */
  private readonly cookieValue: string;

  /** `instance` tells the cookies of dashboards on different ports of one host apart. */
  constructor(
    readonly token: string,
    instance: string,
  ) {
    this.cookieName = `pyrats-dashboard-${instance}`;
    this.cookieValue = createHmac('sha256', token).update('pyrats-dashboard-cookie').digest('hex');
  }

  readonly cookieName: string;

  /** The Set-Cookie header value after a login with the token. */
  setCookie(): string {
    return `${this.cookieName}=${this.cookieValue}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Looks at the Authorization header, the cookie and the `token` query parameter, in that order. */
  check(req: IncomingMessage, query: URLSearchParams): Credential {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
      return m && sameSecret(m[1], this.token) ? 'valid' : 'wrong';
    }
    const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
    const mine = cookies.find((c) => c.startsWith(`${this.cookieName}=`));
    const cookieValid =
      mine !== undefined && sameSecret(mine.slice(this.cookieName.length + 1), this.cookieValue);
    if (query.has('token')) return this.queryMatches(query) ? 'login' : cookieValid ? 'valid' : 'wrong';
    if (cookieValid) return 'valid';
    return mine === undefined ? 'missing' : 'wrong';
  }

  private queryMatches(query: URLSearchParams): boolean {
    const given = query.getAll('token');
    return given.length === 1 && sameSecret(given[0], this.token);
  }
}

/**
 * Whether a Host header names this server on the loopback interface: 127.0.0.1, localhost or [::1]
 * at `port`, or at any port (or none) for a unix socket reached through `ssh -L`.
 */
export function loopbackHost(host: string, port: number | null): boolean {
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  return port === null || m[2] === String(port);
}
