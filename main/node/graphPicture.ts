/**
 * The pictures an export carries: graph.svg (laid out by ELK, see core/graph/picture.ts), graph.png (the same
 * picture through sharp) and summary.md (the summary table, core/graph/summary.ts).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import sharp from 'sharp';
import { analyzeGraph } from '../core/graph/analyze';
import { canvasLayout, graphSvg, pictureLayoutOf, pictureLayoutRequest, type ElkRoutedAnswer, type PictureLayout } from '../core/graph/picture';
import { modelSummary, summaryMarkdown } from '../core/graph/summary';
import type { Project } from '../core/project';

export const GRAPH_SVG = 'graph.svg';
export const GRAPH_PNG = 'graph.png';
export const SUMMARY_MD = 'summary.md';

/** The PNG is drawn at twice the SVG's size, sharp enough for slides. */
const PNG_DENSITY = 144;

/** The picture of a project's network as SVG, laid out top to bottom by ELK (the canvas positions where ELK fails). */
export async function graphPicture(project: Project): Promise<string> {
  const analysis = analyzeGraph(project.graph);
  let layout: PictureLayout;
  try {
    layout = pictureLayoutOf((await new ELK().layout(pictureLayoutRequest(project.graph, analysis))) as ElkRoutedAnswer);
  } catch {
    layout = canvasLayout(project.graph);
  }
  return graphSvg(project.graph, analysis, layout);
}

/** A PNG of an SVG picture. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg), { density: PNG_DENSITY }).png().toBuffer());
}

/** graph.svg, graph.png and summary.md of a project, as [file name, contents]. */
export async function graphPictureFiles(project: Project): Promise<Array<[string, string | Uint8Array]>> {
  const svg = await graphPicture(project);
  const summary = modelSummary(project.graph, analyzeGraph(project.graph), project.training);
  return [
    [GRAPH_SVG, svg],
    [GRAPH_PNG, await svgToPng(svg)],
    [SUMMARY_MD, `# ${project.name}\n\n${summaryMarkdown(summary)}`],
  ];
}
