/**
 * Rolling context windows as model input tensors. Each instrument owns 2 x contextLength rows
 * of float32; every row is written twice (at p and p + contextLength), so the last
 * contextLength rows, oldest first, are always one contiguous slice starting at the next write
 * position: a model reads them with no copy. Rows before the first event are zeros, and NaN
 * features are written as 0 so a model never sees NaN. Used by both backends (the WASM backend
 * passes views over its own memory).
 */

/** Returns the view of rows [start, start + length) of an instrument's mirrored context buffer, cached per start. */
export class ContextViews {
  private readonly cache: (Float32Array | undefined)[];

  constructor(private readonly buffer: Float32Array, private readonly length: number, private readonly width: number) {
    this.cache = new Array(length).fill(undefined);
  }

  /** The view whose oldest row is `start` (0..length-1). */
  at(start: number): Float32Array {
    let v = this.cache[start];
    if (v === undefined) {
      v = this.buffer.subarray(start * this.width, (start + this.length) * this.width);
      this.cache[start] = v;
    }
    return v;
  }
}

/** Writes `features` as row `pos` and its mirror; returns the next write position. */
export function pushContextRow(buffer: Float32Array, length: number, width: number, pos: number, features: Float64Array): number {
  const a = pos * width, b = (pos + length) * width;
  for (let k = 0; k < width; k++) {
    const v = features[k];
    const f = v === v ? v : 0;
    buffer[a + k] = f;
    buffer[b + k] = f;
  }
  return pos + 1 === length ? 0 : pos + 1;
}
