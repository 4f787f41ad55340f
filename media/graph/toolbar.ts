/**
 * The graph view's page structure: the toolbar (view, script, depth, packages, search, filters,
 * actions, export), the problems line, the canvas and its tooltip, the side panel (legend, keys,
 * package list) and the status footer. `buildChrome` makes the elements and wires each control to
 * one `ChromeActions` callback; `showPayload` fills them in from a payload and the view's settings.
 * The view owns every decision.
 */
import { select, type Selection } from 'd3';
import type { GraphExportFormat, GraphPayload, GraphScope } from './messages';
import { moduleLabel, type VerdictFilter } from './transforms';

type Sel<E extends Element> = Selection<E, unknown, null, undefined>;

/** What the controls ask the view to do. */
export interface ChromeActions {
  scopeChanged(value: string): void;
  focusRootChanged(value: string): void;
  setDepth(depth: number | null): void;
  setPackageDepth(depth: number | null): void;
  setSearch(query: string): void;
  /** Enter / Shift+Enter in the search box. */
  stepMatch(delta: number): void;
  setFilter(filter: Partial<VerdictFilter>): void;
  collapseAll(): void;
  expandAll(): void;
  showPathToSelection(): void;
  fit(): void;
  exportAs(format: GraphExportFormat): void;
  /** Escape in the search box hands the keyboard back to the graph. */
  focusCanvas(): void;
}

export interface GraphControls {
  scope: Sel<HTMLSelectElement>;
  focusRoot: Sel<HTMLSelectElement>;
  depth: Sel<HTMLSelectElement>;
  packageDepth: Sel<HTMLSelectElement>;
  search: Sel<HTMLInputElement>;
  filters: Record<keyof VerdictFilter, Sel<HTMLInputElement>>;
}

/** The elements the view updates. */
export interface Chrome {
  root: Sel<HTMLDivElement>;
  titleEl: Sel<HTMLHeadingElement>;
  controls: GraphControls;
  matchCount: Sel<HTMLSpanElement>;
  problems: Sel<HTMLDivElement>;
  /** The canvas's parent, whose size the canvas takes. */
  stage: HTMLDivElement;
  canvas: HTMLCanvasElement;
  tooltip: Sel<HTMLDivElement>;
  legend: Sel<HTMLUListElement>;
  clusterList: Sel<HTMLUListElement>;
  statusText: Sel<HTMLSpanElement>;
  announcer: Sel<HTMLDivElement>;
}

const DEPTHS: (number | null)[] = [null, 1, 2, 3, 4, 5, 6, 8, 10];
const PACKAGE_DEPTHS: [number | null, string][] = [
  [1, 'direct'],
  [2, '2 hops'],
  [3, '3 hops'],
  [null, 'all'],
];
const FILTERS: [keyof VerdictFilter, string][] = [
  ['hideStdlib', 'Hide stdlib'],
  ['onlyThirdParty', 'Only third party'],
  ['onlyMissing', 'Only missing'],
];
const EXPORT_FORMATS: [GraphExportFormat, string][] = [
  ['svg', 'SVG'],
  ['png', 'PNG'],
  ['dot', 'DOT'],
  ['mermaid', 'Mermaid'],
  ['json', 'JSON'],
];
const KEYS_HELP = [
  'Drag to pan, wheel to zoom',
  'Click a module: open its file',
  'Click a package: expand it',
  'Right-click a module: collapse its package',
  'Arrows: next module in that direction',
  'Enter: open / expand; C: collapse package',
  '+ / −: zoom; 0: fit; Shift+arrows: pan',
  '/: search; N / P: next / previous match; Y: next cycle',
];

/** Builds the view's elements inside `container`. */
export function buildChrome(container: HTMLElement, actions: ChromeActions): Chrome {
  const root = select(container).append('div').attr('class', 'pg-root');
  const bar = root
    .append('div')
    .attr('class', 'pg-toolbar')
    .attr('role', 'toolbar')
    .attr('aria-label', 'Graph controls');
  const titleEl = bar.append('h1').attr('class', 'pg-title');
  const fields = buildFields(bar, actions);
  const { search, matchCount } = buildSearch(bar, actions);
  const controls: GraphControls = { ...fields, search, filters: buildFilters(bar, actions) };
  const legendToggle = buildActions(bar, actions, () => {
    const side = root.select<HTMLElement>('.pg-side');
    const hidden = !side.property('hidden');
    side.property('hidden', hidden);
    legendToggle.attr('aria-expanded', String(!hidden));
  });
  const problems = root.append('div').attr('class', 'pg-problems').attr('role', 'status');
  const main = root.append('div').attr('class', 'pg-main');
  const stage = main.append('div').attr('class', 'pg-stage');
  const canvas = stage
    .append('canvas')
    .attr('tabindex', 0)
    .attr('role', 'application')
    .attr('aria-roledescription', 'dependency graph')
    .attr(
      'aria-label',
      'Dependency graph. Arrow keys move between modules, Enter opens, C collapses a package, plus and minus zoom, 0 fits.',
    )
    .node()!;
  const tooltip = stage
    .append('div')
    .attr('class', 'pg-tooltip')
    .attr('role', 'tooltip')
    .attr('hidden', true);
  const { legend, clusterList } = buildSide(main, legendToggle, container);
  const footer = root.append('div').attr('class', 'pg-status');
  const statusText = footer.append('span').attr('class', 'pg-stats');
  const announcer = footer.append('div').attr('class', 'pg-announce').attr('aria-live', 'polite');
  return {
    root,
    titleEl,
    controls,
    matchCount,
    problems,
    stage: stage.node()!,
    canvas,
    tooltip,
    legend,
    clusterList,
    statusText,
    announcer,
  };
}

/** View, Script, Depth and Packages selects (the filters are added after the search box). */
function buildFields(
  bar: Sel<HTMLDivElement>,
  actions: ChromeActions,
): Omit<GraphControls, 'search' | 'filters'> {
  const field = (label: string) => {
    const l = bar.append('label').attr('class', 'pg-field');
    l.append('span').text(label);
    return l;
  };
  const scope = field('View').attr('hidden', true).append('select').attr('class', 'pg-scope');
  scope.on('change', () => actions.scopeChanged(scope.property('value') as string));
  const focusRoot = field('Script').attr('hidden', true).append('select').attr('class', 'pg-root-select');
  focusRoot.on('change', () => actions.focusRootChanged(focusRoot.property('value') as string));
  const depth = field('Depth').append('select').attr('class', 'pg-depth');
  depth
    .selectAll('option')
    .data(DEPTHS)
    .join('option')
    .attr('value', (d) => (d === null ? '' : String(d)))
    .text((d) => (d === null ? 'all' : String(d)));
  depth.on('change', () => {
    const v = depth.property('value') as string;
    actions.setDepth(v ? Number(v) : null);
  });
  const packageDepth = field('Packages').append('select').attr('class', 'pg-package-depth');
  packageDepth
    .selectAll('option')
    .data(PACKAGE_DEPTHS)
    .join('option')
    .attr('value', ([d]) => (d === null ? '' : String(d)))
    .text(([, label]) => label);
  packageDepth.on('change', () => {
    const v = packageDepth.property('value') as string;
    actions.setPackageDepth(v ? Number(v) : null);
  });
  return { scope, focusRoot, depth, packageDepth };
}

function buildSearch(
  bar: Sel<HTMLDivElement>,
  actions: ChromeActions,
): { search: Sel<HTMLInputElement>; matchCount: Sel<HTMLSpanElement> } {
  const searchBox = bar.append('span').attr('class', 'pg-search');
  const search = searchBox
    .append('input')
    .attr('type', 'search')
    .attr('placeholder', 'Search modules')
    .attr('aria-label', 'Search modules (Enter: next match)');
  const matchCount = searchBox.append('span').attr('class', 'pg-match-count').attr('aria-live', 'polite');
  search.on('input', () => actions.setSearch(search.property('value') as string));
  search.on('keydown', (event: KeyboardEvent) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      actions.stepMatch(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape') {
      search.property('value', '');
      actions.setSearch('');
      actions.focusCanvas();
    }
  });
  return { search, matchCount };
}

function buildFilters(bar: Sel<HTMLDivElement>, actions: ChromeActions): GraphControls['filters'] {
  const filters = {} as GraphControls['filters'];
  for (const [key, label] of FILTERS) {
    const l = bar.append('label').attr('class', 'pg-check');
    const box = l.append('input').attr('type', 'checkbox').attr('name', key);
    l.append('span').text(label);
    box.on('change', () => actions.setFilter({ [key]: box.property('checked') as boolean }));
    filters[key] = box;
  }
  return filters;
}

function button(
  parent: Sel<HTMLElement>,
  label: string,
  title: string,
  action: () => void,
): Sel<HTMLButtonElement> {
  return parent
    .append('button')
    .attr('type', 'button')
    .attr('title', title)
    .text(label)
    .on('click', () => action());
}

/** The action buttons and the export group; returns the Legend toggle. */
function buildActions(
  bar: Sel<HTMLDivElement>,
  actions: ChromeActions,
  toggleLegend: () => void,
): Sel<HTMLButtonElement> {
  const group = bar.append('span').attr('class', 'pg-group') as unknown as Sel<HTMLElement>;
  button(group, 'Collapse all', 'Show each package as one node', () => actions.collapseAll());
  button(group, 'Expand all', 'Show every module', () => actions.expandAll());
  button(group, 'Path', 'Show the path from the script to the focused node or the first match (T)', () =>
    actions.showPathToSelection(),
  ).attr('class', 'pg-path');
  button(group, 'Fit', 'Fit the graph in the window (0)', () => actions.fit());
  const legendToggle = button(
    group,
    'Legend',
    'Show or hide the legend and the package list',
    toggleLegend,
  ).attr('class', 'pg-legend-toggle');
  const exports = bar
    .append('span')
    .attr('class', 'pg-group pg-export')
    .attr('role', 'group')
    .attr('aria-label', 'Export');
  exports.append('span').attr('class', 'pg-group-label').text('Export');
  for (const [format, label] of EXPORT_FORMATS) {
    button(exports as unknown as Sel<HTMLElement>, label, `Export the current view as ${label}`, () =>
      actions.exportAs(format),
    ).attr('data-format', format);
  }
  return legendToggle;
}

/** The side panel: legend, keys help, package list. Narrow panels start with it hidden. */
function buildSide(
  main: Sel<HTMLDivElement>,
  legendToggle: Sel<HTMLButtonElement>,
  container: HTMLElement,
): { legend: Sel<HTMLUListElement>; clusterList: Sel<HTMLUListElement> } {
  const side = main.append('aside').attr('class', 'pg-side').attr('aria-label', 'Legend and packages');
  // Narrow panels (a webview beside the editor) give the canvas the room; the Legend button brings it back.
  const narrow = container.getBoundingClientRect().width < 760;
  side.property('hidden', narrow);
  legendToggle.attr('aria-expanded', String(!narrow)).attr('aria-controls', 'pg-side');
  side.attr('id', 'pg-side');
  side.append('h2').text('Legend');
  const legend = side.append('ul').attr('class', 'pg-legend');
  const help = side.append('details').attr('class', 'pg-help');
  help.append('summary').text('Keys and mouse');
  help
    .append('ul')
    .selectAll('li')
    .data(KEYS_HELP)
    .join('li')
    .text((d) => d);
  side.append('h2').text('Packages');
  const clusterList = side.append('ul').attr('class', 'pg-clusters');
  return { legend, clusterList };
}

/** The view's settings the controls show. */
export interface ControlValues {
  scope: GraphScope | undefined;
  focusRoot: string | null;
  depth: number | null;
  packageDepth: number | null;
  query: string;
  filter: VerdictFilter;
}

/** Title, choices, values and problems for a payload (`roots`: its resolved scripts). */
export function showPayload(
  chrome: Chrome,
  payload: GraphPayload,
  roots: string[],
  values: ControlValues,
): void {
  const { titleEl, controls, problems } = chrome;
  titleEl.text(payload.title).attr('title', payload.title);
  const scopes = payload.scopes ?? [];
  controls.scope
    .selectAll('option')
    .data(scopes)
    .join('option')
    .attr('value', (d) => d)
    .text((d) => (d === 'script' ? 'This script' : 'Workspace'));
  controls.scope.property('value', values.scope ?? '');
  select(controls.scope.node()!.parentElement).attr('hidden', scopes.length > 1 ? null : true);
  showRootChoice(controls.focusRoot, payload, roots, values.focusRoot);
  controls.depth.property('value', values.depth === null ? '' : String(values.depth));
  controls.packageDepth.property('value', values.packageDepth === null ? '' : String(values.packageDepth));
  controls.search.property('value', values.query);
  showFilter(controls, values.filter);
  problems
    .selectAll('p')
    .data(payload.problems ?? [])
    .join('p')
    .text((d) => d);
}

/** The Script choice: shown when the payload names several scripts, sorted by name. */
function showRootChoice(
  choice: Sel<HTMLSelectElement>,
  payload: GraphPayload,
  roots: string[],
  focusRoot: string | null,
): void {
  const byId = new Map(payload.graph.nodes.map((n) => [n.id, n]));
  const rootLabel = (id: string) => moduleLabel(byId.get(id)?.rel ?? id);
  // Sorted by name: a workspace can have a thousand entry points.
  const explicitRoots =
    (payload.roots ?? []).length > 1
      ? [...roots].sort((a, b) => rootLabel(a).localeCompare(rootLabel(b)))
      : [];
  choice
    .selectAll('option')
    .data(['', ...explicitRoots])
    .join('option')
    .attr('value', (d) => d)
    .text((d) => (d ? rootLabel(d) : 'All scripts'));
  choice.property('value', focusRoot ?? '');
  select(choice.node()!.parentElement).attr('hidden', explicitRoots.length ? null : true);
}

export function showFilter(controls: GraphControls, filter: VerdictFilter): void {
  for (const [k, box] of Object.entries(controls.filters))
    box.property('checked', filter[k as keyof VerdictFilter]);
}
