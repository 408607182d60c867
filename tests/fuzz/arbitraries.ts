/**
 * Random inputs shaped like the real ones, mostly valid so that cases reach deep into the code under test, with
 * a share of everything that should be refused: wrong types, out-of-range and huge numbers, unknown layer kinds,
 * loops, connections to layers that do not exist.
 */
import fc from 'fast-check';
import { LAYER_SPECS } from '../../main/core/layers/registry';
import { defaultParams, type ParamDef } from '../../main/core/layers/params';
import { BUILTIN_DATASETS, DEFAULT_TRAINING, type Graph, type ProjectEdge, type ProjectNode } from '../../main/core/project';

/** Sizes near the edges: zero, negative, beyond int32 and beyond what a float keeps exactly. */
export const extremeNumber = fc.constantFrom(0, -1, -0, 0.5, 2 ** 31, 2 ** 32 + 1, 1e9, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e300, -1e300, Number.MIN_VALUE);

/** Any JSON value, with odd strings (control characters, very long) and extreme numbers among them. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: extremeNumber },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 2000 }) },
);

/** A value for one layer parameter: usually valid for its definition, sometimes anything at all. */
export function paramValue(def: ParamDef): fc.Arbitrary<unknown> {
  const size = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 1, arbitrary: extremeNumber }, { weight: 1, arbitrary: fc.constant(null) });
  const valid = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'int':
        return fc.integer({ min: def.min ?? -100, max: Math.min(def.max ?? 256, (def.min ?? 0) + 256) });
      case 'float':
        return fc.double({ min: def.min ?? -10, max: def.max ?? 10, noNaN: true });
      case 'bool':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...def.options);
      case 'shape':
        return fc.array(size, { minLength: def.minLength, maxLength: def.maxLength });
      case 'pair':
        return fc.tuple(fc.integer({ min: def.min, max: def.min + 8 }), fc.integer({ min: def.min, max: def.min + 8 }));
      case 'layer':
        return fc.record({ kind: fc.constantFrom(...def.options.map((o) => o.kind)), params: fc.constant({}) });
    }
  })();
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: extremeNumber }, { weight: 1, arbitrary: anyJson });
}

const KINDS = LAYER_SPECS.map((s) => s.kind);
/** A kind from the registry (Input more often: a graph needs one), or one that does not exist. */
export const layerKind = fc.oneof(
  { weight: 3, arbitrary: fc.constant('Input') },
  { weight: 12, arbitrary: fc.constantFrom(...KINDS) },
  { weight: 1, arbitrary: fc.constantFrom('NoSuchLayer', 'dense', '', '__proto__', 'constructor', 'toString') },
);

/** A node's params: the defaults of its kind with some changed, or (rarely) random keys and values. */
export function layerParams(kind: string): fc.Arbitrary<Record<string, unknown>> {
  const spec = LAYER_SPECS.find((s) => s.kind === kind);
  if (!spec) return fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 });
  const defaults = defaultParams(spec.params) as Record<string, unknown>;
  const changes = fc.record(
    Object.fromEntries(Object.entries(spec.params as Record<string, ParamDef>).map(([key, def]) => [key, paramValue(def)])),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(defaults) },
    { weight: 6, arbitrary: changes.map((c) => ({ ...defaults, ...c })) },
    { weight: 1, arbitrary: changes },
  );
}

const layerName = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

export interface GraphOptions {
  maxNodes?: number;
}

/**
 * A graph of random layers and connections: a chain through the nodes in order (so shapes flow), random extra
 * connections (merges, loops), self-connections and connections from or to layers that do not exist.
 */
export function graphArb({ maxNodes = 10 }: GraphOptions = {}): fc.Arbitrary<Graph> {
  const node = layerKind.chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      name: layerName,
      params: layerParams(kind),
      position: fc.record({ x: fc.integer({ min: -2000, max: 2000 }), y: fc.integer({ min: -2000, max: 2000 }) }),
    }),
  );
  return fc
    .record({
      nodes: fc.array(node, { maxLength: maxNodes }),
      chain: fc.array(fc.boolean(), { maxLength: maxNodes }),
      extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
      dangling: fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 2 }) }),
    })
    .map(({ nodes, chain, extra, dangling }) => {
      const taken = new Set<string>();
      const built: ProjectNode[] = nodes.map((n, i) => {
        let name = n.name;
        while (taken.has(name)) name += '_';
        taken.add(name);
        return { id: `n${i}`, ...n, name };
      });
      const edges: ProjectEdge[] = [];
      const connect = (source: string, target: string) => edges.push({ id: `e${edges.length}`, source, target });
      built.forEach((n, i) => {
        if (i > 0 && chain[i] !== false) connect(built[i - 1].id, n.id);
      });
      if (built.length > 0) {
        for (const [a, b] of extra) connect(built[a % built.length].id, built[b % built.length].id);
        for (const [a, into] of dangling) {
          if (into) connect('ghost', built[a % built.length].id);
          else connect(built[a % built.length].id, 'ghost');
        }
      }
      return { nodes: built, edges };
    });
}

/** A dataset choice that the project schema accepts (paths need not exist). */
export const datasetChoice = fc.record({
  source: fc.oneof(
    fc.record({ type: fc.constant('builtin' as const), name: fc.constantFrom(...BUILTIN_DATASETS), samples: fc.integer({ min: 10, max: 5000 }), noise: fc.double({ min: 0, max: 5, noNaN: true }) }),
    fc.record({
      type: fc.constant('csv' as const),
      path: fc.constantFrom('data.csv', 'folder/t.tsv'),
      delimiter: fc.constantFrom('auto' as const, ',' as const, ';' as const),
      labelColumn: fc.constantFrom('label', 'y'),
      featureColumns: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
      task: fc.constantFrom('auto' as const, 'classification' as const, 'regression' as const),
      categorical: fc.constantFrom('onehot' as const, 'index' as const),
      missing: fc.constantFrom('drop-row' as const, 'mean' as const, 'zero' as const),
      badRows: fc.constantFrom('skip' as const, 'stop' as const),
      inputs: fc.constant([]),
      targets: fc.constant([]),
    }),
    fc.record({ type: fc.constant('images' as const), path: fc.constant('imgs'), width: fc.integer({ min: 4, max: 64 }), height: fc.integer({ min: 4, max: 64 }), channels: fc.constantFrom(1 as const, 3 as const) }),
  ),
  validationFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
  testFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
  splitSeed: fc.nat(),
  stratify: fc.boolean(),
});

/** A version-3 project document (plain JSON), valid or nearly so: its graph is random. */
export const projectDoc = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 40 }),
    description: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
    graph: graphArb({ maxNodes: 6 }),
    dataset: datasetChoice,
    epochs: fc.integer({ min: 1, max: 100 }),
    batchSize: fc.integer({ min: 1, max: 512 }),
    learningRate: fc.double({ min: 1e-5, max: 1, noNaN: true }),
  })
  .map(({ name, description, graph, dataset, epochs, batchSize, learningRate }) => ({
    format: 'neurowire-project',
    version: 3,
    name,
    ...(description === undefined ? {} : { description }),
    graph,
    dataset,
    training: { ...DEFAULT_TRAINING, epochs, batchSize, learningRate },
  }));

/** The same project as an older version wrote it (version 1 or 2), so that migrations run. */
export function downgrade(doc: Record<string, unknown>, version: 1 | 2): Record<string, unknown> {
  const { outputs: _outputs, ...training } = doc.training as Record<string, unknown>;
  const dataset = doc.dataset as Record<string, unknown>;
  const { inputs: _inputs, targets: _targets, ...source } = dataset.source as Record<string, unknown>;
  if (version === 2) return { ...doc, version, training, dataset: { ...dataset, source } };
  const { source: _source, ...split } = dataset;
  return { ...doc, version, training, dataset: { ...split, id: source.name ?? 'mnist' } };
}

/** One change somewhere in a JSON document: a path (child indices, wrapped) and what to do there. */
export interface Mutation {
  path: number[];
  op: 'delete' | 'replace' | 'wrap';
  value: unknown;
}
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.constantFrom('delete' as const, 'replace' as const, 'replace' as const, 'wrap' as const),
  value: anyJson,
});

/** Applies mutations to a deep copy of `doc`: each walks down its path as far as the document goes. */
export function mutate(doc: unknown, mutations: readonly Mutation[]): unknown {
  let root = structuredClone(doc);
  for (const m of mutations) {
    let parent: Record<string, unknown> | unknown[] | null = null;
    let key: string | number | null = null;
    let here: unknown = root;
    for (const step of m.path) {
      if (typeof here !== 'object' || here === null) break;
      const keys = Array.isArray(here) ? here.map((_, i) => i) : Object.keys(here);
      if (keys.length === 0) break;
      parent = here as Record<string, unknown>;
      key = keys[step % keys.length];
      here = (here as Record<string | number, unknown>)[key];
    }
    const next = m.op === 'replace' ? m.value : m.op === 'wrap' ? [here] : undefined;
    if (parent === null || key === null) {
      if (m.op !== 'delete') root = next;
    } else if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key];
    } else (parent as Record<string | number, unknown>)[key] = next;
  }
  return root;
}

/** Damage to a file's text: cut short, a BOM in front, characters inserted, a number no double can hold. */
export const textDamage: fc.Arbitrary<(text: string) => string> = fc.oneof(
  { weight: 8, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))) },
  { weight: 1, arbitrary: fc.constant((t: string) => `\uFEFF${t}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 8 })).map(([n, s]) => (t: string) => {
      const at = n % (t.length + 1);
      return t.slice(0, at) + s + t.slice(at);
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('1e999', '-1e999', '1e-999', '12345678901234567890123') .map((big) => (t: string) => t.replace(/(?<=: )-?\d+(\.\d+)?/, big)) },
);

/** Shapes of one sample a network commonly starts from: a vector, a sequence, an image, a volume. */
const inputShapes = fc.constantFrom([16], [6, 8], [12, 12, 3], [8, 8, 1], [4, 6, 6, 2], [null, 8]);

/**
 * A graph that analysis accepts: an Input, then random layers each kept only where the analysis accepts the graph
 * with it (mostly chained to the last layer kept; merges take the last two). Valid graphs are rare among random
 * ones, and the compiler needs them.
 */
export function validGraphArb(analyze: (g: Graph) => { valid: boolean }, maxLayers = 8): fc.Arbitrary<Graph> {
  const candidate = fc.constantFrom(...KINDS.filter((k) => k !== 'Input')).chain((kind) =>
    fc.record({ kind: fc.constant(kind), params: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: layerParams(kind) }), from: fc.nat() }),
  );
  return fc.record({ shape: inputShapes, layers: fc.array(candidate, { maxLength: maxLayers }) }).map(({ shape, layers }) => {
    let graph: Graph = { nodes: [{ id: 'n0', kind: 'Input', name: 'input_1', params: { shape }, position: { x: 0, y: 0 } }], edges: [] };
    layers.forEach((layer, i) => {
      const spec = LAYER_SPECS.find((s) => s.kind === layer.kind)!;
      const id = `n${i + 1}`;
      const last = graph.nodes[graph.nodes.length - 1].id;
      const other = graph.nodes[layer.from % graph.nodes.length].id;
      const sources = spec.inputs.min >= 2 && other !== last ? [other, last] : [last];
      const params = layer.params ?? (defaultParams(spec.params) as Record<string, unknown>);
      const next: Graph = {
        nodes: [...graph.nodes, { id, kind: layer.kind, name: `${spec.namePrefix}_${i + 1}`, params, position: { x: 240 * (i + 1), y: 0 } }],
        edges: [...graph.edges, ...sources.map((s, j) => ({ id: `e${i + 1}_${j}`, source: s, target: id }))],
      };
      if (analyze(next).valid) graph = next;
    });
    return graph;
  });
}
