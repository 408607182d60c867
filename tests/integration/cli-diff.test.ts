import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseProject, serializeProject, type Project } from '../../main/core/project';
import { importKerasModel } from '../../main/core/import/keras';
import { RunStore } from '../../main/node/runs';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');
let home: string;

function runDiff(args: string[]) {
  const r = spawnSync(process.execPath, [tsxCli, 'main/node/cli/diff.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NEUROWIRE_HOME: home },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mlp = (): Project => parseProject(readFileSync(path.join(root, 'templates/mnist-mlp.json'), 'utf8'), 'mnist-mlp');
/** The MNIST MLP with 64 hidden units instead of 128. */
function narrower(): Project {
  const p = mlp();
  const hidden = p.graph.nodes.find((n) => n.name === 'dense_1')!;
  hidden.params = { ...hidden.params, units: 64 };
  return p;
}

/** A finished run in the history of $NEUROWIRE_HOME, with `epochs` epochs of metrics (no training needed). */
async function recordRun(runId: string, project: Project, accs: number[]): Promise<void> {
  const store = new RunStore(path.join(home, 'runs'), () => undefined);
  await store.create(project, runId, 'cpu');
  for (const [epoch, acc] of accs.entries()) await store.appendEpoch(runId, { epoch, loss: 1 - acc, acc, valLoss: 1.1 - acc, valAcc: acc - 0.01 });
  await store.finish(runId, { status: 'completed', epochsCompleted: accs.length, test: { loss: 0.3, acc: accs.at(-1)! } });
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-diff-'));
  await fs.writeFile(path.join(home, 'mlp.neurowire'), serializeProject(mlp()));
  await fs.writeFile(path.join(home, 'narrow.neurowire.json'), serializeProject(narrower()));
  await recordRun('run-wide', mlp(), [0.8, 0.9]);
  await recordRun('run-narrow', narrower(), [0.7, 0.85, 0.88]);
});
afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('npm run diff', () => {
  it('exits 0 and says so when the two networks are the same (a project file and the template it was saved from)', () => {
    const r = runDiff([path.join(home, 'mlp.neurowire'), 'template:mnist-mlp']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('The two networks are the same: 4 layers, 101,770 parameters.');
  }, 120_000);

  it('exits 1 and prints each change, old → new, with shapes, counts and totals', () => {
    const r = runDiff([path.join(home, 'mlp.neurowire'), path.join(home, 'narrow.neurowire.json')]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('~ changed  dense_1 (Dense)');
    expect(r.out).toContain('Units: 128 → 64');
    expect(r.out).toContain('output shape: [128] → [64]');
    expect(r.out).toContain('params: 100,480 → 50,240 (−50,240)');
    expect(r.out).toContain('~ reshaped dense_2 (Dense)');
    expect(r.out).toContain('Parameters: 101,770 → 50,890 (−50,880)');
  }, 120_000);

  it('compares a Keras model.json with the project imported from it', async () => {
    const fixture = path.join(root, 'tests/fixtures/import/sequential-mlp.json');
    const imported = importKerasModel(JSON.parse(readFileSync(fixture, 'utf8')));
    if ('unknown' in imported) throw new Error('fixture not imported');
    const project = imported.project;
    // Other ids, as a project saved by the app has; then one change.
    project.graph.nodes = project.graph.nodes.map((n) => ({ ...n, id: `n_${n.id}` }));
    project.graph.edges = project.graph.edges.map((e) => ({ ...e, source: `n_${e.source}`, target: `n_${e.target}` }));
    const file = path.join(home, 'imported.neurowire');
    await fs.writeFile(file, serializeProject(project));
    expect(runDiff([fixture, file]).code).toBe(0);

    const dropout = project.graph.nodes.find((n) => n.kind === 'Dropout')!;
    dropout.params = { ...dropout.params, rate: 0.25 };
    await fs.writeFile(file, serializeProject(project));
    const r = runDiff([fixture, file]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain(`~ changed  ${dropout.name} (Dropout)`);
    expect(r.out).toMatch(/Rate: 0\.5 → 0\.25/);
  }, 120_000);

  it('compares two runs by id and by folder: the networks and their final metrics side by side', () => {
    const r = runDiff(['run-wide', path.join(home, 'runs', 'run-narrow')]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('A: run run-wide — MNIST MLP');
    expect(r.out).toContain('Units: 128 → 64');
    expect(r.out).toMatch(/Epochs\s+2\s+3/);
    expect(r.out).toMatch(/Test accuracy\s+90\.0 %\s+88\.0 %/);
  }, 120_000);

  it('exits 2 with the reason, naming the side, when a source is missing or not a network', async () => {
    const missing = runDiff([path.join(home, 'mlp.neurowire'), 'no-such-thing']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('neurowire diff: "no-such-thing" is no file, no run folder and no run in');
    const notJson = path.join(home, 'notes.json');
    await fs.writeFile(notJson, '{ "format": "something else" }');
    const bad = runDiff([notJson, path.join(home, 'mlp.neurowire')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/neurowire diff: A \(.*notes\.json\): notes\.json is not a Neurowire project/);
    const unknownRun = runDiff(['run:run-gone', 'run-wide']);
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.err).toContain('neurowire diff: A (run:run-gone): There is no run run-gone.');
    expect(runDiff(['only-one']).code).toBe(2);
  }, 120_000);
});
