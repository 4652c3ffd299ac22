/**
 * Seeded random variates for the Monte Carlo engine: sfc32 32-bit words, uniforms, standard
 * normals by Marsaglia and Tsang's 128-layer ziggurat (one word and one compare for ~98% of
 * draws; exact tail by their fallback) and gamma variates by Marsaglia–Tsang (shape >= 1), all
 * without allocation. Uniforms have 32-bit resolution.
 */

const ZIG_R = 3.442619855899;
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
(function zigset() {
  const m1 = 2147483648.0;
  let dn = ZIG_R;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
})();

/** A seeded generator of uniforms, normals and gamma variates. */
export class Variates {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.uniform();
  }

  /** Returns a random signed 32-bit word (sfc32). */
  word(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /** Returns a uniform in (0, 1). */
  uniform(): number {
    return ((this.word() >>> 0) + 0.5) / 4294967296;
  }

  /** Returns a standard normal variate. */
  normal(): number {
    const hz = this.word();
    const iz = hz & 127;
    if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
    return this.normalSlow(hz, iz);
  }

  private normalSlow(hz: number, iz: number): number {
    for (;;) {
      const x = hz * WN[iz]!;
      if (iz === 0) {
        let xt: number;
        let y: number;
        do {
          xt = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < xt * xt);
        return hz > 0 ? ZIG_R + xt : -ZIG_R - xt;
      }
      if (FN[iz]! + this.uniform() * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = this.word();
      iz = hz & 127;
      if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
    }
  }

  /** Returns a Gamma(shape, 1) variate; shape must be at least 1. */
  gamma(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}
