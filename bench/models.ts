/**
 * The bench's three models and its measuring loop, shared by the Node backends (bench/run.ts) and the browser GPU
 * backends (bench/gpu/page.ts): the same layers, batch, optimizer, data and windows everywhere. No Node or DOM APIs.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
export type ModelName = 'mlp' | 'cnn' | 'lstm';
export const MODELS: ModelName[] = ['mlp', 'cnn', 'lstm'];
export const BATCH = 64;

export interface Plan {
  windowSec: number;
  windows: number;
  /** Stop measuring after this many seconds (at least one timed step is always done). */
  budgetSec: number;
  /**
   * Hard stop, warm-up included: the window under way ends after the step that crosses it (still at least one
   * timed step). For backends whose steps can take seconds (the browser GPU on a software renderer).
   */
  capSec?: number;
}

export interface Measured {
  samplesPerSec: number;
  windows: number[];
  stepMs: number;
  /** The first warm-up step: on a GPU backend it includes compiling the shaders. */
  firstStepMs: number;
}

export interface ModelOptions {
  /** The LSTM layer to use (the wasm path passes its fused layer); default tf.layers.lstm. */
  lstmLayer?: (args: Parameters<Tf['layers']['lstm']>[0]) => ReturnType<Tf['layers']['lstm']>;
  /** The optimizer (the wasm path passes its fused Adam); default tf.train.adam. */
  adam?: (lr: number) => ReturnType<Tf['train']['adam']>;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The compiled model and the shape of one input batch. */
export function buildBenchModel(tf: Tf, model: ModelName, opts: ModelOptions = {}): { m: tfTypes.Sequential; xShape: number[] } {
  const lstmLayer = opts.lstmLayer ?? ((args) => tf.layers.lstm(args));
  const adam = opts.adam ?? ((lr) => tf.train.adam(lr));
  const m = tf.sequential();
  let xShape: number[];
  if (model === 'mlp') {
    xShape = [BATCH, 784];
    m.add(tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  } else if (model === 'cnn') {
    xShape = [BATCH, 28, 28, 1];
    m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  } else {
    xShape = [BATCH, 28, 28];
    // recurrentActivation 'sigmoid' = PyTorch's nn.LSTM (tfjs defaults to hardSigmoid): the same model on both sides.
    m.add(lstmLayer({ inputShape: [28, 28], units: 64, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  }
  m.compile({ optimizer: adam(1e-3), loss: 'categoricalCrossentropy' });
  return { m, xShape };
}

/**
 * Trains `m` on one fixed random batch: warm-up (one step, a second when the first was quick), then windows of
 * `plan.windowSec`; samples/s is the median over windows. `afterStep` runs after every step (memory sampling).
 */
export async function measureTraining(tf: Tf, m: tfTypes.LayersModel, xShape: number[], plan: Plan, afterStep?: () => void): Promise<Measured> {
  const x = tf.randomUniform(xShape, 0, 1, 'float32', 1);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const y = tf.oneHot(labels, 10).toFloat();
  const step = async () => {
    const loss = await m.trainOnBatch(x, y);
    const l = Array.isArray(loss) ? loss[0] : loss;
    if (!Number.isFinite(l)) throw new Error(`loss is ${l}`);
    afterStep?.();
  };

  const begun = performance.now();
  const capped = () => plan.capSec !== undefined && (performance.now() - begun) / 1000 > plan.capSec;
  let t0 = performance.now();
  await step();
  const firstStepMs = performance.now() - t0;
  if (firstStepMs < 1000) await step();

  const windows: number[] = [];
  const start = performance.now();
  let steps = 0;
  let timedMs = 0;
  for (let w = 0; w < plan.windows; w++) {
    if (w > 0 && ((performance.now() - start) / 1000 > plan.budgetSec || capped())) break;
    t0 = performance.now();
    let n = 0;
    do {
      await step();
      n++;
    } while (performance.now() - t0 < plan.windowSec * 1000 && !capped());
    const ms = performance.now() - t0;
    windows.push((n * BATCH * 1000) / ms);
    steps += n;
    timedMs += ms;
  }
  tf.dispose([x, labels, y]);
  return { samplesPerSec: median(windows), windows: windows.map((v) => Math.round(v * 10) / 10), stepMs: timedMs / steps, firstStepMs };
}
