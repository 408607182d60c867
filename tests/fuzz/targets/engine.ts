/**
 * The engine's contract: every method called with random params, both random JSON and objects built from the
 * fields the contract names. Each call is refused with an EngineError whose message is clear, or answered; a
 * handler's TypeError (even wrapped) or any other kind of error is a failure.
 */
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api, type ApiMethod } from '../../../main/core/api/contract';
import { Engine, EngineError } from '../../../main/node/engine';
import { anyJson, mutate, mutation, projectDoc } from '../arbitraries';
import { expectClearError, stringsIn } from '../clearError';
import { defineTarget } from '../target';

const METHODS = Object.keys(api) as ApiMethod[];
/**
 * Calls that, once their params are accepted, would start real work (training, loading a built-in dataset of
 * 60,000 images): for them the case checks the validation only.
 */
const VALIDATION_ONLY = new Set<ApiMethod>(['training.start', 'datasets.inspect', 'engine.info']);
/** Fields whose values name files: a message names them in full (they are the person's own paths, not file contents). */
const PATH_FIELDS = new Set(['path', 'dir', 'defaultPath']);

let dir = '';
let engine: Engine | null = null;

/** A path: in the fuzz folder (existing or not) or relative, never long enough to matter, never outside. */
const pathValue = fc.oneof(
  fc.constantFrom('missing.neurowire.json', 'folder', 'x.csv', 'data.tsv', '.', '').map((name) => () => path.join(dir, name)),
  fc.stringMatching(/^[a-z0-9_.-]{1,20}$/).map((name) => () => path.join(dir, name)),
);

const fieldValue = (field: string): fc.Arbitrary<unknown> => {
  const some = fc.oneof({ weight: 3, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constantFrom('run-1', 'mnist-mlp', 'UPPER', '../x', '', 'a'.repeat(300)) });
  switch (field) {
    case 'project':
      return fc.oneof(some, fc.tuple(projectDoc, fc.array(mutation, { minLength: 1, maxLength: 2 })).map(([doc, changes]) => mutate(doc, changes)));
    case 'source':
      return fc.oneof(some, fc.record({ type: fc.constantFrom('csv', 'images', 'text', 'timeseries', 'builtin', 'nope'), path: some, name: some, labelColumn: some }, { requiredKeys: ['type'] }));
    case 'delimiter':
      return fc.oneof(some, fc.constantFrom('auto', ',', ';', '\t', '|'));
    case 'purpose':
      return fc.oneof(some, fc.constantFrom('openProject', 'saveProject', 'dataFolder'));
    case 'a':
    case 'b':
      return fc.oneof(
        some,
        fc.record({ type: fc.constantFrom('file', 'run', 'template', 'nope'), path: fc.oneof(pathValue, anyJson), runId: some, id: some }, { requiredKeys: ['type'] }),
      );
    case 'event':
      return fc.oneof(some, fc.record({ type: fc.constantFrom('log', 'state', 'epoch', 'batch'), runId: some, message: some, state: some }, { requiredKeys: ['type'] }));
    default:
      // Not the shared constants: a path is named in full, and would look like an echo of another field holding the same text.
      return PATH_FIELDS.has(field) ? fc.oneof(pathValue, anyJson) : some;
  }
};
const FIELDS = ['runId', 'path', 'project', 'id', 'source', 'purpose', 'delimiter', 'compute', 'event', 'result', 'dir', 'defaultPath', 'a', 'b'];

const paramsArb = fc.oneof(
  { weight: 1, arbitrary: anyJson },
  {
    weight: 4,
    arbitrary: fc
      .subarray(FIELDS, { maxLength: 4 })
      .chain((fields) => fc.tuple(...fields.map((f) => fieldValue(f).map((v) => [f, v] as const))))
      .map((entries) => Object.fromEntries(entries)),
  },
);

/** Params with their path thunks (also those one object down: diff.compare's sources) turned into paths in the fuzz folder. */
function resolved(params: unknown, depth = 0): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'function' ? (v as () => string)() : depth === 0 ? resolved(v, 1) : v]));
}

function rawStrings(params: unknown, depth = 0): string[] {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return stringsIn(params);
  return Object.entries(params).flatMap(([k, v]) => (PATH_FIELDS.has(k) ? [k] : depth === 0 && typeof v === 'object' && v !== null && !Array.isArray(v) ? [k, ...rawStrings(v, 1)] : [k, ...stringsIn(v)]));
}

export const engineCalls = defineTarget({
  name: 'engine calls (contract validation and handlers)',
  runs: 2000,
  sampleRuns: 60,
  arbitrary: fc.record({ method: fc.constantFrom(...METHODS), params: paramsArb }),
  async setup() {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-fuzz-engine-'));
    await fs.mkdir(path.join(dir, 'folder'));
    await fs.writeFile(path.join(dir, 'x.csv'), 'a,b,label\n1,2,x\n3,4,y\n');
    engine = new Engine({ host: 'browser', dataDir: path.join(dir, 'data') });
  },
  async teardown() {
    await engine?.dispose();
    engine = null;
    await fs.rm(dir, { recursive: true, force: true });
  },
  async check({ method, params: raw }) {
    const params = resolved(raw);
    if (VALIDATION_ONLY.has(method) && api[method].params.safeParse(params ?? {}).success) return;
    try {
      await engine!.dispatch(method, params);
    } catch (e) {
      if (!(e instanceof EngineError)) throw new Error(`${method} threw ${(e as Error)?.name}, not an EngineError: ${(e as Error)?.message}`, { cause: e });
      expectClearError(e, rawStrings(params));
    }
  },
});
