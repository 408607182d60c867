import type { DatasetInfo, Preprocessing } from '../../core/datasets';
import type { BuiltinData } from './builtin';
import { mulberry32 } from './split';
import { buildVocabulary, encodeText, vocabularyIds } from '../../core/preprocess';

/**
 * "reviews": short movie-review-like sentences with a positive or negative sentiment, generated from a small grammar
 * and a fixed seed (the same samples every time for the same `samples` and `noise`). Word order matters:
 * - a clause is "<subject> <verb> [not|never] [intensifier] <adjective>"; a negation flips the adjective
 *   ("the plot was not good" is negative), so the words alone do not give the label, their order does;
 * - two clauses joined by "and" agree; joined by "but" they disagree and the one after "but" decides
 *   ("the acting was bad but the story was great" is positive; swap the clauses and it is negative).
 * `noise` is the chance that a clause carries a neutral aside ("the plot to be honest was good"), which lengthens the
 * sentence without changing its sentiment.
 *
 * The texts go through the text loader's tokenizer and vocabulary code (text.ts), so the samples are exactly what
 * a text CSV with these reviews would give: int32 token ids, padded with 0 at the end to REVIEWS_SEQUENCE_LENGTH, and
 * the vocabulary (0 = <pad>, 1 = <unk>) in the info and the exported preprocessing. The vocabulary is built from all
 * generated reviews: the grammar's words are fixed, so every split sees the same ones.
 */

export const REVIEWS_SEQUENCE_LENGTH = 24;
/** Larger than the grammar's vocabulary (~80 words + <pad>, <unk>): every word keeps its own id. */
const VOCABULARY_CAP = 200;
const GENERATOR_SEED = 0x5eed + 1;
export const REVIEW_CLASSES = ['negative', 'positive'];

const SUBJECTS = ['the movie', 'the film', 'the acting', 'the plot', 'the story', 'the music', 'the ending', 'the cast', 'the script', 'the dialogue', 'the soundtrack', 'the pacing'];
const VERBS = ['was', 'is', 'felt', 'seemed'];
const NEGATIONS = ['not', 'never'];
const INTENSIFIERS = ['very', 'really', 'quite', 'so', 'truly', 'especially'];
const POSITIVE = ['good', 'great', 'excellent', 'wonderful', 'brilliant', 'enjoyable', 'fun', 'moving', 'beautiful', 'clever', 'funny', 'charming'];
const NEGATIVE = ['bad', 'awful', 'boring', 'terrible', 'dull', 'poor', 'weak', 'horrible', 'slow', 'silly', 'messy', 'bland'];
const OPENERS = ['', '', 'i think', 'honestly', 'overall', 'in my opinion', 'to be fair', 'well'];
const ASIDES = ['to be honest', 'i guess', 'for me', 'at times', 'as expected'];

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

/** One clause with the given sentiment (+1 / -1): an adjective of that sentiment, or a negated one of the other. */
function clause(rand: () => number, sentiment: 1 | -1, noise: number): string {
  const negated = rand() < 0.4;
  const adjectiveSentiment = negated ? -sentiment : sentiment;
  const words = [pick(rand, SUBJECTS)];
  if (rand() < noise) words.push(pick(rand, ASIDES));
  words.push(pick(rand, VERBS));
  if (negated) words.push(pick(rand, NEGATIONS));
  if (rand() < 0.35) words.push(pick(rand, INTENSIFIERS));
  words.push(pick(rand, adjectiveSentiment > 0 ? POSITIVE : NEGATIVE));
  return words.join(' ');
}

/** `samples` reviews and their labels (1 = positive), balanced: review i is positive when i is odd. */
export function generateReviewTexts(samples: number, noise: number): { texts: string[]; labels: Int32Array } {
  const rand = mulberry32(GENERATOR_SEED);
  const asideChance = Math.min(1, Math.max(0, noise));
  const texts: string[] = [];
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = i % 2;
    const sentiment = label === 1 ? 1 : -1;
    const opener = pick(rand, OPENERS);
    const shape = rand();
    let body: string;
    if (shape < 0.4) body = clause(rand, sentiment, asideChance);
    else if (shape < 0.7) body = `${clause(rand, sentiment, asideChance)} and ${clause(rand, sentiment, asideChance)}`;
    else body = `${clause(rand, sentiment === 1 ? -1 : 1, asideChance)} but ${clause(rand, sentiment, asideChance)}`;
    texts.push(opener ? `${opener} ${body}` : body);
    labels[i] = label;
  }
  return { texts, labels };
}

export function reviewsInfo(samples = 2000, noise = 0.1): DatasetInfo {
  return {
    id: 'reviews',
    name: 'Movie reviews (synthetic)',
    description: `${samples.toLocaleString('en-US')} short generated movie reviews, positive or negative; negations ("not good") and "but" make word order matter (asides ${noise}); ${REVIEWS_SEQUENCE_LENGTH} tokens per review.`,
    inputShape: [REVIEWS_SEQUENCE_LENGTH],
    inputDType: 'int32',
    task: 'classification',
    numClasses: 2,
    classNames: [...REVIEW_CLASSES],
    outputSize: 2,
    totalSamples: samples,
    available: true,
  };
}

export function generateReviews(samples = 2000, noise = 0.1): BuiltinData {
  const { texts, labels } = generateReviewTexts(samples, noise);
  const lowercase = true;
  const vocabulary = buildVocabulary(texts, VOCABULARY_CAP, lowercase);
  const ids = vocabularyIds(vocabulary);
  const length = REVIEWS_SEQUENCE_LENGTH;
  const x = new Int32Array(samples * length);
  for (let i = 0; i < samples; i++) encodeText(texts[i], ids, length, lowercase, x, i * length);
  const preprocessing: Preprocessing = { kind: 'text', lowercase, sequenceLength: length, padding: 'post', truncation: 'post', vocabulary };
  return {
    info: { ...reviewsInfo(samples, noise), vocabulary, preprocessing },
    samples: { x, sampleSize: length, y: labels, ySize: 1, count: samples },
    texts,
  };
}
