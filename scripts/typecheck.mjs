// `npm run typecheck`: type-checks every folder under its own tsconfig.json (main/core has neither DOM nor Node types,
// main/node no DOM, renderer no Node), two at a time. Incremental: .cache/tsc/ keeps what the last run learnt.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const PROJECTS = ['main/node', 'renderer', 'tests', 'main/core', 'electron', 'bench', '.'];

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
mkdirSync('.cache/tsc', { recursive: true });

function check(project) {
  const started = Date.now();
  const buildInfo = `.cache/tsc/${project === '.' ? 'root' : project.replace('/', '-')}.tsbuildinfo`;
  const args = [tsc, '-p', `${project}/tsconfig.json`, '--noEmit', '--incremental', '--tsBuildInfoFile', buildInfo, '--pretty'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      // Whole reports, one project at a time, so parallel runs do not interleave.
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${code === 0 ? 'ok    ' : 'FAILED'} ${project}/tsconfig.json (${seconds} s)`);
      if (output.trim()) console.log(output.trimEnd());
      resolve(code === 0);
    });
  });
}

const queue = [...PROJECTS];
const workers = Array.from({ length: Math.min(2, availableParallelism()) }, async () => {
  let ok = true;
  while (queue.length > 0) ok = (await check(queue.shift())) && ok;
  return ok;
});
const ok = (await Promise.all(workers)).every(Boolean);
process.exit(ok ? 0 : 1);
