/**
 * One folder of the workspace report (the pyrats/workspaceReport request): every Python file below
 * it checked against the folder's baseline and mirrors — open documents as last checked, the rest
 * from disk — with counts by verdict and what was skipped and why. Cancellable between files.
 */
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import type { ImportVerdictInfo, VerdictCounts, WorkspaceReportFolder } from '../protocol';
import { cancelled } from './cancellation';
import { countVerdicts } from './convert';
import { listPythonFiles, type FolderAnalyzer } from './folderAnalyzer';

export async function folderReport(
  uri: string,
  root: string,
  analyzer: FolderAnalyzer,
  openVerdicts: (fileUri: string) => ImportVerdictInfo[] | undefined,
  token: CancellationToken,
): Promise<WorkspaceReportFolder> {
  const counts: VerdictCounts = countVerdicts([]);
  const report: WorkspaceReportFolder = {
    uri,
    baseline: analyzer.baselineName,
    files: [],
    counts,
    skipped: [],
    problems: [...analyzer.problems],
  };
  const listing = await listPythonFiles(root, token);
  for (const s of listing.skipped) {
    report.skipped.push({ uri: pathToFileURL(s.path).toString(), reason: s.reason });
    if (s.path === root) report.problems.push(`${s.path}: ${s.reason}`);
  }
  let n = 0;
  for (const file of listing.files) {
    if (token.isCancellationRequested) throw cancelled();
    // let cancellation and other messages through now and then
    if (++n % 25 === 0) await new Promise((r) => setImmediate(r));
    const fileUri = pathToFileURL(file).toString();
    const open = openVerdicts(fileUri);
    let imports;
    try {
      if (open) {
        imports = open;
      } else {
        const checked = await analyzer.checkFile(file, token);
        imports = checked.imports;
        if (checked.problems.length && imports.length === 0) {
          report.skipped.push({ uri: fileUri, reason: checked.problems.join('; ') });
          continue;
        }
      }
    } catch (err) {
      report.skipped.push({ uri: fileUri, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const c = countVerdicts(imports);
    for (const k of Object.keys(counts) as (keyof VerdictCounts)[]) counts[k] += c[k];
    report.files.push({ uri: fileUri, imports });
  }
  return report;
}
