/** `pyrats mirror-page --out FILE` — the mirror's index page (installers, opt-out, pip and conda set-up). */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ioProblem } from '../../../analyzer/ioErrors';
import { mergePackages, renderMirrorPage } from '../../../analyzer/requests/mirrorLists';
import { EXIT, parseCommandArgs, UsageError, type CliCommand } from '../command';
import { mirrorPackages } from './mirror-lists';

export const mirrorPageCommand: CliCommand = {
  name: 'mirror-page',
  summary: "write the mirror's index page: installers, opt-out, pip/conda configuration",
  help: `Usage: pyrats mirror-page --out FILE --pypi-url URL --conda-url URL [--title T]
                          [--installers DIR] [--installers-url URL] [--log-host HOST:PORT]
                          [--db FILE] [--base FILE]

Writes the mirror's index.html: the latest installers (newest of each family found in
--installers DIR, linked under --installers-url, default 'installers/'), what the modified
installers do (pip/conda pointed at the mirror, a PyRats sitecustomize.py sending one syslog record
per script source file to the log host), how to stop logging (PYRATS_DISABLE=1), how to point pip
(~/.pip/pip.conf) and conda (~/.condarc) at the mirror, and the packages on it (approved and
mirrored requests from --db plus --base, as for pyrats mirror-lists).

Exit status: 0 ok, 2 usage error, 3 an input could not be read (an unreadable installer is left
out and named; the page is still written).
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      strict: true,
      options: {
        out: { type: 'string' },
        title: { type: 'string', default: 'Python package mirror' },
        'pypi-url': { type: 'string' },
        'conda-url': { type: 'string' },
        installers: { type: 'string' },
        'installers-url': { type: 'string', default: 'installers/' },
        'log-host': { type: 'string', default: 'the centre log host' },
        db: { type: 'string' },
        base: { type: 'string' },
      },
    });
    if (!values.out) throw new UsageError('--out FILE is required');
    for (const k of ['pypi-url', 'conda-url'] as const) {
      const v = values[k];
      if (!v) throw new UsageError(`--${k} URL is required`);
      try {
        new URL(v);
      } catch {
        throw new UsageError(`--${k}: '${v}' is not a URL`);
      }
    }
    const installers: { name: string; href: string; size: number; modified: Date }[] = [];
    let skipped = 0;
    if (values.installers) {
      const prefix = values['installers-url']!.endsWith('/')
        ? values['installers-url']!
        : `${values['installers-url']}/`;
      let names: string[];
      try {
        names = readdirSync(values.installers).sort();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new Error(
          `--installers ${values.installers}: cannot list the directory (${e.code ?? e.message})`,
        );
      }
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const file = path.join(values.installers, name);
        let st;
        try {
          st = statSync(file);
        } catch (err) {
          // a broken link, or a file removed meanwhile: left out, said, the page still written
          io.stderr.write(`pyrats mirror-page: ${file}: left out (${ioProblem(err, { path: file })})\n`);
          skipped++;
          continue;
        }
        if (st.isFile())
          installers.push({
            name,
            href: prefix + encodeURIComponent(name),
            size: st.size,
            modified: st.mtime,
          });
      }
    }
    const { pypi, conda } = mergePackages(...(await mirrorPackages(values.db, values.base)));
    const html = renderMirrorPage({
      title: values.title!,
      pypiUrl: values['pypi-url']!,
      condaUrl: values['conda-url']!,
      installers,
      logHost: values['log-host']!,
      pypi,
      conda,
      generated: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    });
    writeFileSync(values.out, html);
    io.stdout.write(
      `${values.out}: ${installers.length} installers, ${pypi.length} PyPI and ${conda.length} conda packages\n`,
    );
    return skipped ? EXIT.failure : EXIT.ok;
  },
};
