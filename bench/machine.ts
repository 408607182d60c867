/**
 * What a benchmark figure depends on besides the code: the CPU and its vector extensions, the runtime's WebAssembly
 * features, how busy the machine was, and which BLAS PyTorch really calls. Parsing is pure (tested on fixture texts);
 * `describeMachine` and `describeTorch` read the live machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';

/** Flags that decide how fast dense math can go, in the order they are printed. x86 names as in /proc/cpuinfo, then Arm's. */
export const SIMD_FLAGS = [
  'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx_vnni',
  'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16',
  'amx_tile', 'amx_bf16', 'amx_int8',
  'asimd', 'asimddp', 'sve', 'sve2', 'sme',
] as const;

export interface CpuDescription {
  model: string | null;
  /** Logical processors listed (hyper-threads count). */
  logicalCpus: number;
  /** The SIMD_FLAGS present, in SIMD_FLAGS order. */
  simdFlags: string[];
}

/** /proc/cpuinfo → model, processor count and the SIMD-relevant flags (x86 `flags`, Arm `Features`). */
export function parseCpuinfo(text: string): CpuDescription {
  let model: string | null = null;
  let logicalCpus = 0;
  const flags = new Set<string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') logicalCpus++;
    else if ((key === 'model name' || key === 'hardware' || key === 'cpu model') && model === null && value) model = value;
    else if (key === 'flags' || key === 'features') for (const f of value.split(/\s+/)) flags.add(f.toLowerCase());
  }
  return { model, logicalCpus, simdFlags: SIMD_FLAGS.filter((f) => flags.has(f)) };
}

// --------------------------------------------------------------------------------------- WebAssembly features

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/**
 * The smallest modules that use each feature (as wat2wasm writes them; the unit test rebuilds them with wabt):
 *   simd:        (func (result v128) (v128.const i32x4 0 0 0 0))
 *   relaxedSimd: (func (result v128) (i8x16.relaxed_swizzle (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))
 *   threads:     (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0))))
 */
export const WASM_FEATURE_PROBES = {
  simd: [...WASM_HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, ...V128_ZERO, 0x0b],
  relaxedSimd: [...WASM_HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x2b, 0x01, 0x29, 0x00, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x80, 0x02, 0x0b],
  threads: [...WASM_HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x04, 0x01, 0x03, 0x01, 0x01, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x1a, 0x0b],
} as const;

export type WasmFeatures = Record<keyof typeof WASM_FEATURE_PROBES, boolean> & { sharedArrayBuffer: boolean };

/** Which WebAssembly features this runtime validates (what it could run, not what a given backend uses). */
export function wasmFeatures(): WasmFeatures {
  const has = (bytes: readonly number[]) => WebAssembly.validate(new Uint8Array(bytes));
  return {
    simd: has(WASM_FEATURE_PROBES.simd),
    relaxedSimd: has(WASM_FEATURE_PROBES.relaxedSimd),
    threads: has(WASM_FEATURE_PROBES.threads),
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  };
}

// -------------------------------------------------------------------------------------------------- load

/**
 * Warnings when other work shared the cores. At the end the benchmark's own last minute is part of the load, so
 * what exceeds the threads it used counts. Half a core of other work is enough to move figures noticeably.
 */
export function loadWarnings(start: number, end: number, cores: number, threads: number, platform: string = process.platform): string[] {
  if (platform === 'win32') return [];
  const out: string[] = [];
  if (start >= 0.5) out.push(`machine busy at start: 1-minute load ${start.toFixed(2)} on ${cores} cores`);
  if (end - threads >= 0.5) out.push(`machine busy at end: 1-minute load ${end.toFixed(2)} on ${cores} cores (the benchmark itself accounts for about ${threads})`);
  if (out.length) out.push('figures are lower than on a quiet machine and ratios between runs less reliable');
  return out;
}

// ------------------------------------------------------------------------------------------------ PyTorch

export type BlasName = 'OpenBLAS' | 'MKL' | 'Accelerate' | 'BLIS' | 'ATLAS' | 'reference BLAS' | 'unknown';

export interface TorchBlas {
  blas: BlasName;
  /** True for the reference (netlib) BLAS: tens of times slower than an optimized one on matrix products. */
  slow: boolean;
  /** What the verdict rests on: the build setting and/or the library file actually loaded. */
  evidence: string;
}

/**
 * Which BLAS PyTorch multiplies matrices with. Wheels name it in the build settings (BLAS_INFO=mkl, open, accelerate);
 * distribution builds say BLAS_INFO=generic and use whatever libblas.so.3 the system points at, which only the
 * libraries mapped into the process reveal (Debian: …/blas/libblas.so.3 is the reference BLAS from libblas3,
 * …/openblas-pthread/libblas.so.3 is OpenBLAS once libopenblas0-pthread is installed).
 */
export function parseTorchBlas(config: string, loadedLibraries: readonly string[]): TorchBlas {
  const info = /BLAS_INFO=([\w.-]+)/.exec(config)?.[1]?.toLowerCase();
  const setting = info ? `BLAS_INFO=${info}` : 'no BLAS_INFO in torch.__config__.show()';
  if (info === 'mkl' || /Math Kernel Library/i.test(config)) return { blas: 'MKL', slow: false, evidence: setting };
  if (info === 'open' || info === 'openblas') return { blas: 'OpenBLAS', slow: false, evidence: setting };
  if (info === 'accelerate') return { blas: 'Accelerate', slow: false, evidence: setting };
  if (info === 'blis') return { blas: 'BLIS', slow: false, evidence: setting };

  const lib = (re: RegExp) => loadedLibraries.find((p) => re.test(p));
  const found = (blas: BlasName, path: string, slow = false): TorchBlas => ({ blas, slow, evidence: `${setting}; loaded ${path}` });
  const mkl = lib(/libmkl/i);
  if (mkl) return found('MKL', mkl);
  const openblas = lib(/openblas/i);
  if (openblas) return found('OpenBLAS', openblas);
  const blis = lib(/blis/i);
  if (blis) return found('BLIS', blis);
  const atlas = lib(/atlas/i);
  if (atlas) return found('ATLAS', atlas);
  const plain = lib(/\/libblas\.so/);
  if (plain) return found('reference BLAS', plain, true);
  return { blas: 'unknown', slow: false, evidence: `${setting}; no BLAS library seen among the loaded ones${loadedLibraries.length ? '' : ' (none listed: not Linux?)'}` };
}

/** Also from torch.__config__.show(): the vector width ATen's own kernels were dispatched to. */
export function parseTorchCpuCapability(config: string): string | null {
  return /CPU capability usage:\s*(\S+)/.exec(config)?.[1] ?? null;
}

export interface TorchProbe {
  version: string;
  config: string;
  parallelInfo: string;
  numThreads: number;
  mkl: boolean;
  mkldnn: boolean;
  openmp: boolean;
  loadedLibraries: string[];
  sgemm256Gflops: number;
}

export interface TorchDescription {
  version: string;
  blas: TorchBlas;
  cpuCapability: string | null;
  threads: number;
  /** 256×256 float32 matrix products for 0.2 s: a sanity check of the BLAS, not a benchmark (load moves it). */
  sgemm256Gflops: number;
  warnings: string[];
}

export function summarizeTorch(probe: TorchProbe): TorchDescription {
  const blas = parseTorchBlas(probe.config, probe.loadedLibraries);
  const warnings: string[] = [];
  if (blas.slow) {
    warnings.push(
      `PyTorch uses the REFERENCE BLAS (${blas.evidence}): its matrix products are ~10-20x slower than with OpenBLAS, so every ratio against it flatters tfjs. ` +
        'Run `npm run bench:setup` (Debian: apt-get install libopenblas0-pthread).',
    );
  } else if (blas.blas === 'unknown') warnings.push(`could not tell which BLAS PyTorch uses (${blas.evidence})`);
  return { version: probe.version, blas, cpuCapability: parseTorchCpuCapability(probe.config), threads: probe.numThreads, sgemm256Gflops: probe.sgemm256Gflops, warnings };
}

// ------------------------------------------------------------------------------------------------ live machine

export interface MachineDescription {
  platform: string;
  arch: string;
  cpu: CpuDescription;
  /** os.availableParallelism(): the cores this process may use. */
  cores: number;
  node: string;
  v8: string;
  wasm: WasmFeatures;
  /** 1-, 5- and 15-minute load averages (all 0 on Windows, which has none). */
  loadAtStart: number[];
  loadAtEnd?: number[];
  torch?: TorchDescription | { unavailable: string };
  warnings: string[];
}

function readCpu(): CpuDescription {
  try {
    const parsed = parseCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (parsed.logicalCpus > 0) return parsed;
  } catch {
    /* not Linux: os.cpus() has the model only */
  }
  const cpus = os.cpus();
  return { model: cpus[0]?.model ?? null, logicalCpus: cpus.length, simdFlags: [] };
}

export function describeMachine(): MachineDescription {
  return {
    platform: process.platform,
    arch: process.arch,
    cpu: readCpu(),
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    wasm: wasmFeatures(),
    loadAtStart: os.loadavg(),
    warnings: [],
  };
}

/** Runs `torch_bench.py --describe` with `python`; the reason when it cannot. */
export function describeTorch(python: string, script: string, threads: number): TorchDescription | { unavailable: string } {
  const r = spawnSync(python, [script, '--describe', '--threads', String(threads)], { encoding: 'utf8', timeout: 60_000 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_TORCH_INFO '));
  if (r.status !== 0 || !line) return { unavailable: `${python} ${script} --describe failed: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] || `exit ${r.status}`}` };
  return summarizeTorch(JSON.parse(line.slice('BENCH_TORCH_INFO '.length)) as TorchProbe);
}

/** Completes the description at the end of the run: load then, and every warning. */
export function finishMachine(m: MachineDescription, threads: number): MachineDescription {
  const loadAtEnd = os.loadavg();
  const warnings = [...loadWarnings(m.loadAtStart[0], loadAtEnd[0], m.cores, threads, m.platform)];
  if (m.torch && 'warnings' in m.torch) warnings.push(...m.torch.warnings);
  return { ...m, loadAtEnd, warnings };
}

/** The machine block as printed above the results. */
export function formatMachine(m: MachineDescription): string[] {
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const w = m.wasm;
  const lines = [
    `Machine: ${m.cpu.model ?? 'unknown CPU'}, ${m.cores} cores (${m.cpu.logicalCpus} logical), ${m.platform}-${m.arch}`,
    `  SIMD: ${m.cpu.simdFlags.length ? m.cpu.simdFlags.join(' ') : m.platform === 'linux' ? 'none of the listed flags' : 'unknown (no /proc/cpuinfo)'}`,
    `  Node ${m.node}, V8 ${m.v8}; WebAssembly SIMD ${w.simd ? 'yes' : 'no'}, relaxed SIMD ${w.relaxedSimd ? 'yes' : 'no'}, threads ${w.threads && w.sharedArrayBuffer ? 'yes' : 'no'}`,
    `  load average (1/5/15 min) at start ${load(m.loadAtStart)}${m.loadAtEnd ? `, at end ${load(m.loadAtEnd)}` : ''}`,
  ];
  if (m.torch) {
    if ('unavailable' in m.torch) lines.push(`  PyTorch: ${m.torch.unavailable}`);
    else {
      const t = m.torch;
      lines.push(`  PyTorch ${t.version}: BLAS ${t.blas.blas} (${t.blas.evidence}), ATen kernels ${t.cpuCapability ?? '?'}, sgemm 256² ${t.sgemm256Gflops} GFLOP/s`);
    }
  }
  for (const warning of m.warnings) lines.push(`  WARNING: ${warning}`);
  return lines;
}
