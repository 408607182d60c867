import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema } from '../../main/core/project';
import type { DataProblem } from '../../main/core/datasets';

let root: string;

/** A solid-colour image of size w×h. */
async function solid(file: string, w: number, h: number, rgb: [number, number, number], alpha = false): Promise<void> {
  const img = sharp({ create: { width: w, height: h, channels: alpha ? 4 : 3, background: alpha ? { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 1 } : { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (file.endsWith('.png') ? img.png() : img.jpeg({ quality: 100 })).toFile(file);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-img-'));
  for (const c of ['red', 'blue']) fs.mkdirSync(path.join(root, c));
  // 3 red (PNG, different sizes, one with alpha), 3 blue (JPEG), a broken file, a non-image file.
  await solid(path.join(root, 'red', 'r1.png'), 10, 20, [255, 0, 0]);
  await solid(path.join(root, 'red', 'r2.png'), 40, 8, [255, 0, 0], true);
  await solid(path.join(root, 'red', 'r3.png'), 8, 8, [255, 0, 0]);
  for (const n of ['b1', 'b2', 'b3']) await solid(path.join(root, 'blue', `${n}.jpg`), 16, 16, [0, 0, 255]);
  fs.writeFileSync(path.join(root, 'blue', 'broken.jpg'), 'this is not a jpeg');
  fs.writeFileSync(path.join(root, 'blue', 'notes.txt'), 'ignored');
  fs.mkdirSync(path.join(root, 'empty-class'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const choice = (extra: Record<string, unknown> = {}) =>
  DatasetChoiceSchema.parse({ source: { type: 'images', path: root, width: 6, height: 5, channels: 3, ...extra }, validationFraction: 0, testFraction: 0, splitSeed: 1 });

describe('image folders', () => {
  it('lists classes and files without decoding; decodes RGB and grayscale per batch; an unreadable file is a problem', async () => {
    const problems: DataProblem[] = [];
    const d = await openDataset(choice(), { onProblem: (p) => problems.push(p) });
    expect(d.info.classNames).toEqual(['blue', 'red']);
    expect(d.info.inputShape).toEqual([5, 6, 3]);
    expect(d.info.classCounts).toEqual([4, 3]);
    expect(problems).toEqual([]); // nothing decoded yet
    const idx = Array.from({ length: d.train.count }, (_, i) => i);
    const b = await d.train.getBatch(idx);
    expect(b.x.length).toBe(7 * 30 * 3);
    let zeros = 0;
    for (let i = 0; i < b.count; i++) {
      const px = b.x.subarray(i * 90, i * 90 + 3);
      if (px[0] === 0 && px[1] === 0 && px[2] === 0) {
        zeros++;
        continue;
      }
      if (b.y[i] === 1) expect([px[0], px[1], px[2]].map((v) => Math.round(v * 255))).toEqual([255, 0, 0]);
      else expect(px[2]).toBeGreaterThan(0.9);
    }
    expect(zeros).toBe(1);
    expect(problems.length).toBe(1);
    expect(problems[0].file).toBe(path.join(root, 'blue', 'broken.jpg'));
    expect(problems[0].message).toMatch(/unreadable image/);
    // Reported once, not on every epoch.
    await d.train.getBatch(idx);
    expect(problems.length).toBe(1);

    const g = await openDataset(choice({ channels: 1 }));
    const gb = await g.train.getBatch(idx);
    expect(gb.x.length).toBe(7 * 30);
    const redSample = Array.from(gb.y).indexOf(1);
    expect(gb.x[redSample * 30]).toBeGreaterThan(0.15); // red → one grey level (libvips: ≈ 0.5)
    expect(gb.x[redSample * 30]).toBeLessThan(0.6);
  });

  it('previews up to 32 samples as 0..255 bytes and lists the unreadable file', async () => {
    const p = await inspectDataset(choice().source);
    expect(p.images!.samples.length).toBe(6);
    expect(p.images!.samples[0].pixels.length).toBe(90);
    expect(p.images!.samples.map((s) => s.label).sort()).toEqual(['blue', 'blue', 'blue', 'red', 'red', 'red']);
    expect(p.problemCount).toBe(1);
    expect(p.problems[0].file).toMatch(/broken\.jpg$/);
    expect(p.info.totalSamples).toBe(7);
  });

  it('streams: getBatch decodes only the requested files', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-img2-'));
    try {
      for (const c of ['a', 'b']) {
        fs.mkdirSync(path.join(copy, c));
        for (let i = 0; i < 5; i++) await solid(path.join(copy, c, `${i}.png`), 8, 8, c === 'a' ? [10, 20, 30] : [200, 100, 50]);
      }
      const problems: DataProblem[] = [];
      const d = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'images', path: copy, width: 4, height: 4, channels: 3 }, validationFraction: 0, testFraction: 0, splitSeed: 1 }), {
        onProblem: (p) => problems.push(p),
      });
      // 1) Break every file on disk, then ask for two samples: exactly two problems → only those two files were read.
      // 2) Restore those two; a fresh dataset reads them with no problem although the other eight are still broken.
      const first = await d.train.getBatch([0]); // decoded fine
      const files = [path.join(copy, 'a'), path.join(copy, 'b')].flatMap((dd) => fs.readdirSync(dd).map((f) => path.join(dd, f)));
      const before = files.map((f) => fs.readFileSync(f));
      for (const f of files) fs.writeFileSync(f, 'garbage');
      const keep = [3, 7];
      const probe = await d.train.getBatch(keep);
      expect(problems.length).toBe(2);
      const wanted = problems.map((p) => p.file);
      for (let i = 0; i < files.length; i++) if (wanted.includes(files[i])) fs.writeFileSync(files[i], before[i]);
      expect(probe.count).toBe(2);
      expect(first.count).toBe(1);
      // A fresh dataset (no memory of broken files) reading those two decodes them and touches nothing else.
      const problems2: DataProblem[] = [];
      const d2 = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'images', path: copy, width: 4, height: 4, channels: 3 }, validationFraction: 0, testFraction: 0, splitSeed: 1 }), {
        onProblem: (p) => problems2.push(p),
      });
      const ok = await d2.train.getBatch(keep);
      expect(problems2).toEqual([]);
      expect(ok.x.some((v) => v > 0)).toBe(true);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('explains a folder without class subfolders', async () => {
    const flat = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-flat-'));
    try {
      await expect(openDataset(DatasetChoiceSchema.parse({ source: { type: 'images', path: flat }, validationFraction: 0, testFraction: 0, splitSeed: 1 }))).rejects.toThrow(/no subfolders/);
      await expect(inspectDataset({ type: 'images', path: path.join(flat, 'nope'), width: 8, height: 8, channels: 1 })).rejects.toThrow(/Folder not found/);
    } finally {
      fs.rmSync(flat, { recursive: true, force: true });
    }
  });
});
