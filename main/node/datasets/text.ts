import path from 'node:path';
import type { DataProblem, DatasetInfo, DatasetPreview } from '../../core/datasets';
import type { TrainingData } from '../../core/training/types';
import { datasetKey, type DatasetChoice, type DatasetSource } from '../../core/project';
import { columnIndex, countLines, isMissing, previewTable, readCsv, sortClassNames } from './csvRows';
import { arraySplit, classCountsOf, splitIndices, type SplitFractions } from './split';
import { CodedColumn, TextColumn } from './columns';
import { buildVocabulary, encodeText, vocabularyIds } from '../../core/preprocess';

/**
 * Text classification from a CSV (a text column and a label column).
 * - Tokens: runs of letters/digits (Unicode), lowercased when `lowercase`; everything else separates tokens.
 * - Vocabulary: index 0 = "<pad>", 1 = "<unk>", then the vocabSize-2 most frequent tokens of the TRAINING split
 *   (ties: alphabetical). A vocabulary given in the source is used unchanged (a saved project keeps its tokenizer).
 * - Sequences: the first sequenceLength token ids, padded with 0 at the end → int32 x of shape [sequenceLength].
 * - Rows with a missing label or a wrong number of fields are skipped and listed.
 */

export type TextSource = Extract<DatasetSource, { type: 'text' }>;
export { PAD, UNK, tokenize, buildVocabulary, encodeText } from '../../core/preprocess';

interface ReadText {
  header: string[];
  /** A preview's rows as read (fields), for its table; empty when reading for training. */
  rows: string[][];
  /** The kept rows' texts and labels (codes into `labels.names`, sorted once the read is done). */
  texts: TextColumn;
  labels: CodedColumn;
  problems: DataProblem[];
  rowsRead: number;
  truncated: boolean;
}

/** Reads the texts and labels in one streamed pass, into UTF-8 bytes and label codes rather than row arrays. */
async function readText(source: TextSource, maxRows?: number, onProblem?: (p: DataProblem) => void): Promise<ReadText> {
  const file = source.path;
  let header: string[] = [];
  let ti = -1;
  let li = -1;
  const out: ReadText = { header, rows: [], texts: new TextColumn(), labels: new CodedColumn(), problems: [], rowsRead: 0, truncated: false };
  const problem = (p: DataProblem) => {
    out.problems.push(p);
    onProblem?.(p);
  };
  const res = await readCsv(
    file,
    (fields, line) => {
      if (fields.length !== header.length) {
        problem({ file, line, column: fields.length < header.length ? header[fields.length] : `(field ${header.length + 1})`, message: `expected ${header.length} fields, found ${fields.length}; row skipped` });
        return;
      }
      if (isMissing(fields[li])) {
        problem({ file, line, column: header[li], message: 'missing label; row skipped' });
        return;
      }
      if (maxRows !== undefined) out.rows.push(fields);
      out.texts.push(fields[ti] ?? '');
      out.labels.push(fields[li].trim());
    },
    {
      maxRows,
      onHeader(h) {
        header = h;
        out.header = h;
        ti = columnIndex(h, source.textColumn, file, 'text');
        li = columnIndex(h, source.labelColumn, file, 'label');
      },
    },
  );
  out.rowsRead = res.rows;
  out.truncated = res.truncated;
  if (out.texts.length === 0) throw new Error(`${file} has no usable rows (${res.rows} read${out.problems[0] ? `; first problem at line ${out.problems[0].line}: ${out.problems[0].message}` : ''}).`);
  out.labels.sortCodes(sortClassNames);
  return out;
}

function textInfo(source: TextSource, n: number, classNames: string[], labels: Int32Array | null, vocabulary: string[] | undefined, approx = false): DatasetInfo {
  return {
    id: datasetKey(source),
    name: path.basename(source.path),
    description: `${approx ? 'About ' : ''}${n.toLocaleString('en-US')} texts from column "${source.textColumn}", ${classNames.length} classes from "${source.labelColumn}"; ${source.sequenceLength} tokens per text, vocabulary of ${vocabulary ? vocabulary.length : `up to ${source.vocabSize}`} words.`,
    inputShape: [source.sequenceLength],
    inputDType: 'int32',
    task: 'classification',
    numClasses: classNames.length,
    classNames,
    outputSize: classNames.length,
    totalSamples: n,
    classCounts: labels ? classCountsOf(labels, classNames.length) : undefined,
    available: true,
    vocabulary,
  };
}

export async function openText(choice: DatasetChoice & { source: TextSource }, onProblem?: (p: DataProblem) => void): Promise<TrainingData> {
  const source = choice.source;
  const t = await readText(source, undefined, onProblem);
  const classNames = t.labels.names;
  const labels = t.labels.codes.toArray();
  const n = labels.length;
  const split = splitIndices(n, choice as SplitFractions, labels, classNames.length, source.path);
  const vocabulary = source.vocabulary && source.vocabulary.length ? [...source.vocabulary] : buildVocabulary(Array.from(split.train, (i) => t.texts.get(i)), source.vocabSize, source.lowercase);
  const vocab = vocabularyIds(vocabulary);
  const L = source.sequenceLength;
  const x = new Int32Array(n * L);
  for (let i = 0; i < n; i++) encodeText(t.texts.get(i), vocab, L, source.lowercase, x, i * L);
  const samples = { x, sampleSize: L, y: labels, ySize: 1, count: n };
  const info = textInfo(source, n, classNames, labels, vocabulary);
  return { info, train: arraySplit(samples, split.train), validation: arraySplit(samples, split.validation), test: arraySplit(samples, split.test) };
}

export async function inspectText(source: TextSource): Promise<DatasetPreview> {
  const t = await readText(source, 5000);
  const classNames = t.labels.names;
  const total = t.truncated ? Math.max(0, (await countLines(source.path)) - 1) : t.texts.length;
  const labels = t.truncated ? null : t.labels.codes.toArray();
  const info = textInfo(source, total, classNames, labels, source.vocabulary, t.truncated);
  return { info, table: previewTable(t.header, t.rows), problems: t.problems.slice(0, 50), problemCount: t.problems.length };
}
