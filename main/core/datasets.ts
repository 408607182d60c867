/** What the UI, validation and trainer need to know about a dataset without loading it. */
export interface DatasetInfo {
  id: string;
  name: string;
  description: string;
  /** Shape of one sample, without the batch axis. */
  inputShape: number[];
  task: 'classification';
  numClasses: number;
  classNames: string[];
  /** Total samples available (before the train/validation/test split). */
  totalSamples: number;
}

/** What the model's last layer must produce to fit a dataset. */
export interface DatasetTarget {
  datasetName: string;
  inputShape: number[];
  numClasses: number;
}

export function targetOf(info: DatasetInfo): DatasetTarget {
  return { datasetName: info.name, inputShape: info.inputShape, numClasses: info.numClasses };
}
