/**
 * Monotonic deques over an instrument's quote ring (window max/min in O(1) amortised). A deque
 * holds ring sequence numbers (f64, exact to 2^53) in a CAP-long circular array; its front and
 * back counters live in the instrument block.
 */
import { CAP, MASK, OFF_DQ, OFF_QRING, S_DQ, rd, wr } from "./memory";

/** Address of quote record `seq` in the block at st. */
@inline export function qrec(st: usize, seq: f64): usize {
  return st + OFF_QRING + (<usize>(<i32>(<i64>seq) & MASK) << 5);
}

@inline function slot(st: usize, d: i32, k: f64): usize {
  return st + OFF_DQ + <usize>(d * CAP) * 8 + (<usize>(<i32>(<i64>k) & MASK) << 3);
}

/** Appends quote `seq` whose value is at byte `field` of its record (max deque when `isMax`). */
export function dqPush(st: usize, d: i32, seq: f64, v: f64, field: usize, isMax: bool): void {
  const front = rd(st, S_DQ + 2 * d);
  let back = rd(st, S_DQ + 2 * d + 1);
  while (back > front) {
    const last = load<f64>(qrec(st, load<f64>(slot(st, d, back - 1))) + field);
    if (isMax ? last <= v : last >= v) back -= 1;
    else break;
  }
  store<f64>(slot(st, d, back), seq);
  wr(st, S_DQ + 2 * d + 1, back + 1);
}

/** Drops front entries whose quote is at or before `cutoff`. */
export function dqExpire(st: usize, d: i32, cutoff: f64): void {
  let front = rd(st, S_DQ + 2 * d);
  const back = rd(st, S_DQ + 2 * d + 1);
  while (back > front && load<f64>(qrec(st, load<f64>(slot(st, d, front)))) <= cutoff) front += 1;
  wr(st, S_DQ + 2 * d, front);
}

/** Drops the front entry if it is quote `seq`. */
export function dqEvict(st: usize, d: i32, seq: f64): void {
  const front = rd(st, S_DQ + 2 * d);
  if (rd(st, S_DQ + 2 * d + 1) > front && load<f64>(slot(st, d, front)) == seq) wr(st, S_DQ + 2 * d, front + 1);
}

/** Sequence number at the front, or -1 when empty. */
@inline export function dqPeek(st: usize, d: i32): f64 {
  const front = rd(st, S_DQ + 2 * d);
  return rd(st, S_DQ + 2 * d + 1) > front ? load<f64>(slot(st, d, front)) : -1;
}
