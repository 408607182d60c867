import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The desktop app runs the engine from the esbuild output, not from TypeScript sources:
// check that output trains (worker thread found beside its launcher) and exports.
const root = path.resolve(__dirname, '../..');

describe('the built engine (dist/)', () => {
  it('builds, trains through its worker and exports, with no TypeScript loader', async () => {
    const build = spawnSync(process.execPath, ['scripts/build-node.mjs'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-dist-'));
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'neurowire-dist-home-'));
    const r = spawnSync(
      process.execPath,
      ['dist/main/node/cli/train.js', 'templates/mnist-mlp.json', '--epochs', '1', '--val', '0.45', '--test', '0.45', '--backend', 'wasm', '--out', out],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NEUROWIRE_HOME: home } },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The built CLI records its run like the app (one folder, with the epoch's checkpoint).
    const [runId] = await fs.readdir(path.join(home, 'runs'));
    expect((await fs.readdir(path.join(home, 'runs', runId, 'checkpoints', 'epoch-0'))).sort()).toEqual(['model.json', 'optimizer.bin', 'optimizer.json', 'weights.bin']);
    expect(r.stderr).toMatch(/Backend: wasm/);
    expect(r.stderr).toMatch(/test: loss [\d.]+ accuracy 0\.\d+/);
    expect(await fs.readdir(out)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'preprocessing.json']));
    // The export's code ships the app's modules from the build's copy (an installed app has no main/), byte for byte.
    const shipped = path.join(out, 'code', 'src', 'neurowire');
    const modules = (await fs.readdir(shipped, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(modules.map((f) => f.split(path.sep).join('/'))).toEqual(expect.arrayContaining(['core/training/job.ts', 'node/datasets/index.ts']));
    for (const f of modules) {
      const app = await fs.readFile(path.join(root, 'main', f));
      expect((await fs.readFile(path.join(shipped, f))).equals(app), f).toBe(true);
      expect((await fs.readFile(path.join(root, 'dist', 'project-sources', f))).equals(app), f).toBe(true);
    }
  });

  it('ships the WebAssembly kernels compiled: they load without wabt and instantiate', () => {
    const script = `
      const k = require('./dist/main/node/wasm/simdKernels.js');
      k.loadSimdKernels().then(() => {
        const backend = { wasm: { wasmMemory: new WebAssembly.Memory({ initial: 1 }) } };
        const s = k.simdKernels(backend);
        const wabtLoaded = Object.keys(require.cache).some((f) => f.includes('wabt'));
        console.log(JSON.stringify({ exports: s ? Object.keys(s).sort() : null, wabtLoaded }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      exports: ['adam', 'colSumF64', 'fma', 'gemm', 'gemm1x4', 'gemm1x8', 'gemm4x4', 'gemm4x8', 'im2colCols', 'im2colRows', 'lstmBwd', 'lstmFwd', 'maxPoolGrad2x2', 'pool'],
      wabtLoaded: false,
    });
  });
});
