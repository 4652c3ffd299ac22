/**
 * Frame payloads: a request is the msgpack array `[id, deadlineUs, method, body]`, a response the
 * array `[id, status, body]`. Encoding goes through one reused encoder and is copied into the
 * claimed ring slot; decoding reads the ring in place.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";

/** Response status codes. */
export const Status = { OK: 0, ERROR: 1, DEADLINE: 2, UNKNOWN_METHOD: 3 } as const;

/** A decoded request frame. */
export interface ShmRequest {
  readonly id: number;
  /** Deadline in integer microseconds since the Unix epoch. */
  readonly deadlineUs: number;
  readonly method: string;
  readonly body: unknown;
}

/** A decoded response frame. */
export interface ShmResponse {
  readonly id: number;
  readonly status: number;
  readonly body: unknown;
}

/** Reusable msgpack encoder/decoder pair for one side of a bridge. */
export class FrameCodec {
  private readonly encoder = new Encoder({ initialBufferSize: 4096 });
  private readonly decoder = new Decoder();
  private readonly req: [number, number, string, unknown] = [0, 0, "", null];
  private readonly resp: [number, number, unknown] = [0, 0, null];

  /** Encodes a request; the returned view is valid until the next encode. */
  encodeRequest(id: number, deadlineUs: number, method: string, body: unknown): Uint8Array {
    const r = this.req;
    r[0] = id;
    r[1] = deadlineUs;
    r[2] = method;
    r[3] = body;
    return this.encoder.encodeSharedRef(r);
  }

  /** Encodes a response; the returned view is valid until the next encode. */
  encodeResponse(id: number, status: number, body: unknown): Uint8Array {
    const r = this.resp;
    r[0] = id;
    r[1] = status;
    r[2] = body;
    return this.encoder.encodeSharedRef(r);
  }

  /** Decodes a request, or returns null when the bytes are not a well-formed request. */
  decodeRequest(bytes: Uint8Array): ShmRequest | null {
    const v = this.safeDecode(bytes);
    if (!Array.isArray(v) || v.length !== 4) return null;
    const [id, deadlineUs, method, body] = v;
    if (typeof id !== "number" || typeof deadlineUs !== "number" || typeof method !== "string") return null;
    return { id, deadlineUs, method, body };
  }

  /** Decodes a response, or returns null when the bytes are not a well-formed response. */
  decodeResponse(bytes: Uint8Array): ShmResponse | null {
    const v = this.safeDecode(bytes);
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [id, status, body] = v;
    if (typeof id !== "number" || typeof status !== "number") return null;
    return { id, status, body };
  }

  private safeDecode(bytes: Uint8Array): unknown {
    try {
      return this.decoder.decode(bytes);
    } catch {
      return undefined;
    }
  }
}

/** Returns the wall clock in integer microseconds since the Unix epoch (the deadline clock). */
export function epochMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
