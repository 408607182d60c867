/**
 * CSV loading benchmark: generates a table of about 200 MB (1.09 M rows: 18 numeric columns, one categorical, a class
 * label, a few missing and bad values), then opens it the way a training run does (openDatasetLogged) and reports
 * wall time and peak RSS. Deletes the file.
 *
 *   npx tsx bench/csv-load.ts                     # 1,090,000 rows, ~200 MB
 *   npx tsx bench/csv-load.ts --rows 200000 --keep
 *
 * The load runs in a child process so its peak RSS (process.resourceUsage().maxRSS) counts the loader alone, not the
 * generation.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatasetLogged } from '../main/node/datasets';
import { DatasetChoiceSchema } from '../main/core/project';
import { mulberry32 } from '../main/core/random';

const NUMERIC = 18;
const COLORS = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'];
const CLASSES = ['low', 'mid', 'high'];

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

/** Writes `rows` rows in 4 MB pieces (never the whole text in memory); returns the file's size in bytes. */
async function generate(file: string, rows: number): Promise<number> {
  const rand = mulberry32(7);
  const out = fs.createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve, reject) => out.write(s, (e) => (e ? reject(e) : resolve())));
  let piece = ['label', 'color', ...Array.from({ length: NUMERIC }, (_, i) => `x${i + 1}`)].join(',') + '\n';
  for (let r = 0; r < rows; r++) {
    const fields: string[] = [];
    let sum = 0;
    for (let c = 0; c < NUMERIC; c++) {
      const v = (rand() * 2 - 1) * 10 ** (c % 4);
      sum += v / 10 ** (c % 4);
      fields.push(rand() < 0.001 ? '' : v.toFixed(6)); // 0.1 % missing values: filled with the training mean
    }
    const color = COLORS[Math.floor(rand() * COLORS.length)];
    const label = CLASSES[sum < -1.5 ? 0 : sum < 1.5 ? 1 : 2];
    if (r % 100_000 === 50_000) fields[3] = 'n/a?'; // a bad row now and then: text in a numeric column
    piece += `${label},${color},${fields.join(',')}\n`;
    if (piece.length > 4 << 20) {
      await write(piece);
      piece = '';
    }
  }
  await write(piece);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return fs.statSync(file).size;
}

/** The child: opens the file as training does, reads one batch of each split, prints one JSON line. */
async function load(file: string): Promise<void> {
  const choice = DatasetChoiceSchema.parse({
    source: { type: 'csv', path: file, labelColumn: 'label', missing: 'mean', badRows: 'skip' },
    validationFraction: 0.1,
    testFraction: 0.1,
    splitSeed: 1,
  });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const logs: string[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const data = await openDatasetLogged(choice, (m) => logs.push(m));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  let checksum = 0;
  for (const split of [data.train, data.validation, data.test]) {
    const b = await split.getBatch(Array.from({ length: Math.min(256, split.count) }, (_, i) => i));
    for (let i = 0; i < b.x.length; i++) checksum += b.x[i];
  }
  const maxRssKB = process.resourceUsage().maxRSS;
  console.log(
    'CSV_LOAD_RESULT ' +
      JSON.stringify({
        seconds: Number(seconds.toFixed(1)),
        // CPU time of this process: less sensitive than wall time to other work on a shared machine.
        cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
        rssBeforeMB: Math.round(rssBefore / 1024 ** 2),
        peakRssMB: Math.round(Math.max(maxRssKB / 1024, peak / 1024 ** 2)),
        samples: data.train.count + data.validation.count + data.test.count,
        inputs: data.info.inputShape[0],
        classes: data.info.classNames,
        logLines: logs.length, // the problems told one by one, then their count
        checksum: Number(checksum.toFixed(3)),
      }),
  );
}

async function main(): Promise<void> {
  const loadIdx = process.argv.indexOf('--load');
  if (loadIdx >= 0) return load(process.argv[loadIdx + 1]);
  const rows = Number(arg('rows', '1090000'));
  const keep = process.argv.includes('--keep');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-bench-csv-'));
  const file = path.join(dir, 'table.csv');
  try {
    const t0 = performance.now();
    const bytes = await generate(file, rows);
    console.log(`generated ${rows.toLocaleString('en-US')} rows, ${(bytes / 1024 ** 2).toFixed(0)} MB, in ${((performance.now() - t0) / 1000).toFixed(1)} s (${file})`);
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--load', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`the loading process failed (exit ${child.status}): ${child.stdout}`);
    const line = child.stdout.split('\n').find((l) => l.startsWith('CSV_LOAD_RESULT '));
    if (!line) throw new Error(`no result from the loading process: ${child.stdout}`);
    const result = { ...JSON.parse(line.slice('CSV_LOAD_RESULT '.length)), rows, megabytes: Math.round(bytes / 1024 ** 2), cpu: os.cpus()[0]?.model, cores: os.cpus().length };
    console.log(`loaded in ${result.seconds} s (${result.cpuSeconds} s of CPU), peak RSS ${result.peakRssMB} MB (${result.rssBeforeMB} MB before; ${result.samples.toLocaleString('en-US')} samples, ${result.inputs} inputs)`);
    console.log('CSV_LOAD_RESULT ' + JSON.stringify(result));
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
