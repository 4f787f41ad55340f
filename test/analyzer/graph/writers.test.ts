/**
 * The one dot / Mermaid writer (analyzer/graph/writers.ts) and the rule it carries for `pyrats deps`,
 * `pyrats graph` and the graph view's exports: the same node gets the same label and colour in each.
 */
import { describe, expect, it } from 'vitest';
import type { DependencyGraph } from '../../../analyzer/graph/dependencyGraph';
import { nodeId } from '../../../analyzer/graph/dependencyGraph';
import { dotString, mermaidText, numberNodes, writeDot, writeMermaid } from '../../../analyzer/graph/writers';
import { toDot as viewToDot, toMermaid as viewToMermaid } from '../../../media/graph/exporters';
import { buildView } from '../../../media/graph/transforms';
import { payloadToDot, payloadToMermaid } from '../../../server/graphFormats';

describe('graph writers', () => {
  it('writes dot: statements, labelled groups as numbered clusters, bare nodes, edges with attributes', () => {
    const text = writeDot({
      name: dotString('a "b"'),
      statements: ['rankdir=LR'],
      groups: [
        { label: 'pkg', attrs: ['style=dashed'], nodes: [{ id: 'n0', attrs: ['label="x"'] }] },
        { nodes: [{ id: 'n1', attrs: ['label="y"', 'penwidth=2'] }] },
        { label: 'other\nline', nodes: [] },
      ],
      edges: [
        { from: 'n0', to: 'n1' },
        { from: 'n1', to: 'n0', attrs: ['style=dashed'] },
      ],
    });
    expect(text).toBe(
      [
        'digraph "a \\"b\\"" {',
        '  rankdir=LR;',
        '  subgraph cluster_0 {',
        '    label="pkg";',
        '    style=dashed;',
        '    n0 [label="x"];',
        '  }',
        '  n1 [label="y", penwidth=2];',
        '  subgraph cluster_1 {',
        '    label="other\\nline";',
        '  }',
        '  n0 -> n1;',
        '  n1 -> n0 [style=dashed];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes Mermaid with every markup character as an entity code', () => {
    expect(mermaidText('a"b<c>#1&d')).toBe('a#34;b#60;c#62;#35;1#38;d');
    const text = writeMermaid({
      title: 'T "x"',
      diagram: 'flowchart LR',
      groups: [
        { label: 'p<q>', nodes: [{ id: 'n0', text: 'm', cls: 'local' }] },
        { nodes: [{ id: 'n1', text: 'c', shape: 'subroutine' }] },
      ],
      edges: [
        { from: 'n0', to: 'n1', dashed: true, label: '3' },
        { from: 'n1', to: 'n0' },
      ],
      styles: ['linkStyle 1 stroke:red'],
      classes: { local: '#0e7a0d' },
    });
    expect(text).toBe(
      [
        '---',
        'title: "T \\"x\\""',
        '---',
        'flowchart LR',
        '  subgraph c0["p#60;q#62;"]',
        '    n0["m"]:::local',
        '  end',
        '  n1[["c"]]',
        '  n0 -.->|3| n1',
        '  n1 --> n0',
        '  linkStyle 1 stroke:red',
        '  classDef local fill:#0e7a0d,color:#ffffff,stroke:#0e7a0d',
        '',
      ].join('\n'),
    );
  });

  it('numbers nodes by position', () => {
    expect([...numberNodes(['r\0a.py', 'r\0b.py']).values()]).toEqual(['n0', 'n1']);
  });

  it('labels and colours each node the same in `pyrats graph` and in the view export', () => {
    const site = '/usr/lib/python3/dist-packages';
    const graph: DependencyGraph = {
      nodes: [
        { id: nodeId('/w', 'run.py'), root: '/w', rel: 'run.py', source: true, verdict: 'local' },
        {
          id: nodeId(site, 'numpy/__init__.py'),
          root: site,
          rel: 'numpy/__init__.py',
          source: false,
          verdict: 'baseline',
        },
        {
          id: nodeId(site, '_ssl.cpython-311-x86_64-linux-gnu.so'),
          root: site,
          rel: '_ssl.cpython-311-x86_64-linux-gnu.so',
          source: false,
        },
        {
          id: nodeId('/usr/lib/python3.11', 'os.py'),
          root: '/usr/lib/python3.11',
          rel: 'os.py',
          source: true,
        },
      ],
      edges: [],
    };
    graph.edges = graph.nodes.slice(1).map((n) => ({ from: graph.nodes[0].id, to: n.id }));
    const view = buildView(graph, {
      roots: [graph.nodes[0].id],
      focusRoot: null,
      depth: null,
      packageDepth: null,
      reveal: [],
      filter: { hideStdlib: false, onlyThirdParty: false, onlyMissing: false },
      collapsed: new Set(),
    });
    const labelsAndFills = (dot: string) =>
      [...dot.matchAll(/label=("[^"]*"), fillcolor=("[^"]*")/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    const cli = labelsAndFills(payloadToDot({ graph, title: 't', roots: [graph.nodes[0].id] }));
    expect(cli).toEqual(labelsAndFills(viewToDot(view, 't')));
    expect(cli).toContain('"_ssl" "#8e5bb5"');
    expect(cli).toContain('"os" "#5a6b7b"');
    const classes = (mmd: string) =>
      [...mmd.matchAll(/\["([^"]*)"\]:::(\w+)/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(classes(payloadToMermaid({ graph, title: 't' }))).toEqual(classes(viewToMermaid(view, 't')));
  });
});
