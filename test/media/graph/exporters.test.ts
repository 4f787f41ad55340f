import { describe, expect, it } from 'vitest';
import { nodeId } from '../../../analyzer/graph/dependencyGraph';
import { PRINT_PALETTE, toDot, toJson, toMermaid, toSvg } from '../../../media/graph/exporters';
import { buildView } from '../../../media/graph/transforms';

const hostile = 'evil"</text><script>alert(1)</script>.py';
const nodes = [
  { id: nodeId('/p', 'main.py'), root: '/p', rel: 'main.py', source: true, verdict: 'local' as const },
  { id: nodeId('/p', hostile), root: '/p', rel: hostile, source: true, verdict: 'missing' as const },
  { id: nodeId('/s', 'a/x.py'), root: '/s', rel: 'a/x.py', source: true, verdict: 'baseline' as const },
  { id: nodeId('/s', 'a/y.py'), root: '/s', rel: 'a/y.py', source: true, verdict: 'mirror' as const },
];
const edges = [
  { from: nodes[0].id, to: nodes[1].id },
  { from: nodes[0].id, to: nodes[2].id },
  { from: nodes[2].id, to: nodes[3].id },
  { from: nodes[3].id, to: nodes[2].id },
];
const view = buildView({ nodes, edges });

describe('exports', () => {
  it('writes Graphviz dot with quoted ids, verdict colours and cycle edges', () => {
    const dot = toDot(view, 'my "graph"');
    expect(dot).toMatch(/^digraph "my \\"graph\\"" \{/);
    expect(dot).toContain('n0 -> n2;');
    expect(dot).not.toContain('\u0000');
    expect(dot).toContain('n1 [label="evil\\"<');
    expect(dot).toContain('tooltip="in baseline: /s/a/x.py"');
    expect(dot.match(/ -> .*color="#d13438"/g)).toHaveLength(2);
    expect(dot).toContain(`fillcolor="${PRINT_PALETTE.verdict.missing}"`);
  });

  it('writes Mermaid with safe labels, verdict classes and collapsed clusters', () => {
    const mm = toMermaid(buildView({ nodes, edges }, { collapsed: ['a'] }));
    expect(mm).toContain('flowchart LR');
    expect(mm).toContain('n2[["a (2 modules)"]]:::mirror');
    expect(mm).not.toMatch(/<script>/);
    expect(mm).toContain('#60;script#62;');
    expect(mm).toContain('n0 --> n2');
    expect(mm).toContain('classDef missing fill:#d13438');
  });

  it('writes JSON that is a DependencyGraph with view fields', () => {
    const json = JSON.parse(toJson(view, 't', new Map([[nodes[0].id, { x: 1.234, y: 5 }]])));
    expect(json.nodes).toHaveLength(4);
    expect(json.nodes[0]).toMatchObject({ id: nodes[0].id, root: '/p', rel: 'main.py', x: 1.2, y: 5 });
    expect(json.edges.filter((e: { inCycle?: boolean }) => e.inCycle)).toHaveLength(2);
    expect(json.cycles).toHaveLength(1);
  });

  it('writes SVG with escaped text and one circle per node', () => {
    const positions = new Map(view.nodes.map((n, i) => [n.id, { x: i * 40, y: 10 }]));
    const svg = toSvg({
      view,
      positions,
      radius: () => 5,
      transform: { x: 10, y: 20, k: 2 },
      width: 400,
      height: 300,
      palette: PRINT_PALETTE,
      title: 'x<y',
      labelled: new Set(view.nodes.map((n) => n.id)),
    });
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;');
    expect(svg).toContain('<title>x&#60;y</title>');
    expect(svg).toContain('translate(10.00,20.00) scale(2.0000)');
  });
});
