import type { Project } from '../project';
import { loaderFor, splitCode, type Loader, type LoaderPlan } from './loaders';
import { code, commentText, indent, literal } from './print';

/**
 * train.ts of the generated project: the data loader of the project's source, the split, and training with the
 * project's options. Default options print the plain `model.fit` code; each option adds only its own piece
 * (a learning-rate callback, early stopping, AdamW's weight decay, class weights), and gradient clipping replaces
 * model.fit by a written-out loop, as clipping needs the gradients before they are applied.
 */

export type LossName = 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';

export interface TrainPlan extends LoaderPlan {
  project: Project;
  inputShape: number[];
  loss: LossName;
}

/** What the training loop of train.ts needs from the project's options. */
interface Options {
  hasValidation: boolean;
  hasTest: boolean;
  schedule: boolean;
  weightDecay: number;
  classWeights: boolean;
  earlyStopping: boolean;
  clip: 'none' | 'norm' | 'value';
  /** train.ts imports LEARNING_RATE from model.ts. */
  needsLearningRate: boolean;
}

function optionsOf(plan: TrainPlan, loader: Loader): Options {
  const t = plan.project.training;
  const d = plan.choice;
  const schedule = t.schedule.type !== 'constant' || t.schedule.warmupEpochs > 0;
  const weightDecay = t.optimizer === 'adamw' ? t.weightDecay : 0;
  return {
    hasValidation: d.validationFraction > 0,
    hasTest: loader.split === 'official' || d.testFraction > 0,
    schedule,
    weightDecay,
    classWeights: t.classWeights === 'balanced' && plan.task === 'classification',
    earlyStopping: t.earlyStopping.enabled,
    clip: t.gradientClip.type,
    needsLearningRate: schedule || weightDecay > 0,
  };
}

export function trainFileDependencies(plan: TrainPlan): Pick<Loader, 'dependencies' | 'devDependencies' | 'files' | 'readme' | 'description'> {
  const loader = loaderFor(plan);
  return { dependencies: loader.dependencies, devDependencies: loader.devDependencies, files: loader.files, readme: loader.readme, description: loader.description };
}

export function renderTrainFile(plan: TrainPlan): string {
  const loader = loaderFor(plan);
  const o = optionsOf(plan, loader);
  const { project } = plan;
  const t = project.training;
  const classification = plan.task === 'classification';
  const metricKey = classification ? 'acc' : 'mae';
  const metricLabel = classification ? 'accuracy' : 'MAE';
  const xType = loader.intInputs ? 'Int32Array' : 'Float32Array';
  const yType = classification ? 'Int32Array' : 'Float32Array';
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const section = (title: string) => push('', '// ' + '-'.repeat(93), `// ${title}`, '');

  // Header and imports.
  push(
    '/**',
    ` * Trains ${commentText(project.name)} on ${commentText(loader.description)} and saves it to ./trained-model.`,
    ' * Run it with `npm run train`.',
    ' */',
    "import * as fs from 'node:fs';",
    ...loader.imports.filter((i) => i.includes("'node:")),
    "import * as path from 'node:path';",
    ...loader.imports.filter((i) => !i.includes("'node:")),
    "import * as tf from '@tensorflow/tfjs';",
    `import { ${o.needsLearningRate ? 'LEARNING_RATE, ' : ''}buildModel, compileModel } from './model';`,
    '',
  );

  // Settings.
  push(
    '// Settings copied from the Neurowire project. For a quick trial run, the environment variables',
    '// NEUROWIRE_EPOCHS and NEUROWIRE_MAX_SAMPLES (the most samples per split) override EPOCHS and MAX_SAMPLES.',
    `const EPOCHS = numberFromEnv('NEUROWIRE_EPOCHS') ?? ${t.epochs};`,
    "const MAX_SAMPLES = numberFromEnv('NEUROWIRE_MAX_SAMPLES') ?? Infinity;",
    `const BATCH_SIZE = ${t.batchSize};`,
  );
  if (loader.split === 'official') push('/** Part of the official training set held out for validation (the official test set tests). */');
  push(`const VALIDATION_FRACTION = ${plan.choice.validationFraction};`);
  if (loader.split !== 'official') push(`const TEST_FRACTION = ${plan.choice.testFraction};`);
  if (loader.split !== 'time') push(`const SPLIT_SEED = ${plan.choice.splitSeed};`);
  if (o.clip !== 'none') {
    push(
      "/** Seed of the batch order, derived from the project's training seed as Neurowire derives it. */",
      `const BATCH_ORDER_SEED = (${t.seed} ^ 0x9e3779b9) >>> 0;`,
    );
  }
  if (o.schedule) push(...scheduleSettings(project));
  if (o.weightDecay > 0) {
    push('/** AdamW: the fraction of each kernel removed per step, scaled by the learning rate. */', `const WEIGHT_DECAY = ${o.weightDecay};`);
  }
  if (o.earlyStopping) {
    const es = t.earlyStopping;
    push(
      `/** Early stopping: watch ${monitorOf(plan, o).key}, stop after PATIENCE epochs without an improvement larger than MIN_DELTA. */`,
      `const PATIENCE = ${es.patience};`,
      `const MIN_DELTA = ${es.minDelta};`,
    );
  }
  if (o.clip === 'norm') push('/** Gradients are scaled down together so that their global norm is at most this. */', `const CLIP_NORM = ${t.gradientClip.value};`);
  if (o.clip === 'value') push('/** Every gradient value is clipped to [-CLIP_VALUE, CLIP_VALUE]. */', `const CLIP_VALUE = ${t.gradientClip.value};`);
  push('');
  if (loader.settings.length) push(...loader.settings, '');
  const sampleSize = plan.inputShape.reduce((a, b) => a * b, 1);
  push(
    "/** Shape of one sample, as the model's Input layer expects it, and its number of values. */",
    `const INPUT_SHAPE = ${literal(plan.inputShape)};`,
    `const SAMPLE_SIZE = ${sampleSize};`,
  );
  if (classification) push(`const NUM_CLASSES = ${plan.numClasses};`);
  push(
    "const OUTPUT_DIR = './trained-model';",
    '',
    '/** Moves the cursor to the start of the line and clears it, so progress updates in place. */',
    "const CLEAR_LINE = '\\r\\x1b[K';",
    '',
    `/** Samples in memory, one after another: \`x\` holds SAMPLE_SIZE ${loader.intInputs ? 'token ids' : 'values'} per sample, \`y\` ${classification ? 'the class' : 'the target value'} of each sample. */`,
    'interface Samples {',
    `  x: ${xType};`,
    `  y: ${yType};`,
    '  count: number;',
    '}',
    '',
    '/** The samples of each split. */',
    'interface Data {',
    '  train: Samples;',
    '  validation: Samples;',
    '  test: Samples;',
    ...indent(loader.dataFields, 2),
    '}',
    '',
    `/** A split as tensors: inputs, ${labelsDescription(plan)}, and the number of samples. */`,
    'interface Tensors {',
    '  xs: tf.Tensor;',
    '  ys: tf.Tensor;',
    '  count: number;',
    '}',
  );

  section(`The data: ${commentText(loader.description)}`);
  push(...loader.body);

  section(loader.split === 'time' ? 'The split, in time order' : 'The split, the same as in Neurowire');
  const uses = (name: string) => loader.body.some((l) => l.includes(name));
  push(...splitCode(plan, loader.split, xType, yType, uses('splitSamples('), { random: uses('seededRandom('), shuffle: o.clip !== 'none' }));

  section('Training');
  push(
    ...code`
      /** A positive whole number from an environment variable, if it is set. */
      function numberFromEnv(name: string): number | undefined {
        const value = Number(process.env[name]);
        return Number.isInteger(value) && value > 0 ? value : undefined;
      }

      /** At most MAX_SAMPLES samples of a split (the first ones). */
      function limit(samples: Samples): Samples {
        const count = Math.min(samples.count, MAX_SAMPLES);
        return { x: samples.x.subarray(0, count * SAMPLE_SIZE), y: samples.y.subarray(0, count), count };
      }
    `,
    '',
    `/** The samples as tensors: inputs shaped like the Input layer${loader.intInputs ? ' (int32 token ids)' : ''}, ${labelsDescription(plan)}. */`,
    'function toTensors(samples: Samples): Tensors {',
    `  const xs = tf.tensor(samples.x, [samples.count, ...INPUT_SHAPE]${loader.intInputs ? ", 'int32'" : ''});`,
  );
  if (plan.loss === 'categoricalCrossentropy') {
    push("  const labels = tf.tensor1d(samples.y, 'int32');", '  const ys = tf.oneHot(labels, NUM_CLASSES);', '  labels.dispose();');
  } else {
    push("  const ys = tf.tensor2d(samples.y, [samples.count, 1], 'float32');");
  }
  push('  return { xs, ys, count: samples.count };', '}');

  if (o.schedule) push('', ...scheduleFunctions(project));
  if (o.classWeights) {
    push(
      '',
      ...code`
        /**
         * 'balanced' class weights, as Neurowire computes them: samples / (classes × samples of the class),
         * 0 for a class without samples.
         */
        function balancedClassWeights(labels: Int32Array): number[] {
          const counts = new Array<number>(NUM_CLASSES).fill(0);
          for (const label of labels) counts[label]++;
          return counts.map((count) => (count > 0 ? labels.length / (NUM_CLASSES * count) : 0));
        }
      `,
    );
  }
  push(
    '',
    '/** Prints each batch\'s loss on a line that updates in place, and each epoch\'s metrics on a line of its own. */',
    'function showProgress(batchesPerEpoch: number): tf.CustomCallbackArgs {',
    '  return {',
    '    onBatchEnd: (batch, logs) => {',
    `      const metrics = \`loss \${format(logs?.loss)}  ${metricLabel} \${format(logs?.${metricKey})}\`;`,
    '      process.stdout.write(`${CLEAR_LINE}  batch ${batch + 1}/${batchesPerEpoch}  ${metrics}`);',
    '    },',
    '    onEpochEnd: (epoch, logs) => {',
    `      let line = \`Epoch \${epoch + 1}/\${EPOCHS}  loss \${format(logs?.loss)}  ${metricLabel} \${format(logs?.${metricKey})}\`;`,
  );
  if (o.hasValidation) push(`      line += \`  validation loss \${format(logs?.val_loss)}  validation ${metricLabel} \${format(logs?.val_${metricKey})}\`;`);
  if (o.schedule) push('      line += `  learning rate ${learningRateAt(epoch).toPrecision(3)}`;');
  push('      process.stdout.write(`${CLEAR_LINE}${line}\\n`);', '    },', '  };', '}');

  if (o.weightDecay > 0) push('', ...weightDecayCallback(o));
  if (o.earlyStopping) push('', ...earlyStoppingCallback(plan, o));
  if (o.clip !== 'none') push('', ...clipFunction(o.clip), '', ...customLoop(plan, o));

  push(
    '',
    ...code`
      /** Writes model.json + weights.bin (the TensorFlow.js format) with plain fs, so no native addon is needed. */
      async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
        await model.save(
          tf.io.withSaveHandler(async (artifacts) => {
            fs.mkdirSync(dir, { recursive: true });
            const modelJson = {
              format: artifacts.format,
              generatedBy: artifacts.generatedBy,
              convertedBy: artifacts.convertedBy ?? null,
              modelTopology: artifacts.modelTopology,
              trainingConfig: artifacts.trainingConfig,
              weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
            };
            fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
            const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
            fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(weights));
            return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
          }),
        );
      }

      function format(value: number | undefined): string {
        return value === undefined ? '-' : value.toFixed(4);
      }
    `,
  );

  // main()
  push(
    '',
    'async function main(): Promise<void> {',
    '  await tf.ready();',
    '  console.log(`TensorFlow.js backend: ${tf.getBackend()}`);',
    `  const data = ${loader.async ? 'await ' : ''}loadData();`,
  );
  if (o.classWeights) push('  const trainSamples = limit(data.train);', '  const train = toTensors(trainSamples);');
  else push('  const train = toTensors(limit(data.train));');
  if (o.hasValidation) push('  const validation = toTensors(limit(data.validation));');
  if (o.hasTest) push('  const test = toTensors(limit(data.test));');
  push(
    `  console.log(\`Samples: \${train.count} training${o.hasValidation ? ', ${validation.count} validation' : ''}${o.hasTest ? ', ${test.count} test' : ''}\`);`,
    '',
    '  const model = buildModel();',
    '  compileModel(model);',
    '  model.summary();',
    '',
  );
  const callbacks = ['showProgress(Math.ceil(train.count / BATCH_SIZE))'];
  if (o.schedule) callbacks.push('scheduleLearningRate(model)');
  if (o.weightDecay > 0) callbacks.push('decayWeights(model)');
  if (o.earlyStopping) callbacks.push('stopEarly(model)');
  const callbackLine = `  const callbacks = [${callbacks.join(', ')}];`;
  if (callbackLine.length <= 100) push(callbackLine);
  else push('  const callbacks = [', ...callbacks.map((c) => `    ${c},`), '  ];');
  if (o.clip !== 'none') {
    const args = ['model', 'train', o.hasValidation ? 'validation' : 'null', 'callbacks'];
    if (o.classWeights) args.push('balancedClassWeights(trainSamples.y)');
    push(`  await fitWithClipping(${args.join(', ')});`);
  } else {
    push('  await model.fit(train.xs, train.ys, {', '    epochs: EPOCHS,', '    batchSize: BATCH_SIZE,', '    shuffle: true,');
    if (o.hasValidation) push('    validationData: [validation.xs, validation.ys],');
    if (o.classWeights) push('    // { class: weight }', '    classWeight: { ...balancedClassWeights(trainSamples.y) },');
    push('    callbacks,', '  });');
  }
  if (o.hasTest) {
    push(
      '',
      `  const [testLoss, test${classification ? 'Accuracy' : 'Mae'}] = model.evaluate(test.xs, test.ys, { batchSize: BATCH_SIZE }) as tf.Scalar[];`,
      `  console.log(\`Test loss \${format(testLoss.dataSync()[0])}  test ${metricLabel} \${format(test${classification ? 'Accuracy' : 'Mae'}.dataSync()[0])}\`);`,
    );
  }
  push('', '  await saveModel(model, OUTPUT_DIR);');
  if (loader.intInputs) {
    push(
      '  // The tokenizer goes with the model: new texts must get the same token ids.',
      "  fs.writeFileSync(path.join(OUTPUT_DIR, 'vocabulary.json'), JSON.stringify(data.vocabulary));",
    );
  }
  push(
    '  console.log(`Saved the trained model to ${path.resolve(OUTPUT_DIR)}`);',
    '}',
    '',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
  );
  return out.join('\n') + '\n';
}

function labelsDescription(plan: TrainPlan): string {
  if (plan.loss === 'categoricalCrossentropy') return 'one-hot labels';
  if (plan.loss === 'binaryCrossentropy') return 'labels 0 or 1';
  return 'targets';
}

// ---------------------------------------------------------------------------------------------
// Learning-rate schedule

function scheduleSettings(project: Project): string[] {
  const s = project.training.schedule;
  const out = ['/** Learning-rate schedule (the rate itself is LEARNING_RATE in model.ts). */'];
  if (s.warmupEpochs > 0) out.push(`const WARMUP_EPOCHS = ${s.warmupEpochs};`);
  if (s.type === 'step') out.push(`const STEP_EPOCHS = ${s.stepEpochs};`);
  if (s.type === 'step' || s.type === 'exponential') out.push(`const GAMMA = ${s.gamma};`);
  if (s.type === 'cosine') out.push(`const MIN_LEARNING_RATE = ${s.minLearningRate};`);
  return out;
}

function scheduleFunctions(project: Project): string[] {
  const s = project.training.schedule;
  const warm = s.warmupEpochs > 0;
  const t = warm ? 't' : 'epoch';
  const describe = {
    constant: 'then LEARNING_RATE',
    step: 'then LEARNING_RATE × GAMMA every STEP_EPOCHS epochs',
    exponential: 'then LEARNING_RATE × GAMMA each epoch',
    cosine: 'then a cosine from LEARNING_RATE down towards MIN_LEARNING_RATE over the remaining epochs',
  }[s.type];
  const lines = [
    '/**',
    ` * The learning rate of an epoch (0-based), by the same formula as Neurowire: ${warm ? 'a linear warm-up from ~0 over WARMUP_EPOCHS epochs,' : ''}`.trimEnd(),
    ` * ${warm ? describe : describe.replace(/^then /, '')}.`,
    ' */',
    'function learningRateAt(epoch: number): number {',
  ];
  if (warm) {
    lines.push('  if (epoch < WARMUP_EPOCHS) return (LEARNING_RATE * (epoch + 1)) / (WARMUP_EPOCHS + 1);', '  const t = epoch - WARMUP_EPOCHS;');
  }
  switch (s.type) {
    case 'constant':
      lines.push('  return LEARNING_RATE;');
      break;
    case 'step':
      lines.push(`  return LEARNING_RATE * Math.pow(GAMMA, Math.floor(${t} / STEP_EPOCHS));`);
      break;
    case 'exponential':
      lines.push(`  return LEARNING_RATE * Math.pow(GAMMA, ${t});`);
      break;
    case 'cosine':
      lines.push(
        `  const total = Math.max(1, EPOCHS${warm ? ' - WARMUP_EPOCHS' : ''});`,
        '  const min = Math.min(MIN_LEARNING_RATE, LEARNING_RATE);',
        `  return min + ((LEARNING_RATE - min) * (1 + Math.cos((Math.PI * Math.min(${t}, total)) / total))) / 2;`,
      );
      break;
  }
  lines.push('}', '');
  const sgdFamily = project.training.optimizer === 'sgd';
  if (sgdFamily) {
    lines.push(
      ...code`
        /** Sets the optimizer's learning rate for its next steps. */
        function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
          (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
        }
      `,
    );
  } else {
    lines.push(
      ...code`
        /**
         * Sets the optimizer's learning rate for its next steps. TensorFlow.js reads it from a protected field on
         * every step and has no setter for this optimizer, hence the cast.
         */
        function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
          (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
        }
      `,
    );
  }
  lines.push(
    '',
    ...code`
      /** Sets the learning rate at the start of each epoch. */
      function scheduleLearningRate(model: tf.LayersModel): tf.CustomCallbackArgs {
        return {
          onEpochBegin: (epoch) => setLearningRate(model.optimizer, learningRateAt(epoch)),
        };
      }
    `,
  );
  return lines;
}

// ---------------------------------------------------------------------------------------------
// AdamW, early stopping, gradient clipping

function weightDecayCallback(o: Options): string[] {
  return code`
    /**
     * AdamW = Adam + decoupled weight decay, applied as Neurowire applies it: after each optimizer step, every
     * kernel and embedding matrix (never a bias or a normalization parameter) shrinks by learning rate × WEIGHT_DECAY.
     */
    function decayWeights(model: tf.LayersModel): tf.CustomCallbackArgs {
      const decayed = model.trainableWeights.filter((w) => /^(\w*kernel|embeddings)(_\d+)?$/.test(w.originalName.split('/').pop() ?? ''));
      let keep = 1 - LEARNING_RATE * WEIGHT_DECAY;
      return {
        ${o.schedule ? 'onEpochBegin: (epoch) => {\n          keep = 1 - learningRateAt(epoch) * WEIGHT_DECAY;\n        },' : '// The learning rate is constant: so is the factor.'}
        onBatchEnd: () => {
          tf.tidy(() => {
            for (const w of decayed) w.write(tf.mul(w.read(), keep));
          });
        },
      };
    }
  `.map((l) => l.replace(/^\s+$/, ''));
}

interface Monitor {
  key: string;
  lowerIsBetter: boolean;
}

/** The logs key early stopping watches: val_* falls back to the training metric without a validation split; regression "acc" is MAE. */
function monitorOf(plan: TrainPlan, o: Options): Monitor {
  let m: string = plan.project.training.earlyStopping.monitor;
  if (m.startsWith('val_') && !o.hasValidation) m = m.slice(4);
  const regression = plan.task === 'regression';
  if (m.endsWith('acc')) return regression ? { key: m.replace('acc', 'mae'), lowerIsBetter: true } : { key: m, lowerIsBetter: false };
  return { key: m, lowerIsBetter: true };
}

function earlyStoppingCallback(plan: TrainPlan, o: Options): string[] {
  const es = plan.project.training.earlyStopping;
  const m = monitorOf(plan, o);
  const improved = m.lowerIsBetter ? 'value < best.value - MIN_DELTA' : 'value > best.value + MIN_DELTA';
  const note =
    m.key !== es.monitor
      ? ` (${es.monitor} in the project; ${!o.hasValidation && es.monitor.startsWith('val_') ? 'there is no validation split' : 'MAE for regression'})`
      : '';
  const restore = es.restoreBest;
  const lines = code`
    /**
     * Early stopping, as Neurowire does it: after each epoch ${m.key}${note} is compared with the best so far
     * (${m.lowerIsBetter ? 'lower' : 'higher'} is better, by more than MIN_DELTA); training stops when it has not improved for PATIENCE epochs${restore ? ',\n     * and the weights of the best epoch are put back at the end' : ''}.
     */
    function stopEarly(model: tf.LayersModel): tf.CustomCallbackArgs {
      let best: { epoch: number; value: number${restore ? '; weights: tf.Tensor[]' : ''} } | null = null;
      let lastEpoch = -1;
      return {
        onEpochEnd: (epoch, logs) => {
          lastEpoch = epoch;
          const value = logs?.${m.key};
          if (value === undefined || !Number.isFinite(value)) return;
          if (best === null || ${improved}) {
            ${restore ? 'best?.weights.forEach((w) => w.dispose());\n            best = { epoch, value, weights: model.getWeights().map((w) => w.clone()) };' : 'best = { epoch, value };'}
          }
          if (epoch - best.epoch >= PATIENCE && epoch + 1 < EPOCHS) {
            console.log(\`Early stopping after epoch \${epoch + 1}: ${m.key} has not improved for \${PATIENCE} epochs (best: epoch \${best.epoch + 1}).\`);
            model.stopTraining = true;
          }
        },
  `;
  if (restore) {
    lines.push(
      ...code`
        onTrainEnd: () => {
          if (best === null) return;
          if (best.epoch !== lastEpoch) {
            model.setWeights(best.weights);
            console.log(\`Restored the weights of epoch \${best.epoch + 1}, the best by ${m.key}.\`);
          }
          best.weights.forEach((w) => w.dispose());
        },
      `.map((l) => (l ? '    ' + l : l)),
    );
  }
  lines.push('  };', '}');
  return lines;
}

function clipFunction(clip: 'norm' | 'value'): string[] {
  if (clip === 'norm') {
    return code`
      /** Scales all gradients down together so that their global norm is at most CLIP_NORM, as Neurowire clips. */
      function clipGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
        const names = Object.keys(grads);
        const norm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name])))));
        const scale = tf.div(CLIP_NORM, tf.maximum(norm, CLIP_NORM));
        return Object.fromEntries(names.map((name) => [name, tf.mul(grads[name], scale)]));
      }
    `;
  }
  return code`
    /** Clips every gradient value to [-CLIP_VALUE, CLIP_VALUE], as Neurowire clips. */
    function clipGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
      return Object.fromEntries(Object.entries(grads).map(([name, grad]) => [name, tf.clipByValue(grad, -CLIP_VALUE, CLIP_VALUE)]));
    }
  `;
}

function customLoop(plan: TrainPlan, o: Options): string[] {
  const t = plan.project.training;
  const penalties = t.l1 > 0 || t.l2 > 0;
  const lossFn = plan.loss;
  const accuracy = { categoricalCrossentropy: 'categoricalAccuracy', binaryCrossentropy: 'binaryAccuracy', meanSquaredError: 'meanAbsoluteError' }[lossFn];
  const classIndex = lossFn === 'categoricalCrossentropy' ? 'tf.argMax(ys, -1)' : "tf.cast(tf.reshape(ys, [-1]), 'int32')";
  const metricKey = plan.task === 'classification' ? 'acc' : 'mae';
  const lossLine = o.classWeights
    ? `let loss: tf.Tensor = tf.mean(tf.mul(tf.metrics.${lossFn}(ys, predictions), tf.gather(weights, ${classIndex})));`
    : `let loss: tf.Tensor = tf.mean(tf.metrics.${lossFn}(ys, predictions));`;
  const params = ['model: tf.LayersModel', 'train: Tensors', 'validation: Tensors | null', 'callbacks: tf.CustomCallbackArgs[]'];
  if (o.classWeights) params.push('classWeights: number[]');
  const what = [
    `the loss (${lossFn}${o.classWeights ? ' weighted by class' : ''}${penalties ? ', plus the L1/L2 penalties of the kernels' : ''})`,
    'its gradients, clipped, and the optimizer\'s step',
  ];
  const lines = [
    '/**',
    ' * model.fit written out, because gradient clipping needs the gradients between computing and applying them.',
    " * Each epoch shuffles the training samples (seeded, like Neurowire's batch order); each batch computes",
    ` * ${what[0]},`,
    ` * ${what[1]}. The callbacks run as model.fit would run them.`,
    ' */',
    ...(`async function fitWithClipping(${params.join(', ')}): Promise<void> {`.length <= 100
      ? [`async function fitWithClipping(${params.join(', ')}): Promise<void> {`]
      : ['async function fitWithClipping(', ...params.map((p) => `  ${p},`), '): Promise<void> {']),
    '  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);',
  ];
  if (o.classWeights) lines.push("  const weights = tf.tensor1d(classWeights, 'float32');");
  lines.push(
    ...code`
      const random = seededRandom(BATCH_ORDER_SEED);

      /** One optimizer step; returns [loss, ${plan.task === 'classification' ? 'correct predictions' : 'summed absolute error'}] of the batch. */
      const step = (xs: tf.Tensor, ys: tf.Tensor): tf.Tensor =>
        tf.tidy(() => {
          let metric: tf.Tensor = tf.scalar(0);
          const { value, grads } = tf.variableGrads(() => {
            const predictions = model.apply(xs, { training: true }) as tf.Tensor;
            // Kept: variableGrads disposes every other tensor made in here.
            metric = tf.keep(tf.sum(tf.metrics.${accuracy}(ys, predictions)));
            ${lossLine}
    `.map((l) => (l ? '  ' + l : l)),
  );
  if (penalties) lines.push('        // The L1/L2 penalties the layers add (kernelRegularizer in model.ts).', '        loss = tf.addN([loss, ...model.calculateLosses()]);');
  lines.push(
    ...code`
            return loss as tf.Scalar;
          }, variables);
          model.optimizer.applyGradients(clipGradients(grads));
          const stats = tf.stack([value, metric]);
          metric.dispose();
          return stats;
        });

      model.stopTraining = false;
      for (const callback of callbacks) await callback.onTrainBegin?.();
      for (let epoch = 0; epoch < EPOCHS && !model.stopTraining; epoch++) {
        for (const callback of callbacks) await callback.onEpochBegin?.(epoch);
        const order = Int32Array.from({ length: train.count }, (_, i) => i);
        shuffle(order, random);
        let lossSum = 0;
        let metricSum = 0;
        for (let batch = 0; batch * BATCH_SIZE < train.count; batch++) {
          const indices = tf.tensor1d(order.subarray(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE), 'int32');
          const xs = tf.gather(train.xs, indices);
          const ys = tf.gather(train.ys, indices);
          const stats = step(xs, ys);
          const [loss, metric] = await stats.data();
          const count = indices.shape[0];
          tf.dispose([indices, xs, ys, stats]);
          lossSum += loss * count;
          metricSum += metric;
          for (const callback of callbacks) await callback.onBatchEnd?.(batch, { loss, ${metricKey}: metric / count });
        }
        const logs: tf.Logs = { loss: lossSum / train.count, ${metricKey}: metricSum / train.count };
        if (validation) {
          const scores = model.evaluate(validation.xs, validation.ys, { batchSize: BATCH_SIZE }) as tf.Scalar[];
          [logs.val_loss, logs.val_${metricKey}] = scores.map((s) => s.dataSync()[0]);
          tf.dispose(scores);
        }
        for (const callback of callbacks) await callback.onEpochEnd?.(epoch, logs);
      }
      for (const callback of callbacks) await callback.onTrainEnd?.();
    `.map((l) => (l ? '  ' + l : l)),
  );
  if (o.classWeights) lines.push('  weights.dispose();');
  lines.push('}');
  return lines;
}
