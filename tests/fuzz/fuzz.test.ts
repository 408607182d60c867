/**
 * The fuzz suite's seeded sample: every target with a fixed seed and a few dozen cases, so `npm test` runs the same
 * few hundred cases each time (the full run with random seeds is `npm run fuzz`). A failure prints the shrunk input.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import { FUZZ_TARGETS } from './targets/index';

const SEED = 20_240_611;

describe('fuzz sample (fixed seed)', () => {
  for (const target of FUZZ_TARGETS) {
    describe(target.name, () => {
      beforeAll(async () => target.setup?.());
      afterAll(async () => target.teardown?.());
      it(`${target.sampleRuns} cases`, async () => {
        await fc.assert(fc.asyncProperty(target.arbitrary, async (input) => target.check(input)), { seed: SEED, numRuns: target.sampleRuns });
      });
    });
  }
});
