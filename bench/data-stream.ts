/**
 * Streaming benchmark for image folders: generates a folder of random 256×256 RGB JPEGs (two classes), then reads
 * every batch of openDataset at 64×64×3 and reports peak RSS (sampled every 20 ms) and images/s. Deletes the folder.
 *
 *   npx tsx bench/data-stream.ts                  # ~2 GB
 *   npx tsx bench/data-stream.ts --size-gb 0.5    # smaller
 *   npx tsx bench/data-stream.ts --batch 64 --keep
 *
 * Generation encodes 64 distinct noise images (JPEG quality 95, ≈ 150 kB each: noise does not compress) and copies
 * them under new names to reach the size; decoding cost is the same for every file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { openDataset } from '../main/node/datasets';
import { DatasetChoiceSchema } from '../main/core/project';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  const sizeGb = Number(arg('size-gb', '2'));
  const batch = Number(arg('batch', '64'));
  const keep = process.argv.includes('--keep');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-bench-images-'));
  const t0 = performance.now();
  const variants: Buffer[] = [];
  for (let i = 0; i < 64; i++) {
    const raw = crypto.randomBytes(256 * 256 * 3);
    variants.push(await sharp(raw, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 95 }).toBuffer());
  }
  const target = sizeGb * 1024 ** 3;
  let bytes = 0;
  let files = 0;
  for (const c of ['class_a', 'class_b']) fs.mkdirSync(path.join(root, c));
  while (bytes < target) {
    const buf = variants[files % variants.length];
    await fs.promises.writeFile(path.join(root, files % 2 ? 'class_b' : 'class_a', `img_${String(files).padStart(7, '0')}.jpg`), buf);
    bytes += buf.length;
    files++;
  }
  const genSec = (performance.now() - t0) / 1000;
  console.log(`generated ${files.toLocaleString('en-US')} JPEGs, ${(bytes / 1024 ** 3).toFixed(2)} GB, in ${genSec.toFixed(1)} s (${root})`);

  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const t1 = performance.now();
    const data = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'images', path: root, width: 64, height: 64, channels: 3 }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 1 }), {
      onProblem: (p) => console.warn(`problem: ${p.file}: ${p.message}`),
    });
    const openSec = (performance.now() - t1) / 1000;
    let images = 0;
    let checksum = 0;
    const t2 = performance.now();
    for (const split of [data.train, data.validation, data.test]) {
      for (let s = 0; s < split.count; s += batch) {
        const idx = Array.from({ length: Math.min(batch, split.count - s) }, (_, i) => s + i);
        const b = await split.getBatch(idx);
        images += b.count;
        checksum += b.x[0];
        peak = Math.max(peak, process.memoryUsage().rss);
      }
    }
    const readSec = (performance.now() - t2) / 1000;
    clearInterval(timer);
    const mb = (v: number) => (v / 1024 ** 2).toFixed(0);
    const result = {
      files,
      gigabytes: Number((bytes / 1024 ** 3).toFixed(2)),
      batch,
      openSec: Number(openSec.toFixed(2)),
      readSec: Number(readSec.toFixed(1)),
      imagesPerSec: Math.round(images / readSec),
      rssBeforeMB: Number(mb(rssBefore)),
      peakRssMB: Number(mb(peak)),
      cores: os.cpus().length,
    };
    console.log(`read ${images.toLocaleString('en-US')} images at 64×64×3 in ${readSec.toFixed(1)} s: ${result.imagesPerSec} images/s; listing took ${openSec.toFixed(2)} s`);
    console.log(`RSS: ${mb(rssBefore)} MB before, peak ${mb(peak)} MB (checksum ${checksum.toFixed(3)})`);
    console.log('DATA_STREAM_RESULT ' + JSON.stringify(result));
  } finally {
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
