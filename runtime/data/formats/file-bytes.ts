/**
 * Reads a market-data file into memory in one go, undoing its compression: gzip (by magic
 * bytes, whatever the file is called) and single-entry zip archives (as QuantConnect ships its
 * tick data). Readers then scan the returned bytes without further copies.
 */
import { readFileSync } from "node:fs";
import { gunzipSync, inflateRawSync } from "node:zlib";
import { DataFormatError } from "./quote-reader.ts";

/** Returns the uncompressed bytes of a plain, gzip or single-entry zip file. */
export function readDataFile(path: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new DataFormatError("DATA_FILE_UNREADABLE", { file: path, cause: (e as Error).message });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "gzip", cause: (e as Error).message });
    }
  }
  if (raw.length >= 4 && raw[0] === 0x50 && raw[1] === 0x4b && raw[2] === 0x03 && raw[3] === 0x04) return unzipFirst(raw, path);
  return raw;
}

/** Returns the uncompressed bytes of the first entry of a zip archive. */
function unzipFirst(zip: Uint8Array, path: string): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, found from the end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "zip", cause: "no end of central directory" });
  const central = view.getUint32(eocd + 16, true);
  if (view.getUint32(central, true) !== 0x02014b50) throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "zip", cause: "bad central directory" });
  const method = view.getUint16(central + 10, true);
  const compressedSize = view.getUint32(central + 20, true);
  const local = view.getUint32(central + 42, true);
  const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const data = zip.subarray(dataStart, dataStart + compressedSize);
  if (method === 0) return data;
  if (method !== 8) throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "zip", cause: `compression method ${method} is not deflate` });
  try {
    return inflateRawSync(data);
  } catch (e) {
    throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "zip", cause: (e as Error).message });
  }
}
