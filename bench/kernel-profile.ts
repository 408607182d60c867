/**
 * Where a wasm training step spends its time, kernel by kernel: the bench's models (bench/models.ts) trained on
 * the product's wasm path (training kernels, fused LSTM and Adam), with every registered wasm kernel and every
 * SIMD kernel call (simdKernels.ts, `wasm:` below; `pool:` = split over the kernel pool) timed. Times are self
 * times (a composed kernel's figure excludes the kernels it calls), per training step.
 *
 *   npx tsx bench/kernel-profile.ts --models cnn,lstm --threads 1,2 [--steps 20]
 *
 * Each thread count runs in its own child process (the backend's thread count is fixed once it starts).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { buildBenchModel, BATCH, type ModelName, type ModelOptions } from './models';

interface Row {
  name: string;
  ms: number;
  calls: number;
}

const TAG = 'PROFILE_RESULT ';

async function child(model: ModelName, threads: number, steps: number): Promise<{ stepMs: number; rows: Row[]; threads: number }> {
  const tf = await import('@tensorflow/tfjs');
  const { useWasmBinariesFromPackage } = await import('../main/node/backend');
  const { startWasmBackend, wasmThreadCount } = await import('../main/node/wasm/wasmThreads');
  useWasmBinariesFromPackage();
  if (!(await startWasmBackend(tf, threads))) throw new Error('backend wasm did not start');
  await tf.ready();
  const { registerWasmTrainingKernels, createLstmLayer, createFusedAdam } = await import('../main/node/wasm/trainingKernels');
  const { simdKernels } = await import('../main/node/wasm/simdKernels');
  await registerWasmTrainingKernels(tf);

  const self = new Map<string, Row>();
  const stack: number[] = []; // time spent in nested timed calls, per open frame
  const timed = <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    function (this: unknown, ...a: A): R {
      stack.push(0);
      const t0 = performance.now();
      try {
        return f.apply(this, a);
      } finally {
        const total = performance.now() - t0;
        const nested = stack.pop() as number;
        if (stack.length) stack[stack.length - 1] += total;
        const row = self.get(name) ?? { name, ms: 0, calls: 0 };
        row.ms += total - nested;
        row.calls++;
        self.set(name, row);
      }
    };

  // Every wasm kernel, wrapped before any is first used (the training kernels look theirs up lazily).
  for (const cfg of tf.getKernelsForBackend('wasm') as KernelConfig[]) {
    tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel({ ...cfg, kernelFunc: timed(cfg.kernelName, cfg.kernelFunc) as KernelFunc });
  }
  const sk = simdKernels(tf.backend()) as unknown as Record<string, unknown> & { pool: { run: (n: string, s: number[][]) => void } | null };
  for (const name of Object.keys(sk)) {
    if (typeof sk[name] === 'function') sk[name] = timed(`wasm:${name}`, sk[name] as (...a: number[]) => void);
  }
  if (sk.pool) {
    const run = sk.pool.run.bind(sk.pool);
    sk.pool.run = (n, s) => timed(`pool:${n}`, run)(n, s);
  }

  const options: ModelOptions = {
    lstmLayer: (args) => createLstmLayer(tf, args) as ReturnType<typeof tf.layers.lstm>,
    adam: (lr) => createFusedAdam(tf, lr) as ReturnType<typeof tf.train.adam>,
  };
  const { m, xShape } = buildBenchModel(tf, model, options);
  const x = tf.randomUniform(xShape, 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10).toFloat();
  for (let i = 0; i < 3; i++) await m.trainOnBatch(x, y);
  self.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await m.trainOnBatch(x, y);
  const stepMs = (performance.now() - t0) / steps;
  const rows = [...self.values()].map((r) => ({ name: r.name, ms: r.ms / steps, calls: r.calls / steps })).sort((p, q) => q.ms - p.ms);
  return { stepMs, rows, threads: wasmThreadCount() };
}

function parent(argv: string[]): void {
  const arg = (flag: string, dflt: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const models = arg('--models', 'cnn,lstm').split(',') as ModelName[];
  const threads = arg('--threads', '1,2').split(',').map(Number);
  const steps = arg('--steps', '20');
  console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus()[0]?.model} x${os.availableParallelism()}`);
  for (const model of models) {
    for (const t of threads) {
      const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--child', model, String(t), steps], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = r.stdout.split('\n').find((l) => l.startsWith(TAG));
      if (!line) {
        console.log(`${model} ${t} thr: failed\n${r.stderr.slice(-2000)}`);
        continue;
      }
      const res = JSON.parse(line.slice(TAG.length)) as Awaited<ReturnType<typeof child>>;
      const counted = res.rows.reduce((s, row) => s + row.ms, 0);
      console.log(`\n${model}, ${res.threads} thread(s): ${res.stepMs.toFixed(2)} ms/step (${((BATCH * 1000) / res.stepMs).toFixed(0)} samples/s); kernels ${counted.toFixed(2)} ms, outside kernels ${(res.stepMs - counted).toFixed(2)} ms`);
      for (const row of res.rows.slice(0, 18)) console.log(`  ${row.name.padEnd(40)} ${row.ms.toFixed(3).padStart(8)} ms ${((100 * row.ms) / res.stepMs).toFixed(1).padStart(5)}%  ${row.calls.toFixed(0).padStart(5)} calls`);
    }
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(argv[1] as ModelName, Number(argv[2]), Number(argv[3])).then(
    (r) => {
      console.log(TAG + JSON.stringify(r));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else parent(argv);
