import { describe, it, expect } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { canvasLayout, graphSvg, pictureBoxSizes } from '../../main/core/graph/picture';
import { parseProject, type Project } from '../../main/core/project';
import { graphPicture, graphPictureFiles, svgToPng, GRAPH_PNG, GRAPH_SVG, SUMMARY_MD } from '../../main/node/graphPicture';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

function loadTemplate(name: string): Project {
  return parseProject(readFileSync(path.join(ROOT, 'templates', `${name}.json`), 'utf8'), name);
}

/** The boxes' rectangles of a picture, by layer name. */
function boxesOf(svg: string): Map<string, { x: number; y: number; width: number; height: number }> {
  const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const m of svg.matchAll(/data-layer="([^"]+)">\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    boxes.set(m[1], { x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), height: Number(m[5]) });
  }
  return boxes;
}

describe('graph picture', () => {
  it('draws a box per layer with its name, kind, output shape and parameters, and an arrow per connection', () => {
    const project = loadTemplate('two-inputs-two-outputs');
    const analysis = analyzeGraph(project.graph);
    const svg = graphSvg(project.graph, analysis, canvasLayout(project.graph));
    expect(boxesOf(svg).size).toBe(project.graph.nodes.length);
    expect(svg.match(/<polyline /g)?.length).toBe(project.graph.edges.length);
    expect(svg.match(/marker-end="url\(#arrow\)"/g)?.length).toBe(project.graph.edges.length);
    expect(svg).toContain('>embedding_1</text>');
    expect(svg).toContain('>Embedding</text>');
    expect(svg).toContain('>out [6, 8]</text>');
    expect(svg).toContain('>400 params</text>');
    expect(svg).toContain('<title>dense_2 → value_out</title>');
  });

  it('escapes names and keeps every box inside the picture, wide enough for its text', () => {
    const base = loadTemplate('spirals-mlp');
    const graph = { ...base.graph, nodes: base.graph.nodes.map((n, i) => (i === 1 ? { ...n, name: 'a_rather_long_layer_name_for_a_box' } : n)) };
    const svg = graphSvg(graph, analyzeGraph(graph), canvasLayout(graph));
    const [, width, height] = svg.match(/width="([\d.]+)" height="([\d.]+)"/)!.map(Number);
    for (const b of boxesOf(svg).values()) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(width);
      expect(b.y + b.height).toBeLessThanOrEqual(height);
    }
    const sizes = pictureBoxSizes(graph, analyzeGraph(graph));
    expect(sizes[graph.nodes[1].id].width).toBeGreaterThan(sizes[graph.nodes[0].id].width);
    const odd = { ...graph, nodes: graph.nodes.map((n, i) => (i === 1 ? { ...n, name: 'x<&>"y' } : n)) };
    const escaped = graphSvg(odd, analyzeGraph(odd), canvasLayout(odd));
    expect(escaped).toContain('x&lt;&amp;&gt;&quot;y');
    expect(escaped).not.toContain('x<&>');
  });

  it('lays a network out top to bottom with ELK: every layer below the layers that feed it', { timeout: 60_000 }, async () => {
    const project = loadTemplate('mnist-resnet');
    const svg = await graphPicture(project);
    const boxes = boxesOf(svg);
    const byId = new Map(project.graph.nodes.map((n) => [n.id, n.name]));
    for (const e of project.graph.edges) {
      expect(boxes.get(byId.get(e.target)!)!.y, `${byId.get(e.source)} → ${byId.get(e.target)}`).toBeGreaterThan(boxes.get(byId.get(e.source)!)!.y);
    }
    // No two boxes overlap.
    const list = [...boxes.values()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart).toBe(true);
      }
    }
    const golden = path.join(ROOT, 'tests/golden/mnist-resnet/graph.svg');
    if (UPDATE_GOLDEN) {
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, svg);
    }
    expect(svg, `differs from ${path.relative(ROOT, golden)}; run with UPDATE_GOLDEN=1 to accept`).toBe(readFileSync(golden, 'utf8'));
  });

  it('writes graph.svg, a PNG of it at twice the size and the summary as Markdown', { timeout: 60_000 }, async () => {
    const project = loadTemplate('mnist-mlp');
    const files = new Map(await graphPictureFiles(project));
    expect([...files.keys()]).toEqual([GRAPH_SVG, GRAPH_PNG, SUMMARY_MD]);
    const svg = files.get(GRAPH_SVG) as string;
    const [, width, height] = svg.match(/width="([\d.]+)" height="([\d.]+)"/)!.map(Number);
    const png = await sharp(files.get(GRAPH_PNG) as Uint8Array).metadata();
    expect(png.format).toBe('png');
    expect(png.width).toBe(Math.ceil(width * 2));
    expect(png.height).toBe(Math.ceil(height * 2));
    const summary = files.get(SUMMARY_MD) as string;
    expect(summary).toMatch(/^# /);
    expect(summary).toContain('| dense_1 (Dense) | (None, 128) | 100,480 | flatten_1 |');
    expect(summary).toContain('- Total params: 101,770');
    expect((await svgToPng(svg)).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  });
});
