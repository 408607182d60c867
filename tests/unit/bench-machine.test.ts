import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  describeMachine,
  formatMachine,
  loadWarnings,
  parseCpuinfo,
  parseTorchBlas,
  parseTorchCpuCapability,
  summarizeTorch,
  WASM_FEATURE_PROBES,
  wasmFeatures,
} from '../../bench/machine';

/** The benchmark's machine description: parsing of real /proc/cpuinfo and torch build texts, no speed involved. */

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/machine', name), 'utf8');

describe('parseCpuinfo', () => {
  it('reads the model, the processor count and the SIMD flags of an AMD EPYC (Zen, AVX2 without AVX-512)', () => {
    const cpu = parseCpuinfo(fixture('cpuinfo-amd-epyc-2core.txt'));
    expect(cpu.model).toBe('AMD EPYC');
    expect(cpu.logicalCpus).toBe(2);
    expect(cpu.simdFlags).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'f16c']);
  });

  it('lists AVX-512, VNNI and AMX on a Sapphire Rapids Xeon, in a fixed order', () => {
    const cpu = parseCpuinfo(fixture('cpuinfo-intel-sapphire-rapids-2core.txt'));
    expect(cpu.model).toBe('Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz');
    expect(cpu.logicalCpus).toBe(2);
    expect(cpu.simdFlags).toEqual([
      'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx_vnni',
      'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16',
      'amx_tile', 'amx_bf16', 'amx_int8',
    ]);
  });

  it('reads Arm "Features" (NEON, SVE) and leaves the model unknown where cpuinfo names none', () => {
    const cpu = parseCpuinfo(fixture('cpuinfo-aarch64-neoverse-v2-4core.txt'));
    expect(cpu.model).toBeNull();
    expect(cpu.logicalCpus).toBe(4);
    expect(cpu.simdFlags).toEqual(['asimd', 'asimddp', 'sve', 'sve2']);
  });

  it('does not take a flag for its prefix (avx512f is not avx, avx512_vnni is not avx_vnni)', () => {
    expect(parseCpuinfo('processor : 0\nflags : avx512f avx512_vnni\n').simdFlags).toEqual(['avx512f', 'avx512_vnni']);
  });
});

describe('parseTorchBlas', () => {
  const debian = fixture('torch-1.13-debian-config.txt');

  it('calls Debian PyTorch with libblas3 the slow reference BLAS, and says which file showed it', () => {
    const blas = parseTorchBlas(debian, ['/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0', '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0', '/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3.11.0']);
    expect(blas).toEqual({ blas: 'reference BLAS', slow: true, evidence: 'BLAS_INFO=generic; loaded /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0' });
  });

  it('sees OpenBLAS behind the same build once libopenblas0-pthread is installed', () => {
    const blas = parseTorchBlas(debian, ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so']);
    expect(blas.blas).toBe('OpenBLAS');
    expect(blas.slow).toBe(false);
    expect(blas.evidence).toContain('openblas-pthread/libblas.so.3');
  });

  it('takes a wheel at its word (BLAS_INFO=mkl) whatever is loaded', () => {
    expect(parseTorchBlas(fixture('torch-2.4-pip-mkl-config.txt'), [])).toEqual({ blas: 'MKL', slow: false, evidence: 'BLAS_INFO=mkl' });
  });

  it('says it cannot tell rather than guess when a generic build shows no library', () => {
    const blas = parseTorchBlas(debian, []);
    expect(blas.blas).toBe('unknown');
    expect(blas.evidence).toMatch(/not Linux/);
  });

  it('reads the vector width of ATen kernels', () => {
    expect(parseTorchCpuCapability(debian)).toBe('AVX2');
    expect(parseTorchCpuCapability(fixture('torch-2.4-pip-mkl-config.txt'))).toBe('AVX512');
    expect(parseTorchCpuCapability('PyTorch built with:\n')).toBeNull();
  });

  it('warns loudly about the reference BLAS and says how to fix it', () => {
    const probe = { version: '1.13.0a0', config: debian, parallelInfo: '', numThreads: 1, mkl: false, mkldnn: true, openmp: true, sgemm256Gflops: 1 };
    const slow = summarizeTorch({ ...probe, loadedLibraries: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'] });
    expect(slow.warnings.join('\n')).toMatch(/REFERENCE BLAS.*npm run bench:setup.*libopenblas0-pthread/s);
    expect(summarizeTorch({ ...probe, loadedLibraries: ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'] }).warnings).toEqual([]);
  });
});

describe('loadWarnings', () => {
  it('is quiet on an idle machine, counting the benchmark\'s own threads at the end', () => {
    expect(loadWarnings(0.1, 1.2, 2, 1, 'linux')).toEqual([]);
  });

  it('warns at start and at end when other work shares the cores', () => {
    const w = loadWarnings(12.09, 13.5, 2, 1, 'linux');
    expect(w[0]).toBe('machine busy at start: 1-minute load 12.09 on 2 cores');
    expect(w[1]).toMatch(/^machine busy at end: 1-minute load 13.50 on 2 cores/);
    expect(w).toHaveLength(3);
  });

  it('has nothing to say on Windows, which reports no load average', () => {
    expect(loadWarnings(0, 0, 8, 1, 'win32')).toEqual([]);
  });
});

describe('WebAssembly feature probes', () => {
  // The probe bytes are the smallest modules using each feature; wabt rebuilds them from their text so that a
  // wrong byte (which would silently report "no") fails here.
  const sources: Record<keyof typeof WASM_FEATURE_PROBES, string> = {
    simd: '(module (func (result v128) (v128.const i32x4 0 0 0 0)))',
    relaxedSimd: '(module (func (result v128) (i8x16.relaxed_swizzle (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0))))',
    threads: '(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))',
  };

  it.each(Object.keys(sources) as (keyof typeof WASM_FEATURE_PROBES)[])('%s probe is what wat2wasm writes', async (name) => {
    const wabt = await (createRequire(__filename)('wabt') as () => Promise<{ parseWat: (f: string, s: string, features: Record<string, boolean>) => { toBinary: (o: object) => { buffer: Uint8Array } } }>)();
    const bytes = wabt.parseWat(`${name}.wat`, sources[name], { simd: true, relaxed_simd: true, threads: true }).toBinary({}).buffer;
    expect(Array.from(bytes)).toEqual([...WASM_FEATURE_PROBES[name]]);
  });

  it('detects SIMD in this Node (V8 has shipped it since Node 16) and answers every feature', () => {
    const f = wasmFeatures();
    expect(f.simd).toBe(true);
    for (const v of Object.values(f)) expect(typeof v).toBe('boolean');
  });
});

describe('formatMachine', () => {
  it('prints the CPU, its SIMD flags, the runtime and every warning', () => {
    const m = { ...describeMachine(), warnings: ['machine busy at start: 1-minute load 3.00 on 2 cores'] };
    const text = formatMachine(m).join('\n');
    expect(text).toContain(`Node ${process.version}, V8 ${process.versions.v8}; WebAssembly SIMD yes`);
    expect(text).toContain('WARNING: machine busy at start');
    expect(text).toMatch(/^Machine: .+, \d+ cores/);
  });
});
