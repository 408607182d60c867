import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { DataProblem, DatasetInfo, DatasetPreview } from '../../core/datasets';
import type { Batch, SplitData, TrainingData } from '../../core/training/types';
import { datasetKey, type DatasetChoice, type DatasetSource } from '../../core/project';
import { scalePixels } from '../../core/preprocess';
import { classCountsOf, splitIndices, type SplitFractions } from './split';

/**
 * Image folders: one subfolder per class (sorted names = class names), PNG and JPEG files inside (subfolders of a
 * class folder count too). STREAMED: only paths and labels are held; `getBatch` decodes just the requested files with
 * sharp (a few at a time), so a folder larger than memory trains with bounded memory.
 * - Resize: fit 'fill' — the whole image is stretched to width×height (no cropping, aspect ratio not kept), like
 *   Keras' image_dataset_from_directory default; nothing at the edges is lost.
 * - Channels 1: converted to grayscale; 3: sRGB. Alpha is dropped. Pixels become floats 0..1, HWC.
 * - An unreadable file is reported once as a DataProblem and gives an all-zero image (its label kept), never an error.
 */

export type ImageSource = Extract<DatasetSource, { type: 'images' }>;

const IMAGE_EXT = /\.(png|jpe?g)$/i;
/** Files decoded at once per batch. */
export const DECODE_CONCURRENCY = 4;

// Keep libvips from caching decoded images across batches: memory stays bounded by the batch.
sharp.cache(false);

export interface ImageList {
  root: string;
  classNames: string[];
  files: string[];
  labels: Int32Array;
}

async function filesUnder(dir: string, out: string[]): Promise<void> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await filesUnder(p, out);
    else if ((e.isFile() || e.isSymbolicLink()) && IMAGE_EXT.test(e.name) && !e.name.startsWith('.')) out.push(p);
  }
}

/** Lists the images and their classes (no decoding). */
export async function listImages(root: string): Promise<ImageList> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(root);
  } catch {
    throw new Error(`Folder not found: ${root}`);
  }
  if (!st.isDirectory()) throw new Error(`${root} is not a folder. Pick a folder with one subfolder per class.`);
  const dirs = (await fs.promises.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (dirs.length === 0) throw new Error(`${root} has no subfolders. Put each class's images in its own subfolder (e.g. ${path.join(root, 'cats')}, ${path.join(root, 'dogs')}).`);
  const files: string[] = [];
  const labels: number[] = [];
  const classNames: string[] = [];
  for (const d of dirs) {
    const list: string[] = [];
    await filesUnder(path.join(root, d), list);
    if (list.length === 0) continue; // an empty folder is not a class
    const label = classNames.length;
    classNames.push(d);
    for (const f of list) {
      files.push(f);
      labels.push(label);
    }
  }
  if (files.length === 0) throw new Error(`${root} has no PNG or JPEG images in its subfolders.`);
  return { root, classNames, files, labels: Int32Array.from(labels) };
}

/** Raw pixel bytes (HWC) of an image that is already decoded, e.g. one drawn on a page. */
export interface RawPixels {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Decodes one image (a file path, a file's bytes, or raw pixels) to width×height×channels bytes (HWC): the one
 * decoder of training images and of a sample given to a trained model.
 */
export async function decodeImage(file: string | Uint8Array | RawPixels, width: number, height: number, channels: 1 | 3): Promise<Uint8Array> {
  const input =
    typeof file === 'string' || file instanceof Uint8Array
      ? sharp(file, { failOn: 'error' })
      : sharp(file.pixels, { raw: { width: file.width, height: file.height, channels: file.channels } });
  let img = input.rotate().resize(width, height, { fit: 'fill' }).removeAlpha();
  img = channels === 1 ? img.grayscale() : img.toColourspace('srgb');
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels === channels) return data;
  // Make the channel count exact whatever the source (e.g. grey + alpha, or a 1-channel result for RGB).
  const px = width * height;
  const out = new Uint8Array(px * channels);
  for (let p = 0; p < px; p++) {
    if (channels === 1) out[p] = data[p * info.channels];
    else for (let c = 0; c < 3; c++) out[p * 3 + c] = data[p * info.channels + Math.min(c, info.channels - 1)];
  }
  return out;
}

async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function imagesInfo(source: ImageSource, list: ImageList): DatasetInfo {
  const k = list.classNames.length;
  return {
    id: datasetKey(source),
    name: path.basename(path.resolve(source.path)),
    description: `${list.files.length.toLocaleString('en-US')} images in ${k} class folder${k === 1 ? '' : 's'}, resized to ${source.width}×${source.height} ${source.channels === 1 ? 'grayscale' : 'RGB'} (stretched to fill).`,
    inputShape: [source.height, source.width, source.channels],
    inputDType: 'float32',
    task: 'classification',
    numClasses: k,
    classNames: list.classNames,
    outputSize: k,
    totalSamples: list.files.length,
    classCounts: classCountsOf(list.labels, k),
    available: true,
  };
}

export async function openImages(choice: DatasetChoice & { source: ImageSource }, onProblem?: (p: DataProblem) => void): Promise<TrainingData> {
  const source = choice.source;
  const list = await listImages(source.path);
  const { width, height, channels } = source;
  const size = width * height * channels;
  const broken = new Set<number>();
  const split = splitIndices(list.files.length, choice as SplitFractions, list.labels, list.classNames.length, source.path);
  const splitOf = (members: Int32Array): SplitData => ({
    count: members.length,
    labels: Int32Array.from(members, (m) => list.labels[m]),
    async getBatch(indices: ArrayLike<number>): Promise<Batch> {
      const c = indices.length;
      const x = new Float32Array(c * size);
      const y = new Int32Array(c);
      const order = Array.from({ length: c }, (_, i) => i);
      await pool(order, DECODE_CONCURRENCY, async (i) => {
        const m = members[indices[i]];
        if (m === undefined) throw new RangeError(`Sample index ${indices[i]} is outside this split (0..${members.length - 1}).`);
        y[i] = list.labels[m];
        if (broken.has(m)) return;
        let bytes: Uint8Array;
        try {
          bytes = await decodeImage(list.files[m], width, height, channels);
        } catch (e) {
          broken.add(m);
          onProblem?.({ file: list.files[m], message: `unreadable image (${(e as Error).message}); used as an all-black image` });
          return;
        }
        scalePixels(bytes, x, i * size);
      });
      return { x, y, count: c };
    },
  });
  return { info: imagesInfo(source, list), train: splitOf(split.train), validation: splitOf(split.validation), test: splitOf(split.test) };
}

/** Lists the folder and decodes up to `maxSamples` images, taken in turn from each class. */
export async function inspectImages(source: ImageSource, maxSamples = 32): Promise<DatasetPreview> {
  const list = await listImages(source.path);
  const byClass: number[][] = list.classNames.map(() => []);
  list.labels.forEach((l, i) => byClass[l].push(i));
  const picked: number[] = [];
  for (let round = 0; picked.length < maxSamples; round++) {
    let any = false;
    for (const members of byClass) {
      if (round < members.length && picked.length < maxSamples) {
        picked.push(members[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  const problems: DataProblem[] = [];
  const decoded: ({ pixels: number[]; label: string } | null)[] = new Array(picked.length).fill(null);
  await pool(picked, DECODE_CONCURRENCY, async (m, i) => {
    try {
      const bytes = await decodeImage(list.files[m], source.width, source.height, source.channels);
      decoded[i] = { pixels: Array.from(bytes), label: list.classNames[list.labels[m]] };
    } catch (e) {
      problems.push({ file: list.files[m], message: `unreadable image (${(e as Error).message})` });
    }
  });
  problems.sort((a, b) => (a.file < b.file ? -1 : 1));
  return {
    info: imagesInfo(source, list),
    images: { width: source.width, height: source.height, channels: source.channels, samples: decoded.filter((d): d is { pixels: number[]; label: string } => d !== null) },
    problems,
    problemCount: problems.length,
  };
}
