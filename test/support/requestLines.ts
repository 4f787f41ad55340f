/**
 * Log lines of package requests as syslog-ng writes them (BSD header + the PyRatsRequest record line
 * built with the project's own request model and record formatter), for queue and report tests.
 */
import { createPackageRequest, requestToJson, REQUEST_LOGGER } from '../../analyzer/pyrats/packageRequest';
import { formatRecordLine } from '../../analyzer/pyrats/syslogRecord';

export function requestLine(o: {
  user: string;
  host?: string;
  packages: string[];
  reason?: string;
  id?: string;
  when?: string;
  /** Changes the request after it was made: a line forged by hand rather than by pyrats. */
  forge?: (request: Record<string, unknown>) => void;
}): string {
  const req = createPackageRequest({
    user: o.user,
    host: o.host ?? 'hfe01',
    packages: o.packages.map((name) => ({
      name,
      imports: [name.toLowerCase()],
      evidence: [],
      baselineVersion: null,
      mirror: [],
    })),
    reason: o.reason ?? null,
    client: 'pyrats-lens test',
    id: o.id,
  });
  const when = o.when ?? 'Nov 25 07:00:00';
  return `${when} ${o.host ?? 'hfe01'} ${formatRecordLine(
    { loggerName: REQUEST_LOGGER, pathName: '/p/sitecustomize.py', python: '/usr/bin/python3' },
    o.forge ? JSON.stringify(forged(req, o.forge)) : requestToJson(req),
    1795590000,
  )}`;
}

function forged(req: object, change: (request: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
  change(copy);
  return copy;
}
