/**
 * Derived fields of usage records: what kind of code a PyRats (root, rel) node is (standard library,
 * third-party under a site-packages / dist-packages root, or local user code), its top-level package
 * and distribution, and the user who owns a path (the component after `/home`, `/scratch*`, …).
 *
 * The rules are configurable (`DeriveConfig`); nothing here reads files or the store.
 */
import { NameMap } from '../names/nameMap';

export type NodeKind = 'stdlib' | 'thirdParty' | 'local';

export interface DeriveConfig {
  /**
   * Path patterns naming the user: `*` matches one component (or the rest of one, as in `/scratch*`),
   * `{user}` captures the user component. Tried in order; the first match wins.
   */
  userPatterns: string[];
  /** Import name → distribution name overrides (e.g. a centre's own packages). */
  distributions: Map<string, string>;
  /** Fallback for names not in `distributions` (default: the maintained table of analyzer/names). */
  distributionOf?: (importName: string) => string;
}

export const DEFAULT_USER_PATTERNS = [
  '/home/{user}',
  '/scratch*/{user}',
  '/work*/{user}',
  '/lustre/*/{user}',
  '/gpfs/*/{user}',
  '/glade/*/{user}',
];

export function defaultDeriveConfig(): DeriveConfig {
  const names = new NameMap();
  return {
    userPatterns: [...DEFAULT_USER_PATTERNS],
    distributions: new Map(),
    distributionOf: (m) => names.candidates(m)[0]?.pypi ?? m,
  };
}

export interface NodeInfo {
  kind: NodeKind;
  /** Top-level importable name (`numpy`, `email`), or null for local code. */
  package: string | null;
  /** Distribution for third-party packages; the package name when not mapped; null otherwise. */
  distribution: string | null;
  /** Owner of the path when it lies under a user directory. */
  user: string | null;
  /** `root/rel`: the file or package directory the pair names. */
  path: string;
}

const SITE_DIR = /(^|\/)(site-packages|dist-packages)(\/|$)/;
const STDLIB_DIR = /(^|\/)lib(?:64)?\/python\d+(?:\.\d+)?[a-z]*(\/|$)/;
const EXT_SUFFIX = /(\.cpython-[^./]*|\.abi3|\.pypy[^./]*)?\.(so|pyd|py|pyc|pyw)$/;

/** Compiles the user patterns into one matcher (`/scratch*` → `/scratch[^/]*`, `{user}` → capture). */
export function compileUserPatterns(patterns: string[]): (p: string) => string | null {
  const regexes = patterns.map((pat) => {
    const src = pat
      .split('/')
      .map((part) =>
        part === '{user}'
          ? '([^/]+)'
          : part
              .split('*')
              .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('[^/]*'),
      )
      .join('/');
    if (!src.includes('([^/]+)')) throw new Error(`user pattern '${pat}' has no {user} component`);
    return new RegExp(`^${src}(?:/|$)`);
  });
  return (p: string) => {
    for (const re of regexes) {
      const m = re.exec(p);
      if (m) return m[1];
    }
    return null;
  };
}

/** Strips Python file suffixes from a top-level name (`six.py` → `six`, `_csv.cpython-311-…so` → `_csv`). */
function moduleName(component: string): string {
  return component.replace(EXT_SUFFIX, '');
}

export class NodeDeriver {
  private readonly userOf: (p: string) => string | null;
  constructor(private readonly config: DeriveConfig) {
    this.userOf = compileUserPatterns(config.userPatterns);
  }

  userOfPath(p: string): string | null {
    return this.userOf(p);
  }

  /** Classifies a PyRats (root, rel) node. */
  derive(root: string, rel: string): NodeInfo {
    const full = rel ? (root.endsWith('/') ? root + rel : `${root}/${rel}`) : root;
    const user = this.userOf(full);
    const site = SITE_DIR.exec(full);
    if (site) {
      const after = full.slice(site.index + site[0].length);
      const top = after.split('/')[0];
      if (!top) return { kind: 'thirdParty', package: null, distribution: null, user, path: full };
      const pkg = moduleName(top);
      const dist = this.config.distributions.get(pkg) ?? this.config.distributionOf?.(pkg) ?? pkg;
      return { kind: 'thirdParty', package: pkg, distribution: dist, user, path: full };
    }
    const std = STDLIB_DIR.exec(full);
    if (std) {
      let after = full.slice(std.index + std[0].length);
      if (after.startsWith('lib-dynload/')) after = after.slice('lib-dynload/'.length);
      const top = moduleName(after.split('/')[0]);
      return { kind: 'stdlib', package: top || null, distribution: null, user, path: full };
    }
    return { kind: 'local', package: null, distribution: null, user, path: full };
  }
}

/**
 * Reads an `import_name:distribution` mapping (pipreqs format, one pair a line; `#` comments);
 * throws naming the first line that is not `name:distribution`.
 */
export function parseDistributionMap(text: string, file = 'mapping'): Map<string, string> {
  const map = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon === line.length - 1)
      throw new Error(`${file}:${i + 1}: expected 'import_name:distribution', got '${line.slice(0, 80)}'`);
    const name = line.slice(0, colon).trim();
    if (!map.has(name)) map.set(name, line.slice(colon + 1).trim());
  }
  return map;
}
