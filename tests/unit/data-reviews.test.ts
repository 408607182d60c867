import { describe, expect, it } from 'vitest';
import { inspectDataset, listDatasets, openDataset } from '../../main/node/datasets';
import { generateReviewTexts, REVIEWS_SEQUENCE_LENGTH } from '../../main/node/datasets/reviews';
import { buildVocabulary, encodeText, tokenize } from '../../main/node/datasets/text';
import { BUILTIN_DATASETS, DatasetChoiceSchema, parseProject, serializeProject, emptyProject } from '../../main/core/project';

const choice = (extra: Record<string, unknown> = {}) =>
  DatasetChoiceSchema.parse({ source: { type: 'builtin', name: 'reviews', samples: 1000, noise: 0.1, ...extra }, validationFraction: 0.1, testFraction: 0.1, splitSeed: 9 });

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The sentiment a reader gives a review, worked out from its words independently of the generator: the clause after
 * "but" decides; a clause is its adjective's sentiment, flipped by "not" / "never".
 */
const POSITIVE = new Set(['good', 'great', 'excellent', 'wonderful', 'brilliant', 'enjoyable', 'fun', 'moving', 'beautiful', 'clever', 'funny', 'charming']);
const NEGATIVE = new Set(['bad', 'awful', 'boring', 'terrible', 'dull', 'poor', 'weak', 'horrible', 'slow', 'silly', 'messy', 'bland']);
function readerSentiment(text: string): number {
  const clauses = text.split(/ but | and /);
  const last = clauses.at(-1)!.split(' ');
  const adjective = last.at(-1)!;
  expect(POSITIVE.has(adjective) || NEGATIVE.has(adjective), `"${text}" ends in a known adjective`).toBe(true);
  const negated = last.includes('not') || last.includes('never');
  return (POSITIVE.has(adjective) ? 1 : 0) ^ (negated ? 1 : 0);
}

describe('the reviews set (synthetic text)', () => {
  it('is a built-in: listed, int32 token ids of a fixed length, two classes', () => {
    expect(BUILTIN_DATASETS).toContain('reviews');
    const info = listDatasets().find((d) => d.id === 'reviews')!;
    expect(info).toMatchObject({ available: true, inputShape: [REVIEWS_SEQUENCE_LENGTH], inputDType: 'int32', task: 'classification', numClasses: 2, classNames: ['negative', 'positive'] });
  });

  it('gives what the text CSV loader would: the same tokenizer, vocabulary and encoding, and text preprocessing for export', async () => {
    const data = await openDataset(choice());
    const { texts, labels } = generateReviewTexts(1000, 0.1);
    const vocabulary = data.info.vocabulary!;
    expect(vocabulary).toEqual(buildVocabulary(texts, 200, true));
    expect(vocabulary.slice(0, 2)).toEqual(['<pad>', '<unk>']);
    expect(data.info.preprocessing).toEqual({ kind: 'text', lowercase: true, sequenceLength: REVIEWS_SEQUENCE_LENGTH, padding: 'post', truncation: 'post', vocabulary });
    // Every review fits the sequence length: nothing is cut off, so the words that decide the sentiment are all there.
    for (const t of texts) expect(tokenize(t, true).length).toBeLessThanOrEqual(REVIEWS_SEQUENCE_LENGTH);
    // The split's samples are the texts encoded by the text loader's encodeText.
    const ids = new Map(vocabulary.map((w, i) => [w, i]));
    const encoded = new Int32Array(texts.length * REVIEWS_SEQUENCE_LENGTH);
    texts.forEach((t, i) => encodeText(t, ids, REVIEWS_SEQUENCE_LENGTH, true, encoded, i * REVIEWS_SEQUENCE_LENGTH));
    const rows = new Map<string, number>();
    for (let i = 0; i < texts.length; i++) rows.set(encoded.subarray(i * REVIEWS_SEQUENCE_LENGTH, (i + 1) * REVIEWS_SEQUENCE_LENGTH).join(','), labels[i]);
    const batch = await data.train.getBatch(all(data.train.count));
    expect(batch.x).toBeInstanceOf(Int32Array);
    for (let i = 0; i < batch.count; i++) {
      const row = Array.from(batch.x.subarray(i * REVIEWS_SEQUENCE_LENGTH, (i + 1) * REVIEWS_SEQUENCE_LENGTH)).join(',');
      expect(rows.get(row)).toBe(batch.y[i]);
    }
    expect(Math.max(...batch.x)).toBeLessThan(vocabulary.length);
    expect([...batch.x].includes(1), 'no unknown words').toBe(false);
  });

  it('labels each review as a reader would: negations flip a phrase, the clause after "but" decides', () => {
    const { texts, labels } = generateReviewTexts(3000, 0.1);
    texts.forEach((t, i) => expect(readerSentiment(t), t).toBe(labels[i]));
    // Word order matters: both kinds of review are common, and the bag of words alone does not give the label —
    // "the acting was bad but the story was great" and the same clauses swapped have opposite sentiments.
    const negated = texts.filter((t) => / (not|never) /.test(t)).length;
    const contrasted = texts.filter((t) => t.includes(' but ')).length;
    expect(negated / texts.length).toBeGreaterThan(0.2);
    expect(contrasted / texts.length).toBeGreaterThan(0.2);
    const [first, second] = texts.find((t) => t.includes(' but ') && !/^(i think|honestly|overall|in my opinion|to be fair|well) /.test(t))!.split(' but ');
    expect(readerSentiment(`${first} but ${second}`)).not.toBe(readerSentiment(`${second} but ${first}`));
  });

  it('is balanced, the same every time for the same settings, and noise adds asides', async () => {
    const a = generateReviewTexts(1000, 0.1);
    const b = generateReviewTexts(1000, 0.1);
    expect(b.texts).toEqual(a.texts);
    expect(a.labels.reduce((s, l) => s + l, 0)).toBe(500);
    const words = (texts: string[]) => texts.reduce((s, t) => s + tokenize(t, true).length, 0);
    expect(words(generateReviewTexts(1000, 1).texts)).toBeGreaterThan(words(generateReviewTexts(1000, 0).texts) + 1000);
    const d1 = await openDataset(choice());
    const d2 = await openDataset(choice());
    expect(Array.from((await d2.test.getBatch(all(d2.test.count))).x)).toEqual(Array.from((await d1.test.getBatch(all(d1.test.count))).x));
    expect(d1.train.count + d1.validation.count + d1.test.count).toBe(1000);
  });

  it('previews as a table of reviews and labels', async () => {
    const preview = await inspectDataset(choice().source);
    expect(preview.table!.columns).toEqual([
      { name: 'review', type: 'text' },
      { name: 'label', type: 'category', distinct: 2 },
    ]);
    const { texts, labels } = generateReviewTexts(1000, 0.1);
    expect(preview.table!.rows.slice(0, 3)).toEqual([0, 1, 2].map((i) => [texts[i], ['negative', 'positive'][labels[i]]]));
  });
});

describe('project files with the new built-in and a description', () => {
  it('older files still parse unchanged (no version bump for an added name or an optional field)', () => {
    const v2 = emptyProject('Old');
    const text = serializeProject(v2);
    expect(text).not.toContain('description');
    expect(parseProject(text)).toEqual(v2);
    const v1 = { ...JSON.parse(text), version: 1, dataset: { id: 'sine', validationFraction: 0.1, testFraction: 0.1, splitSeed: 1 } };
    expect(parseProject(JSON.stringify(v1)).dataset.source).toMatchObject({ type: 'builtin', name: 'sine' });
  });

  it('a project on reviews with a description round-trips', () => {
    const p = { ...emptyProject('Reviews'), description: 'A sentiment model.', dataset: { ...choice() } };
    expect(parseProject(serializeProject(p))).toEqual(p);
    expect(() => parseProject(serializeProject({ ...p, description: 'x'.repeat(2001) }))).toThrow(/description/);
  });
});
