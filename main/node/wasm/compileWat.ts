import type initWabt from 'wabt';

/**
 * WebAssembly text -> binary with wabt (a devDependency: the build compiles the kernels into dist/, see
 * scripts/build-node.mjs, and only runs from TypeScript sources compile them here on first use).
 *
 * A kernel module imports the tfjs wasm backend's memory as `(import "env" "memory" (memory 0))`. A module
 * whose memory import is not shared cannot be instantiated with a shared memory (the threaded backend's),
 * so `sharedMemory` rewrites that one line into its shared form before compiling.
 */

const MEMORY_IMPORT = '(import "env" "memory" (memory 0))';
const SHARED_MEMORY_IMPORT = '(import "env" "memory" (memory 0 65536 shared))';
type Wabt = Awaited<ReturnType<typeof initWabt>>;
const FEATURES: Parameters<Wabt['parseWat']>[2] = { simd: true, threads: true, multi_value: true };

export function withSharedMemory(source: string, file: string): string {
  const parts = source.split(MEMORY_IMPORT);
  if (parts.length !== 2) throw new Error(`${file}: expected exactly one ${MEMORY_IMPORT}`);
  return parts.join(SHARED_MEMORY_IMPORT);
}

let wabt: Promise<Wabt> | null = null;

/** Compiles `source` (a .wat module; `file` names it in errors) to a validated binary. */
export async function compileWat(source: string, file: string, sharedMemory: boolean): Promise<Uint8Array<ArrayBuffer>> {
  // Loaded only when needed: the packaged app ships prebuilt binaries and no wabt.
  wabt ??= import('wabt').then((m) => m.default());
  const w = await wabt;
  const mod = w.parseWat(file, sharedMemory ? withSharedMemory(source, file) : source, FEATURES);
  try {
    mod.resolveNames();
    // validate() takes the feature set too (without it, a shared memory is rejected); wabt's typings omit it.
    (mod.validate as (features: typeof FEATURES) => void).call(mod, FEATURES);
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
