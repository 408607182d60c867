import type { Shape } from '../shapes';
import type { ParamDefs, ParamValues } from './params';

export type LayerCategory =
  | 'Input'
  | 'Core'
  | 'Embedding'
  | 'Convolution'
  | 'Recurrent'
  | 'Attention'
  | 'Pooling'
  | 'Normalization'
  | 'Reshape'
  | 'Regularization'
  | 'Merge';

/**
 * A repair a shape check offers next to its message, as data: analysis turns it into graph edits (core/graph/edits.ts)
 * that the editor applies in one click and the CLI prints. The message text stays the human explanation; `label` is
 * the button, e.g. "Insert Reshape to [64, 1]".
 */
export type ShapeFix = {
  label: string;
  /**
   * The message the fix answers: omitted for the check's error; a warning's text for a fix of that warning.
   */
  problem?: string;
} & (
  | {
      /** Insert a layer of this kind (named as data, e.g. 'Reshape') on an incoming connection of the checked layer. */
      insertBefore: string;
      params?: Record<string, unknown>;
      /** Which incoming connection, in edge order (the query, value or key of an attention); the first when omitted. */
      input?: number;
    }
  | {
      /** Take the checked layer out, connecting its input to the layers it feeds (a Flatten with nothing to flatten). */
      remove: true;
    }
);

/** What a layer's shape check found: the output shape, or a human error; warnings either way, and fixes where the spec knows one. */
export type ShapeCheck =
  | {
      ok: true;
      shape: Shape;
      /** Shapes of the outputs after the main one, in the order the spec's `outputs.extra` names them (an LSTM's states). */
      extraShapes?: Shape[];
      warnings?: string[];
      fixes?: ShapeFix[];
    }
  | { ok: false; error: string; warnings?: string[]; fixes?: ShapeFix[] };

/** A Reshape the person can insert before the checked layer: the fix behind "insert a Reshape to [64, 1]". */
export function reshapeFix(targetShape: readonly number[], input?: number): ShapeFix {
  return { label: `Insert Reshape to [${targetShape.join(', ')}]`, insertBefore: 'Reshape', params: { targetShape: [...targetShape] }, ...(input ? { input } : {}) };
}

/** The same check with its fixes moved to incoming connection `input` (for a layer that checks several inputs alike). */
export function fixesOnInput(check: ShapeCheck, input: number): ShapeCheck {
  if (!check.fixes || input === 0) return check;
  return { ...check, fixes: check.fixes.map((f) => ('insertBefore' in f ? { ...f, input } : f)) };
}

/** Context given to shape checks so messages can name the layer the person sees. */
export interface CheckContext {
  /** The node's display name, e.g. "dense_1". */
  name: string;
}

/**
 * How the layer is built in tfjs-layers. The same description builds the live model
 * (`tf.layers[factory](config)`) and the generated TypeScript (`tf.layers.factory({...})`),
 * so the two cannot drift apart.
 */
export interface TfjsBuild<P extends ParamDefs> {
  /** Name of the factory in `tf.layers`, e.g. "dense", "conv2d". Input nodes use `tf.input` instead. */
  factory: string;
  /**
   * The tfjs-layers class the factory builds, as `layer.getClassName()` reports it ("Dense", "InputLayer").
   * Lets code that holds a built model (the training loop) find the spec of each of its layers.
   */
  className: string;
  /** The config object passed to the factory (without `name`, which the compiler adds). */
  config(params: ParamValues<P>): Record<string, unknown>;
  /**
   * True when tfjs-layers has no such layer and Neurowire's own class (main/core/layers/custom, registered for
   * serialization under `className`) builds it: `new Class(config)` instead of `tf.layers[factory](config)`.
   */
  custom?: boolean;
  /**
   * For a custom class whose instances are a more specific tfjs type than `tf.layers.Layer` (GRU: `RNN`, a subclass
   * of tfjs's RNN), that type's name in the `tf` namespace: generated code declares the class with it, so it can be
   * passed where tfjs wants that type (a Bidirectional's layer).
   */
  tsType?: string;
}

/**
 * How a layer takes part when the network's output is matched to a dataset (see core/outputFit.ts):
 * - `sets`: its params decide the output width and activation (Dense); fitting sets them.
 * - `passes`: the values go through with their count unchanged (Activation, Dropout), so the layer that
 *   sets the output may sit before it; `activation` names the param that then decides the activation, and
 *   `applies` names the activation an activation layer without such a param applies itself (Softmax, ReLU).
 * - `none`: neither; a network ending in it cannot be fitted by changing params.
 */
export type OutputFit<P extends ParamDefs = ParamDefs> =
  | { fit: 'sets'; units: keyof P & string; activation: keyof P & string }
  | { fit: 'passes'; activation?: keyof P & string; applies?: string }
  | { fit: 'none' };

/**
 * How a Keras (or TensorFlow.js layers-model) layer becomes this kind, for importing a model.json or `to_json()` file.
 * `params` reads the layer's snake_case `config` (Keras 2, Keras 3 or tfjs spelling) and gives this kind's params
 * (missing ones take the spec defaults), and the settings it cannot keep, as "key=value", for the import report.
 * It throws a KerasImportError (core/import/kerasConfig.ts) where a setting cannot be dropped without computing
 * something else; the importer then refuses the model, naming the layer and the reason.
 */
export interface KerasImport {
  /** The Keras class name(s) this kind imports, e.g. 'Dense' or ['GlobalAveragePooling2D', 'GlobalAvgPool2D']. */
  className: string | readonly string[];
  params(config: Record<string, unknown>): { params: Record<string, unknown>; dropped?: string[] };
}

/** Shapes of a layer in the network, per sample (no batch axis), for the PyTorch mapping. */
export interface PytorchShapes {
  inputShapes: Shape[];
  outputShape: Shape;
  /** The layer's name in the network (its tfjs layer name), e.g. "dense_1". */
  name: string;
}

/** What a layer's forward expression is written with. */
export interface PytorchCall extends PytorchShapes {
  /** The layer's module, e.g. `self.dense_1` (unset for a layer without `module`). */
  module: string;
  /** Expressions of the layer's inputs, in edge order (`lstm_1[1]` for an LSTM's state h). */
  inputs: string[];
  /** Expression of the mask carried by the first input (an Embedding with maskZero's), or null. */
  mask: string | null;
}

/**
 * How a layer of this kind is written in a PyTorch model (main/core/codegen/pytorch.ts). Tensors keep tfjs's layout
 * (batch first, channels last); `nw.` names the shipped helpers (main/python/neurowire_torch.py), `F.` torch.nn.functional.
 */
export interface PytorchLayer<P extends ParamDefs> {
  /** Why this configuration has no PyTorch equivalent (named in the export's README), or null when it has one. */
  unsupported?(params: ParamValues<P>, io: PytorchShapes): string | null;
  /** The module built in `__init__`, e.g. `nn.Linear(784, 128)`; absent (or null) for a plain expression (Flatten, Add). */
  module?(params: ParamValues<P>, io: PytorchShapes): string | null;
  /** The output as a Python expression of the inputs (a tuple for a layer with several outputs). */
  forward(params: ParamValues<P>, io: PytorchCall): string;
  /**
   * The module's state_dict entries from the trained tfjs weights: key within the module → Python (numpy) expression
   * that converts the weight, written with `w("kernel")` for the layer's tfjs weight "kernel".
   */
  weights?(params: ParamValues<P>, io: PytorchShapes): Record<string, string>;
  /** The mask the output carries, from the input's (io.mask); absent: the input's mask goes through unchanged. */
  mask?(params: ParamValues<P>, io: PytorchCall): string | null;
}

export interface LayerSpec<P extends ParamDefs = ParamDefs> {
  /** Stable identifier stored in project files, e.g. "Dense". Never rename. */
  kind: string;
  label: string;
  category: LayerCategory;
  /** One sentence for the palette tooltip and docs. */
  description: string;
  params: P;
  /** How many incoming edges the layer takes. Input: 0..0; most layers: 1..1; merges: 2..Infinity. */
  inputs: {
    min: number;
    max: number;
    /**
     * What each incoming edge is, in edge order, for layers whose inputs play different roles
     * (MultiHeadAttention: ['query', 'value', 'key']). Messages and the editor use these names;
     * absent where every input plays the same role (Add, Concatenate).
     */
    names?: readonly string[];
    /**
     * How the inputs after the first reach tfjs. By default every input goes in one list (`apply([q, v, k])`);
     * `initialState`: the first is the layer's input and the rest its initial state (`apply(x, { initialState })`),
     * an RNN started from another one's final state.
     */
    restAs?: 'initialState';
  };
  /**
   * A layer with more than one output (an LSTM returning its final states, attention returning its scores): the
   * names of the outputs after the main one, which depend on the params (none while Return state is off). Each is
   * a port of its own on the canvas; a connection names the port it leaves from (`sourcePort`, 0 = main output).
   * The shape check gives their shapes in `extraShapes`, in this order.
   */
  outputs?: { extra(params: ParamValues<P>): readonly string[] };
  /** Prefix for automatic node names, e.g. "dense" gives dense_1, dense_2, ... */
  namePrefix: string;
  /**
   * `input`: where samples enter; built with `tf.input`, takes no connections, never the network's output.
   * `layer`: everything else.
   */
  role: 'input' | 'layer';
  /**
   * Weights that take L1/L2 and AdamW decay, by their tfjs name within the layer ("kernel", "recurrent_kernel"):
   * kernels and embeddings, never biases or normalization parameters.
   */
  penalizedWeights: readonly string[];
  /** How the layer adapts when the network's output is fitted to a dataset. */
  outputFit: OutputFit<P>;
  /**
   * True for a layer that only lays its input out flat (Flatten): with nothing to flatten (flat samples),
   * fitting a network to data removes it right after the Input instead of leaving an error.
   */
  onlyFlattens?: boolean;
  /**
   * True where the layer needs every batch to have the same, known size (a stateful recurrent layer carries each
   * sample's state to the same sample of the next batch). Analysis then asks the Inputs before it for a fixed batch
   * size (see `batchSizeParam`), and training keeps the samples in order in batches of exactly that size.
   */
  needsFixedBatch?(params: ParamValues<P>): boolean;
  /** An Input's param that fixes the batch size (0: any size): what the fix of a layer that needs one sets. */
  batchSizeParam?: keyof P & string;
  /**
   * True for a merge that may join a network's several ends into one output: analysis offers it as the fix of
   * "the network ends in N layers" where its shape check takes their shapes (Add, Concatenate).
   */
  joinsBranches?: boolean;
  /**
   * Friendly pre-check and shape inference. `inputs` has one shape per incoming edge (in edge order),
   * already checked to be `inputs.min..inputs.max` long. Must agree with tfjs's own shape for any
   * configuration tfjs accepts (tests compare them).
   */
  inferShape(inputs: Shape[], params: ParamValues<P>, ctx: CheckContext): ShapeCheck;
  /** Trainable + non-trainable weights, as tfjs `countParams()` reports them. */
  countParams(inputs: Shape[], params: ParamValues<P>): number;
  /**
   * How many of those weights training does not change (BatchNormalization's moving mean and variance), as tfjs's
   * `nonTrainableWeights` hold them; 0 when absent.
   */
  countNonTrainable?(inputs: Shape[], params: ParamValues<P>): number;
  tfjs: TfjsBuild<P>;
  /**
   * True where a frozen layer (the node's `trainable` false) runs as at prediction time while the model trains too,
   * as Keras does since TF 2.0: a frozen BatchNormalization normalizes with its moving mean and variance and never
   * updates them (tfjs would use and track the batch's). The compiler and the generated model.ts build it with
   * layers/inference.ts `alwaysInference`; the PyTorch export keeps its module in eval mode.
   */
  frozenRunsInference?: boolean;
  /** How the layer is written in an exported PyTorch model; absent where there is no mapping yet. */
  pytorch?: PytorchLayer<NoInfer<P>>;
  /**
   * Look inside (core/inside/activations.ts): config keys under which the built tfjs layer also gives its attention
   * probabilities [batch, heads, query steps, key steps], as its output number `output`. Looking inside a trained
   * model rebuilds the layer with them and its trained weights and draws each head's scores as a heatmap. Absent for
   * layers without attention scores, whose activations are drawn by their output's shape.
   */
  attentionScores?: { config: Record<string, unknown>; output: number };
  /** How a Keras layer imports as this kind; absent where Keras has no such layer. */
  keras?: KerasImport;
}

/**
 * A layer inside another layer's config: a wrapper's `layer` (tf.layers.bidirectional takes a built LSTM, not
 * its config). The compiler builds it from its spec first (compile.ts buildLayer); the code generator prints it
 * as its own `tf.layers.lstm({...})` call.
 */
export class InnerLayer {
  constructor(
    readonly spec: AnyLayerSpec,
    /** The inner spec's `tfjs.config`; `layerConfig` adds a name derived from the wrapper's. */
    readonly config: Record<string, unknown>,
  ) {}
}

/**
 * A layer's whole config as the compiler builds it and model.ts prints it: the spec's config with the node's name,
 * and each layer inside it named `<name>_<its prefix>` (e.g. `bidirectional_1_gru`). Left unnamed, tfjs would take
 * a name from its global counter, so weight names would depend on what was built before.
 */
export function layerConfig(spec: AnyLayerSpec, params: Parameters<AnyLayerSpec['tfjs']['config']>[0], name: string, trainable = true): Record<string, unknown> {
  // A frozen layer says so in its config: tfjs builds it untrainable, and generated code shows it.
  const config: Record<string, unknown> = { ...spec.tfjs.config(params), name, ...(trainable ? {} : { trainable: false }) };
  for (const [key, value] of Object.entries(config)) {
    if (value instanceof InnerLayer) config[key] = new InnerLayer(value.spec, { ...value.config, name: `${name}_${value.spec.namePrefix}` });
  }
  return config;
}

/** Helper that keeps each layer file fully typed against its own parameter definitions. */
export function defineLayer<const P extends ParamDefs>(spec: LayerSpec<P>): LayerSpec<P> {
  return spec;
}

/** A spec whose params are treated as an opaque record: what registries and generic code use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- params differ per kind; `unknown` would make every spec unassignable (params are contravariant in inferShape)
export type AnyLayerSpec = LayerSpec<any>;
