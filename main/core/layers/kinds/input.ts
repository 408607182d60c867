import { defineLayer } from '../types';
import { kerasBatchSize, kerasSampleShape, KerasImportError } from '../../import/kerasConfig';


export const Input = defineLayer({
  kind: 'Input',
  label: 'Input',
  category: 'Input',
  description: 'Where samples enter the network; its shape is the shape of one sample (without the batch axis).',
  namePrefix: 'input',
  role: 'input',
  penalizedWeights: [],
  outputFit: { fit: 'none' },
  inputs: { min: 0, max: 0 },
  params: {
    shape: {
      type: 'shape',
      default: [28, 28, 1],
      minLength: 1,
      maxLength: 4,
      allowUnknown: true,
      label: 'Shape',
      help: 'Shape of one sample, e.g. [28, 28, 1] for a grayscale image or [4] for four numbers. Write ? for an axis whose length may differ from batch to batch: ?, 16 takes sequences of any length with 16 values per step. The batch axis is added automatically.',
    },
    batchSize: {
      type: 'int',
      default: 0,
      min: 0,
      max: 65536,
      label: 'Batch size',
      help: 'Samples per batch when every batch must have the same size (a stateful recurrent layer needs it; set it to the training batch size). 0: any size, the usual choice.',
    },
  },
  batchSizeParam: 'batchSize',
  inferShape(_inputs, p) {
    return { ok: true, shape: [...p.shape] };
  },
  countParams() {
    return 0;
  },
  keras: {
    className: 'InputLayer',
    params: (c) => {
      const shape = kerasSampleShape(c);
      if (!shape) throw new KerasImportError('it has no batch_input_shape (or batch_shape)');
      return { params: { shape, batchSize: kerasBatchSize(c) }, dropped: c.sparse === true || c.ragged === true ? ['sparse/ragged input'] : [] };
    },
  },
  pytorch: {
    forward: (_p, io) => io.inputs[0],
  },
  tfjs: {
    // The compiler builds Input nodes with `tf.input({shape})` (or `{batchShape}` with a fixed batch), not with a tf.layers factory.
    factory: 'input',
    className: 'InputLayer',
    config: (p) => (p.batchSize > 0 ? { batchShape: [p.batchSize, ...p.shape] } : { shape: [...p.shape] }),
  },
});
