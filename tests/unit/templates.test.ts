import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseProject } from '../../main/core/project';
import { analyzeGraph } from '../../main/core/graph/analyze';
import { targetOf } from '../../main/core/datasets';
import { listDatasets } from '../../main/node/datasets';

const dir = path.resolve(__dirname, '../../templates');

describe('templates', async () => {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json'));
  it('there are starters for images, points and sequences', () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
  });
  it.each(names)('%s opens, fits its dataset and has no errors or warnings', async (name) => {
    const project = parseProject(await fs.readFile(path.join(dir, name), 'utf8'), name);
    const source = project.dataset.source;
    expect(source.type).toBe('builtin');
    const info = listDatasets().find((d) => d.id === (source.type === 'builtin' ? source.name : ''))!;
    expect(info).toBeDefined();
    const analysis = analyzeGraph(project.graph, targetOf(info));
    const problems = [...analysis.errors, ...analysis.warnings, ...Object.values(analysis.nodes).flatMap((n) => [...n.errors, ...n.warnings])];
    expect(problems).toEqual([]);
    expect(analysis.valid).toBe(true);
  });
});
