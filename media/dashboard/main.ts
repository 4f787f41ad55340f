/**
 * Entry of the usage dashboard bundle (dist/media/dashboard.js), served by `pyrats dashboard` and
 * shown in the VS Code panel: filters (date range, hosts), the two bar charts (packages by users, by
 * imports), the monthly trend, tables with search and sort, the aggregated dependency graph (the graph
 * view of media/graph), and a drill-down per package; CSV and PNG export. All text from the logs is
 * set with textContent / d3 `.text()`.
 */
import '../graph/graph.css';
import './dashboard.css';
import { select } from 'd3';
import type { DashboardAnswers, UsageFilter } from '../../server/dashboard/dashboardApi';
import type { DashboardHostMessage } from '../../server/protocol';
import { renderGraph, type GraphView } from '../graph/render';
import { connectHost, type SavedFile } from '../shared/bridge';
import { bridgeSource, httpSource, type DataSource } from './api';
import { barChart, svgToPngBase64, trendChart } from './charts';
import { dataTable, type TableView } from './table';

/** The summary's parts as the page asks for them, one call each (so without the filter). */
type Summary = Omit<DashboardAnswers['summary'], 'filter'>;
type DrillDown = DashboardAnswers['package'];

declare global {
  interface Window {
    /** Set when the dashboard has rendered its data (for scripting and tests). */
    pyratsDashboard?: { ready: boolean; summary?: Summary; graph?: GraphView; error?: string };
  }
}

const rootEl = document.getElementById('pyrats-dashboard') ?? document.body;
const host = connectHost({
  dataElementId: 'pyrats-dashboard-data',
  replyType: 'none',
  storageKey: 'pyrats-dashboard',
});
const source: DataSource =
  host.kind === 'vscode' ? bridgeSource(host) : httpSource(rootEl.dataset.api ?? 'api/');
window.pyratsDashboard = { ready: false };

const root = select(rootEl).attr('class', 'pd-root');
const header = root.append('header').attr('class', 'pd-header');
header.append('h1').text('PyRats usage');
const storeName = header.append('span').attr('class', 'pd-store');
const form = header.append('form').attr('class', 'pd-filters').attr('aria-label', 'Filters');
form.append('label').text('From ').append('input').attr('type', 'date').attr('id', 'pd-since');
form.append('label').text(' to ').append('input').attr('type', 'date').attr('id', 'pd-until');
const hostSelect = form
  .append('label')
  .text(' hosts ')
  .append('select')
  .attr('id', 'pd-hosts')
  .attr('multiple', true)
  .attr('size', 1);
form.append('button').attr('type', 'submit').text('Apply');
form.append('button').attr('type', 'button').attr('id', 'pd-reset').text('Reset');
const status = root.append('div').attr('class', 'pd-status').attr('role', 'status');
const totalsLine = root.append('p').attr('class', 'pd-totals');

function section(title: string, id: string) {
  const s = root.append('section').attr('class', 'pd-section').attr('id', id);
  const h = s.append('div').attr('class', 'pd-section-head');
  h.append('h2').text(title);
  const tools = h.append('div').attr('class', 'pd-tools');
  return { s, tools };
}

const charts = section('Packages', 'pd-charts');
const chartRow = charts.s.append('div').attr('class', 'pd-chart-row');
const usersChart = chartRow.append('div').attr('class', 'pd-chart-box').attr('id', 'pd-chart-users');
const importsChart = chartRow.append('div').attr('class', 'pd-chart-box').attr('id', 'pd-chart-imports');
const trend = section('Trend per month (distinct users)', 'pd-trend');
const trendBox = trend.s.append('div').attr('class', 'pd-chart-box').attr('id', 'pd-chart-trend');

const tablesSec = section('Tables', 'pd-tables');
const tabs = tablesSec.s.append('div').attr('class', 'pd-tabs').attr('role', 'tablist');
const tabBody = tablesSec.s.append('div').attr('class', 'pd-tab-body');

const drill = section('Package', 'pd-drill');
drill.s.attr('hidden', true);
const drillBody = drill.s.append('div');

const graphSec = section(
  'Aggregated dependency graph (scripts → packages, package → package)',
  'pd-graph-section',
);
const graphBox = graphSec.s.append('div').attr('id', 'pd-graph').attr('class', 'pd-graph');

function save(file: SavedFile): void {
  host.saveFile(file);
}

function addPngButton(tools: ReturnType<typeof section>['tools'], name: string, box: () => HTMLElement) {
  tools
    .append('button')
    .attr('type', 'button')
    .attr('class', 'pd-png')
    .text(`PNG: ${name}`)
    .on('click', async () => {
      const svg = box().querySelector('svg');
      if (!svg) return;
      save({
        fileName: `${name}.png`,
        mime: 'image/png',
        data: await svgToPngBase64(svg as SVGSVGElement),
        encoding: 'base64',
      });
    });
}
addPngButton(charts.tools, 'packages-by-users', () => usersChart.node()!);
addPngButton(charts.tools, 'packages-by-imports', () => importsChart.node()!);
addPngButton(trend.tools, 'trend', () => trendBox.node()!);

/** The filter form's values (empty fields left out). */
function filter(): UsageFilter {
  const f: UsageFilter = {};
  const since = (document.getElementById('pd-since') as HTMLInputElement).value;
  const until = (document.getElementById('pd-until') as HTMLInputElement).value;
  if (since) f.since = since;
  if (until) f.until = until;
  const hosts = [...(document.getElementById('pd-hosts') as HTMLSelectElement).selectedOptions];
  if (hosts.length) f.hosts = hosts.map((o) => o.value);
  return f;
}

// ---- tables ----
interface Tab {
  name: string;
  el: HTMLElement;
  view: TableView<unknown>;
}
const tabList: Tab[] = [];
function addTab<T>(name: string, build: (el: HTMLElement) => TableView<T>): TableView<T> {
  const el = tabBody
    .append('div')
    .attr('class', 'pd-tab')
    .attr('data-tab', name)
    .attr('hidden', tabList.length ? true : null)
    .node()!;
  const view = build(el);
  const tab: Tab = { name, el, view: view as TableView<unknown> };
  tabList.push(tab);
  tabs
    .append('button')
    .attr('type', 'button')
    .attr('role', 'tab')
    .attr('class', tabList.length === 1 ? 'active' : null)
    .text(name)
    .on('click', function () {
      tabs.selectAll('button').classed('active', false);
      select(this).classed('active', true);
      for (const t of tabList) t.el.hidden = t !== tab;
    });
  return view;
}
tablesSec.tools
  .append('button')
  .attr('type', 'button')
  .text('CSV: current table')
  .on('click', () => {
    const t = tabList.find((x) => !x.el.hidden) ?? tabList[0];
    save({
      fileName: `${t.name.toLowerCase().replace(/\W+/g, '-')}.csv`,
      mime: 'text/csv',
      data: t.view.csv(),
      encoding: 'utf8',
    });
  });

const packagesTable = addTab<Summary['packages'][number]>('Packages', (el) =>
  dataTable(
    el,
    [
      { key: 'package', title: 'Package', value: (r) => r.package },
      { key: 'distribution', title: 'Distribution', value: (r) => r.distribution },
      { key: 'users', title: 'Users', value: (r) => r.users, numeric: true },
      { key: 'imports', title: 'Imports', value: (r) => r.imports, numeric: true },
      { key: 'scripts', title: 'Scripts', value: (r) => r.scripts, numeric: true },
      { key: 'hosts', title: 'Hosts', value: (r) => r.hosts, numeric: true },
      { key: 'first', title: 'First seen', value: (r) => r.firstSeen },
      { key: 'last', title: 'Last seen', value: (r) => r.lastSeen },
    ],
    { label: 'packages', onRowClick: (r) => void showPackage(r.package) },
  ),
);
const scriptsTable = addTab<Summary['scripts'][number]>('Scripts', (el) =>
  dataTable(
    el,
    [
      { key: 'script', title: 'Script', value: (r) => r.script },
      { key: 'user', title: 'User', value: (r) => r.user },
      { key: 'runs', title: 'Runs', value: (r) => r.runs, numeric: true },
      { key: 'hosts', title: 'Hosts', value: (r) => r.hosts, numeric: true },
      { key: 'packages', title: 'Packages', value: (r) => r.packages.join(', ') },
      { key: 'last', title: 'Last seen', value: (r) => r.lastSeen },
    ],
    { label: 'scripts' },
  ),
);
const hostsTable = addTab<Summary['hosts'][number]>('Hosts', (el) =>
  dataTable(
    el,
    [
      { key: 'host', title: 'Host', value: (r) => r.host },
      { key: 'users', title: 'Users', value: (r) => r.users, numeric: true },
      { key: 'runs', title: 'Runs', value: (r) => r.runs, numeric: true },
      { key: 'scripts', title: 'Scripts', value: (r) => r.scripts, numeric: true },
      { key: 'top', title: 'Top packages', value: (r) => r.topPackages.join(', ') },
    ],
    { label: 'hosts' },
  ),
);
const coTable = addTab<Summary['coUsage'][number]>('Used together', (el) =>
  dataTable(
    el,
    [
      { key: 'a', title: 'Package', value: (r) => r.a },
      { key: 'b', title: 'Package', value: (r) => r.b },
      { key: 'users', title: 'Users', value: (r) => r.users, numeric: true },
      { key: 'scripts', title: 'Scripts', value: (r) => r.scripts, numeric: true },
      { key: 'jaccard', title: 'Jaccard', value: (r) => r.jaccard, numeric: true },
    ],
    { label: 'pairs' },
  ),
);
const bundlesTable = addTab<Summary['bundles'][number]>('Bundles', (el) =>
  dataTable(
    el,
    [
      { key: 'packages', title: 'Packages used together', value: (r) => r.packages.join(' + ') },
      { key: 'size', title: 'Size', value: (r) => r.packages.length, numeric: true },
      { key: 'users', title: 'Users', value: (r) => r.users, numeric: true },
      { key: 'scripts', title: 'Scripts', value: (r) => r.scripts, numeric: true },
    ],
    { label: 'bundles' },
  ),
);
const requestsTable = addTab<DashboardAnswers['requests'][number]>('Requests', (el) =>
  dataTable(
    el,
    [
      { key: 'package', title: 'Package', value: (r) => r.package },
      { key: 'status', title: 'Status', value: (r) => r.status },
      { key: 'requesters', title: 'Requesters', value: (r) => r.requesters, numeric: true },
      { key: 'requests', title: 'Requests', value: (r) => r.requests, numeric: true },
      { key: 'reasons', title: 'Reasons', value: (r) => r.reasons.join(' | ') },
      { key: 'last', title: 'Last requested', value: (r) => r.lastRequested.slice(0, 10) },
    ],
    { label: 'requests' },
  ),
);

// ---- drill-down ----
async function showPackage(name: string): Promise<void> {
  drill.s.attr('hidden', null);
  drillBody.selectAll('*').remove();
  drillBody.append('p').text(`Loading ${name}…`);
  try {
    const d = await source.get('package', { ...filter(), name });
    drillBody.selectAll('*').remove();
    drill.s.select('h2').text(`Package ${d.package}`);
    drillBody
      .append('p')
      .attr('class', 'pd-drill-meta')
      .text(
        `Distribution ${d.distribution ?? '?'} · first seen ${d.firstSeen ?? '–'} · last seen ${d.lastSeen ?? '–'} · ` +
          `${d.users.length} users · ${d.scripts.length} scripts · ${d.hosts.length} hosts`,
      );
    if (d.importedBy.length)
      drillBody
        .append('p')
        .text(`Imported by packages: ${d.importedBy.map((x) => `${x.package} (${x.records})`).join(', ')}`);
    if (d.importsPackages.length)
      drillBody
        .append('p')
        .text(`Imports packages: ${d.importsPackages.map((x) => `${x.package} (${x.records})`).join(', ')}`);
    const grid = drillBody.append('div').attr('class', 'pd-drill-grid');
    dataTable<DrillDown['users'][number]>(
      grid.append('div').node()!,
      [
        { key: 'user', title: 'User', value: (r) => r.user },
        { key: 'imports', title: 'Imports', value: (r) => r.imports, numeric: true },
        { key: 'scripts', title: 'Scripts', value: (r) => r.scripts, numeric: true },
        { key: 'last', title: 'Last seen', value: (r) => r.lastSeen },
      ],
      { label: 'users' },
    ).setRows(d.users);
    dataTable<DrillDown['scripts'][number]>(
      grid.append('div').node()!,
      [
        { key: 'script', title: 'Script', value: (r) => r.script },
        { key: 'user', title: 'User', value: (r) => r.user },
        { key: 'imports', title: 'Imports', value: (r) => r.imports, numeric: true },
        { key: 'first', title: 'First seen', value: (r) => r.firstSeen },
        { key: 'last', title: 'Last seen', value: (r) => r.lastSeen },
      ],
      { label: 'scripts' },
    ).setRows(d.scripts);
    dataTable<DrillDown['hosts'][number]>(
      grid.append('div').node()!,
      [
        { key: 'host', title: 'Host', value: (r) => r.host },
        { key: 'users', title: 'Users', value: (r) => r.users, numeric: true },
        { key: 'imports', title: 'Imports', value: (r) => r.imports, numeric: true },
      ],
      { label: 'hosts' },
    ).setRows(d.hosts);
    drill.s.node()!.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    drillBody.selectAll('*').remove();
    drillBody
      .append('p')
      .attr('class', 'pd-error')
      .text(`Cannot load ${name}: ${(err as Error).message}`);
  }
}

// ---- graph ----
let graphView: GraphView | undefined;
async function loadGraph(): Promise<void> {
  const payload = await source.get('graph', filter());
  if (graphView) graphView.update(payload);
  else
    graphView = renderGraph(graphBox.node()!, payload, {
      onSave: save,
      onOpen: (node) => node.root === 'package' && void showPackage(node.rel),
    });
  window.pyratsDashboard!.graph = graphView;
}

// ---- load ----
async function load(): Promise<void> {
  status.text('Loading…');
  try {
    const [totals, packages, monthly, hosts, scripts, pairs, bundles] = await Promise.all([
      source.get('totals', filter()),
      source.get('packages', filter()),
      source.get('monthly', { ...filter(), top: 8 }),
      source.get('hosts', filter()),
      source.get('scripts', { ...filter(), top: 500 }),
      source.get('co-usage', { ...filter(), top: 500 }),
      source.get('bundles', { ...filter(), top: 500 }),
    ]);
    const summary: Summary = { totals, packages, monthly, hosts, scripts, coUsage: pairs, bundles };
    const t = summary.totals;
    totalsLine.text(
      `${t.records} records · ${t.scriptRecords} script records (runs) · ${t.users} users · ${t.scripts} scripts · ` +
        `${t.hosts} hosts · ${t.thirdPartyPackages} third-party packages · ${t.firstDay ?? '–'} to ${t.lastDay ?? '–'}`,
    );
    const top = summary.packages.slice(0, 20);
    barChart(
      usersChart.node()!,
      'Packages by distinct users',
      top.map((p) => ({ label: p.package, value: p.users })),
      {
        onClick: (l) => void showPackage(l),
        unit: 'users',
      },
    );
    const byImports = [...summary.packages].sort((a, b) => b.imports - a.imports).slice(0, 20);
    barChart(
      importsChart.node()!,
      'Packages by imports (runs)',
      byImports.map((p) => ({ label: p.package, value: p.imports })),
      {
        colour: '#f28e2b',
        onClick: (l) => void showPackage(l),
        unit: 'imports',
      },
    );
    trendChart(trendBox.node()!, 'Distinct users per month, top packages', summary.monthly);
    packagesTable.setRows(summary.packages);
    scriptsTable.setRows(summary.scripts);
    hostsTable.setRows(summary.hosts);
    coTable.setRows(summary.coUsage);
    bundlesTable.setRows(summary.bundles);
    requestsTable.setRows(await source.get('requests'));
    await loadGraph();
    status.text('');
    window.pyratsDashboard = { ...window.pyratsDashboard, ready: true, summary };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    status.attr('class', 'pd-status pd-error').text(`Cannot load the dashboard: ${message}`);
    window.pyratsDashboard = { ...window.pyratsDashboard, ready: false, error: message };
  }
}

form.on('submit', (event: Event) => {
  event.preventDefault();
  void load();
});
select('#pd-reset').on('click', () => {
  (form.node() as HTMLFormElement).reset();
  void load();
});

host.onMessage((raw) => {
  const msg = raw as DashboardHostMessage;
  if (msg.type === 'error') status.attr('class', 'pd-status pd-error').text(msg.message);
  else if (msg.type === 'loading') status.attr('class', 'pd-status').text(msg.message);
});

async function start(): Promise<void> {
  if (host.kind === 'vscode') host.post({ type: 'ready' });
  try {
    const meta = await source.get('meta');
    storeName.text(meta.store);
    hostSelect.attr('size', Math.min(4, Math.max(1, meta.hosts.length)));
    hostSelect
      .selectAll('option')
      .data(meta.hosts)
      .join('option')
      .attr('value', (h) => h)
      .text((h) => h);
    if (meta.firstDay) select('#pd-since').attr('min', meta.firstDay).attr('max', meta.lastDay);
    if (meta.lastDay) select('#pd-until').attr('min', meta.firstDay).attr('max', meta.lastDay);
  } catch (err) {
    status.attr('class', 'pd-status pd-error').text(`Cannot read the store: ${(err as Error).message}`);
    window.pyratsDashboard = { ready: false, error: (err as Error).message };
    return;
  }
  await load();
}
void start();
