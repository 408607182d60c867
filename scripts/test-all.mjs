// `npm test`: lint (with the layer rules), type check of every folder, unit + integration tests (vitest),
// end-to-end tests in Chromium (Playwright), then one closing line with the totals of both runners.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

let failedSteps = 0;
const step = (name, cmd, args, env) => {
  console.log(`\n=== ${name} ===`);
  const code = run(cmd, args, env);
  if (code !== 0) {
    failedSteps++;
    console.log(`=== ${name} failed (exit ${code}) ===`);
  }
  return code;
};

step('lint', 'npx', ['eslint', '--cache', '--cache-location', '.cache/eslint/', '.']);
step('type check (each folder)', process.execPath, ['scripts/typecheck.mjs']);
step('unit and integration tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
step('renderer build', 'npx', ['vite', 'build']);
step('end-to-end tests (Chromium)', 'npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' });

let passed = 0;
let failed = 0;
if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
}
if (existsSync('test-results/playwright.json')) {
  const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  passed += p.stats.expected;
  failed += p.stats.unexpected + (p.stats.flaky ?? 0);
}
if (failedSteps > 0 && failed === 0) failed = failedSteps;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps > 0 || failed > 0 ? 1 : 0);
