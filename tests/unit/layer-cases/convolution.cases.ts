/**
 * Convolution, pooling, padding, cropping and resizing kinds beyond the first 20: configurations tfjs accepts (shapes
 * and counts must match) and rejects (must be named errors). UpSampling1D, ZeroPadding1D and Cropping1D are
 * Neurowire's own classes; their cases run through those classes the way the compiler builds them.
 */
import type { Case } from './harness';

export const ACCEPTED: Case[] = [
  // Conv2DTranspose
  { kind: 'Conv2DTranspose', inputs: [[7, 7, 8]], params: {} },
  { kind: 'Conv2DTranspose', inputs: [[7, 7, 8]], params: { filters: 4, padding: 'valid' } },
  { kind: 'Conv2DTranspose', inputs: [[5, 4, 3]], params: { filters: 2, kernelSize: [3, 2], strides: [2, 3], padding: 'same' } },
  { kind: 'Conv2DTranspose', inputs: [[5, 4, 3]], params: { filters: 2, kernelSize: [3, 2], strides: [2, 3], padding: 'valid' } },
  { kind: 'Conv2DTranspose', inputs: [[5, 5, 1]], params: { filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: 'valid' } },
  { kind: 'Conv2DTranspose', inputs: [[2, 2, 1]], params: { filters: 2, kernelSize: [7, 7], strides: [1, 1], padding: 'valid' } },
  { kind: 'Conv2DTranspose', inputs: [[1, 1, 16]], params: { filters: 8, kernelSize: [4, 4], strides: [1, 1], padding: 'same', useBias: false } },
  { kind: 'Conv2DTranspose', inputs: [[null, 5, 2]], params: { filters: 3, strides: [2, 2], padding: 'valid' } },
  { kind: 'Conv2DTranspose', inputs: [[4, null, 2]], params: { filters: 3, activation: 'sigmoid' } },
  // DepthwiseConv2D
  { kind: 'DepthwiseConv2D', inputs: [[28, 28, 3]], params: {} },
  { kind: 'DepthwiseConv2D', inputs: [[7, 7, 2]], params: { depthMultiplier: 3, strides: [2, 2] } },
  { kind: 'DepthwiseConv2D', inputs: [[7, 6, 4]], params: { kernelSize: [5, 3], padding: 'same', strides: [2, 3] } },
  { kind: 'DepthwiseConv2D', inputs: [[3, 3, 2]], params: { kernelSize: [3, 3] } },
  { kind: 'DepthwiseConv2D', inputs: [[2, 2, 2]], params: { kernelSize: [5, 5], padding: 'same', useBias: false } },
  { kind: 'DepthwiseConv2D', inputs: [[null, 9, 1]], params: { depthMultiplier: 2 } },
  { kind: 'DepthwiseConv2D', inputs: [[9, 9, 8]], params: { kernelSize: [1, 1], activation: 'linear' } },
  // SeparableConv2D
  { kind: 'SeparableConv2D', inputs: [[28, 28, 3]], params: {} },
  { kind: 'SeparableConv2D', inputs: [[7, 7, 2]], params: { filters: 4, kernelSize: [3, 3], dilationRate: [2, 2] } },
  { kind: 'SeparableConv2D', inputs: [[9, 9, 2]], params: { filters: 4, kernelSize: [3, 3], dilationRate: [2, 1], padding: 'same' } },
  { kind: 'SeparableConv2D', inputs: [[9, 8, 3]], params: { filters: 5, depthMultiplier: 2, strides: [2, 3] } },
  { kind: 'SeparableConv2D', inputs: [[9, 8, 3]], params: { filters: 5, kernelSize: [4, 2], strides: [3, 2], padding: 'same', useBias: false } },
  { kind: 'SeparableConv2D', inputs: [[3, 3, 1]], params: { filters: 2, kernelSize: [3, 3] } },
  { kind: 'SeparableConv2D', inputs: [[null, 12, 4]], params: { filters: 6, strides: [2, 2] } },
  // MaxPooling1D
  { kind: 'MaxPooling1D', inputs: [[24, 8]], params: {} },
  { kind: 'MaxPooling1D', inputs: [[7, 2]], params: { poolSize: 3, strides: 2 } },
  { kind: 'MaxPooling1D', inputs: [[2, 2]], params: { poolSize: 3, strides: 2, padding: 'same' } },
  { kind: 'MaxPooling1D', inputs: [[9, 1]], params: { poolSize: 2, strides: 3 } },
  { kind: 'MaxPooling1D', inputs: [[null, 4]], params: {} },
  { kind: 'MaxPooling1D', inputs: [[6, null]], params: { poolSize: 2, strides: 1 } },
  // AveragePooling1D
  { kind: 'AveragePooling1D', inputs: [[24, 8]], params: {} },
  { kind: 'AveragePooling1D', inputs: [[25, 3]], params: { poolSize: 5, strides: 5, padding: 'same' } },
  { kind: 'AveragePooling1D', inputs: [[5, 3]], params: { poolSize: 5, strides: 1 } },
  { kind: 'AveragePooling1D', inputs: [[null, 3]], params: { poolSize: 3, strides: 2 } },
  { kind: 'AveragePooling1D', inputs: [[1, 1]], params: { poolSize: 2, padding: 'same' } },
  // AveragePooling2D
  { kind: 'AveragePooling2D', inputs: [[28, 28, 32]], params: {} },
  { kind: 'AveragePooling2D', inputs: [[27, 27, 32]], params: { padding: 'same' } },
  { kind: 'AveragePooling2D', inputs: [[5, 5, 2]], params: { poolSize: [3, 2], strides: [2, 1], padding: 'same' } },
  { kind: 'AveragePooling2D', inputs: [[7, 7, 1]], params: { poolSize: [3, 3], strides: [2, 2] } },
  { kind: 'AveragePooling2D', inputs: [[null, 9, 3]], params: {} },
  { kind: 'AveragePooling2D', inputs: [[8, 8, null]], params: { poolSize: [4, 4], strides: [4, 4] } },
  // UpSampling2D
  { kind: 'UpSampling2D', inputs: [[7, 7, 16]], params: {} },
  { kind: 'UpSampling2D', inputs: [[3, 4, 2]], params: { size: [2, 3], interpolation: 'bilinear' } },
  { kind: 'UpSampling2D', inputs: [[1, 1, 1]], params: { size: [5, 1] } },
  { kind: 'UpSampling2D', inputs: [[null, 4, 2]], params: { size: [2, 3] } },
  { kind: 'UpSampling2D', inputs: [[4, 4, null]], params: { interpolation: 'bilinear' } },
  // UpSampling1D (custom class)
  { kind: 'UpSampling1D', inputs: [[5, 3]], params: {} },
  { kind: 'UpSampling1D', inputs: [[5, 3]], params: { size: 3 } },
  { kind: 'UpSampling1D', inputs: [[1, 1]], params: { size: 1 } },
  { kind: 'UpSampling1D', inputs: [[null, 2]], params: { size: 4 } },
  { kind: 'UpSampling1D', inputs: [[4, null]], params: {} },
  // ZeroPadding2D
  { kind: 'ZeroPadding2D', inputs: [[28, 28, 1]], params: {} },
  { kind: 'ZeroPadding2D', inputs: [[3, 4, 2]], params: { topBottom: [1, 2], leftRight: [0, 3] } },
  { kind: 'ZeroPadding2D', inputs: [[3, 4, 2]], params: { topBottom: [0, 0], leftRight: [0, 0] } },
  { kind: 'ZeroPadding2D', inputs: [[null, 4, 2]], params: { topBottom: [2, 0] } },
  { kind: 'ZeroPadding2D', inputs: [[5, 5, null]], params: { leftRight: [4, 1] } },
  // ZeroPadding1D (custom class)
  { kind: 'ZeroPadding1D', inputs: [[5, 3]], params: {} },
  { kind: 'ZeroPadding1D', inputs: [[5, 3]], params: { padding: [0, 4] } },
  { kind: 'ZeroPadding1D', inputs: [[1, 1]], params: { padding: [3, 0] } },
  { kind: 'ZeroPadding1D', inputs: [[null, 2]], params: { padding: [2, 2] } },
  { kind: 'ZeroPadding1D', inputs: [[4, null]], params: { padding: [0, 0] } },
  // Cropping2D
  { kind: 'Cropping2D', inputs: [[28, 28, 1]], params: {} },
  { kind: 'Cropping2D', inputs: [[5, 4, 2]], params: { topBottom: [1, 2], leftRight: [0, 3] } },
  { kind: 'Cropping2D', inputs: [[5, 4, 2]], params: { topBottom: [0, 0], leftRight: [0, 0] } },
  { kind: 'Cropping2D', inputs: [[3, 3, 8]], params: { topBottom: [2, 0], leftRight: [0, 2] } },
  { kind: 'Cropping2D', inputs: [[6, 6, null]], params: { topBottom: [1, 1] } },
  // Cropping1D (custom class)
  { kind: 'Cropping1D', inputs: [[5, 3]], params: {} },
  { kind: 'Cropping1D', inputs: [[5, 3]], params: { cropping: [0, 4] } },
  { kind: 'Cropping1D', inputs: [[5, 3]], params: { cropping: [2, 0] } },
  { kind: 'Cropping1D', inputs: [[null, 2]], params: { cropping: [2, 2] } },
  { kind: 'Cropping1D', inputs: [[4, null]], params: { cropping: [0, 0] } },
];

/** Configurations tfjs rejects (at build, at run, or with a shape that is not a shape); the spec must say ok:false. */
export const REJECTED: Case[] = [
  // Conv2DTranspose
  { kind: 'Conv2DTranspose', inputs: [[784]] },
  { kind: 'Conv2DTranspose', inputs: [[28, 28]] },
  { kind: 'Conv2DTranspose', inputs: [[2, 7, 7, 1]] },
  { kind: 'Conv2DTranspose', inputs: [[7, 7, null]] },
  // DepthwiseConv2D
  { kind: 'DepthwiseConv2D', inputs: [[784]] },
  { kind: 'DepthwiseConv2D', inputs: [[28, 28]] },
  { kind: 'DepthwiseConv2D', inputs: [[3, 3, 2]], params: { kernelSize: [5, 5] } },
  { kind: 'DepthwiseConv2D', inputs: [[8, 3, 2]], params: { kernelSize: [3, 4], strides: [2, 2] } },
  { kind: 'DepthwiseConv2D', inputs: [[5, 5, null]] },
  // SeparableConv2D
  { kind: 'SeparableConv2D', inputs: [[784]] },
  { kind: 'SeparableConv2D', inputs: [[28, 28]] },
  { kind: 'SeparableConv2D', inputs: [[3, 3, 2]], params: { kernelSize: [5, 5] } },
  { kind: 'SeparableConv2D', inputs: [[6, 6, 2]], params: { kernelSize: [3, 3], dilationRate: [3, 3] } },
  { kind: 'SeparableConv2D', inputs: [[9, 9, 2]], params: { dilationRate: [2, 2], strides: [2, 2] } },
  { kind: 'SeparableConv2D', inputs: [[9, 9, 2]], params: { dilationRate: [2, 1], strides: [1, 2], padding: 'same' } },
  { kind: 'SeparableConv2D', inputs: [[5, 5, null]] },
  // MaxPooling1D
  { kind: 'MaxPooling1D', inputs: [[24]] },
  { kind: 'MaxPooling1D', inputs: [[7, 7, 8]] },
  { kind: 'MaxPooling1D', inputs: [[2, 2]], params: { poolSize: 3, strides: 2 } },
  // AveragePooling1D
  { kind: 'AveragePooling1D', inputs: [[24]] },
  { kind: 'AveragePooling1D', inputs: [[6, 6, 2]] },
  { kind: 'AveragePooling1D', inputs: [[1, 1]] },
  // AveragePooling2D
  { kind: 'AveragePooling2D', inputs: [[784]] },
  { kind: 'AveragePooling2D', inputs: [[5, 5]] },
  { kind: 'AveragePooling2D', inputs: [[1, 1, 1]] },
  { kind: 'AveragePooling2D', inputs: [[3, 5, 1]], params: { poolSize: [4, 2] } },
  // UpSampling2D
  { kind: 'UpSampling2D', inputs: [[784]] },
  { kind: 'UpSampling2D', inputs: [[4, 2]] },
  { kind: 'UpSampling2D', inputs: [[2, 3, 4, 5]] },
  // UpSampling1D
  { kind: 'UpSampling1D', inputs: [[24]] },
  { kind: 'UpSampling1D', inputs: [[4, 4, 2]] },
  // ZeroPadding2D
  { kind: 'ZeroPadding2D', inputs: [[784]] },
  { kind: 'ZeroPadding2D', inputs: [[4, 2]] },
  // ZeroPadding1D
  { kind: 'ZeroPadding1D', inputs: [[24]] },
  { kind: 'ZeroPadding1D', inputs: [[4, 4, 2]] },
  // Cropping2D
  { kind: 'Cropping2D', inputs: [[784]] },
  { kind: 'Cropping2D', inputs: [[4, 2]] },
  { kind: 'Cropping2D', inputs: [[5, 4, 2]], params: { topBottom: [1, 2], leftRight: [0, 4] } },
  { kind: 'Cropping2D', inputs: [[3, 4, 2]], params: { topBottom: [2, 1] } },
  { kind: 'Cropping2D', inputs: [[null, 4, 2]], params: { topBottom: [1, 2] } },
  { kind: 'Cropping2D', inputs: [[4, null, 2]], params: { topBottom: [0, 0], leftRight: [0, 0] } },
  // Cropping1D
  { kind: 'Cropping1D', inputs: [[24]] },
  { kind: 'Cropping1D', inputs: [[4, 4, 2]] },
  { kind: 'Cropping1D', inputs: [[5, 3]], params: { cropping: [2, 3] } },
  { kind: 'Cropping1D', inputs: [[2, 3]] },
];
