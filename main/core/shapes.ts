/** A tensor shape without the batch axis; `null` marks an axis whose size is unknown until run time. */
export type Shape = (number | null)[];

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export function shapeSize(shape: Shape): number | null {
  let size = 1;
  for (const d of shape) {
    if (d === null) return null;
    size *= d;
  }
  return size;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Whether samples of shape `actual` fit where `expected` is wanted: same axes, equal sizes where `expected` knows them. */
export function shapeFits(expected: Shape, actual: Shape): boolean {
  return expected.length === actual.length && expected.every((d, i) => d === null || d === actual[i]);
}

/** Describes a shape in words a learner understands, e.g. "a flat vector of 784". */
export function describeShape(shape: Shape): string {
  if (shape.length === 1) return `a flat vector of ${shape[0] ?? '?'}`;
  if (shape.length === 2) return `a sequence ${formatShape(shape)} (time, features)`;
  if (shape.length === 3) return `an image-like tensor ${formatShape(shape)} (height, width, channels)`;
  return `a tensor of shape ${formatShape(shape)}`;
}

/**
 * Suggests a [height, width, channels] layout for a flat vector so that messages can say
 * exactly which Reshape to insert: square grayscale first, then square RGB.
 */
export function suggestImageShape(size: number): [number, number, number] | null {
  const side = Math.round(Math.sqrt(size));
  if (side * side === size) return [side, side, 1];
  const rgbSide = Math.round(Math.sqrt(size / 3));
  if (rgbSide * rgbSide * 3 === size) return [rgbSide, rgbSide, 3];
  return null;
}
