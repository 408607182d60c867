/**
 * The Keras / tfjs importer on the shipped model files with random changes, and on random JSON: a project (that the
 * project format accepts, and that analysis takes), a list of layers it cannot import, or a clear KerasImportError.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importKerasModel, KerasImportError } from '../../../main/core/import/keras';
import { analyzeGraph } from '../../../main/core/graph/analyze';
import { anyJson, mutate, mutation } from '../arbitraries';
import { expectClearError, stringsIn } from '../clearError';
import { checkAccepted } from './project';
import { checkAnalysis } from './graph';
import { defineTarget } from '../target';

const FIXTURES = path.resolve(__dirname, '../../fixtures/import');
const models: unknown[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')));

export const kerasImport = defineTarget({
  name: 'Keras / tfjs model import',
  runs: 2000,
  sampleRuns: 50,
  arbitrary: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...models), fc.array(mutation, { maxLength: 4 })).map(([m, changes]) => mutate(m, changes)) },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.record({ class_name: fc.constantFrom('Sequential', 'Model', 'Functional'), config: anyJson }) },
  ),
  check(json) {
    let result;
    try {
      result = importKerasModel(json);
    } catch (e) {
      if (!(e instanceof KerasImportError)) throw new Error(`threw ${(e as Error)?.name}, not a KerasImportError: ${(e as Error)?.message}`, { cause: e });
      expectClearError(e, stringsIn(json));
      return;
    }
    if ('unknown' in result) {
      assert.ok(result.unknown.length > 0, 'refused without naming a layer');
      for (const u of result.unknown) assert.ok(typeof u.name === 'string' && typeof u.className === 'string', `an unknown layer without a name or class: ${JSON.stringify(u).slice(0, 200)}`);
      return;
    }
    checkAccepted(result.project);
    checkAnalysis(result.project.graph, analyzeGraph(result.project.graph));
    assert.equal(result.summary.layers.length, result.project.graph.nodes.length, 'the summary lists other layers than the graph holds');
  },
});
