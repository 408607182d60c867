import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openProjectFile } from '../projectFiles';
import { startTraining } from '../training/run';
import { reconstructionLine } from '../../core/training/job';
import { exportTrainedModel } from '../export';
import { QUANTIZATIONS, type Quantization } from '../../core/quantize';
import { RunStore, RunStoreError, checkRunId, type RunResume } from '../runs';
import { startRecordedTraining } from '../recordedTraining';
import { defaultDataDir } from '../engine';
import { resumeMismatch } from '../../core/training/resume';
import { inspectDataset } from '../datasets';
import { DATASET_OPTIONS, DATASET_USAGE, datasetChoiceFromOptions } from './datasetArgs';
import { OPTIMIZERS, TrainingConfigSchema, type Project } from '../../core/project';
import type { DatasetInfo } from '../../core/datasets';
import { analyzeGraph } from '../../core/graph/analyze';
import { datasetInfoFor, targetOf } from '../../core/datasets';
import type { TrainingEvent } from '../../core/api/contract';
import { parseThreadCount } from '../wasm/wasmThreads';

const USAGE = `Usage: npm run train -- <project.json> [data options] [--epochs N] [--batch-size N]
                       [--lr X] [--optimizer ${OPTIMIZERS.join('|')}] [--backend wasm|cpu|tensorflow|webgpu] [--threads N] [--out DIR]
                       [--quantize ${QUANTIZATIONS.join('|')}]
       npm run train -- --resume <run id | run folder> [--backend …] [--threads N] [--out DIR]

Trains a Neurowire project without the app and writes the trained model (TensorFlow.js format, its
weights quantized to float16 or uint8 with --quantize), the generated TypeScript and Keras projects and
pictures of the network to DIR (default: ./neurowire-export).

Every run is recorded like the app's, in $NEUROWIRE_HOME/runs/<run id> (default ~/Neurowire/runs):
its metrics per epoch and a checkpoint of the weights after every finished epoch, so the app's
Runs list shows it and a run cut off (Ctrl-C, kill, crash) keeps every finished epoch.

  --threads N               threads for CPU training (WebAssembly backend); default: $NEUROWIRE_THREADS,
                            else the cores other work leaves free (cores minus the load average).
  --resume RUN              continue an unfinished run from its last checkpoint, at the next epoch, with
                            the run's own project, data and split. A project file or options given with it
                            must match the run's; a complete run is refused. The optimizer's state (Adam's
                            moments, momentum) is checkpointed too and carries on.

${DATASET_USAGE}`;

function isQuantization(value: string): value is Quantization {
  return (QUANTIZATIONS as readonly string[]).includes(value);
}

function fail(message: string): never {
  console.error(`neurowire train: ${message}`);
  process.exit(2);
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, not "${value}".`);
  return n;
}

function bar(fraction: number, width = 28): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function applyOverrides(project: Project, o: { epochs?: number; batchSize?: number; lr?: number; optimizer?: string }): Project {
  const training = TrainingConfigSchema.safeParse({
    ...project.training,
    ...(o.epochs !== undefined && { epochs: o.epochs }),
    ...(o.batchSize !== undefined && { batchSize: o.batchSize }),
    ...(o.lr !== undefined && { learningRate: o.lr }),
    ...(o.optimizer !== undefined && { optimizer: o.optimizer }),
  });
  if (!training.success) fail(training.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return { ...project, training: training.data };
}

/**
 * The run `arg` names (a run id in $NEUROWIRE_HOME/runs, or the path of a run folder) and where it continues;
 * fails with the reason when it cannot be resumed.
 */
async function findRunToResume(arg: string): Promise<{ store: RunStore; resume: RunResume }> {
  const asPath = path.resolve(arg);
  const isFolder = /[\\/]/.test(arg) || existsSync(asPath);
  const store = new RunStore(isFolder ? path.dirname(asPath) : path.join(defaultDataDir(), 'runs'));
  const runId = isFolder ? path.basename(asPath) : arg;
  try {
    checkRunId(runId);
    return { store, resume: await store.resumePoint(runId) };
  } catch (e) {
    if (e instanceof RunStoreError && e.code === 'not_found') fail(`cannot resume: there is no run ${runId} in ${store.dir}.`);
    fail(`cannot resume: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        ...DATASET_OPTIONS,
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string' },
        quantize: { type: 'string' },
        resume: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let threads: number | undefined;
  try {
    threads = values.threads === undefined ? undefined : parseThreadCount(values.threads, '--threads');
  } catch (e) {
    fail((e as Error).message);
  }
  const resumeArg = values.resume;
  if (resumeArg === undefined ? positionals.length !== 1 : positionals.length > 1) fail(`give exactly one project file.\n${USAGE}`);

  // A resumed run trains its own project; a project file and options given with --resume must agree with it.
  let resume: RunResume | undefined;
  let store = new RunStore(path.join(defaultDataDir(), 'runs'));
  if (resumeArg !== undefined) {
    ({ store, resume } = await findRunToResume(resumeArg));
  }

  let project: Project;
  try {
    project = positionals.length === 1 ? await openProjectFile(positionals[0]) : resume!.project;
  } catch (e) {
    fail((e as Error).message);
  }
  try {
    project = { ...project, dataset: datasetChoiceFromOptions(project.dataset, values) };
  } catch (e) {
    fail((e as Error).message);
  }
  project = applyOverrides(project, {
    epochs: numberOption('epochs', values.epochs),
    batchSize: numberOption('batch-size', values['batch-size']),
    lr: numberOption('lr', values.lr),
    optimizer: values.optimizer,
  });
  if (resume) {
    const mismatch = resumeMismatch(resume.project, project);
    if (mismatch) fail(`cannot resume run ${resume.runId}: ${mismatch}.`);
    project = resume.project;
  }

  let dataset: DatasetInfo;
  try {
    const preview = await inspectDataset(project.dataset.source);
    dataset = datasetInfoFor(project.dataset, preview.info);
    if (!dataset.available) fail(`${dataset.name} is not available: ${dataset.unavailableReason ?? 'its files were not found'}.`);
    for (const p of preview.problems) console.error(`data: ${p.file}${p.line ? `:${p.line}` : ''}${p.column ? ` (column ${p.column})` : ''}: ${p.message}`);
    if (preview.problemCount > preview.problems.length) console.error(`data: … ${preview.problemCount - preview.problems.length} more problem(s)`);
  } catch (e) {
    fail((e as Error).message);
  }
  const analysis = analyzeGraph(project.graph, targetOf(dataset), project.training.outputs, { batchSize: project.training.batchSize });
  const fixes = [...analysis.fixes, ...Object.values(analysis.nodes).flatMap((n) => n.fixes)];
  // The fixes the editor shows as buttons, printed under the message they answer.
  const withFixes = (message: string, indent: string) =>
    [message, ...fixes.filter((f) => f.problem === message).map((f) => `${indent}fix: ${f.label}`)].join('\n');
  if (!analysis.valid) {
    const problems = [...analysis.errors, ...Object.values(analysis.nodes).flatMap((n) => n.errors)];
    const listed = problems.map((p) => `  - ${withFixes(p, '      ')}`).join('\n');
    const hint = fixes.some((f) => problems.includes(f.problem)) ? '\nOpen the project in Neurowire to apply a fix with one click.' : '';
    fail(`the network has ${problems.length} problem(s):\n${listed}${hint}`);
  }
  for (const w of [...analysis.warnings, ...Object.values(analysis.nodes).flatMap((n) => n.warnings)]) console.error(`warning: ${withFixes(w, '    ')}`);

  const outDir = path.resolve(values.out ?? 'neurowire-export');
  const quantize = values.quantize ?? 'none';
  if (!isQuantization(quantize)) fail(`--quantize must be one of ${QUANTIZATIONS.join(', ')}, not "${quantize}".`);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const onEvent = (e: TrainingEvent) => {
    switch (e.type) {
      case 'started':
        console.error(`Training "${project.name}" on ${dataset.name}: ${e.trainSamples} train / ${e.valSamples} validation / ${e.testSamples} test samples`);
        console.error(`Backend: ${e.backend.name} — ${e.backend.device}`);
        for (const a of e.backend.attempts.filter((x) => !x.ok)) console.error(`  (not used: ${a.name} — ${a.reason ?? 'unavailable'})`);
        break;
      case 'batch': {
        const line = `epoch ${e.epoch + 1}/${project.training.epochs} ${bar(e.progress)} ${(e.progress * 100).toFixed(0).padStart(3)}%  loss ${e.loss.toFixed(4)}  ${e.mae !== undefined ? `mae ${e.mae.toPrecision(4)}` : `acc ${e.acc.toFixed(3)}`}  ${Math.round(e.samplesPerSec)} samples/s  ETA ${formatEta(e.etaSec)}`;
        if (tty) process.stderr.write(`\r${line}`);
        else if (Date.now() - lastLine > 5000) {
          console.error(line);
          lastLine = Date.now();
        }
        break;
      }
      case 'epoch': {
        const m = e.metrics;
        if (tty) process.stderr.write('\n');
        console.error(
          m.mae !== undefined
            ? // Regression: mean absolute error instead of accuracy.
              `epoch ${m.epoch + 1}: loss ${m.loss.toFixed(4)} mae ${m.mae.toPrecision(4)}` +
                (m.valLoss !== undefined ? `  val_loss ${m.valLoss.toFixed(4)} val_mae ${(m.valMae ?? 0).toPrecision(4)}` : '')
            : `epoch ${m.epoch + 1}: loss ${m.loss.toFixed(4)} acc ${m.acc.toFixed(4)}` +
                (m.valLoss !== undefined ? `  val_loss ${m.valLoss.toFixed(4)} val_acc ${(m.valAcc ?? 0).toFixed(4)}` : ''),
        );
        // Several outputs: each one's loss and metric (the line above has the total loss and the first output's metric).
        for (const o of m.outputs ?? []) {
          const metric = (prefix: string, acc: number | undefined, mae: number | undefined) =>
            mae !== undefined ? `${prefix}mae ${mae.toPrecision(4)}` : `${prefix}acc ${(acc ?? 0).toFixed(4)}`;
          console.error(
            `  ${o.name}: loss ${o.loss.toFixed(4)} ${metric('', o.acc, o.mae)}` +
              (o.valLoss !== undefined ? `  val_loss ${o.valLoss.toFixed(4)} ${metric('val_', o.valAcc, o.valMae)}` : ''),
          );
        }
        break;
      }
      case 'log':
        console.error(e.message);
        break;
      case 'done':
        break;
    }
  };

  const { run, persisted } = startRecordedTraining(
    store,
    project,
    (onEvents, onCheckpoint) => startTraining(project, onEvents, { backend: values.backend, ...(threads !== undefined ? { threads } : {}), onCheckpoint, ...(resume ? { resume } : {}) }),
    { emit: onEvent, ...(resume ? { resume } : {}), log: (m) => console.error(`run history: ${m}`) },
  );
  console.error(`${resume ? 'Resuming' : 'Recording'} run ${run.runId} in ${store.runDir(run.runId)}`);
  console.error(`  (if it is cut off: npm run train -- --resume ${run.runId})`);
  process.on('SIGINT', () => {
    console.error('\nStopping after this batch…');
    run.stop();
  });
  const result = await run.done;
  await persisted;
  if (result.status === 'failed') fail(`training failed: ${result.error}`);
  const regression = result.evaluation?.regression;
  const reconstruction = result.evaluation?.reconstruction;
  if (reconstruction && result.test) {
    console.error(`test: loss ${result.test.loss.toFixed(4)} ${reconstructionLine(reconstruction)}`);
  } else if (regression && result.test) {
    console.error(`test: loss ${result.test.loss.toFixed(4)} MAE ${regression.mae.toPrecision(4)} RMSE ${regression.rmse.toPrecision(4)} R² ${regression.r2.toFixed(3)}`);
  } else if (result.test) console.error(`test: loss ${result.test.loss.toFixed(4)} accuracy ${result.test.acc.toFixed(4)}`);
  for (const o of result.evaluation?.outputs ?? []) {
    const metric = o.regression ? `MAE ${o.regression.mae.toPrecision(4)} R² ${o.regression.r2.toFixed(3)}` : `accuracy ${(o.classification?.accuracy ?? 0).toFixed(4)}`;
    console.error(`  ${o.name}: test loss ${o.loss.toFixed(4)} ${metric}`);
  }
  if (!result.artifacts) fail('training ended without a model to export.');
  const exported = await exportTrainedModel({ project, artifacts: result.artifacts, dir: outDir, quantize });
  console.error(`${result.status === 'stopped' ? 'Stopped early; exported the partially trained model' : 'Exported'} to ${exported.dir}:`);
  for (const f of exported.files) console.error(`  ${f}`);
}

main().catch((e) => fail((e as Error).stack ?? String(e)));
