import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatComparison, type CompareSource } from '../../core/compare';
import { diffGraphs } from '../../core/graph/diff';
import { CompareSourceError, loadCompareSide, type CompareContext } from '../compareSources';
import { RunStore, isValidRunId } from '../runs';
import { defaultDataDir, defaultTemplatesDir } from '../engine';

const USAGE = `Usage: npm run diff -- <a> <b>

Compares two networks and prints the layers added, removed and changed (each setting, old → new), output shape
and parameter-count changes, the connections added and removed, and the totals. Each of <a> and <b> is
  a project file (.neurowire, .neurowire.json, .json),
  a Keras or TensorFlow.js model.json (imported as File → Import does),
  a run: its folder, its id in $NEUROWIRE_HOME/runs (default ~/Neurowire/runs) or run:<id> — then the
    runs' final metrics are compared too,
  template:<id>, a template of the app (e.g. template:mnist-mlp).
Exits 0 when the two networks are the same, 1 when they differ, 2 on an error.`;

function fail(message: string): never {
  console.error(`neurowire diff: ${message}`);
  process.exit(2);
}

/** What a command-line argument names, and where its run history is. */
export function resolveSourceArgument(arg: string, runsDir: string): { source: CompareSource; runs: string } {
  const prefixed = /^(run|template):(.+)$/.exec(arg);
  if (prefixed?.[1] === 'run') return { source: { type: 'run', runId: prefixed[2] }, runs: runsDir };
  if (prefixed?.[1] === 'template') return { source: { type: 'template', id: prefixed[2] }, runs: runsDir };
  const resolved = path.resolve(arg);
  if (existsSync(resolved)) {
    if (statSync(resolved).isDirectory()) return { source: { type: 'run', runId: path.basename(resolved) }, runs: path.dirname(resolved) };
    return { source: { type: 'file', path: resolved }, runs: runsDir };
  }
  if (isValidRunId(arg) && existsSync(path.join(runsDir, arg))) return { source: { type: 'run', runId: arg }, runs: runsDir };
  throw new CompareSourceError(`"${arg}" is no file, no run folder and no run in ${runsDir}.`);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return;
  }
  if (parsed.positionals.length !== 2) fail(`give two things to compare.\n${USAGE}`);
  const runsDir = path.join(defaultDataDir(), 'runs');
  const templatesDir = defaultTemplatesDir();
  try {
    const sides = await Promise.all(
      parsed.positionals.map((arg, i) => {
        const { source, runs } = resolveSourceArgument(arg, runsDir);
        const context: CompareContext = { runs: new RunStore(runs, () => undefined), templatesDir };
        return loadCompareSide(source, context).catch((e: Error) => {
          throw new CompareSourceError(`${i === 0 ? 'A' : 'B'} (${arg}): ${e.message}`);
        });
      }),
    );
    const [a, b] = sides;
    const diff = diffGraphs(a.graph, b.graph);
    console.log(formatComparison({ a, b, diff }));
    process.exitCode = diff.equal ? 0 : 1;
  } catch (e) {
    if (e instanceof CompareSourceError) fail(e.message);
    fail(`the comparison failed: ${(e as Error).message}`);
  }
}

void main();
