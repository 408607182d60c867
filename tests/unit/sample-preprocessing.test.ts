import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../main/node/datasets';
import { prepareSample } from '../../main/node/predict';
import { datasetMetadata } from '../../main/core/training/job';
import { DatasetChoiceSchema, emptyProject, type DatasetChoice, type Project } from '../../main/core/project';
import { describeModelInputs, encodeTypedSample, modelMetadataOf, readOutput, type ModelMetadata, type Sample } from '../../main/core/prediction';
import { mnistDigit, SampleError, splitRow } from '../../main/core/preprocess';
import type { TrainingData } from '../../main/core/training/types';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nw-sample-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const choice = (source: Record<string, unknown>): DatasetChoice => DatasetChoiceSchema.parse({ source, validationFraction: 0.2, testFraction: 0.2, splitSeed: 7 });

/** Every sample of every split, each as a comma-joined string of its values (order does not matter here). */
async function allSamples(data: TrainingData): Promise<string[]> {
  const out: string[] = [];
  for (const split of [data.train, data.validation, data.test]) {
    const batch = await split.getBatch(Array.from({ length: split.count }, (_, i) => i));
    const x = Array.isArray(batch.xs) ? batch.xs[0] : batch.x;
    const size = x.length / batch.count;
    for (let i = 0; i < batch.count; i++) out.push(Array.from(x.subarray(i * size, (i + 1) * size)).join(','));
  }
  return out.sort();
}

/** The metadata a model trained on this data carries (what model.predict reads back). */
function metadataOf(data: TrainingData): ModelMetadata {
  return modelMetadataOf({ neurowire: datasetMetadata(data.info) });
}

async function prepared(data: TrainingData, project: Project, sample: Sample): Promise<string> {
  const [x] = await prepareSample(metadataOf(data), project, sample);
  return Array.from(x).join(',');
}

describe("one sample's preprocessing equals what training produced for it", () => {
  it('a table row: standardized numbers (training split statistics), one-hot categories, a missing value filled', async () => {
    const file = path.join(dir, 'things.csv');
    const rows = ['size,color,weight,kind'];
    for (let i = 0; i < 40; i++) rows.push(`${i * 1.5},${['red', 'blue', 'green'][i % 3]},${i === 5 ? 'NA' : (i * 7) % 11},${i % 2 ? 'a' : 'b'}`);
    fs.writeFileSync(file, rows.join('\n'));
    const project = { ...emptyProject('Things'), dataset: choice({ type: 'csv', path: file, labelColumn: 'kind', missing: 'mean' }) };
    const data = await openDataset(project.dataset);
    const trained = await allSamples(data);
    const typed = await Promise.all(rows.slice(1).map((r) => prepared(data, project, { type: 'row', text: r.split(',').slice(0, 3).join(',') })));
    expect(typed.sort()).toEqual(trained);
    expect(describeModelInputs(metadataOf(data), { runId: 'r', projectName: 'Things' })).toMatchObject({ kind: 'table', columns: ['size', 'color', 'weight'] });
  });

  it('a sentence: the vocabulary and sequence length training built', async () => {
    const file = path.join(dir, 'reviews.csv');
    const texts = Array.from({ length: 30 }, (_, i) => (i % 2 ? `Great film, lovely ${i % 4} actors` : `Boring plot and awful ${i % 5} ending!`));
    fs.writeFileSync(file, ['review,sentiment', ...texts.map((t, i) => `"${t}",${i % 2 ? 'pos' : 'neg'}`)].join('\n'));
    const project = { ...emptyProject('Reviews'), dataset: choice({ type: 'text', path: file, textColumn: 'review', labelColumn: 'sentiment', sequenceLength: 6, vocabSize: 12 }) };
    const data = await openDataset(project.dataset);
    const typed = await Promise.all(texts.map((text) => prepared(data, project, { type: 'text', text })));
    expect(typed.sort()).toEqual(await allSamples(data));
  });

  it('an image file: decoded, resized and scaled as an image folder is for training', async () => {
    const root = path.join(dir, 'images');
    const files: string[] = [];
    for (const [cls, colour] of [['dark', 40], ['light', 200]] as const) {
      fs.mkdirSync(path.join(root, cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const file = path.join(root, cls, `${i}.png`);
        const raw = Buffer.from(Array.from({ length: 9 * 7 * 3 }, (_, j) => (colour + j * (i + 1)) % 256));
        await sharp(raw, { raw: { width: 9, height: 7, channels: 3 } }).png().toFile(file);
        files.push(file);
      }
    }
    const project = { ...emptyProject('Shades'), dataset: DatasetChoiceSchema.parse({ source: { type: 'images', path: root, width: 4, height: 5, channels: 1 }, validationFraction: 0, testFraction: 0, splitSeed: 1 }) };
    const data = await openDataset(project.dataset);
    const given = await Promise.all(files.map((f) => prepared(data, project, { type: 'image', name: path.basename(f), dataBase64: fs.readFileSync(f).toString('base64') })));
    expect(given.sort()).toEqual(await allSamples(data));
    expect(describeModelInputs(metadataOf(data), { runId: 'r', projectName: 'Shades' })).toMatchObject({ kind: 'image', image: { width: 4, height: 5, channels: 1 } });
    // Pixels already at the model's size pass through unchanged, scaled like the training pixels.
    const pixels = Array.from({ length: 20 }, (_, i) => i * 12);
    const [x] = await prepareSample(metadataOf(data), project, { type: 'pixels', width: 4, height: 5, channels: 1, pixels });
    expect(Array.from(x)).toEqual(Array.from(Float32Array.from(pixels, (p) => p * (1 / 255))));
    await expect(prepareSample(metadataOf(data), project, { type: 'image', name: 'notes.png', dataBase64: Buffer.from('not an image').toString('base64') })).rejects.toThrow(
      /"notes\.png" cannot be read as an image/,
    );
  });
});

describe('bad samples get a message naming the field', () => {
  const meta: ModelMetadata = {
    dataset: 'things.csv',
    task: 'classification',
    classNames: ['a', 'b'],
    inputShape: [4],
    outputSize: 2,
    preprocessing: {
      kind: 'tabular',
      features: [
        { column: 'size', type: 'numeric', mean: 2, std: 4, missingFill: 2 },
        { column: 'color', type: 'categorical', encoding: 'onehot', categories: ['blue', 'red', 'green'], missingFill: null },
      ],
    },
  };
  it('wrong number of fields, text in a number column, an unknown category', () => {
    expect(() => encodeTypedSample(meta, { type: 'row', text: '1,red,3' })).toThrow('Expected 2 fields (size, color) but the row has 3.');
    expect(() => encodeTypedSample(meta, { type: 'row', text: 'big,red' })).toThrow('Column "size": "big" is not a number.');
    expect(() => encodeTypedSample(meta, { type: 'row', text: '1,purple' })).toThrow(SampleError);
    expect(() => encodeTypedSample(meta, { type: 'row', text: '1,purple' })).toThrow('Column "color": unknown category "purple" (training saw blue, red, green).');
    expect(() => encodeTypedSample(meta, { type: 'text', text: 'hello' })).toThrow('does not take a sentence');
    expect(Array.from(encodeTypedSample(meta, { type: 'row', text: '6;green' })[0])).toEqual([1, 0, 0, 1]);
    expect(Array.from(encodeTypedSample(meta, { type: 'row', text: 'NA,' })[0])).toEqual([0, 0, 0, 0]);
  });
  it('splits quoted fields and guesses the delimiter from the expected count', () => {
    expect(splitRow('"a, b",2', 2)).toEqual(['a, b', '2']);
    expect(splitRow('1\t2\t3', 3)).toEqual(['1', '2', '3']);
    expect(splitRow('1;2', 2, ',')).toEqual(['1;2']);
  });
});

describe('reading outputs', () => {
  const output = { task: 'classification' as const, classNames: ['cat', 'dog', 'eel'], outputSize: 3 };
  it('softmax outputs as they are; logits through softmax; one sigmoid unit as two classes', () => {
    expect(readOutput([0.1, 0.7, 0.2], output, 'out', false)).toMatchObject({ probabilities: [0.1, 0.7, 0.2], predicted: 'dog' });
    const fromLogits = readOutput([0, Math.log(3), 0], output, 'out', true).probabilities!;
    expect(fromLogits.map((p) => +p.toFixed(6))).toEqual([0.2, 0.6, 0.2]);
    expect(readOutput([0.9], { task: 'classification', classNames: ['no', 'yes'], outputSize: 2 }, 'out', false)).toMatchObject({ predicted: 'yes' });
    expect(readOutput([1.5, -2], { task: 'regression', classNames: [], outputSize: 2 }, 'price', false)).toEqual({ name: 'price', task: 'regression', values: [1.5, -2] });
  });
});

describe('a drawn digit made like MNIST', () => {
  it('fits the ink in 20×20 and centres its mass in 28×28', () => {
    const size = 280;
    const ink = new Uint8Array(size * size);
    // A thick vertical stroke off to the upper left.
    for (let y = 20; y < 160; y++) for (let x = 30; x < 50; x++) ink[y * size + x] = 255;
    const digit = mnistDigit(ink, size, size);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let top = 28;
    let bottom = -1;
    digit.forEach((v, i) => {
      if (!v) return;
      const [x, y] = [i % 28, Math.floor(i / 28)];
      mass += v;
      cx += v * x;
      cy += v * y;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    });
    expect(bottom - top + 1).toBe(20);
    expect(Math.abs(cx / mass - 13.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(cy / mass - 13.5)).toBeLessThanOrEqual(1);
    expect(Math.max(...digit)).toBe(255);
    expect(mnistDigit(new Uint8Array(100), 10, 10).every((v) => v === 0)).toBe(true);
  });
});
