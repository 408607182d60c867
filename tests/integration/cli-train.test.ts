import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../../main/node/runs';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');

/** Runs the CLI with its run history in a fresh folder (never the user's ~/Neurowire). */
function train(args: string[], home = mkdtempSync(path.join(os.tmpdir(), 'neurowire-cli-home-'))) {
  const r = spawnSync(process.execPath, [tsxCli, 'main/node/cli/train.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000, env: { ...process.env, NEUROWIRE_HOME: home } });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('npm run train (headless)', () => {
  it('trains the template and writes the same export as the app', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-'));
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-home-'));
    const r = train(['templates/mnist-mlp.json', '--dataset', 'mnist', '--epochs', '1', '--out', out], home);
    expect(r.code, r.out).toBe(0);
    // Recorded in the run history the app lists, with the epoch's checkpoint.
    const [run] = await new RunStore(path.join(home, 'runs')).list();
    expect(r.out).toContain(`Recording run ${run.runId} in ${path.join(home, 'runs', run.runId)}`);
    expect(run).toMatchObject({ projectName: 'MNIST MLP', status: 'completed', epochsCompleted: 1, hasModel: true, datasetName: 'mnist' });
    expect((await fs.readdir(path.join(home, 'runs', run.runId, 'checkpoints', 'epoch-0'))).sort()).toEqual(['model.json', 'optimizer.bin', 'optimizer.json', 'weights.bin']);
    expect(r.out).toMatch(/Backend: (wasm|cpu|tensorflow)/);
    expect(r.out).toMatch(/epoch 1: loss [\d.]+ acc [\d.]+\s+val_loss [\d.]+ val_acc 0\.(8|9)\d+/);
    expect(r.out).toMatch(/test: loss [\d.]+ accuracy 0\.(8|9)/);
    const files = await fs.readdir(out);
    expect(files).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'project.neurowire.json', 'code']));
    const exported = JSON.parse(await fs.readFile(path.join(out, 'project.neurowire.json'), 'utf8'));
    expect(exported.training.epochs).toBe(1);
  });

  it('writes the TensorFlow.js weights quantized with --quantize, and refuses an unknown quantization', { timeout: 200_000 }, async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-'));
    const r = train(['templates/spirals-mlp.json', '--epochs', '1', '--quantize', 'uint8', '--out', out]);
    expect(r.code, r.out).toBe(0);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'model.json'), 'utf8')).weightsManifest[0].weights as { quantization?: { dtype: string } }[];
    expect(manifest.map((w) => w.quantization?.dtype)).toEqual(Array(manifest.length).fill('uint8'));
    expect((await fs.stat(path.join(out, 'weights.bin'))).size).toBe(2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2);
    const bad = train(['templates/spirals-mlp.json', '--quantize', 'int4']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--quantize must be one of none, float16, uint8, not "int4"');
  });

  it('refuses a malformed project file with the reason, exit code 2', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-'));
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, '{"format":"neurowire-project","version":99}');
    const r = train([bad]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('newer Neurowire');
  });

  it('names the broken layer when the network is wrong', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-cli-'));
    const project = JSON.parse(await fs.readFile(path.join(root, 'templates/mnist-mlp.json'), 'utf8'));
    project.graph.nodes = project.graph.nodes.filter((n: { kind: string }) => n.kind !== 'Flatten');
    project.graph.nodes.find((n: { id: string }) => n.id === 'input').params.shape = [784];
    project.graph.nodes.splice(1, 0, { id: 'conv', kind: 'Conv2D', name: 'conv2d_1', params: {}, position: { x: 0, y: 0 } });
    project.graph.edges = [
      { id: 'a', source: 'input', target: 'conv' },
      { id: 'b', source: 'conv', target: 'hidden' },
      { id: 'c', source: 'hidden', target: 'output' },
    ];
    const file = path.join(dir, 'conv-on-flat.json');
    await fs.writeFile(file, JSON.stringify(project));
    const r = train([file, '--epochs', '1']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('conv2d_1: Conv2D needs an image-like input [height, width, channels] but gets a flat vector of 784 — insert a Reshape to [28, 28, 1]');
    // The fix the editor offers as a button, printed under its message.
    expect(r.out).toMatch(/insert a Reshape to \[28, 28, 1\]\.\n\s+fix: Insert Reshape to \[28, 28, 1\]\n/);
  });
});
