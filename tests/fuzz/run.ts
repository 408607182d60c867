/**
 * `npm run fuzz`: every target with its full number of cases (over 10,000 in all). Prints, per target, the cases
 * run, the failures (the first few with their input) and the slowest case; every case over 2 s (a target may
 * set more) is reported as a hang. Exit code 1 on any failure or hang.
 *   npm run fuzz -- --seed 42 --scale 0.1 --only graph
 * FUZZ_SEED / FUZZ_SCALE do the same as --seed / --scale.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { FUZZ_TARGETS } from './targets';

const SLOW_MS = 2000;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : process.env[`FUZZ_${name.toUpperCase()}`];
}

/** A case's input as a line of text, cut short (a case may be megabytes). */
function show(input: unknown): string {
  let text: string;
  try {
    text = input instanceof Uint8Array ? `bytes ${Buffer.from(input).toString('hex')}` : (JSON.stringify(input) ?? String(input));
  } catch {
    text = String(input);
  }
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}

async function main(): Promise<void> {
  const seed = Number(option('seed') ?? Date.now() % 2 ** 31);
  const scale = Number(option('scale') ?? 1);
  const only = option('only');
  const targets = FUZZ_TARGETS.filter((t) => !only || t.name.includes(only));
  console.log(`fuzz: seed ${seed}, ${targets.length} targets${scale !== 1 ? `, scale ${scale}` : ''}`);
  const started = performance.now();
  let totalCases = 0;
  let totalFailures = 0;
  let totalSlow = 0;
  for (const target of targets) {
    const runs = Math.max(1, Math.round(target.runs * scale));
    const failures: { input: unknown; error: Error }[] = [];
    const slow: { input: unknown; ms: number }[] = [];
    let slowest = { ms: 0, input: undefined as unknown };
    let cases = 0;
    const slowMs = target.slowMs ?? SLOW_MS;
    await target.setup?.();
    const t0 = performance.now();
    try {
      // The property never fails, so every case runs (no early stop): failures are collected and reported together.
      const property = fc.asyncProperty(target.arbitrary, async (input) => {
        const start = performance.now();
        try {
          await target.check(input);
        } catch (e) {
          failures.push({ input, error: e instanceof Error ? e : new Error(String(e)) });
        }
        const ms = performance.now() - start;
        cases++;
        if (ms > slowest.ms) slowest = { ms, input };
        if (ms > slowMs) slow.push({ input, ms });
        return true;
      });
      await fc.assert(property, { seed, numRuns: runs });
    } finally {
      await target.teardown?.();
    }
    const seconds = (performance.now() - t0) / 1000;
    totalCases += cases;
    totalFailures += failures.length;
    totalSlow += slow.length;
    console.log(`\n${target.name}: ${cases} cases in ${seconds.toFixed(1)} s, ${failures.length} failures, ${slow.length} over ${slowMs / 1000} s; slowest ${slowest.ms.toFixed(0)} ms`);
    console.log(`  slowest input: ${show(slowest.input)}`);
    const seen = new Set<string>();
    for (const f of failures) {
      const key = f.error.message.replace(/\d+/g, '#').slice(0, 80);
      if (seen.has(key)) continue;
      seen.add(key);
      if (seen.size > 5) break;
      console.log(`  FAIL ${f.error.message.slice(0, 600)}`);
      const cause = (f.error as { cause?: unknown }).cause;
      if (cause instanceof Error && cause.stack) console.log(`    cause: ${cause.stack.split('\n').slice(0, 4).join('\n    ')}`);
      console.log(`    input: ${show(f.input)}`);
    }
    for (const s of slow.slice(0, 3)) console.log(`  SLOW ${s.ms.toFixed(0)} ms: ${show(s.input)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nfuzz: ${totalCases} cases in ${seconds.toFixed(1)} s, ${totalFailures} failures, ${totalSlow} too slow (seed ${seed})`);
  process.exit(totalFailures > 0 || totalSlow > 0 ? 1 : 0);
}

void main();
