/* eslint-disable no-var -- globals are declared with `var`, as lib.dom.d.ts does, so that the two merge */
/**
 * The part of the WebAssembly JS API the engine uses (wasm/simdKernels.ts). Node has it, but @types/node 20 does
 * not declare it (lib.dom.d.ts does); main/node is type-checked without DOM types, so it is declared here,
 * as a subset of lib.dom.d.ts's declarations. Add members when the engine starts using them.
 */
declare namespace WebAssembly {
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  var Memory: {
    prototype: Memory;
    new (descriptor: { initial: number; maximum?: number; shared?: boolean }): Memory;
  };

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- opaque, exactly as lib.dom.d.ts declares it
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
  };

  type Exports = Record<string, unknown>;
  type Imports = Record<string, Record<string, unknown>>;
  interface Instance {
    readonly exports: Exports;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, importObject?: Imports): Instance;
  };

  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
