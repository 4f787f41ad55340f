/**
 * `pyrats mirror [NAME...]` — which mirror sources are configured and whether they answer (loading
 * and caching every conda channel; `--refresh` re-checks them now), and, for each NAME (an import
 * or distribution name), where on the mirror it is available.
 */
import { defaultCacheDir } from '../../../analyzer/cacheRoot';
import { redactUrl } from '../../../analyzer/mirror/httpCache';
import { Mirror } from '../../../analyzer/mirror/mirror';
import { parseMirrorSpec, type MirrorSource } from '../../../analyzer/mirror/mirrorConfig';
import { NameMap } from '../../../analyzer/names/nameMap';
import { describeOrigin } from '../../../analyzer/config/resolveConfig';
import { flagOverrides, loadCliConfig, SOURCE_OPTIONS, SOURCE_OPTIONS_HELP } from '../cliConfig';
import {
  EXIT,
  UsageError,
  type CliCommand,
  type CliIO,
  parseCommandArgs,
  refuseEmptyValues,
} from '../command';

const HELP = `Usage: pyrats mirror [NAME...] [--mirror URL]... [--refresh | --offline] [--format text|json]

Lists the mirror sources (from --mirror, else the configured mirrors: see 'pyrats config'; else
.condarc and pip.conf), loads and caches each conda
channel's repodata, and says which failed. For each NAME (an import name such as cv2 or yaml, or a
distribution name), shows where the mirror has it and which versions, and whether each package
found provides it ("provides it", "probably provides it", "does NOT provide it") with the evidence:
installed metadata, the curated import table, conda-forge's PyPI mapping, or only the same name.
A same-named C library or tool, or a PyPI placeholder, is shown but never taken as the provider.

Options:
  --mirror URL        conda:URL, pypi:URL or a bare URL / path (repeatable), as in 'pyrats check'
  --refresh           re-check every cached answer now (ignore the 10-minute TTL)
${SOURCE_OPTIONS_HELP} (default 15)
  --subdir S          conda subdir to read (repeatable; default the platform's and noarch)
  --format F          text (default) or json

Without NAMEs, each PyPI index is asked for the project page of pip, to see whether it answers.
Passwords in URLs are shown as ***.

Exit status: 0 every NAME was found (or no NAME given and a source answered), 1 nothing on a
source that answered provides a NAME, 2 usage error, 3 no mirror source is configured or none answered.
`;

export const mirrorCommand: CliCommand = {
  name: 'mirror',
  summary: 'check the mirror sources and look names up on the mirror',
  help: HELP,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        mirror: { type: 'string', multiple: true },
        refresh: { type: 'boolean', default: false },
        ...SOURCE_OPTIONS,
        subdir: { type: 'string', multiple: true },
        format: { type: 'string', default: 'text' },
      },
    });
    const v = parsed.values;
    refuseEmptyValues(v);
    if (v.format !== 'text' && v.format !== 'json')
      throw new UsageError(`unknown format '${v.format}' (text or json)`);
    if (v.refresh && v.offline) throw new UsageError('--refresh and --offline exclude each other');
    const config = loadCliConfig(io, 'mirror', flagOverrides(v));
    const from = describeOrigin(config.origins.mirrors);
    let sources: MirrorSource[];
    try {
      sources = (config.values.mirrors ?? []).map((m) => parseMirrorSpec(m, from));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!sources.length) {
      io.stderr.write(
        'pyrats mirror: no mirror configured (use --mirror, or channels in .condarc / index-url in pip.conf)\n',
      );
      return EXIT.failure;
    }
    const mirror = await Mirror.open(sources, {
      cacheDir: config.values.cache_dir ?? defaultCacheDir(),
      offline: v.refresh ? false : config.values.offline,
      ttlMs: v.refresh ? 0 : undefined,
      timeoutMs: config.values.timeout ?? undefined,
      subdirs: v.subdir,
    });
    // without NAMEs, a PyPI index is asked for one project so that the status says whether it answers
    if (!parsed.positionals.length) await mirror.probeIndexes();
    const names = new NameMap();
    const found = [];
    for (const name of parsed.positionals) {
      const candidates = names.candidates(name);
      const hits = await mirror.lookup(candidates, name);
      // where a source failed (and its cache had no answer), "not there" is not known
      const unknownOn = hits.length
        ? []
        : [...mirror.channels, ...mirror.indexes]
            .filter((x) => mirror.failed(x.url))
            .map((x) => redactUrl(x.url));
      const nearest = hits.some((h) => h.provides !== false)
        ? []
        : await mirror.nearestNames(
            name,
            hits.map((h) => h.name),
          );
      found.push({ name, candidates: candidates.map((c) => c.pypi), hits, unknownOn, nearest });
    }
    const allFailed = [...mirror.channels, ...mirror.indexes].every((x) => mirror.failed(x.url));
    const shownSources = sources.map((s) => ({ ...s, url: redactUrl(s.url) }));
    if (v.format === 'json') {
      io.stdout.write(
        `${JSON.stringify({ sources: shownSources, status: mirror.describe(), lookups: found, problems: mirror.problems }, null, 2)}\n`,
      );
    } else {
      const lines = shownSources.map((s) => `${s.kind.padEnd(5)} ${s.url}  (from ${s.from})`);
      lines.push('', ...mirror.describe());
      for (const f of found) {
        lines.push('', `${f.name} (${f.candidates.join(', ')}):`);
        if (!f.hits.length && allFailed) lines.push('  unknown: no mirror source answered');
        else if (!f.hits.length && f.unknownOn.length)
          lines.push(`  not on the sources that answered; unknown on ${f.unknownOn.join(', ')} (failed)`);
        else if (!f.hits.length) lines.push('  not on the mirror');
        for (const h of f.hits) {
          const words =
            h.provides === false
              ? 'does NOT provide it'
              : h.provides === 'probably'
                ? 'probably provides it'
                : 'provides it';
          lines.push(
            `  ${h.kind} ${h.label}: ${h.name} ${h.versions.join(', ')}${h.subdirs ? ` [${h.subdirs.join(', ')}]` : ''}`,
            `    ${words}: ${h.why ?? ''}`,
          );
        }
        if (!f.hits.some((h) => h.provides !== false) && f.nearest.length)
          lines.push(`  nothing here provides it; names on the mirror to try: ${f.nearest.join(', ')}`);
      }
      io.stdout.write(`${lines.join('\n')}\n`);
      for (const p of mirror.problems) io.stderr.write(`pyrats mirror: ${p.source}: ${p.message}\n`);
    }
    if (allFailed) return EXIT.failure;
    return found.some((f) => !f.hits.some((h) => h.provides !== false)) ? EXIT.findings : EXIT.ok;
  },
};
