/* eslint-disable no-var -- globals are declared with `var`, as lib.dom.d.ts and @types/node do, so that they merge */
/**
 * The platform globals main/core uses, which Node and browsers (pages and workers) both provide. main/core is
 * type-checked with neither DOM nor Node types so that it cannot lean on either; declare here only what it uses,
 * in shapes that merge with lib.dom.d.ts and @types/node (the folders that import core see those instead).
 */

/** High-resolution clock (`performance` exists in browsers, workers and Node ≥ 16). */
interface Performance {
  now(): number;
}
declare var performance: Performance;

/** Deep copy of plain data (browsers, workers and Node ≥ 17). */
declare function structuredClone<T>(value: T): T;
