/**
 * Loads the two sides of a comparison (core/compare.ts): a project file, a Keras / TensorFlow.js model file (through
 * the importer), a run of the history (the project it trained and its metrics) or a template. The engine's
 * `diff.compare` and the `npm run diff` command both read sources here.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CompareSourceSchema, type CompareResult, type CompareSide, type CompareSource } from '../core/compare';
import { diffGraphs } from '../core/graph/diff';
import { importKerasModel, KerasImportError } from '../core/import/keras';
import { describeValue, isKerasModelDocument, parseProject, ProjectFileError } from '../core/project';
import { MAX_PROJECT_BYTES } from '../core/api/contract';
import { RunStore, RunStoreError } from './runs';

/** A source that cannot be compared; the message names it and says why. */
export class CompareSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareSourceError';
  }
}

export interface CompareContext {
  /** The run history runs are read from. */
  runs: RunStore;
  /** Where templates are (`<id>.json`). */
  templatesDir: string;
}

/** A project or model file: a Keras / tfjs model is imported (architecture only), anything else read as a project. */
export async function loadFileSide(file: string): Promise<CompareSide> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    const stat = await fs.stat(resolved);
    if (!stat.isFile()) throw new CompareSourceError(`${resolved} is a folder, not a project or model file.`);
    if (stat.size > MAX_PROJECT_BYTES) throw new CompareSourceError(`${resolved} is ${(stat.size / 1e6).toFixed(0)} MB — too large to be a project or model.json.`);
    text = await fs.readFile(resolved, 'utf8');
  } catch (e) {
    if (e instanceof CompareSourceError) throw e;
    throw new CompareSourceError(`No file at ${resolved}.`);
  }
  const label = path.basename(resolved);
  let doc: unknown = undefined;
  try {
    doc = JSON.parse(text);
  } catch {
    // not JSON: parseProject below says where it breaks
  }
  if (isKerasModelDocument(doc)) {
    let result;
    try {
      result = importKerasModel(doc);
    } catch (e) {
      if (e instanceof KerasImportError) throw new CompareSourceError(`${label}: ${e.message}.`);
      throw e;
    }
    if ('unknown' in result) {
      const list = result.unknown.map((u) => `${u.name} (${u.className})${u.reason ? `: ${u.reason}` : ''}`).join('; ');
      throw new CompareSourceError(`${label} cannot be compared: Neurowire cannot represent ${result.unknown.length === 1 ? 'this layer' : 'these layers'}: ${list}.`);
    }
    return { label, kind: 'model', name: result.project.name, graph: result.project.graph };
  }
  try {
    const project = parseProject(text, label);
    return { label, kind: 'project', name: project.name, graph: project.graph };
  } catch (e) {
    if (e instanceof ProjectFileError) throw new CompareSourceError(e.message);
    throw e;
  }
}

export async function loadCompareSide(given: CompareSource, context: CompareContext): Promise<CompareSide> {
  // The engine's calls are checked already; the command line's are checked here.
  const parsed = CompareSourceSchema.safeParse(given);
  if (!parsed.success) throw new CompareSourceError(parsed.error.issues[0].message);
  const source = parsed.data;
  switch (source.type) {
    case 'project':
      return { label: 'open project', kind: 'document', name: source.project.name, graph: source.project.graph };
    case 'file':
      return loadFileSide(source.path);
    case 'run': {
      let details;
      try {
        details = await context.runs.get(source.runId);
      } catch (e) {
        // The run history's messages name the run already.
        if (e instanceof RunStoreError) throw new CompareSourceError(e.message);
        throw new CompareSourceError(`Run ${describeValue(source.runId)} cannot be compared: ${(e as Error).message}`);
      }
      return { label: `run ${source.runId}`, kind: 'run', name: details.config.name, graph: details.config.graph, run: { summary: details.summary, history: details.history } };
    }
    case 'template': {
      let text: string;
      try {
        text = await fs.readFile(path.join(context.templatesDir, `${source.id}.json`), 'utf8');
      } catch {
        throw new CompareSourceError(`There is no template ${describeValue(source.id)}.`);
      }
      const project = parseProject(text, `template ${source.id}`);
      return { label: `template ${source.id}`, kind: 'template', name: project.name, graph: project.graph };
    }
  }
}

/** Both sides loaded and compared (A is the first, B the second). */
export async function compareSources(a: CompareSource, b: CompareSource, context: CompareContext): Promise<CompareResult> {
  const [sideA, sideB] = await Promise.all([loadCompareSide(a, context), loadCompareSide(b, context)]);
  return { a: sideA, b: sideB, diff: diffGraphs(sideA.graph, sideB.graph) };
}
