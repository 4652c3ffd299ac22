/**
 * A small, fast, seedable pseudo-random generator for simulations: xoshiro128** (Blackman and
 * Vigna) on 32-bit integers, seeded through splitmix32 so that any integer seed gives a
 * well-mixed state. Normals and exponentials come from Marsaglia and Tsang's ziggurats (128 and
 * 256 layers): one random word, a multiply and a compare in about 98% of draws, an exact
 * fallback for the rest. The same seed
 * yields the same sequence on every machine: only integer ops, `Math.log` and `Math.exp` are used.
 */

const INV_2_32 = 1 / 4294967296;
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_M = 2147483648;

/** Ziggurat tables: layer thresholds (kn), widths (wn) and densities (fn), built once. */
const KN = new Int32Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * ZIG_M);
  KN[1] = 0;
  WN[0] = q / ZIG_M;
  WN[127] = dn / ZIG_M;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * ZIG_M);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / ZIG_M;
  }
}

const EXP_R = 7.697117470131487;
const EXP_V = 3.949659822581572e-3;
const EXP_M = 4294967296;

/** Exponential ziggurat tables: layer thresholds (ke, unsigned 32-bit), widths (we), densities (fe). */
const KE = new Float64Array(256);
const WE = new Float64Array(256);
const FE = new Float64Array(256);
{
  let de = EXP_R;
  let te = de;
  const q = EXP_V / Math.exp(-de);
  KE[0] = Math.floor((de / q) * EXP_M);
  KE[1] = 0;
  WE[0] = q / EXP_M;
  WE[255] = de / EXP_M;
  FE[0] = 1;
  FE[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(EXP_V / de + Math.exp(-de));
    KE[i + 1] = Math.floor((de / te) * EXP_M);
    te = de;
    FE[i] = Math.exp(-de);
    WE[i] = de / EXP_M;
  }
}

/** xoshiro128** state with uniform, exponential and normal draws. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

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

  /** Returns an exponential draw with mean 1 (ziggurat). */
  exponential(): number {
    const jz = this.nextU32();
    const iz = jz & 255;
    if (jz < KE[iz]) return jz * WE[iz];
    return this.exponentialTail(jz, iz);
  }

  /** The exponential ziggurat's slow path: the base strip's tail or a wedge between layers. */
  private exponentialTail(jz: number, iz: number): number {
    for (;;) {
      if (iz === 0) return EXP_R - Math.log(this.uniform());
      const x = jz * WE[iz];
      if (FE[iz] + this.uniform() * (FE[iz - 1] - FE[iz]) < Math.exp(-x)) return x;
      jz = this.nextU32();
      iz = jz & 255;
      if (jz < KE[iz]) return jz * WE[iz];
    }
  }

  /** Returns a standard normal draw (ziggurat). */
  normal(): number {
    const hz = this.nextU32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    return this.normalTail(hz, iz);
  }

  /** The ziggurat's slow path: the base strip's tail or a wedge between layers. */
  private normalTail(hz: number, iz: number): number {
    for (;;) {
      if (iz === 0) {
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return hz > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = hz * WN[iz];
      if (FN[iz] + this.uniform() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      hz = this.nextU32() | 0;
      iz = hz & 127;
      if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    }
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
