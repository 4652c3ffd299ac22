/**
 * A small, fast, seedable pseudo-random generator for simulations: xoshiro128** (Blackman and
 * Vigna) on 32-bit integers, seeded through splitmix32 so that any integer seed gives a
 * well-mixed state. Normals come from the Box-Muller transform (pairs, the second one cached).
 * The same seed yields the same sequence on every machine: only integer ops, `Math.log`,
 * `Math.sqrt`, `Math.cos` and `Math.sin` are used.
 */

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;

/** xoshiro128** state with uniform, exponential and normal draws. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = 0;
  private hasSpare = false;

  /** Seeds the state from any number (its low 32 bits and the high part are mixed in). */
  constructor(seed: number) {
    const x = (seed >>> 0) ^ Math.floor(seed / 4294967296);
    // splitmix32 over a counter: state words are outputs at x + k * golden gamma.
    this.s0 = splitmix32(x);
    this.s1 = splitmix32((x + 0x9e3779b9) | 0);
    this.s2 = splitmix32((x + 0x3c6ef372) | 0);
    this.s3 = splitmix32((x + 0xdaa66d2b) | 0);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Returns the next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Returns a uniform double in (0, 1): never exactly 0 or 1, so it is safe under a log. */
  uniform(): number {
    return (this.nextU32() + 0.5) * INV_2_32;
  }

  /** Returns an exponential draw with mean 1. */
  exponential(): number {
    return -Math.log(this.uniform());
  }

  /** Returns a standard normal draw (Box-Muller; every second call is served from a cache). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = TWO_PI * this.nextU32() * INV_2_32;
    this.spareNormal = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One step of splitmix32: a bijective mixer of 32-bit integers, used for seeding. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
