/**
 * The dashboard's d3 charts (SVG): horizontal bar charts (packages by users, by imports) and the
 * monthly trend as lines. Labels from the logs are set with `.text()` only. PNG export rasterises the
 * chart's SVG through a canvas.
 */
import {
  axisBottom,
  axisLeft,
  max,
  scaleBand,
  scaleLinear,
  scaleOrdinal,
  scalePoint,
  select,
  line as d3line,
} from 'd3';

export interface Bar {
  label: string;
  value: number;
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Empties `container` for a new chart (before its size is measured, as the charts always have). */
function clearChart(container: HTMLElement) {
  const root = select(container);
  root.selectAll('*').remove();
  return root;
}

/** The chart's SVG on a white `width`×`height` background, with its bold title (and the title's class, if any). */
function chartSvg(
  root: ReturnType<typeof clearChart>,
  title: string,
  width: number,
  height: number,
  titleClass?: string,
) {
  const svg = root
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('class', 'pd-chart')
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', title);
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff');
  const heading = svg.append('text').attr('x', 8).attr('y', 18);
  if (titleClass) heading.attr('class', titleClass);
  heading.attr('font-weight', 'bold').attr('font-size', 13).text(title);
  return svg;
}

/** Says so in a chart with nothing to show; the chart's SVG element. */
function noData(svg: ReturnType<typeof chartSvg>): SVGSVGElement {
  svg.append('text').attr('x', 8).attr('y', 48).attr('font-size', 12).text('No data in this range.');
  return svg.node()!;
}

export function barChart(
  container: HTMLElement,
  title: string,
  bars: Bar[],
  opts: { colour?: string; onClick?: (label: string) => void; unit?: string } = {},
): SVGSVGElement {
  const root = clearChart(container);
  const labelWidth = Math.min(200, 8 + 7 * Math.max(4, ...bars.map((b) => b.label.length)));
  const rowH = 20;
  const width = Math.max(360, container.clientWidth || 480);
  const height = 40 + rowH * Math.max(bars.length, 1) + 24;
  const svg = chartSvg(root, title, width, height, 'pd-chart-title');
  if (!bars.length) return noData(svg);
  const x = scaleLinear()
    .domain([0, max(bars, (b) => b.value) ?? 1])
    .nice()
    .range([labelWidth, width - 50]);
  const y = scaleBand<number>()
    .domain(bars.map((_, i) => i))
    .range([32, 32 + rowH * bars.length])
    .padding(0.15);
  const g = svg
    .append('g')
    .selectAll('g')
    .data(bars)
    .join('g')
    .attr('class', 'pd-bar')
    .attr('data-label', (b) => b.label);
  g.append('rect')
    .attr('x', labelWidth)
    .attr('y', (_, i) => y(i)!)
    .attr('width', (b) => Math.max(1, x(b.value) - labelWidth))
    .attr('height', y.bandwidth())
    .attr('fill', opts.colour ?? PALETTE[0])
    .style('cursor', opts.onClick ? 'pointer' : 'default')
    .on('click', (_, b) => opts.onClick?.(b.label))
    .append('title')
    .text((b) => `${b.label}: ${b.value}${opts.unit ? ` ${opts.unit}` : ''}`);
  g.append('text')
    .attr('x', labelWidth - 6)
    .attr('y', (_, i) => y(i)! + y.bandwidth() / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-size', 11)
    .text((b) => (b.label.length > 28 ? `${b.label.slice(0, 27)}…` : b.label));
  g.append('text')
    .attr('x', (b) => x(b.value) + 4)
    .attr('y', (_, i) => y(i)! + y.bandwidth() / 2)
    .attr('dy', '0.35em')
    .attr('font-size', 11)
    .text((b) => String(b.value));
  svg
    .append('g')
    .attr('transform', `translate(0,${32 + rowH * bars.length})`)
    .call(axisBottom(x).ticks(5))
    .attr('font-size', 10);
  return svg.node()!;
}

export interface TrendPoint {
  month: string;
  package: string;
  users: number;
}

export function trendChart(container: HTMLElement, title: string, points: TrendPoint[]): SVGSVGElement {
  const root = clearChart(container);
  const width = Math.max(420, container.clientWidth || 640);
  const height = 280;
  const svg = chartSvg(root, title, width, height);
  const months = [...new Set(points.map((p) => p.month))].sort();
  const packages = [...new Set(points.map((p) => p.package))];
  if (!months.length) return noData(svg);
  const legendW = 150;
  const x = scalePoint<string>()
    .domain(months)
    .range([50, width - legendW - 20])
    .padding(0.5);
  const y = scaleLinear()
    .domain([0, max(points, (p) => p.users) ?? 1])
    .nice()
    .range([height - 30, 34]);
  const colour = scaleOrdinal<string, string>().domain(packages).range(PALETTE);
  svg
    .append('g')
    .attr('transform', `translate(0,${height - 30})`)
    .call(axisBottom(x))
    .attr('font-size', 10);
  svg.append('g').attr('transform', 'translate(50,0)').call(axisLeft(y).ticks(5)).attr('font-size', 10);
  const lineGen = d3line<TrendPoint>()
    .x((p) => x(p.month)!)
    .y((p) => y(p.users));
  packages.forEach((pkg, i) => {
    const series = months.map(
      (m) => points.find((p) => p.month === m && p.package === pkg) ?? { month: m, package: pkg, users: 0 },
    );
    svg
      .append('path')
      .attr('d', lineGen(series))
      .attr('fill', 'none')
      .attr('stroke', colour(pkg))
      .attr('stroke-width', 2)
      .attr('class', 'pd-line');
    svg
      .append('g')
      .selectAll('circle')
      .data(series)
      .join('circle')
      .attr('cx', (p) => x(p.month)!)
      .attr('cy', (p) => y(p.users))
      .attr('r', 3)
      .attr('fill', colour(pkg))
      .append('title')
      .text((p) => `${p.package} ${p.month}: ${p.users} users`);
    const ly = 40 + i * 16;
    svg
      .append('rect')
      .attr('x', width - legendW)
      .attr('y', ly - 8)
      .attr('width', 10)
      .attr('height', 10)
      .attr('fill', colour(pkg));
    svg
      .append('text')
      .attr('x', width - legendW + 14)
      .attr('y', ly)
      .attr('dy', '0.1em')
      .attr('font-size', 11)
      .text(pkg.length > 18 ? `${pkg.slice(0, 17)}…` : pkg);
  });
  return svg.node()!;
}

/** Rasterises an SVG chart to PNG (base64, without the data: prefix). */
export function svgToPngBase64(svg: SVGSVGElement, scale = 2): Promise<string> {
  const text = new XMLSerializer().serializeToString(svg);
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = width * scale;
      canvas.height = height * scale;
      const ctx = canvas.getContext('2d')!;
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      resolve(canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('could not rasterise the chart'));
    };
    img.src = url;
  });
}
