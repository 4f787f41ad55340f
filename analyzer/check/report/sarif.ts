/**
 * `pyrats check --format sarif`: SARIF 2.1.0 for CI code scanning. One run; the driver lists a rule
 * per verdict kind that can need action (missing everywhere: error; mirror only: warning; each one
 * step milder when the import is guarded by try/except ImportError); one result per such import with
 * its physical location (URI relative to the working directory under %SRCROOT% when inside it, else
 * an absolute file URI) and a region in 1-based lines and UTF-16 columns. In a notebook the region
 * is within the cell, and the result's properties name the cell (`cell`, 0-based; `cellId`).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UNUSED_CODE, VERDICT_CODES, type RequirementRef, type Verdict } from '../verdict';
import type { CheckReport } from './checkReport';

const rules = [
  {
    id: VERDICT_CODES.missing,
    name: 'ImportMissingEverywhere',
    shortDescription: { text: 'Imported package is neither in the baseline nor on the mirror' },
    fullDescription: {
      text: 'The module cannot be imported with the centre baseline Python, and no conda channel or PyPI index of the centre mirror provides it. Request it from the centre.',
    },
    defaultConfiguration: { level: 'error' },
    help: { text: 'Request the package from the centre (pyrats request), or vendor it with the script.' },
  },
  {
    id: VERDICT_CODES.mirror,
    name: 'ImportOnMirrorOnly',
    shortDescription: { text: 'Imported package is not in the baseline but is on the mirror' },
    fullDescription: {
      text: 'The module is not provided by the centre baseline Python, but a conda channel or PyPI index of the centre mirror has it: install it into your own environment.',
    },
    defaultConfiguration: { level: 'warning' },
    help: {
      text: 'Install it from the mirror (conda install -c CHANNEL NAME, or pip install --index-url INDEX NAME).',
    },
  },
  {
    id: VERDICT_CODES.conflict,
    name: 'DeclaredVersionConflict',
    shortDescription: { text: "The baseline's version is outside the declared requirement" },
    fullDescription: {
      text: "The script declares a requirement (PEP 723 block, requirements*.txt, environment.yml or pyproject.toml) that the baseline's version of the distribution, or its Python, does not satisfy.",
    },
    defaultConfiguration: { level: 'error' },
    help: {
      text: 'Choose a baseline that satisfies the requirement (pyrats check --baseline ...), or relax it.',
    },
  },
  {
    id: VERDICT_CODES.undeclared,
    name: 'ImportNotDeclared',
    shortDescription: { text: 'Imported distribution is missing from the declaration' },
    fullDescription: {
      text: 'The script has a declaration of its requirements, but the distribution providing this import is not in it (deptry DEP001/DEP003).',
    },
    defaultConfiguration: { level: 'warning' },
    help: { text: 'Add it to the declaration (pyrats pin writes the PEP 723 block).' },
  },
  {
    id: UNUSED_CODE,
    name: 'DeclaredButUnused',
    shortDescription: { text: 'Declared distribution is never imported' },
    fullDescription: {
      text: 'A declared requirement that no checked import uses (deptry DEP002).',
    },
    defaultConfiguration: { level: 'note' },
    help: { text: 'Remove it from the declaration unless it is needed at run time without an import.' },
  },
];

const SHOWN = new Set(['missing', 'mirror', 'conflict', 'undeclared']);

function level(v: Verdict): 'error' | 'warning' | 'note' {
  if (v.installedBy) return 'note';
  const base = v.kind === 'missing' || v.kind === 'conflict' ? 2 : 1;
  const l = v.guarded === 'try' ? base - 1 : base;
  return l >= 2 ? 'error' : l === 1 ? 'warning' : 'note';
}

export function toSarif(report: CheckReport, toolVersion = '0.1.0'): Record<string, unknown> {
  const uri = (file: string): { uri: string; uriBaseId?: string } => {
    const rel = path.relative(report.cwd, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel))
      return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
    return { uri: pathToFileURL(file).toString() };
  };
  const place = (r: RequirementRef) => ({
    physicalLocation: { artifactLocation: uri(r.file), region: { startLine: r.line } },
    message: { text: `declared: ${r.text}` },
  });
  const findings = (report.findings ?? []).map((f) => ({
    ruleId: f.code,
    ruleIndex: rules.findIndex((x) => x.id === f.code),
    level: f.kind === 'conflict' ? 'error' : 'note',
    message: { text: f.message },
    locations: [place(f.requirement)],
    partialFingerprints: { 'pyratsImport/v1': `${f.code}:${f.requirement.name}` },
  }));
  const results = report.files.flatMap((f) =>
    f.verdicts
      .filter((v) => SHOWN.has(v.kind))
      .map((v) => {
        const r = v.site.range;
        return {
          ruleId: v.code,
          ruleIndex: rules.findIndex((x) => x.id === v.code),
          level: level(v),
          message: { text: `${v.explanation} ${v.action}`.trim() },
          locations: [
            {
              physicalLocation: {
                artifactLocation: uri(v.file),
                region: {
                  startLine: r.start.line + 1,
                  startColumn: r.start.character + 1,
                  endLine: r.end.line + 1,
                  endColumn: r.end.character + 1,
                },
              },
            },
          ],
          ...(v.requirement ? { relatedLocations: [{ id: 1, ...place(v.requirement) }] } : {}),
          partialFingerprints: { 'pyratsImport/v1': `${v.code}:${v.module}` },
          properties: {
            ...(v.site.cell !== undefined ? { cell: v.site.cell } : {}),
            ...(v.site.cellId !== undefined ? { cellId: v.site.cellId } : {}),
            module: v.module,
            guarded: v.guarded,
            candidates: v.candidates.map((c) => c.pypi),
            mirror: v.mirror.map((m) => ({ source: m.source, name: m.name, versions: m.versions })),
          },
        };
      }),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pyrats',
            fullName: 'pyrats-lens check',
            version: toolVersion,
            informationUri: 'https://github.com/pyrats-lens/pyrats-lens',
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            uri: pathToFileURL(report.cwd.endsWith(path.sep) ? report.cwd : report.cwd + path.sep).toString(),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.problems.map((p) => ({
              level: 'warning',
              message: { text: `${p.area} ${p.source}: ${p.message}` },
            })),
          },
        ],
        results: [...results, ...findings],
      },
    ],
  };
}

export function formatSarif(report: CheckReport, toolVersion?: string): string {
  return `${JSON.stringify(toSarif(report, toolVersion), null, 2)}\n`;
}
