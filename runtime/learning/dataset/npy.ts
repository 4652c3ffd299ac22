/**
 * NumPy `.npy` files (format 1.0, little-endian, C order) written and read without NumPy, so the
 * trainer (Debian's python3 with numpy, no pyarrow) reads the dataset with `np.load`, memory-mapped.
 * `NpyWriter` streams rows to disk and fixes the shape in the header when it closes.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

/** Element types the dataset uses. */
export type NpyDtype = "<f4" | "<f8" | "<i4" | "<i8" | "|i1" | "|u1";

const BYTES: Record<NpyDtype, number> = { "<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|i1": 1, "|u1": 1 };
const HEADER_BYTES = 128;

function header(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let h = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${dims}), }`;
  h = h.padEnd(HEADER_BYTES - 10 - 1, " ") + "\n";
  const out = new Uint8Array(HEADER_BYTES);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, (HEADER_BYTES - 10) & 0xff, (HEADER_BYTES - 10) >> 8]);
  out.set(new TextEncoder().encode(h), 10);
  return out;
}

/** Writes a whole typed array as an `.npy` file of `shape`. */
export function writeNpy(path: string, dtype: NpyDtype, shape: readonly number[], data: ArrayBufferView): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, header(dtype, shape));
    writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    closeSync(fd);
  }
}

/** Streams rows of `width` float32 values into an `.npy` file; the row count is written on close. */
export class NpyRowWriter {
  private readonly fd: number;
  private readonly chunk: Float32Array;
  private fill = 0;
  /** Rows written so far. */
  rows = 0;

  constructor(readonly path: string, readonly width: number, chunkRows = 8192) {
    this.fd = openSync(path, "w");
    this.chunk = new Float32Array(chunkRows * width);
    writeSync(this.fd, header("<f4", [0, width]));
  }

  /** Appends one row (the first `width` values of `row`). */
  push(row: ArrayLike<number>, from = 0): void {
    const w = this.width;
    const c = this.chunk;
    for (let k = 0; k < w; k++) c[this.fill + k] = row[from + k]!;
    this.fill += w;
    this.rows++;
    if (this.fill === c.length) this.flush();
  }

  private flush(): void {
    if (this.fill > 0) writeSync(this.fd, new Uint8Array(this.chunk.buffer, 0, this.fill * 4));
    this.fill = 0;
  }

  /** Flushes the rows and writes the final shape into the header. */
  close(): void {
    this.flush();
    writeSync(this.fd, header("<f4", [this.rows, this.width]), 0, HEADER_BYTES, 0);
    closeSync(this.fd);
  }
}

/** An `.npy` file read back: its dtype, shape and data. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;
}

/** Reads an `.npy` file this module (or NumPy, for these dtypes) wrote. */
export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  const len = bytes[8]! | (bytes[9]! << 8);
  const text = bytes.subarray(10, 10 + len).toString("latin1");
  const dtype = /'descr': '([^']+)'/.exec(text)![1] as NpyDtype;
  const shape = /'shape': \(([^)]*)\)/.exec(text)![1]!.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const start = 10 + len;
  const body = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length);
  const make = { "<f4": Float32Array, "<f8": Float64Array, "<i4": Int32Array, "<i8": BigInt64Array, "|i1": Int8Array, "|u1": Uint8Array }[dtype];
  if (make === undefined || BYTES[dtype] === undefined) throw new Error(`NPY_DTYPE_UNSUPPORTED: path=${path} dtype=${dtype}`);
  return { dtype, shape, data: new make(body) };
}
