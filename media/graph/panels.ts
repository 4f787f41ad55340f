/**
 * What the graph view says in words: the legend (verdict counts), the package list (collapse and
 * expand), a node's details (tooltip and screen-reader announcement) and the status line. Each
 * function renders into the element it is given from the view's current data.
 */
import type { Selection } from 'd3';
import type { VerdictKind } from '../../analyzer/graph/dependencyGraph';
import type { Colours } from './draw';
import { nodeTitle, type SimNode } from './scene';
import { VERDICT_LABELS, VERDICTS, verdictCounts, type ViewGraph } from './transforms';
import type { GraphStats } from './graphView';

type Sel<E extends Element> = Selection<E, unknown, null, undefined>;

/** Verdict swatches with their counts in the view, then the marks (cycle, script, collapsed package). */
export function renderLegend(legend: Sel<HTMLUListElement>, view: ViewGraph, colours: Colours): void {
  const counts = verdictCounts(view);
  const items = VERDICTS.filter(
    (v) => counts[v] > 0 || ['local', 'stdlib', 'baseline', 'mirror', 'missing'].includes(v),
  );
  const li = legend
    .selectAll<HTMLLIElement, VerdictKind>('li.pg-legend-verdict')
    .data(items, (d) => d)
    .join((enter) => {
      const row = enter.append('li').attr('class', 'pg-legend-verdict');
      row.append('span').attr('class', 'pg-swatch');
      row.append('span').attr('class', 'pg-legend-label');
      row.append('span').attr('class', 'pg-legend-count');
      return row;
    })
    .attr('data-verdict', (d) => d);
  li.select('.pg-swatch').style('background-color', (d) => colours.verdict[d]);
  li.select('.pg-legend-label').text((d) => VERDICT_LABELS[d]);
  li.select('.pg-legend-count').text((d) => String(counts[d]));
  const extras = [
    { key: 'cycle', label: `import cycle (${view.cycles.length})` },
    { key: 'root', label: 'script' },
    { key: 'cluster', label: 'collapsed package' },
  ];
  const ex = legend
    .selectAll<HTMLLIElement, (typeof extras)[number]>('li.pg-legend-extra')
    .data(extras, (d) => d.key)
    .join((enter) => {
      const row = enter.append('li').attr('class', 'pg-legend-extra');
      row.append('span').attr('class', (d) => `pg-swatch pg-swatch-${d.key}`);
      row.append('span').attr('class', 'pg-legend-label');
      return row;
    });
  ex.select('.pg-legend-label').text((d) => d.label);
  ex.select('.pg-swatch-cycle').style('border-color', colours.cycle);
}

export interface PackageEntry {
  key: string;
  size: number;
  verdict: VerdictKind;
}

/** One button per package of more than one module: pressed when collapsed, a click toggles it. */
export function renderPackageList(
  list: Sel<HTMLUListElement>,
  packages: PackageEntry[],
  collapsed: ReadonlySet<string>,
  colours: Colours,
  toggle: (key: string) => void,
): void {
  const rows = list
    .selectAll<HTMLLIElement, PackageEntry>('li')
    .data(packages, (d) => d.key)
    .join((enter) => {
      const li = enter.append('li');
      const b = li.append('button').attr('type', 'button').attr('class', 'pg-cluster');
      b.append('span').attr('class', 'pg-swatch');
      b.append('span').attr('class', 'pg-cluster-name');
      b.append('span').attr('class', 'pg-cluster-size');
      b.on('click', (_event, d) => toggle(d.key));
      return li;
    });
  const btn = rows.select<HTMLButtonElement>('button');
  btn
    .attr('aria-pressed', (d) => String(collapsed.has(d.key)))
    .attr('title', (d) => `${collapsed.has(d.key) ? 'Expand' : 'Collapse'} ${d.key}`)
    .attr('data-cluster', (d) => d.key);
  btn.select('.pg-swatch').style('background-color', (d) => colours.verdict[d.verdict]);
  btn.select('.pg-cluster-name').text((d) => `${collapsed.has(d.key) ? '▸' : '▾'} ${d.key}`);
  btn.select('.pg-cluster-size').text((d) => String(d.size));
}

/** A node's details as [label, text] rows (an empty label: a line of its own). */
export function nodeDetails(n: SimNode, view: ViewGraph): string[][] {
  const v = n.v;
  const out: string[][] = [['', VERDICT_LABELS[v.verdict]]];
  const imports = view.edges.filter((e) => e.from === n.id).length;
  const importedBy = view.edges.filter((e) => e.to === n.id).length;
  if (v.kind === 'cluster') {
    out.push(['package', `${v.cluster}, ${v.members!.length} modules (collapsed)`]);
    const counts = Object.entries(v.verdicts ?? {})
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${VERDICT_LABELS[k as VerdictKind]}`);
    out.push(['modules', counts.join(', ')]);
  } else {
    const m = v.node!;
    if (m.file || m.root) out.push(['file', m.file ?? `${m.root}/${m.rel}`]);
    if (m.note) out.push(['why', m.note]);
    else if (!m.file && v.verdict === 'missing') out.push(['', 'not found anywhere']);
    out.push(['package', v.cluster]);
  }
  out.push(['imports', `${imports}, imported by ${importedBy}`]);
  if (v.root) out.push(['', 'script (follow root)']);
  if (v.inCycle) out.push(['', 'on an import cycle']);
  out.push([
    '',
    v.kind === 'cluster'
      ? 'click: expand'
      : v.node?.file
        ? 'click: open file · right-click: collapse package'
        : 'right-click: collapse package',
  ]);
  return out;
}

/** What a screen reader hears when a node gets the focus. */
export function announcement(n: SimNode, details: string[][]): string {
  return details
    .map(([k, v]) => (k ? `${k}: ${v}` : v))
    .join('; ')
    .replace(/^/, `${nodeTitle(n.v)}: `);
}

export function fillTooltip(
  tooltip: Sel<HTMLDivElement>,
  n: SimNode,
  details: string[][],
  colours: Colours,
): void {
  tooltip.selectAll('*').remove();
  tooltip.append('div').attr('class', 'pg-tip-title').text(nodeTitle(n.v));
  const rows = tooltip.append('dl').selectAll('div').data(details).join('div');
  rows
    .filter((d) => d[0] !== '')
    .append('dt')
    .text((d) => d[0]);
  rows.append('dd').text((d) => d[1]);
  tooltip
    .select('dl div dd')
    .classed('pg-tip-verdict', true)
    .style('border-color', colours.verdict[n.v.verdict]);
}

/** Shows the tooltip beside (x, y), flipped to stay inside a `width` × `height` stage. */
export function placeTooltip(tip: HTMLDivElement, x: number, y: number, width: number, height: number): void {
  tip.hidden = false;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  const left = x + 14 + w > width ? Math.max(0, x - 14 - w) : x + 14;
  const top = y + 14 + h > height ? Math.max(0, y - 14 - h) : y + 14;
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

/** The status line: nodes, edges, cycles, collapsed packages, matches, layout progress. */
export function statusLine(s: GraphStats, searching: boolean): string {
  return [
    `${s.nodes.toLocaleString('en')} nodes`,
    `${s.edges.toLocaleString('en')} edges`,
    `${s.cycles} cycle${s.cycles === 1 ? '' : 's'}`,
    s.collapsed ? `${s.collapsed} package${s.collapsed === 1 ? '' : 's'} collapsed` : '',
    searching ? `${s.matches} matches` : '',
    s.settled ? '' : 'laying out…',
  ]
    .filter(Boolean)
    .join(' · ');
}
