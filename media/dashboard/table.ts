/**
 * A sortable, searchable table (d3, text cells only) with CSV export. Columns say how to read and
 * show a value; clicking a header sorts (again: reverses); the search box filters rows on every
 * text column; a row click can drill down.
 */
import { select } from 'd3';

export interface Column<T> {
  key: string;
  title: string;
  value: (row: T) => string | number | null;
  numeric?: boolean;
}

export interface TableView<T> {
  setRows(rows: T[]): void;
  csv(): string;
  visibleRows(): T[];
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  // (a plain negative number stays as it is; '-2+3+cmd|…' is a formula, not a number)
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function dataTable<T>(
  container: HTMLElement,
  columns: Column<T>[],
  opts: { onRowClick?: (row: T) => void; limit?: number; label: string },
): TableView<T> {
  const root = select(container).attr('class', 'pd-table-wrap');
  root.selectAll('*').remove();
  const tools = root.append('div').attr('class', 'pd-table-tools');
  const search = tools
    .append('input')
    .attr('type', 'search')
    .attr('placeholder', `Search ${opts.label}…`)
    .attr('aria-label', `Search ${opts.label}`);
  const count = tools.append('span').attr('class', 'pd-count');
  const table = root.append('table').attr('class', 'pd-table');
  const head = table.append('thead').append('tr');
  const body = table.append('tbody');
  let rows: T[] = [];
  let sortKey: string | null = null;
  let sortDir = -1;
  let shown: T[] = [];
  const limit = opts.limit ?? 500;

  const render = () => {
    const q = (search.property('value') as string).toLowerCase();
    let r = q
      ? rows.filter((row) =>
          columns.some((c) =>
            String(c.value(row) ?? '')
              .toLowerCase()
              .includes(q),
          ),
        )
      : rows.slice();
    if (sortKey) {
      const col = columns.find((c) => c.key === sortKey)!;
      r.sort((a, b) => {
        const va = col.value(a);
        const vb = col.value(b);
        if (va === vb) return 0;
        if (va === null) return 1;
        if (vb === null) return -1;
        return (va < vb ? -1 : 1) * sortDir;
      });
    }
    shown = r;
    r = r.slice(0, limit);
    count.text(`${shown.length} of ${rows.length}${shown.length > limit ? ` (first ${limit} shown)` : ''}`);
    head
      .selectAll('th')
      .data(columns)
      .join('th')
      .attr('scope', 'col')
      .attr('class', (c) => (c.numeric ? 'num' : null))
      .attr('aria-sort', (c) => (c.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none'))
      .text((c) => `${c.title}${c.key === sortKey ? (sortDir > 0 ? ' ▲' : ' ▼') : ''}`)
      .on('click', (_, c) => {
        if (sortKey === c.key) sortDir = -sortDir;
        else {
          sortKey = c.key;
          sortDir = c.numeric ? -1 : 1;
        }
        render();
      });
    const tr = body
      .selectAll<HTMLTableRowElement, T>('tr')
      .data(r)
      .join('tr')
      .attr('class', opts.onRowClick ? 'clickable' : null)
      .on('click', (_, row) => opts.onRowClick?.(row));
    tr.selectAll('td')
      .data((row) => columns.map((c) => ({ c, v: c.value(row) })))
      .join('td')
      .attr('class', (d) => (d.c.numeric ? 'num' : null))
      .text((d) => (d.v === null ? '–' : String(d.v)));
  };
  search.on('input', render);
  return {
    setRows(next: T[]) {
      rows = next;
      render();
    },
    csv() {
      return (
        [
          columns.map((c) => csvCell(c.title)).join(','),
          ...shown.map((row) => columns.map((c) => csvCell(c.value(row))).join(',')),
        ].join('\n') + '\n'
      );
    },
    visibleRows: () => shown,
  };
}
