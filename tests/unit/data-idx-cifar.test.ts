import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readIdx } from '../../main/node/datasets/idx';
import { inspectDataset, openDataset } from '../../main/node/datasets';
import { DatasetChoiceSchema } from '../../main/core/project';

let dir: string;

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-idx-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('IDX reader', () => {
  it('reads plain and gzip files the same', async () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    fs.writeFileSync(path.join(dir, 'a-idx3-ubyte'), idx([2, 3, 4], data));
    fs.writeFileSync(path.join(dir, 'a-idx3-ubyte.gz'), zlib.gzipSync(idx([2, 3, 4], data)));
    for (const f of ['a-idx3-ubyte', 'a-idx3-ubyte.gz']) {
      const a = await readIdx(path.join(dir, f));
      expect(a.dims).toEqual([2, 3, 4]);
      expect(Array.from(a.data)).toEqual(Array.from(data));
    }
  });

  it('rejects a wrong magic number with a clear message', async () => {
    const f = path.join(dir, 'bad-idx1-ubyte');
    fs.writeFileSync(f, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 7]));
    await expect(readIdx(f)).rejects.toThrow(/bad-idx1-ubyte: not an IDX file \(magic number 0x504b0304; expected 0x00000801 for labels or 0x00000803 for images\)/);
    const g = path.join(dir, 'short-idx1-ubyte');
    fs.writeFileSync(g, idx([5], new Uint8Array(5)).subarray(0, 10));
    await expect(readIdx(g)).rejects.toThrow(/cut short/);
  });

  it('opens Fashion-MNIST from a picked folder: official test set as the test split', async () => {
    const fm = path.join(dir, 'fashion');
    fs.mkdirSync(fm);
    const img = (n: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i % 784 === 0 ? Math.floor(i / 784) % 256 : 255));
    fs.writeFileSync(path.join(fm, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idx([50, 28, 28], img(50))));
    fs.writeFileSync(path.join(fm, 'train-labels-idx1-ubyte'), idx([50], Uint8Array.from({ length: 50 }, (_, i) => i % 10)));
    fs.writeFileSync(path.join(fm, 't10k-images-idx3-ubyte'), idx([10, 28, 28], img(10)));
    fs.writeFileSync(path.join(fm, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idx([10], Uint8Array.from({ length: 10 }, (_, i) => i))));
    const d = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'fashion-mnist', dir: fm }, validationFraction: 0.2, testFraction: 0.3, splitSeed: 1 }));
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([40, 10, 10]);
    const t = await d.test.getBatch([0, 9]);
    expect(Array.from(t.y)).toEqual([0, 9]);
    // Each image's first pixel is its index in its file: the test split is the t10k file, in order.
    expect(t.x[0]).toBe(0);
    expect(t.x[784]).toBeCloseTo(9 / 255, 6);
    expect(t.x[1]).toBe(1);
    const missing = await inspectDataset({ type: 'builtin', name: 'fashion-mnist', dir: path.join(dir, 'nope'), samples: 2000, noise: 0.1 });
    expect(missing.info.available).toBe(false);
    expect(missing.info.unavailableReason).toMatch(/apt-get install dataset-fashion-mnist/);
  });
});

describe('CIFAR-10 binary reader', () => {
  it('reads batches, converts CHW planes to HWC floats, uses test_batch.bin as the test split', async () => {
    const cd = path.join(dir, 'cifar');
    fs.mkdirSync(cd);
    const record = (label: number, seed: number) => {
      const r = new Uint8Array(3073);
      r[0] = label;
      for (let p = 0; p < 1024; p++) {
        r[1 + p] = (seed + p) % 256; // red plane
        r[1 + 1024 + p] = 100; // green
        r[1 + 2048 + p] = 200; // blue
      }
      return r;
    };
    const batch = (labels: number[]) => Buffer.concat(labels.map((l, i) => Buffer.from(record(l, i))));
    fs.writeFileSync(path.join(cd, 'data_batch_1.bin'), batch([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    fs.writeFileSync(path.join(cd, 'test_batch.bin'), batch([3, 4, 5]));
    const d = await openDataset(DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'cifar10', dir: cd }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 1 }));
    expect(d.info.inputShape).toEqual([32, 32, 3]);
    expect(d.info.available).toBe(true);
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([18, 2, 3]);
    const b = await d.test.getBatch([1]);
    expect(b.y[0]).toBe(4);
    expect(b.x.length).toBe(3072);
    // pixel (0,1) of test record 1: red = (1 + 1) % 256, green 100, blue 200
    expect(b.x[3]).toBeCloseTo(2 / 255, 6);
    expect(b.x[4]).toBeCloseTo(100 / 255, 6);
    expect(b.x[5]).toBeCloseTo(200 / 255, 6);
  });

  it('says which folder to pick when the files are absent', async () => {
    const choice = DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'cifar10', dir: dir }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 1 });
    await expect(openDataset(choice)).rejects.toThrow(/Pick the folder with data_batch_1\.bin … test_batch\.bin \(the CIFAR-10 binary version\)/);
    await expect(openDataset({ ...choice, source: { type: 'builtin', name: 'cifar10', samples: 2000, noise: 0.1 } })).rejects.toThrow(/CIFAR-10 binary version/);
    fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(100));
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), Buffer.alloc(3073));
    await expect(openDataset(choice)).rejects.toThrow(/data_batch_1\.bin: 100 bytes is not a whole number of CIFAR-10 records/);
  });
});
