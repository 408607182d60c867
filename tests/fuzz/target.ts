import type fc from 'fast-check';

/**
 * One thing the fuzz suite attacks: where its random inputs come from and what must hold for each. `check` throws
 * (any error) when a case breaks a property; errors the code under test throws on purpose are caught inside it and
 * judged by unclearReason.
 */
export interface FuzzTarget<T = unknown> {
  name: string;
  /** Cases in `npm run fuzz`. */
  runs: number;
  /** Cases in the seeded sample that runs with the unit tests. */
  sampleRuns: number;
  /**
   * A case slower than this is reported as a hang (default 2 s). Only a target whose cases run a third party's
   * slow path on purpose (tfjs building weights on its pure-JS backend) sets a larger one.
   */
  slowMs?: number;
  arbitrary: fc.Arbitrary<T>;
  check(input: T): void | Promise<void>;
  /** Prepares what every case shares (a temporary folder, an engine); undone by teardown. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

export function defineTarget<T>(target: FuzzTarget<T>): FuzzTarget {
  return target as FuzzTarget;
}
