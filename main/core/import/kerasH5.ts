/**
 * The model and weights of Keras's own files, read through an HDF5 reader the host opens (main/node/kerasFiles.ts
 * with h5wasm):
 * - a Keras 2 `.h5` (legacy format): the root attribute `model_config` (the model's JSON) and the group
 *   `model_weights`, whose attribute `layer_names` lists the layers; each layer's group lists its weights in
 *   `weight_names` ("dense/kernel:0"), each a dataset at that path below the layer's group;
 * - the `model.weights.h5` of a Keras 3 `.keras` archive: each layer's variables under `layers/<name>/vars/<i>`, where
 *   <name> is the snake_case class name, numbered in order ("dense", "dense_1"), nested layers (an RNN's cell) and
 *   models below their parent's path. Variables are numbered, not named: they are matched to a layer's weights by
 *   position (nodeWeights.ts).
 */
import type { NamedWeight } from './kerasWeights';
import { KerasImportError } from './kerasConfig';

/** What the importer reads of an HDF5 file. Paths are absolute ("/model_weights/dense"). */
export interface H5Reader {
  /** An attribute of the group or dataset at `path`; undefined when there is none. */
  attr(path: string, name: string): unknown;
  /** The names of a group's members; empty for a dataset or a path that is not there. */
  keys(path: string): string[];
  /** A dataset as float32, or null when `path` is not a dataset. */
  dataset(path: string): { shape: number[]; values: Float32Array } | null;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  // Bytes of a fixed-length string: Keras's layer and weight names are ASCII.
  if (value instanceof Uint8Array) return String.fromCharCode(...value).replace(/\0+$/, '');
  if (Array.isArray(value) && value.length === 1) return text(value[0]);
  return undefined;
}

function names(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => text(v) ?? String(v));
  const one = text(value);
  return one === undefined ? [] : [one];
}

const join = (a: string, b: string) => `${a.replace(/\/$/, '')}/${b}`;

/** A Keras 2 `.h5` model file: its model JSON and, when it keeps them, its weights by Keras name. */
export function readLegacyKerasH5(h5: H5Reader): { json: unknown; weights?: NamedWeight[] } {
  const config = text(h5.attr('/', 'model_config'));
  if (config === undefined) {
    throw new KerasImportError(
      h5.keys('/').includes('layers') || h5.attr('/', 'layer_names') !== undefined
        ? 'the .h5 file holds weights only (saved with save_weights), not a model — import the model (model.save) or its JSON'
        : 'the .h5 file has no model_config attribute: it is not a Keras model file',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(config);
  } catch {
    throw new KerasImportError('the model_config attribute of the .h5 file is not valid JSON');
  }
  if (!h5.keys('/').includes('model_weights')) return { json };
  const root = '/model_weights';
  const weights: NamedWeight[] = [];
  for (const layer of names(h5.attr(root, 'layer_names'))) {
    const group = join(root, layer);
    for (const weightName of names(h5.attr(group, 'weight_names'))) {
      const data = h5.dataset(join(group, weightName));
      if (!data) throw new KerasImportError(`the .h5 file lists weight "${weightName}" of layer ${layer} but does not hold it`);
      // Keras 2 scopes the name by the layer ("dense/kernel:0"); Keras 3's legacy writer may not.
      const name = weightName.split('/')[0] === layer ? weightName : `${layer}/${weightName}`;
      weights.push({ name, ...data });
    }
  }
  return { json, weights };
}

/** Keras's naming.to_snake_case of a class name: "BatchNormalization" → "batch_normalization", "Conv2D" → "conv2d". */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

type LayerEntry = { class_name?: unknown; config?: { name?: unknown; layers?: unknown } };

/** Every dataset below `path`: its own `vars` first (by number), then its other members in name order. */
function datasetsBelow(h5: H5Reader, path: string, relative: string): { name: string; path: string }[] {
  const members = h5.keys(path);
  const own = members.includes('vars')
    ? h5
        .keys(join(path, 'vars'))
        .sort((a, b) => Number(a) - Number(b))
        .map((v) => ({ name: `${relative}vars/${v}`, path: join(join(path, 'vars'), v) }))
    : [];
  const children = members
    .filter((m) => m !== 'vars')
    .sort()
    .flatMap((m) => datasetsBelow(h5, join(path, m), `${relative}${m}/`));
  return [...own, ...children];
}

/** The weights of a Keras 3 `model.weights.h5`, named "<Keras layer name>/<path of the variable below the layer>". */
export function readKeras3Weights(config: unknown, h5: H5Reader): NamedWeight[] {
  const weights: NamedWeight[] = [];
  const walk = (model: LayerEntry, prefix: string) => {
    const layers = (Array.isArray(model.config?.layers) ? model.config.layers : []) as LayerEntry[];
    const used = new Map<string, number>();
    for (const layer of layers) {
      const className = String(layer.class_name);
      // A Sequential's `layers` leave out its InputLayer; a functional model's keep theirs.
      if (model.class_name === 'Sequential' && className === 'InputLayer') continue;
      const base = kerasSnakeCase(className);
      const seen = used.get(base);
      used.set(base, seen === undefined ? 0 : seen + 1);
      const path = `${prefix}layers/${seen === undefined ? base : `${base}_${seen + 1}`}`;
      if (MODEL_CLASSES.has(className)) {
        walk(layer, `${path}/`);
        continue;
      }
      const layerName = String(layer.config?.name ?? base);
      for (const d of datasetsBelow(h5, `/${path}`, '')) {
        const data = h5.dataset(d.path);
        if (data) weights.push({ name: `${layerName}/${d.name}`, ...data });
      }
    }
  };
  walk(config as LayerEntry, '');
  return weights;
}
