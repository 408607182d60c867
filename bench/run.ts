/**
 * Training throughput benchmark: identical models, data shapes (batch 64) and optimizer (Adam) on each tfjs
 * backend available in Node, and in PyTorch when `python3 -c "import torch"` works.
 *
 *   npm run bench                       # all backends, all models (< ~5 min)
 *   npm run bench -- --quick            # shorter windows, skips the cpu CNN (≈30 s per batch)
 *   npm run bench -- --backend wasm     # one backend (repeatable / comma list: wasm,cpu,torch)
 *   npm run bench -- --models mlp,lstm  # a subset of mlp, cnn, lstm
 *   npm run bench -- --stock-adam       # wasm with tf.train.adam instead of the fused Adam (likewise --stock-lstm)
 *   npm run bench -- --threads 2        # thread counts asked of every engine (default 1 and every core: --threads 1,2);
 *                                       # each reports what it really used; per model, every count on tfjs then PyTorch back to back
 *   npm run bench -- --no-tta           # skip the time-to-accuracy line (bench/time-to-accuracy.ts)
 *   npm run bench -- --backend webgl,webgpu  # the same models in Chromium (bench/gpu/): one fresh browser per model,
 *                                       # short windows and a cap per model (software renderers are slow), the adapter
 *                                       # used, and the ratio to the wasm / PyTorch figures when those run too
 *
 * Each (backend, model) runs in its own child process so that peak RSS is per run. Reported: samples/s =
 * median over windows of ~3 s (1 s with --quick) after warm-up. Above the figures, the machine they depend on
 * (bench/machine.ts: CPU flags, WebAssembly features, load, PyTorch's BLAS). Results also go to bench/results.json.
 * `npm run bench:setup` installs the PyTorch baseline with OpenBLAS (Debian).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeMachine, describeTorch, finishMachine, formatMachine, loadWarnings } from './machine';
import { formatTta, runTfjsTta, TTA, writeTtaData, type TtaResult } from './time-to-accuracy';
import { findTorchPython } from '../main/node/torchPython';
import { buildGpuPage, GPU_BACKENDS, runInChromium, serveGpuPage, type ChromiumRun, type GpuBackendName } from './gpu/chromium';
import { BATCH, buildBenchModel, measureTraining, MODELS, type ModelName, type ModelOptions, type Plan } from './models';

type BackendName = 'wasm' | 'cpu';
const BENCH_DIR = path.resolve(path.dirname(process.argv[1] ?? 'bench/run.ts'));
const TAG = 'BENCH_RESULT ';

interface RunResult {
  backend: string;
  model: ModelName;
  samplesPerSec: number | null;
  windows: number[];
  stepMs: number | null;
  peakRssMB: number;
  threads: number;
  /** The thread count the bench asked for (threads is what the engine really used). */
  askedThreads?: number;
  note?: string;
  /** The first warm-up step (browser GPU backends: shader compilation included). */
  firstStepMs?: number;
  /** Browser GPU backends: the WebGL renderer string or the WebGPU adapter the run really used. */
  adapter?: string;
}

function planFor(backend: string, model: ModelName, quick: boolean): Plan | { skip: string } {
  if (backend === 'cpu') {
    if (model === 'cnn' && quick) return { skip: 'skipped with --quick (the cpu backend takes ~30 s per CNN batch)' };
    return { windowSec: quick ? 1 : 3, windows: model === 'cnn' ? 1 : quick ? 2 : 3, budgetSec: quick ? 6 : 20 };
  }
  return { windowSec: quick ? 1 : 3, windows: quick ? 2 : 3, budgetSec: quick ? 8 : 20 };
}

/**
 * The browser GPU backends: short windows (on SwiftShader a CNN step on WebGPU takes seconds) and a cap per model,
 * browser start included, that keeps the six runs of `--backend webgl,webgpu` within ~5 minutes.
 */
function gpuPlanFor(backend: GpuBackendName, model: ModelName, quick: boolean): { plan: Plan; capSec: number } {
  const slow = backend === 'webgpu' && model === 'cnn';
  const capSec = quick ? 25 : 40;
  // The page stops itself at capSec (keeping the windows it has); the browser is closed at a later hard limit.
  return { plan: { windowSec: quick ? 1 : 2, windows: slow ? 1 : quick ? 2 : 3, budgetSec: quick ? 4 : 8, capSec }, capSec: capSec + 90 };
}

// ---------------------------------------------------------------------------------------------- child side

async function child(backend: BackendName, model: ModelName, plan: Plan, threads: number, stockLstm = false, stockAdam = false): Promise<RunResult> {
  const tf = await import('@tensorflow/tfjs');
  // What the engine really runs with: the wasm backend reports its threads, plain JS is one thread.
  let threadsUsed = () => 1;
  if (backend === 'wasm') {
    const { useWasmBinariesFromPackage } = await import('../main/node/backend');
    const { startWasmBackend, wasmThreadCount } = await import('../main/node/wasm/wasmThreads');
    useWasmBinariesFromPackage();
    if (!(await startWasmBackend(tf, threads))) throw new Error('backend wasm did not start');
    threadsUsed = wasmThreadCount;
  } else if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
  // The product's wasm path: training kernels registered, and the fused LSTM layer (createLstmLayer) in place
  // of tf.layers.lstm. `--stock-lstm` measures tfjs-layers' own LSTM instead.
  // Likewise the fused Adam the worker uses on wasm (`--stock-adam`: tf.train.adam).
  const options: ModelOptions = {};
  let fmaGemm = false;
  if (backend === 'wasm') {
    const { registerWasmTrainingKernels, createLstmLayer, createFusedAdam } = await import('../main/node/wasm/trainingKernels');
    await registerWasmTrainingKernels(tf);
    fmaGemm = (await import('../main/node/wasm/simdKernels')).simdKernels(tf.backend())?.fma ?? false;
    if (!stockLstm) options.lstmLayer = (args) => createLstmLayer(tf, args) as ReturnType<typeof tf.layers.lstm>;
    if (!stockAdam) options.adam = (lr) => createFusedAdam(tf, lr) as ReturnType<typeof tf.train.adam>;
  }
  const { m, xShape } = buildBenchModel(tf, model, options);
  const measured = await measureTraining(tf, m, xShape, plan);
  m.dispose();
  return {
    backend: backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu',
    model,
    ...measured,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    threads: threadsUsed(),
    ...(backend === 'wasm' ? { note: [model === 'lstm' ? (stockLstm ? 'tf.layers.lstm' : 'fused LSTM layer') : '', stockAdam ? 'tf.train.adam' : 'fused Adam', fmaGemm ? 'FMA gemm' : ''].filter(Boolean).join(', ') } : {}),
  };
}

// --------------------------------------------------------------------------------------------- parent side

function parseArgs(argv: string[]) {
  let quick = false;
  let stockLstm = false;
  let stockAdam = false;
  const all = os.availableParallelism();
  let threads = [...new Set([1, all])];
  let tta = true;
  const backends: string[] = [];
  let models: ModelName[] = [...MODELS];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--stock-lstm') stockLstm = true;
    else if (a === '--stock-adam') stockAdam = true;
    else if (a === '--no-tta') tta = false;
    else if (a.startsWith('--threads')) {
      threads = [...new Set(val().split(',').map((t) => Number(t.trim())))];
      for (const t of threads) if (!Number.isInteger(t) || t < 1) throw new Error(`--threads needs whole numbers ≥ 1, comma-separated (got ${t})`);
    } else if (a.startsWith('--backend')) backends.push(...val().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
    else if (a.startsWith('--models') || a.startsWith('--model')) models = val().split(',').map((s) => s.trim().toLowerCase()) as ModelName[];
    else if (a === '--help' || a === '-h') {
      console.log('usage: tsx bench/run.ts [--quick] [--backend wasm|cpu|torch|webgl|webgpu ...] [--models mlp,cnn,lstm] [--stock-lstm] [--stock-adam] [--threads N[,M…]] [--no-tta]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const m of models) if (!MODELS.includes(m)) throw new Error(`unknown model ${m} (use ${MODELS.join(', ')})`);
  for (const b of backends) if (!['wasm', 'cpu', 'torch', 'pytorch', 'webgl', 'webgpu'].includes(b)) throw new Error(`unknown backend ${b} (use wasm, cpu, torch, webgl, webgpu)`);
  return { quick, stockLstm, stockAdam, threads, tta, backends: backends.length ? backends.map((b) => (b === 'pytorch' ? 'torch' : b)) : ['wasm', 'cpu', 'torch'], models };
}

function runChild(backend: BackendName, model: ModelName, plan: Plan, threads: number, stockLstm: boolean, stockAdam: boolean): RunResult {
  const script = path.join(BENCH_DIR, 'run.ts');
  const r = spawnSync(process.execPath, [...process.execArgv, script, '--child', backend, model, JSON.stringify(plan), String(threads), ...(stockLstm ? ['--stock-lstm'] : []), ...(stockAdam ? ['--stock-adam'] : [])], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(TAG));
  if (r.status !== 0 || !line) {
    const err = ((r.stderr ?? '') + (r.stdout ?? '')).trim().split('\n').filter((l) => /error/i.test(l)).slice(-3).join(' | ');
    return { backend: `tfjs-${backend}`, model, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: 0, threads: 1, note: `failed: ${err || `exit ${r.status}`}` };
  }
  return JSON.parse(line.slice(TAG.length)) as RunResult;
}

/** Whether a Python that imports torch is present (main/node/torchPython.ts). */
function torchAvailable(): boolean {
  return findTorchPython() !== null;
}

/** One Python process per model, as for tfjs, so that each peak RSS belongs to one model only. */
/** torch.set_num_threads(n) plus the same count for OpenMP and the BLAS, so that neither oversubscribes the cores. */
const torchEnv = (threads: number) => ({ ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) });

function runTorch(models: ModelName[], quick: boolean, threads: number): RunResult[] {
  const script = path.join(BENCH_DIR, 'torch_bench.py');
  const out: RunResult[] = [];
  for (const model of models) {
    const args = [script, '--threads', String(threads), '--batch', String(BATCH), '--window', quick ? '1' : '3', '--windows', quick ? '2' : '3', '--models', model];
    const r = spawnSync(findTorchPython() ?? 'python3', args, { encoding: 'utf8', env: torchEnv(threads) });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(TAG));
    if (r.status !== 0 || !line) {
      out.push({ backend: 'pytorch', model, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: 0, threads, note: `failed: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}` });
    } else out.push(JSON.parse(line.slice(TAG.length)) as RunResult);
  }
  return out;
}

const fmt = (v: number | null, d = 0) => (v == null || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

/** The time-to-accuracy line: one data file, the wasm path in a child process, then PyTorch when present. */
function runTimeToAccuracy(threads: number, withTorch: boolean, dataFile: string): TtaResult[] {
  const failed = (engine: string, why: string): TtaResult => ({ engine, threads, reached: false, seconds: null, epochs: null, evaluations: [], note: `failed: ${why}` });
  const results: TtaResult[] = [];
  const r = spawnSync(process.execPath, [...process.execArgv, path.join(BENCH_DIR, 'run.ts'), '--child-tta', dataFile, String(threads)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(TTA_TAG));
  results.push(r.status === 0 && line ? (JSON.parse(line.slice(TTA_TAG.length)) as TtaResult) : failed('tfjs-wasm', ((r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '') || `exit ${r.status}`));
  if (withTorch) {
    const args = [path.join(BENCH_DIR, 'torch_bench.py'), '--tta', dataFile, '--threads', String(threads), '--batch', String(TTA.batch), '--target', String(TTA.target), '--eval-every', String(TTA.evalEvery), '--max-epochs', String(TTA.maxEpochs)];
    const p = spawnSync(findTorchPython() ?? 'python3', args, { encoding: 'utf8', env: torchEnv(threads) });
    const pline = (p.stdout ?? '').split('\n').find((l) => l.startsWith(TTA_TAG));
    results.push(p.status === 0 && pline ? (JSON.parse(pline.slice(TTA_TAG.length)) as TtaResult) : failed('pytorch', ((p.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '') || `exit ${p.status}`));
  }
  return results;
}

const TTA_TAG = 'BENCH_TTA ';

/**
 * One browser GPU run as a row. A backend that cannot start is recorded in `cannotStart` with its reason, and its
 * later models are skipped with it.
 */
function runGpu(pageDir: { dir: string } | { error: string }, backend: GpuBackendName, model: ModelName, quick: boolean, cannotStart: Map<string, string>): RunResult {
  const row = { backend: `tfjs-${backend}`, model, threads: 1 };
  const skipped = (why: string): RunResult => ({ ...row, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: 0, note: `skipped: ${why}` });
  if ('error' in pageDir) return skipped(pageDir.error);
  const earlier = cannotStart.get(backend);
  if (earlier !== undefined) return skipped(earlier);
  const { plan, capSec } = gpuPlanFor(backend, model, quick);
  // In a child process, as the Node backends: this process stays small (see bench/gpu/chromium.ts).
  const r = spawnSync(process.execPath, [...process.execArgv, path.join(BENCH_DIR, 'run.ts'), '--child-gpu', pageDir.dir, backend, model, JSON.stringify(plan), String(capSec)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(TAG));
  if (r.status !== 0 || !line) return { ...row, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: 0, note: `failed: ${((r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '') || `exit ${r.status}`}` };
  const { outcome, peakRssMB } = JSON.parse(line.slice(TAG.length)) as ChromiumRun;
  if (!outcome.ok) {
    if (!outcome.started) cannotStart.set(backend, `${backend} cannot start: ${outcome.reason}`);
    return { ...row, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: peakRssMB ?? 0, note: outcome.started ? `failed: ${outcome.reason}` : `skipped: ${backend} cannot start: ${outcome.reason}` };
  }
  const memory = `tensors ${fmt(outcome.peakTensorMB, 1)} MB${outcome.peakGpuMB === null ? '' : `, GPU buffers ${fmt(outcome.peakGpuMB, 1)} MB`}`;
  return {
    ...row,
    samplesPerSec: outcome.samplesPerSec,
    windows: outcome.windows,
    stepMs: outcome.stepMs,
    firstStepMs: outcome.firstStepMs,
    peakRssMB: peakRssMB ?? 0,
    adapter: outcome.adapter,
    note: `${outcome.software ? 'software renderer, ' : ''}${outcome.windows.length} window(s), 1st step ${fmt(outcome.firstStepMs / 1000, 1)} s; ${memory}; RSS = all Chromium processes`,
  };
}

const printRow = (r: RunResult) =>
  console.log(`  ${r.backend.padEnd(10)} ${r.model.padEnd(5)} ${fmt(r.samplesPerSec).padStart(8)} samples/s  ${fmt(r.stepMs, 1).padStart(8)} ms/step  peak RSS ${fmt(r.peakRssMB).padStart(5)} MB  ${r.threads} thr${r.note ? `  (${r.note})` : ''}`);

/** Per engine and model: samples/s at the largest thread count asked for over samples/s at 1 thread. */
function scalingRows(results: RunResult[], threads: number[]): { backend: string; model: ModelName; scaling: number; threads: number }[] {
  const most = Math.max(...threads);
  if (most === 1 || !threads.includes(1)) return [];
  const out: { backend: string; model: ModelName; scaling: number; threads: number }[] = [];
  const find = (r: RunResult, asked: number) => results.find((x) => x.backend === r.backend && x.model === r.model && x.askedThreads === asked && x.samplesPerSec);
  for (const many of results.filter((r) => r.askedThreads === most && r.samplesPerSec)) {
    const one = find(many, 1);
    if (one) out.push({ backend: many.backend, model: many.model, scaling: (many.samplesPerSec as number) / (one.samplesPerSec as number), threads: many.threads });
  }
  return out;
}

/** Each browser GPU figure over the fastest tfjs-wasm and PyTorch figure of the same model, where present. */
function browserGpuRatios(results: RunResult[]): { backend: string; model: ModelName; versus: string; ratio: number; versusThreads: number }[] {
  const out: { backend: string; model: ModelName; versus: string; ratio: number; versusThreads: number }[] = [];
  for (const r of results.filter((x) => x.adapter !== undefined && x.samplesPerSec)) {
    for (const versus of ['tfjs-wasm', 'pytorch']) {
      const best = results.filter((x) => x.backend === versus && x.model === r.model && x.samplesPerSec).sort((a, b) => (b.samplesPerSec as number) - (a.samplesPerSec as number))[0];
      if (best) out.push({ backend: r.backend, model: r.model, versus, ratio: (r.samplesPerSec as number) / (best.samplesPerSec as number), versusThreads: best.threads });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const res = await child(argv[1] as BackendName, argv[2] as ModelName, JSON.parse(argv[3]) as Plan, Number(argv[4]), argv.includes('--stock-lstm'), argv.includes('--stock-adam'));
    console.log(TAG + JSON.stringify(res));
    return;
  }
  if (argv[0] === '--child-gpu') {
    const page = await serveGpuPage(argv[1]);
    try {
      console.log(TAG + JSON.stringify(await runInChromium(page, argv[2] as GpuBackendName, argv[3] as ModelName, JSON.parse(argv[4]) as Plan, Number(argv[5]))));
    } finally {
      await page.close();
    }
    return;
  }
  if (argv[0] === '--child-tta') {
    console.log(TTA_TAG + JSON.stringify(await runTfjsTta(argv[1], Number(argv[2]))));
    return;
  }
  const opts = parseArgs(argv);
  const t0 = Date.now();
  let machine = describeMachine();
  const withTorch = opts.backends.includes('torch') && torchAvailable();
  if (opts.backends.includes('torch')) {
    machine.torch = withTorch
      ? describeTorch(findTorchPython() as string, path.join(BENCH_DIR, 'torch_bench.py'), Math.max(...opts.threads))
      : { unavailable: 'not available (python3 -c "import torch" failed; `npm run bench:setup` installs it on Debian)' };
  }
  // The end's figures are not known yet: an end load of 0 leaves only the warning about the start.
  const startWarnings = loadWarnings(machine.loadAtStart[0], 0, machine.cores, Math.max(...opts.threads), machine.platform);
  const torchWarnings = machine.torch && 'warnings' in machine.torch ? machine.torch.warnings : [];
  for (const line of formatMachine({ ...machine, warnings: [...startWarnings, ...torchWarnings] })) console.log(line);

  const results: RunResult[] = [];
  const gpuBackends = GPU_BACKENDS.filter((b) => opts.backends.includes(b));
  // The page is bundled once; when that fails, every browser GPU row says why.
  let gpuPage: { dir: string } | { error: string } = { error: 'not asked for' };
  if (gpuBackends.length) {
    try {
      gpuPage = { dir: buildGpuPage() };
    } catch (e) {
      gpuPage = { error: `the bench page did not build: ${(e as Error).message}` };
    }
  }
  const cannotStart = new Map<string, string>();
  const maxThreads = Math.max(...opts.threads);
  let torchNote: string | undefined;
  if (opts.backends.includes('torch') && !withTorch) torchNote = 'PyTorch not available (python3 -c "import torch" failed); no ratio computed';
  console.log(`Training throughput, batch ${BATCH}, Adam, threads asked of each engine: ${opts.threads.join(', ')}${opts.quick ? ', --quick' : ''}`);
  for (const model of opts.models) {
    // Each model at each thread count on every engine back to back, so that a change in the machine's load hits
    // both sides and both thread counts alike.
    for (const threads of opts.threads) {
      for (const backend of opts.backends.filter((b): b is BackendName => b === 'wasm' || b === 'cpu')) {
        // Plain JS has one thread: measured once.
        if (backend === 'cpu' && threads !== opts.threads[0]) continue;
        const plan = planFor(backend, model, opts.quick);
        let r: RunResult;
        if ('skip' in plan) r = { backend: `tfjs-${backend}`, model, samplesPerSec: null, windows: [], stepMs: null, peakRssMB: 0, threads: 1, note: plan.skip };
        else r = runChild(backend, model, plan, threads, opts.stockLstm, opts.stockAdam);
        results.push({ ...r, askedThreads: threads });
        printRow(r);
      }
      if (withTorch) {
        for (const r of runTorch([model], opts.quick, threads)) {
          results.push({ ...r, askedThreads: threads });
          printRow(r);
        }
      }
    }
    // Browser GPU backends have no thread count: once per model, after the CPU engines.
    for (const backend of gpuBackends) {
      const r = runGpu(gpuPage, backend, model, opts.quick, cannotStart);
      results.push(r);
      printRow(r);
    }
  }
  if ('dir' in gpuPage) fs.rmSync(gpuPage.dir, { recursive: true, force: true });
  const adapters = [...new Map(results.filter((r) => r.adapter).map((r) => [r.backend, r.adapter as string]))];
  for (const [backend, adapter] of adapters) console.log(`  ${backend} ran on: ${adapter}`);
  if (torchNote) console.log(`  ${torchNote}`);
  const ratios: { model: ModelName; backend: string; ratio: number; threads: number; torchThreads: number }[] = [];
  for (const model of opts.models) {
    for (const r of results.filter((x) => x.model === model && x.backend !== 'pytorch' && x.askedThreads !== undefined && x.samplesPerSec)) {
      // PyTorch at the thread count this engine really used, else at the one asked for.
      const pts = results.filter((p) => p.backend === 'pytorch' && p.model === model && p.samplesPerSec);
      const pt = pts.find((p) => p.askedThreads === r.askedThreads) ?? pts.find((p) => p.threads === r.threads);
      if (!pt) continue;
      ratios.push({ model, backend: r.backend, ratio: (r.samplesPerSec as number) / (pt.samplesPerSec as number), threads: r.threads, torchThreads: pt.threads });
    }
  }
  if (ratios.length) {
    console.log('tfjs / PyTorch (threads each engine really used):');
    for (const q of ratios) {
      const threads = q.threads === q.torchThreads ? `both ${q.threads}` : `tfjs ${q.threads} vs PyTorch ${q.torchThreads}: NOT the same`;
      console.log(`  ${q.backend.padEnd(10)} ${q.model.padEnd(5)} ${(q.ratio * 100).toFixed(1).padStart(5)} %  (threads ${threads})`);
    }
  }

  const gpuRatios = browserGpuRatios(results);
  if (gpuRatios.length) {
    console.log('Browser GPU / the fastest CPU figure of this run (its threads):');
    for (const q of gpuRatios) console.log(`  ${q.backend.padEnd(11)} ${q.model.padEnd(5)} ${(q.ratio * 100).toFixed(1).padStart(6)} % of ${q.versus} (${q.versusThreads} thr)`);
  }

  const scaling = scalingRows(results, opts.threads);
  if (scaling.length) {
    console.log(`Scaling, ${Math.max(...opts.threads)} threads / 1 thread (samples/s):`);
    for (const q of scaling) console.log(`  ${q.backend.padEnd(10)} ${q.model.padEnd(5)} ${q.scaling.toFixed(2).padStart(5)}x  (${q.threads} threads really used)`);
  }

  let tta: TtaResult[] | undefined;
  if (opts.tta && opts.backends.includes('wasm')) {
    const dataFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neurowire-tta-')), 'mnist-split.bin');
    try {
      await writeTtaData(dataFile);
      tta = runTimeToAccuracy(maxThreads, withTorch, dataFile);
    } finally {
      fs.rmSync(path.dirname(dataFile), { recursive: true, force: true });
    }
    console.log(formatTta(tta));
  }

  machine = finishMachine(machine, maxThreads);
  console.log(`Load average (1/5/15 min) at end: ${machine.loadAtEnd!.map((v) => v.toFixed(2)).join(' / ')}`);
  for (const w of machine.warnings) console.log(`WARNING: ${w}`);
  const out = {
    date: new Date().toISOString(),
    machine,
    batch: BATCH,
    optimizer: 'adam(1e-3)',
    quick: opts.quick,
    threads: opts.threads,
    results,
    ratios,
    scaling,
    gpuRatios,
    ...(tta ? { timeToAccuracy: { ...TTA, results: tta } } : {}),
    ...(torchNote ? { torch: torchNote } : {}),
    wallSec: (Date.now() - t0) / 1000,
  };
  fs.writeFileSync(path.join(BENCH_DIR, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), path.join(BENCH_DIR, 'results.json'))} (${out.wallSec.toFixed(0)} s)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
