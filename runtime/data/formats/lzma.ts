/**
 * A decoder for LZMA "alone" streams (the `.lzma` format: 13-byte header, then one LZMA1
 * stream), as Dukascopy serves its `.bi5` tick files. It follows the reference decoder
 * (LzmaSpec.cpp in the LZMA SDK) and keeps the whole output in memory as the dictionary, so no
 * window wrapping is needed. Errors come back as values, never as partial output.
 */

/** Decoded bytes, or why the stream could not be decoded. */
export type LzmaResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

const PROB_INIT = 1024;
const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const NUM_FULL_DISTANCES = 128;
const MATCH_MIN_LEN = 2;
/** XOR with this turns an unsigned 32-bit comparison into a signed one. */
const SIGN = -0x80000000;

// Offsets of the probability tables in one Uint16Array.
const IS_MATCH = 0;
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
const POS_DECODERS = POS_SLOT + 4 * 64;
const ALIGN = POS_DECODERS + 1 + NUM_FULL_DISTANCES - END_POS_MODEL_INDEX;
// A length decoder: choice, choice2, low[16][8], mid[16][8], high[256].
const LEN_SIZE = 2 + POS_STATES_MAX * 8 * 2 + 256;
const LEN = ALIGN + 16;
const REP_LEN = LEN + LEN_SIZE;
const LITERAL = REP_LEN + LEN_SIZE;

/** Decodes one LZMA "alone" stream. */
export function decodeLzmaAlone(input: Uint8Array): LzmaResult {
  if (input.length < 13) return { ok: false, reason: `LZMA header needs 13 bytes, got ${input.length}` };
  let props = input[0];
  if (props >= 9 * 5 * 5) return { ok: false, reason: `bad LZMA properties byte ${props}` };
  const lc = props % 9;
  props = (props / 9) | 0;
  const lp = props % 5;
  const pb = (props / 5) | 0;
  const dictSize = input[1] + input[2] * 0x100 + input[3] * 0x10000 + input[4] * 0x1000000;
  let sizeKnown = false;
  let unpackSize = 0;
  for (let i = 12; i >= 5; i--) if (input[i] !== 0xff) sizeKnown = true;
  if (sizeKnown) {
    for (let i = 12; i >= 5; i--) unpackSize = unpackSize * 256 + input[i];
    if (unpackSize > 0x7fffffff) return { ok: false, reason: `LZMA stream too large: ${unpackSize} bytes` };
  }
  const d = new Decoder(input, 13, lc, lp, pb, Math.max(dictSize, 4096), sizeKnown ? unpackSize : -1);
  return d.run();
}

class Decoder {
  /** Range coder state: int32 holding the uint32 bits (see decode). */
  private range = -1;
  private code = 0;
  private inPos: number;
  private out: Uint8Array;
  private outPos = 0;
  private readonly probs: Uint16Array;
  private error: string | null = null;

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly lc: number,
    private readonly lp: number,
    private readonly pb: number,
    private readonly dictSize: number,
    private readonly unpackSize: number,
  ) {
    this.inPos = start;
    this.out = new Uint8Array(unpackSize >= 0 ? unpackSize : Math.max(1 << 16, input.length * 8));
    this.probs = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(PROB_INIT);
  }

  run(): LzmaResult {
    if (this.inPos + 5 > this.input.length) return { ok: false, reason: "LZMA stream truncated in range coder start" };
    if (this.input[this.inPos++] !== 0) return { ok: false, reason: "LZMA range coder does not start with 0" };
    for (let i = 0; i < 4; i++) this.code = (this.code << 8) | this.input[this.inPos++]!;
    if (this.code === this.range) return { ok: false, reason: "LZMA range coder start is corrupt" };
    const ok = this.decode();
    if (!ok) return { ok: false, reason: this.error ?? "LZMA stream is corrupt" };
    return { ok: true, bytes: this.unpackSize >= 0 ? this.out : this.out.subarray(0, this.outPos) };
  }

  private nextByte(): number {
    if (this.inPos >= this.input.length) {
      if (this.error === null) this.error = `LZMA stream truncated at input byte ${this.inPos}`;
      this.inPos++;
      return 0;
    }
    return this.input[this.inPos++];
  }

  private bit(index: number): number {
    const probs = this.probs;
    const p = probs[index]!;
    const bound = Math.imul(this.range >>> 11, p);
    let b: number;
    if ((this.code ^ SIGN) < (bound ^ SIGN)) {
      this.range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range = (this.range - bound) | 0;
      this.code = (this.code - bound) | 0;
      probs[index] = p - (p >>> 5);
      b = 1;
    }
    if (this.range >>> 24 === 0) {
      this.range <<= 8;
      this.code = (this.code << 8) | this.nextByte();
    }
    return b;
  }

  private directBits(count: number): number {
    let res = 0;
    for (let i = 0; i < count; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if ((this.code ^ SIGN) >= (this.range ^ SIGN)) {
        this.code = (this.code - this.range) | 0;
        b = 1;
      }
      res = res * 2 + b;
      if (this.range >>> 24 === 0) {
        this.range <<= 8;
        this.code = (this.code << 8) | this.nextByte();
      }
    }
    return res;
  }

  private bitTree(base: number, numBits: number): number {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + this.bit(base + m);
    return m - (1 << numBits);
  }

  private bitTreeReverse(base: number, numBits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < numBits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) + b;
      symbol |= b << i;
    }
    return symbol;
  }

  private length(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.bitTree(base + 2 + posState * 8, 3);
    if (this.bit(base + 1) === 0) return 8 + this.bitTree(base + 2 + POS_STATES_MAX * 8 + posState * 8, 3);
    return 16 + this.bitTree(base + 2 + POS_STATES_MAX * 16, 8);
  }

  private distance(len: number): number {
    const lenState = len < 3 ? len : 3;
    const posSlot = this.bitTree(POS_SLOT + lenState * 64, 6);
    if (posSlot < 4) return posSlot;
    const numDirectBits = (posSlot >>> 1) - 1;
    let dist = (2 | (posSlot & 1)) * 2 ** numDirectBits;
    if (posSlot < END_POS_MODEL_INDEX) return dist + this.bitTreeReverse(POS_DECODERS + dist - posSlot, numDirectBits);
    dist += this.directBits(numDirectBits - 4) * 16;
    return dist + this.bitTreeReverse(ALIGN, 4);
  }

  /** Grows the output so that `need` more bytes fit (unknown-size streams only). */
  private ensure(need: number): void {
    if (this.outPos + need <= this.out.length) return;
    let n = this.out.length * 2;
    while (n < this.outPos + need) n *= 2;
    const bigger = new Uint8Array(n);
    bigger.set(this.out.subarray(0, this.outPos));
    this.out = bigger;
  }

  /**
   * The main loop. The range coder's state lives in locals for the hot paths (the match flag and
   * literals, inlined) and goes back to the fields around the rarer helpers (lengths, distances).
   */
  private decode(): boolean {
    const lc = this.lc;
    const lpMask = (1 << this.lp) - 1;
    const pbMask = (1 << this.pb) - 1;
    const known = this.unpackSize >= 0;
    const probs = this.probs;
    const input = this.input;
    const inLen = input.length;
    let out = this.out;
    let outPos = this.outPos;
    let range = this.range | 0;
    let code = this.code | 0;
    let inPos = this.inPos;
    let state = 0;
    let rep0 = 0;
    let rep1 = 0;
    let rep2 = 0;
    let rep3 = 0;
    for (;;) {
      if (inPos > inLen) {
        this.inPos = inPos;
        this.outPos = outPos;
        if (this.error === null) this.error = `LZMA stream truncated at input byte ${inLen}`;
        return false;
      }
      if (known && outPos === this.unpackSize) {
        // The stream may still carry an end marker; the data is complete either way.
        this.outPos = outPos;
        return true;
      }
      const posState = outPos & pbMask;
      // Match flag, inlined.
      let pi = IS_MATCH + (state << 4) + posState;
      let p = probs[pi]!;
      let bound = Math.imul(range >>> 11, p);
      let isMatch: number;
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[pi] = p + ((2048 - p) >>> 5);
        isMatch = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[pi] = p - (p >>> 5);
        isMatch = 1;
      }
      if (range >>> 24 === 0) {
        range <<= 8;
        code = (code << 8) | (inPos < inLen ? input[inPos]! : 0);
        inPos++;
      }
      if (isMatch === 0) {
        if (!known && outPos === out.length) {
          this.outPos = outPos;
          this.ensure(1);
          out = this.out;
        }
        const prev = outPos > 0 ? out[outPos - 1]! : 0;
        const base = LITERAL + 0x300 * (((outPos & lpMask) << lc) + (prev >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          let matchByte = out[outPos - rep0 - 1]!;
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            pi = base + ((1 + matchBit) << 8) + symbol;
            p = probs[pi]!;
            bound = Math.imul(range >>> 11, p);
            let b: number;
            if ((code ^ SIGN) < (bound ^ SIGN)) {
              range = bound;
              probs[pi] = p + ((2048 - p) >>> 5);
              b = 0;
            } else {
              range = (range - bound) | 0;
              code = (code - bound) | 0;
              probs[pi] = p - (p >>> 5);
              b = 1;
            }
            if (range >>> 24 === 0) {
              range <<= 8;
              code = (code << 8) | (inPos < inLen ? input[inPos]! : 0);
              inPos++;
            }
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          } while (symbol < 0x100);
        }
        while (symbol < 0x100) {
          pi = base + symbol;
          p = probs[pi]!;
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) {
            range = bound;
            probs[pi] = p + ((2048 - p) >>> 5);
            symbol <<= 1;
          } else {
            range = (range - bound) | 0;
            code = (code - bound) | 0;
            probs[pi] = p - (p >>> 5);
            symbol = (symbol << 1) | 1;
          }
          if (range >>> 24 === 0) {
            range <<= 8;
            code = (code << 8) | (inPos < inLen ? input[inPos]! : 0);
            inPos++;
          }
        }
        out[outPos++] = symbol - 0x100;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      // Matches and repeats: the helpers work on the fields.
      this.range = range;
      this.code = code;
      this.inPos = inPos;
      this.outPos = outPos;
      let len: number;
      if (this.bit(IS_REP + state) !== 0) {
        if (outPos === 0) return this.corrupt("repeat match before any data");
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
            state = state < 7 ? 9 : 11;
            if (!known && outPos === out.length) {
              this.ensure(1);
              out = this.out;
            }
            out[outPos] = out[outPos - rep0 - 1]!;
            outPos++;
            range = this.range | 0;
            code = this.code | 0;
            inPos = this.inPos;
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(IS_REP_G1 + state) === 0) dist = rep1;
          else {
            if (this.bit(IS_REP_G2 + state) === 0) dist = rep2;
            else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        len = this.length(REP_LEN, posState);
        state = state < 7 ? 8 : 11;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        len = this.length(LEN, posState);
        state = state < 7 ? 7 : 10;
        rep0 = this.distance(len);
        if (rep0 === 0xffffffff) {
          if (this.error !== null) return false;
          if (known && outPos !== this.unpackSize) return this.corrupt(`end marker after ${outPos} of ${this.unpackSize} bytes`);
          return true;
        }
        if (rep0 >= outPos || rep0 >= this.dictSize) return this.corrupt(`match distance ${rep0 + 1} beyond ${outPos} decoded bytes`);
      }
      if (this.error !== null) return false;
      range = this.range | 0;
      code = this.code | 0;
      inPos = this.inPos;
      len += MATCH_MIN_LEN;
      if (known && outPos + len > this.unpackSize) return this.corrupt(`match runs past the declared size ${this.unpackSize}`);
      if (!known) {
        this.ensure(len);
        out = this.out;
      }
      // Byte by byte: a match may overlap the bytes it produces (distance < length).
      for (let src = outPos - rep0 - 1, end = outPos + len; outPos < end; ) out[outPos++] = out[src++]!;
    }
  }

  private corrupt(why: string): boolean {
    if (this.error === null) this.error = `LZMA stream is corrupt at input byte ${this.inPos}: ${why}`;
    return false;
  }
}
