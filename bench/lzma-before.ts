/**
 * THE DECODER AS IT WAS before its hot loop was rewritten (commit 36da473 and earlier), kept as the
 * same-run baseline of bench/lzma-decode.ts. Not used by the runtime.
 *
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
  private range = 0xffffffff;
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
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.input[this.inPos++];
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
    const p = probs[index];
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = p - (p >>> 5);
      b = 1;
    }
    if (this.range < 0x1000000) {
      this.range *= 256;
      this.code = this.code * 256 + this.nextByte();
    }
    return b;
  }

  private directBits(count: number): number {
    let res = 0;
    for (let i = 0; i < count; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      res = res * 2 + b;
      if (this.range < 0x1000000) {
        this.range *= 256;
        this.code = this.code * 256 + this.nextByte();
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

  private put(b: number): void {
    if (this.outPos === this.out.length) {
      const bigger = new Uint8Array(this.out.length * 2);
      bigger.set(this.out);
      this.out = bigger;
    }
    this.out[this.outPos++] = b;
  }

  private decode(): boolean {
    const lc = this.lc;
    const lpMask = (1 << this.lp) - 1;
    const pbMask = (1 << this.pb) - 1;
    const known = this.unpackSize >= 0;
    let state = 0;
    let rep0 = 0;
    let rep1 = 0;
    let rep2 = 0;
    let rep3 = 0;
    for (;;) {
      if (this.error !== null) return false;
      if (known && this.outPos === this.unpackSize) {
        // The stream may still carry an end marker; the data is complete either way.
        return true;
      }
      const posState = this.outPos & pbMask;
      if (this.bit(IS_MATCH + (state << 4) + posState) === 0) {
        const prev = this.outPos > 0 ? this.out[this.outPos - 1] : 0;
        const litState = ((this.outPos & lpMask) << lc) + (prev >>> (8 - lc));
        const base = LITERAL + 0x300 * litState;
        let symbol = 1;
        if (state >= 7) {
          let matchByte = this.out[this.outPos - rep0 - 1];
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const b = this.bit(base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | b;
            if (matchBit !== b) break;
          } while (symbol < 0x100);
        }
        while (symbol < 0x100) symbol = (symbol << 1) | this.bit(base + symbol);
        this.put(symbol - 0x100);
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + state) !== 0) {
        if (this.outPos === 0) return this.corrupt("repeat match before any data");
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
            state = state < 7 ? 9 : 11;
            this.put(this.out[this.outPos - rep0 - 1]);
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
          if (known && this.outPos !== this.unpackSize) return this.corrupt(`end marker after ${this.outPos} of ${this.unpackSize} bytes`);
          return true;
        }
        if (rep0 >= this.outPos || rep0 >= this.dictSize) return this.corrupt(`match distance ${rep0 + 1} beyond ${this.outPos} decoded bytes`);
      }
      len += MATCH_MIN_LEN;
      if (known && this.outPos + len > this.unpackSize) return this.corrupt(`match runs past the declared size ${this.unpackSize}`);
      for (let i = 0; i < len; i++) this.put(this.out[this.outPos - rep0 - 1]);
    }
  }

  private corrupt(why: string): boolean {
    if (this.error === null) this.error = `LZMA stream is corrupt at input byte ${this.inPos}: ${why}`;
    return false;
  }
}
