/**
 * Evaluation of a trained model on the test split. The numbers are computed by pure functions in
 * this module (tested on hand-made cases); the engine only supplies predictions and truths.
 */
import type { DatasetTask } from './datasets';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of test samples of this class. */
  support: number;
}

export interface RocCurve {
  /** Points from (0,0) to (1,1), ordered by increasing false-positive rate. */
  points: { fpr: number; tpr: number }[];
  auc: number;
}

export interface ClassificationReport {
  accuracy: number;
  classNames: string[];
  /** confusion[actual][predicted] = count. */
  confusion: number[][];
  perClass: ClassMetrics[];
  macroF1: number;
  /** Binary tasks only: ROC of the positive class (the second class name). */
  roc?: RocCurve;
}

export interface RegressionReport {
  mae: number;
  rmse: number;
  r2: number;
}

/** How well an autoencoder gives back its test samples (per value). */
export interface ReconstructionReport {
  mse: number;
  mae: number;
  /** Peak signal-to-noise ratio in dB, the peak being the range of the true values (1 for pixels in 0..1). */
  psnr: number;
  /** MSE of always answering the mean test sample: a trained autoencoder must do clearly better. */
  baselineMse: number;
}

export interface GalleryItem {
  /** Index of the sample in the test split. */
  index: number;
  actual: string;
  predicted: string;
  /** Probability the model gave its prediction (classification). */
  confidence?: number;
  correct: boolean;
  /** Image samples: pixel bytes 0..255, HWC. */
  image?: { width: number; height: number; channels: number; pixels: number[] };
  /** Reconstruction of an image sample: the model's output as pixel bytes on the same scale as `image`. */
  reconstruction?: { width: number; height: number; channels: number; pixels: number[] };
  /** Reconstruction: the sample's mean squared error per value. */
  error?: number;
  /** Tabular or sequence samples: the first values of the input. */
  features?: number[];
}

export interface EvaluationReport {
  task: DatasetTask;
  samples: number;
  loss: number;
  classification?: ClassificationReport;
  regression?: RegressionReport;
  reconstruction?: ReconstructionReport;
  /** Test samples with predicted vs true values, misclassified (or worst) first; reconstruction: samples spread over the test split. */
  gallery: GalleryItem[];
  /**
   * A network with several outputs: each output's own report (its loss unweighted). The fields above then
   * describe the output of the data's first target, except `loss`, the total (Σ loss weight · loss).
   */
  outputs?: OutputReport[];
}

/** The test report of one output of several. */
export interface OutputReport extends Omit<EvaluationReport, 'outputs'> {
  /** The output layer's name. */
  name: string;
}
