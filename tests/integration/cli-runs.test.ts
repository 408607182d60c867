import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunStore, CRASHED_RUN_ERROR, CHECKPOINTS_DIR, METRICS_FILE } from '../../main/node/runs';
import { fileSystemLoadHandler } from '../../main/node/export';
import { OPTIMIZER_RESTORED_NOTE } from '../../main/core/training/resume';

const root = path.resolve(__dirname, '../..');
// One process (no tsx launcher in between), so SIGKILL reaches the trainer itself.
const trainer = [process.execPath, '--import', 'tsx', 'main/node/cli/train.ts'] as const;
// 4,200 training points in batches of 16: an epoch is hundreds of steps, long beside a file poll.
const SPIRALS = ['templates/spirals-mlp.json', '--dataset', 'spirals', '--samples', '6000', '--batch-size', '16', '--epochs', '3'];
/** Generous: the machine may be busy; the test waits on files, never on a time. */
const WAIT_MS = 400_000;

function start(home: string, args: string[]): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(trainer[0], [...trainer.slice(1), ...args], { cwd: root, env: { ...process.env, NEUROWIRE_HOME: home } });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function train(home: string, args: string[]) {
  const r = spawnSync(trainer[0], [...trainer.slice(1), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NEUROWIRE_HOME: home }, timeout: WAIT_MS });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Polls `find` until it gives a value; rejects if the process ends first. */
async function waitFor<T>(find: () => Promise<T | null>, child: ChildProcess, output: () => string): Promise<T> {
  for (;;) {
    const found = await find();
    if (found !== null) return found;
    if (child.exitCode !== null) throw new Error(`the trainer exited (${child.exitCode}) first:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runIdIn(home: string): Promise<string | null> {
  const names = await fs.readdir(path.join(home, 'runs')).catch(() => [] as string[]);
  return names.find((n) => !n.startsWith('.')) ?? null;
}

async function checkpointEpochs(runDir: string): Promise<number[]> {
  const names = await fs.readdir(path.join(runDir, CHECKPOINTS_DIR));
  return names.flatMap((n) => (/^epoch-(\d+)$/.exec(n) ? [Number(/^epoch-(\d+)$/.exec(n)![1])] : [])).sort((a, b) => a - b);
}

/** Loads a checkpoint as the app would and checks its weights are all there and finite. */
async function loadCheckpoint(runDir: string, epoch: number): Promise<Uint8Array> {
  const artifacts = await fileSystemLoadHandler(path.join(runDir, CHECKPOINTS_DIR, `epoch-${epoch}`, 'model.json')).load!();
  const specs = artifacts.weightSpecs!;
  const data = artifacts.weightData as ArrayBuffer;
  expect(data.byteLength).toBe(specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0));
  const decoded = tf.io.decodeWeights(data, specs);
  for (const t of Object.values(decoded)) expect(t.dataSync().every(Number.isFinite)).toBe(true);
  return new Uint8Array(data);
}

const metricLines = async (runDir: string) => (await fs.readFile(path.join(runDir, METRICS_FILE), 'utf8')).split('\n').filter(Boolean);

describe('npm run train records its runs', () => {
  it('kill -9 after an epoch keeps every finished epoch, and --resume finishes the run from its checkpoint', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-runs-'));
    const { child, output } = start(home, [...SPIRALS, '--out', path.join(home, 'export')]);
    // The checkpoint folder appears whole (written beside it, then renamed): its presence means epoch 1 is kept.
    const runId = await waitFor(
      async () => {
        const id = await runIdIn(home);
        return id && existsSync(path.join(home, 'runs', id, CHECKPOINTS_DIR, 'epoch-0')) ? id : null;
      },
      child,
      output,
    );
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const runDir = path.join(home, 'runs', runId);
    expect(output()).toContain(`Recording run ${runId} in ${runDir}`);

    // On disk: every epoch that finished has its checkpoint and its metrics (an epoch cut off has neither).
    const kept = await checkpointEpochs(runDir);
    expect(kept[0]).toBe(0);
    expect(kept).toEqual(kept.map((_, i) => i));
    expect(kept.length).toBeLessThan(3); // the run was cut off, not finished
    const metricsBefore = await metricLines(runDir);
    expect(metricsBefore.length).toBeGreaterThanOrEqual(kept.length);
    metricsBefore.forEach((line, i) => expect(JSON.parse(line)).toMatchObject({ epoch: i, loss: expect.any(Number), acc: expect.any(Number), valLoss: expect.any(Number) }));
    expect((await fs.readdir(path.join(runDir, CHECKPOINTS_DIR, 'epoch-0'))).sort()).toEqual(['model.json', 'optimizer.bin', 'optimizer.json', 'weights.bin']);
    const firstWeights = await loadCheckpoint(runDir, 0);
    for (const e of kept) await loadCheckpoint(runDir, e);
    const [listed] = await new RunStore(path.join(home, 'runs')).list();
    expect(listed).toMatchObject({ runId, status: 'failed', error: CRASHED_RUN_ERROR, epochsCompleted: metricsBefore.length, hasModel: true });

    // A project that is not the run's is refused and changes nothing.
    const other = JSON.parse(await fs.readFile(path.join(root, 'templates/spirals-mlp.json'), 'utf8'));
    other.graph.nodes.find((n: { id: string }) => n.id === 'h1').params.units = 16;
    const otherFile = path.join(home, 'other.json');
    await fs.writeFile(otherFile, JSON.stringify(other));
    const refused = train(home, [otherFile, ...SPIRALS.slice(1), '--resume', runId]);
    expect(refused.code, refused.out).toBe(2);
    expect(refused.out).toContain(`cannot resume run ${runId}: the network differs from the one the run trained (layer dense_1: params.units was 32, now 16)`);
    expect(await metricLines(runDir)).toEqual(metricsBefore);

    // Resume by id: the next epoch onwards, from the checkpoint, appended to the same run.
    const resumed = train(home, ['--resume', runId, '--out', path.join(home, 'export')]);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain(`Resuming at epoch ${kept.length + 1}/3 from the weights of epoch ${kept.length}`);
    const metricsAfter = await metricLines(runDir);
    expect(metricsAfter.map((l) => JSON.parse(l).epoch)).toEqual([0, 1, 2]);
    expect(metricsAfter.slice(0, kept.length)).toEqual(metricsBefore.slice(0, kept.length)); // epoch 1's metrics unchanged
    expect(await checkpointEpochs(runDir)).toEqual([0, 1, 2]);
    expect(await loadCheckpoint(runDir, 0)).toEqual(firstWeights);
    const details = await new RunStore(path.join(home, 'runs')).get(runId);
    expect(details.summary).toMatchObject({ runId, status: 'completed', epochsCompleted: 3, hasModel: true, resumes: [{ startEpoch: kept.length }] });
    expect(details.summary.resumes![0].note).toBe(OPTIMIZER_RESTORED_NOTE);
    expect(resumed.out).toContain(OPTIMIZER_RESTORED_NOTE);
    expect(details.history).toHaveLength(3);

    // A complete run has nothing to resume.
    const again = train(home, ['--resume', runId]);
    expect(again.code).toBe(2);
    expect(again.out).toContain(`Run ${runId} is complete (3 epochs); there is nothing to resume.`);
  }, WAIT_MS);

  it('refuses to resume a run that does not exist, naming where it looked', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-runs-'));
    const r = train(home, ['--resume', 'no-such-run']);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`cannot resume: there is no run no-such-run in ${path.join(home, 'runs')}.`);
  });
});
