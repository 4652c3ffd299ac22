/**
 * Deterministic mutations of FIX messages for the fuzz test and fuzz benchmark: byte flips,
 * separator and digit swaps, deletions, insertions, duplications, truncations, field swaps,
 * BodyLength/CheckSum edits and splices, driven by a seeded xorshift generator.
 */
import { FixEncoder } from "../codec/encode.ts";
import { sampleExecutionReport, sampleIncrementalRefresh } from "./messages.ts";

/** A seeded 32-bit xorshift generator. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  /** An integer in [0, n). */
  int(n: number): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x % n;
  }
}

/** Valid messages from the LP's side (LP1 -> KESTREL) to mutate: admin and application. */
export function corpus(seq = 2): Uint8Array[] {
  const enc = new FixEncoder("FIX.4.4");
  const head = (t: string) => enc.begin(t).str(49, "LP1").str(56, "KESTREL").int(34, seq).timestamp(52, 1_764_000_000_000_000);
  const out = [sampleExecutionReport(seq, enc), sampleIncrementalRefresh(seq, enc)];
  out.push(head("0").str(112, "t1").finish().slice());
  out.push(head("1").str(112, "t2").finish().slice());
  out.push(head("2").int(7, 1).int(16, 0).finish().slice());
  out.push(head("4").bool(123, true).int(36, seq + 1).finish().slice());
  out.push(head("3").int(45, 1).int(373, 1).str(58, "bad").finish().slice());
  out.push(head("W").str(262, "md").str(55, "EURUSD").int(268, 2).char(269, 48).scaled(270, 110000, 5).scaled(271, 5, 0).char(269, 49).scaled(270, 110010, 5).scaled(271, 5, 0).finish().slice());
  out.push(head("9").str(37, "O1").str(11, "C2").str(41, "C1").char(39, 56).char(434, 49).int(102, 1).finish().slice());
  return out;
}

const INTERESTING = [1, 61, 48, 57, 45, 46, 56, 49, 0, 255, 124];

/** Returns a mutated copy of `msg` (sometimes spliced with `other`). */
export function mutate(rng: Rng, msg: Uint8Array, other: Uint8Array): Uint8Array {
  const b = Array.from(msg);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(b.length || 1);
    switch (rng.int(10)) {
      case 0: b[at] = rng.int(256); break;
      case 1: b[at] = INTERESTING[rng.int(INTERESTING.length)] as number; break;
      case 2: b.splice(at, 1 + rng.int(8)); break;
      case 3: b.splice(at, 0, ...Array.from({ length: 1 + rng.int(6) }, () => INTERESTING[rng.int(INTERESTING.length)] as number)); break;
      case 4: { const len = 1 + rng.int(20); b.splice(at, 0, ...b.slice(at, at + len)); break; }
      case 5: b.length = rng.int(b.length + 1); break;
      case 6: { // swap two fields
        const fields = splitFields(b);
        if (fields.length > 4) {
          const i = 2 + rng.int(fields.length - 3), j = 2 + rng.int(fields.length - 3);
          [fields[i], fields[j]] = [fields[j] as number[], fields[i] as number[]];
          b.splice(0, b.length, ...fields.flat());
        }
        break;
      }
      case 7: { // edit a digit in BodyLength or CheckSum
        const target = rng.int(2) === 0 ? indexAfter(b, [57, 61]) : indexAfter(b, [1, 49, 48, 61]);
        if (target >= 0 && target < b.length) b[target] = 48 + rng.int(10);
        break;
      }
      case 8: { const cut = rng.int(other.length); b.splice(at, b.length - at, ...Array.from(other.subarray(cut))); break; }
      default: { // replace a value with a long or odd value
        const fields = splitFields(b);
        if (fields.length > 3) {
          const i = 3 + rng.int(fields.length - 3);
          const f = fields[i] as number[];
          const eq = f.indexOf(61);
          const junk = rng.int(2) === 0 ? Array.from("-0.0000000001e9", (c) => c.charCodeAt(0)) : Array.from({ length: rng.int(40) }, () => 48 + rng.int(10));
          if (eq >= 0) fields[i] = [...f.slice(0, eq + 1), ...junk, 1];
          b.splice(0, b.length, ...fields.flat());
        }
      }
    }
  }
  return Uint8Array.from(b);
}

function splitFields(b: number[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (const c of b) {
    cur.push(c);
    if (c === 1) { out.push(cur); cur = []; }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function indexAfter(b: number[], pattern: number[]): number {
  outer: for (let i = 0; i + pattern.length <= b.length; i++) {
    for (let k = 0; k < pattern.length; k++) if (b[i + k] !== pattern[k]) continue outer;
    return i + pattern.length;
  }
  return -1;
}

/** Recomputes BodyLength and CheckSum of a mutated message where its outline allows, so validation (not framing) sees it. */
export function reframe(m: Uint8Array): Uint8Array {
  const text = Array.from(m, (c) => String.fromCharCode(c)).join("");
  const head = /^8=FIX\.4\.4\x019=\d*\x01/.exec(text);
  const tail = text.lastIndexOf("\x0110=");
  if (head === null || tail < head[0].length) return m;
  const body = text.slice(head[0].length, tail + 1);
  const pre = `8=FIX.4.4\x019=${body.length}\x01${body}`;
  let sum = 0;
  for (let i = 0; i < pre.length; i++) sum += pre.charCodeAt(i);
  const all = `${pre}10=${String(sum & 255).padStart(3, "0")}\x01`;
  return Uint8Array.from(all, (c) => c.charCodeAt(0) & 255);
}
