import type { DatasetSource, Project } from '../project';
import { code, commentText } from './print';

/**
 * train.ts of the generated project. It holds no data reader and no training loop of its own: it imports the
 * app's modules shipped beside it (SHIPPED_DIR), so it reads the data with the app's openDataset and trains with
 * the app's runTrainingJob — every data source and training option has one implementation, the app's. What is
 * left here is what a person running a script needs: the settings file, progress on the terminal, the saved model.
 */

/** Where the shipped modules live in the generated project (main/'s layout below it). */
export const SHIPPED_DIR = 'src/neurowire';

/** The project's settings, read by train.ts (the same format as a saved Neurowire project). */
export const PROJECT_FILE = 'project.neurowire.json';

/** The shipped modules train.ts imports, relative to main/. Everything they import is shipped with them. */
export const SHIPPED_ENTRIES = ['core/project.ts', 'core/training/job.ts', 'node/datasets/index.ts'] as const;

/** The data, in words, for the header of train.ts and the README. */
export function dataDescription(source: DatasetSource): string {
  switch (source.type) {
    case 'builtin':
      return BUILTIN_DESCRIPTIONS[source.name];
    case 'csv':
      return `the table ${source.path}`;
    case 'text':
      return `the texts of ${source.path}`;
    case 'images':
      return `the images in ${source.path}`;
    case 'timeseries':
      return `the series in ${source.path}`;
  }
}

const BUILTIN_DESCRIPTIONS: Record<Extract<DatasetSource, { type: 'builtin' }>['name'], string> = {
  mnist: 'the MNIST handwritten digits',
  'fashion-mnist': 'Fashion-MNIST',
  cifar10: 'CIFAR-10',
  spirals: 'the synthetic "spirals" set',
  xor: 'the synthetic "xor" set',
  circles: 'the synthetic "circles" set',
  sine: 'the synthetic sine series',
  reviews: 'the synthetic "reviews" set of short movie reviews',
};

const m = (path: string) => `./${SHIPPED_DIR}/${path.replace(/\.ts$/, '')}`;

export function renderTrainFile(project: Project): string {
  const header = [
    '/**',
    ` * Trains ${commentText(project.name)} on ${commentText(dataDescription(project.dataset.source))} and saves it to ./trained-model.`,
    ' * Run it with `npm run train`.',
    ' *',
    ` * The settings are the Neurowire project's, in ${PROJECT_FILE}. The data is read and the network trained`,
    ` * by Neurowire's own modules, shipped unchanged in ${SHIPPED_DIR}/: openDataset reads and splits the data as`,
    ' * the app does, runTrainingJob trains with every option of the project (optimizer, schedule, weight decay,',
    ' * class weights, early stopping, clipping, L1/L2), building the network with buildModel() from model.ts.',
    ' */',
  ];
  const body = code`
    import * as fs from 'node:fs';
    import * as path from 'node:path';
    import * as tf from '@tensorflow/tfjs';
    import { buildModel } from './model';
    import { parseProject, type Project } from '${m('core/project.ts')}';
    import { runTrainingJob } from '${m('core/training/job.ts')}';
    import type { SplitData, TrainingData } from '${m('core/training/types.ts')}';
    import type { TrainingEvent } from '${m('core/api/contract.ts')}';
    import { openDatasetLogged } from '${m('node/datasets/index.ts')}';

    const PROJECT_FILE = new URL('./${PROJECT_FILE}', import.meta.url);
    const OUTPUT_DIR = './trained-model';
    /** Moves the cursor to the start of the line and clears it, so progress updates in place. */
    const CLEAR_LINE = '\r\x1b[K';

    /** A positive whole number from an environment variable, if it is set. */
    function numberFromEnv(name: string): number | undefined {
      const value = Number(process.env[name]);
      return Number.isInteger(value) && value > 0 ? value : undefined;
    }

    /**
     * The project's settings. For a quick trial run, the environment variables NEUROWIRE_EPOCHS and
     * NEUROWIRE_MAX_SAMPLES (the most samples per split) override the epochs and the amount of data.
     */
    function loadProject(): Project {
      const project = parseProject(fs.readFileSync(PROJECT_FILE, 'utf8'), '${PROJECT_FILE}');
      const epochs = numberFromEnv('NEUROWIRE_EPOCHS');
      return epochs ? { ...project, training: { ...project.training, epochs } } : project;
    }
    const MAX_SAMPLES = numberFromEnv('NEUROWIRE_MAX_SAMPLES') ?? Infinity;

    /** The first MAX_SAMPLES samples of a split. */
    function limit(split: SplitData): SplitData {
      const count = Math.min(split.count, MAX_SAMPLES);
      return { count, labels: split.labels?.subarray(0, count), getBatch: (indices) => split.getBatch(indices) };
    }

    function format(value: number | undefined): string {
      return value === undefined ? '-' : value.toFixed(4);
    }

    /** Prints the job's messages, each batch on a line that updates in place, and each epoch on a line of its own. */
    function show(event: TrainingEvent, epochs: number): void {
      if (event.type === 'log') process.stdout.write(\`\${CLEAR_LINE}\${event.message}\n\`);
      else if (event.type === 'batch') {
        const metric = event.mae === undefined ? \`accuracy \${format(event.acc)}\` : \`MAE \${format(event.mae)}\`;
        process.stdout.write(\`\${CLEAR_LINE}  batch \${event.batch + 1}/\${event.batchesPerEpoch}  loss \${format(event.loss)}  \${metric}\`);
      } else if (event.type === 'epoch') {
        const e = event.metrics;
        // Regression reports its mean absolute error, classification its accuracy.
        const score = (prefix: string, acc: number | undefined, mae: number | undefined) =>
          e.mae === undefined ? \`\${prefix}accuracy \${format(acc)}\` : \`\${prefix}MAE \${format(mae)}\`;
        let line = \`Epoch \${e.epoch + 1}/\${epochs}  loss \${format(e.loss)}  \${score('', e.acc, e.mae)}\`;
        if (e.valLoss !== undefined) line += \`  validation loss \${format(e.valLoss)}  \${score('validation ', e.valAcc, e.valMae)}\`;
        // A network with several outputs: each output's own loss and accuracy or MAE.
        for (const o of e.outputs ?? []) {
          const metric = o.mae === undefined ? \`accuracy \${format(o.acc)}\` : \`MAE \${format(o.mae)}\`;
          line += \`\n    \${o.name}: loss \${format(o.loss)}  \${metric}\`;
        }
        process.stdout.write(\`\${CLEAR_LINE}\${line}\n\`);
      }
    }

    /** Writes model.json + weights.bin (the TensorFlow.js format) with plain fs, so no native addon is needed. */
    function saveModel(artifacts: tf.io.ModelArtifacts, dir: string): void {
      fs.mkdirSync(dir, { recursive: true });
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        // What the data looked like (task, classes, preprocessing), for whoever deploys the model.
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(weights));
    }

    async function main(): Promise<void> {
      const project = loadProject();
      let data: TrainingData | undefined;
      const result = await runTrainingJob(
        { runId: 'train', project },
        {
          // Plain @tensorflow/tfjs: the JavaScript CPU backend, nothing native to install.
          async selectBackend() {
            await tf.ready();
            return { tf, info: { name: tf.getBackend(), device: 'CPU (TensorFlow.js)', attempts: [] } };
          },
          async loadData(log) {
            const all = await openDatasetLogged(project.dataset, log);
            data = { info: all.info, train: limit(all.train), validation: limit(all.validation), test: limit(all.test) };
            return data;
          },
          buildModel: () => buildModel(),
          emit: (event) => show(event, project.training.epochs),
          control: { shouldStop: () => false, waitWhilePaused: async () => {} },
        },
      );
      if (result.status === 'failed' || !result.artifacts) throw new Error(result.error ?? 'Training ended without a model.');

      if (result.test) {
        const mae = result.evaluation?.regression?.mae;
        const mse = result.evaluation?.reconstruction?.mse;
        // An autoencoder reports how far its reconstructions are from the inputs.
        let score = mae === undefined ? \`test accuracy \${format(result.test.acc)}\` : \`test MAE \${format(mae)}\`;
        if (mse !== undefined) score = \`test reconstruction MSE \${format(mse)}\`;
        console.log(\`Test loss \${format(result.test.loss)}  \${score}\`);
        for (const o of result.evaluation?.outputs ?? []) {
          const metric = o.regression ? \`MAE \${format(o.regression.mae)}\` : \`accuracy \${format(o.classification?.accuracy)}\`;
          console.log(\`  \${o.name}: test loss \${format(o.loss)}  \${metric}\`);
        }
      }
      saveModel(result.artifacts, OUTPUT_DIR);
      // Text models need the vocabulary to turn new texts into token ids (a table's text Inputs: in model.json's metadata).
      const vocabulary = data?.info.vocabulary;
      if (vocabulary) fs.writeFileSync(path.join(OUTPUT_DIR, 'vocabulary.json'), JSON.stringify(vocabulary));
      console.log(\`Saved the trained model to \${path.resolve(OUTPUT_DIR)}\`);
    }

    main().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  `;
  return [...header, ...body].join('\n') + '\n';
}
