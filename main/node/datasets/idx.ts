import fs from 'node:fs';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

const gunzip = promisify(zlib.gunzip);

/** An IDX array of unsigned bytes (the MNIST / Fashion-MNIST file format). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads an IDX file (`*-ubyte`, or gzip-compressed `*-ubyte.gz`). Format: two zero bytes, a type byte (0x08 =
 * unsigned byte, the only type these datasets use), the number of dimensions, then each dimension as a big-endian
 * uint32, then the data.
 */
export async function readIdx(file: string): Promise<IdxArray> {
  let buf: Buffer = await fs.promises.readFile(file);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzip(buf);
    } catch (e) {
      throw new Error(`${file}: the gzip data is damaged (${(e as Error).message}).`);
    }
  }
  return parseIdx(buf, file);
}

export function parseIdx(buf: Uint8Array, file = 'IDX data'): IdxArray {
  if (buf.length < 4) throw new Error(`${file}: not an IDX file (only ${buf.length} bytes).`);
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  const hex = '0x' + magic.toString(16).padStart(8, '0');
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(`${file}: not an IDX file (magic number ${hex}; expected 0x00000801 for labels or 0x00000803 for images).`);
  }
  if (buf[2] !== 0x08) {
    throw new Error(`${file}: IDX data type 0x${buf[2].toString(16).padStart(2, '0')} is not supported (magic number ${hex}; only unsigned bytes, 0x08, are).`);
  }
  const nd = buf[3];
  if (nd < 1 || nd > 4) throw new Error(`${file}: IDX magic number ${hex} gives ${nd} dimensions (expected 1 to 4).`);
  const header = 4 + 4 * nd;
  if (buf.length < header) throw new Error(`${file}: the IDX header is cut short.`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length - header < size) {
    throw new Error(`${file}: the file is cut short (dimensions ${dims.join('×')} need ${size} bytes of data, found ${buf.length - header}).`);
  }
  return { dims, data: buf.subarray(header, header + size) };
}
