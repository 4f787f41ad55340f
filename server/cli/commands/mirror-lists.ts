/**
 * `pyrats mirror-lists --out DIR` — inputs of the mirroring tools (bandersnatch, conda-mirror, wget)
 * from approved requests plus a base list.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  bandersnatchAllowlist,
  condaMirrorInclude,
  condaMirrorWhitelist,
  fromRequests,
  mergePackages,
  parseBaseList,
  wgetPatterns,
  type MirrorPackage,
} from '../../../analyzer/requests/mirrorLists';
import { listQueue } from '../../../analyzer/requests/queue';
import { UsageStore } from '../../../analyzer/usage/store';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';

export const MIRROR_LIST_FILES = {
  bandersnatch: 'bandersnatch-allowlist.conf',
  condaInclude: 'conda-mirror-include.yml',
  condaWhitelist: 'conda-mirror-whitelist.yml',
  wgetPypi: 'wget-pypi-patterns.txt',
  wgetConda: 'wget-conda-patterns.txt',
} as const;

/** The approved (and already mirrored) requests plus the base list. */
export async function mirrorPackages(
  db: string | undefined,
  base: string | undefined,
): Promise<MirrorPackage[][]> {
  const lists: MirrorPackage[][] = [];
  if (base) {
    let text: string;
    try {
      text = readFileSync(base, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`${base}: cannot read the base list (${e.code ?? e.message})`);
    }
    lists.push(parseBaseList(text, base));
  }
  if (db) {
    const store = await UsageStore.open(db, { readOnly: true });
    try {
      const q = await listQueue(store, { status: ['approved', 'mirrored'] });
      lists.push(fromRequests(q.map((e) => e.package)));
    } finally {
      store.close();
    }
  }
  return lists;
}

export const mirrorListsCommand: CliCommand = {
  name: 'mirror-lists',
  summary: 'write bandersnatch / conda-mirror / wget package lists from approved requests + a base list',
  help: `Usage: pyrats mirror-lists --out DIR [--db FILE] [--base FILE] [--conda-source CHANNEL]
                           [--conda-destination DIR] [--subdir S]...

Writes, from the approved (and mirrored) requests in the usage store plus a base list, the inputs of
the mirroring tools:
  DIR/${MIRROR_LIST_FILES.bandersnatch}   bandersnatch [plugins] + [allowlist] packages = (PyPI names)
  DIR/${MIRROR_LIST_FILES.condaInclude}      conda-mirror (conda-incubator) source/destination/subdirs/include
  DIR/${MIRROR_LIST_FILES.condaWhitelist}    conda-mirror (vericast) blacklist "*" + whitelist names
  DIR/${MIRROR_LIST_FILES.wgetPypi}       wget patterns, one 'name-*' line per PyPI package (all versions)
  DIR/${MIRROR_LIST_FILES.wgetConda}      the same for conda package names

The base list has one package a line ('#' comments); 'pypi:NAME' or 'conda:NAME' limits a line to one
ecosystem; a bare NAME is a PyPI name whose conda name is derived (e.g. torch -> pytorch).

Options:
  --out DIR                where to write (created)
  --db FILE                usage store with the request queue
  --base FILE              base list
  --conda-source CHANNEL   conda-mirror source channel (default conda-forge)
  --conda-destination DIR  conda-mirror destination (default ./conda-forge-mirror)
  --subdir S               conda subdirs (repeatable; default linux-64 and noarch)

Exit status: 0 ok, 2 usage error, 3 the store or base list could not be read.
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: {
        out: { type: 'string' },
        db: { type: 'string' },
        base: { type: 'string' },
        'conda-source': { type: 'string', default: 'conda-forge' },
        'conda-destination': { type: 'string' },
        subdir: { type: 'string', multiple: true },
      },
    });
    if (!values.out) throw new UsageError('--out DIR is required');
    if (!values.db && !values.base)
      throw new UsageError('name --db FILE (approved requests) and/or --base FILE');
    const { pypi, conda } = mergePackages(...(await mirrorPackages(values.db, values.base)));
    const generated = new Date().toISOString();
    const source = values['conda-source']!;
    const files: [string, string][] = [
      [MIRROR_LIST_FILES.bandersnatch, bandersnatchAllowlist(pypi, generated)],
      [
        MIRROR_LIST_FILES.condaInclude,
        condaMirrorInclude(
          conda,
          {
            source,
            destination: values['conda-destination'] ?? `./${source}-mirror`,
            subdirs: values.subdir ?? ['linux-64', 'noarch'],
          },
          generated,
        ),
      ],
      [MIRROR_LIST_FILES.condaWhitelist, condaMirrorWhitelist(conda, generated)],
      [MIRROR_LIST_FILES.wgetPypi, wgetPatterns(pypi)],
      [MIRROR_LIST_FILES.wgetConda, wgetPatterns(conda)],
    ];
    mkdirSync(values.out, { recursive: true });
    for (const [name, text] of files) writeFileSync(path.join(values.out, name), text);
    io.stdout.write(`${pypi.length} PyPI and ${conda.length} conda packages -> ${values.out}\n`);
    for (const [name] of files) io.stdout.write(`  ${path.join(values.out, name)}\n`);
    return EXIT.ok;
  },
};
