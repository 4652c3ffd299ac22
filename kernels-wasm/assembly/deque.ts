/**
 * Monotonic deques over an instrument's quote ring (window max/min in O(1) amortised). An
 * entry is 16 bytes, the quote's u32 sequence number and its value, so pushing compares values
 * without going back to the ring; expiry reads the front quote's timestamp from the ring.
 * Front and back are u32 counters in the instrument block.
 */
import { CAP, MASK, OFF_DQ, OFF_QRING, S_DQ, ri, wi } from "./memory";

/** Address of quote record `seq` in the block at st. */
@inline export function qrec(st: usize, seq: u32): usize {
  return st + OFF_QRING + (<usize>(seq & <u32>MASK) << 5);
}

@inline function slot(st: usize, d: i32, k: u32): usize {
  return st + OFF_DQ + <usize>(d * CAP) * 16 + (<usize>(k & <u32>MASK) << 4);
}

/**
 * Appends quote `seq` with value `v` (max deque when `isMax`), dropping the entries it dominates.
 * The last two entries are tested without branches (selects), which covers most pushes; only
 * a push that drops both goes on in a loop. Reading an empty slot is harmless: the masked index
 * stays in the deque's region and the test is masked by the count.
 */
@inline export function dqPush(st: usize, d: i32, seq: u32, v: f64, isMax: bool): void {
  const front = ri(st, S_DQ + 2 * d);
  let back = ri(st, S_DQ + 2 * d + 1);
  const n = back - front;
  const l1 = load<f64>(slot(st, d, back - 1), 8), l2 = load<f64>(slot(st, d, back - 2), 8);
  const p1 = <u32>(n >= 1) & <u32>(isMax ? l1 <= v : l1 >= v);
  const p2 = p1 & <u32>(n >= 2) & <u32>(isMax ? l2 <= v : l2 >= v);
  back -= p1 + p2;
  if (p2) {
    while (back != front) {
      const last = load<f64>(slot(st, d, back - 1), 8);
      if (isMax ? last <= v : last >= v) back--;
      else break;
    }
  }
  const e = slot(st, d, back);
  store<u32>(e, seq);
  store<f64>(e, v, 8);
  wi(st, S_DQ + 2 * d + 1, back + 1);
}

/** Drops front entries whose quote is at or before `cutoff`. */
@inline export function dqExpire(st: usize, d: i32, cutoff: f64): void {
  let front = ri(st, S_DQ + 2 * d);
  const back = ri(st, S_DQ + 2 * d + 1);
  while (back != front && load<f64>(qrec(st, load<u32>(slot(st, d, front)))) <= cutoff) front++;
  wi(st, S_DQ + 2 * d, front);
}

/**
 * Drops front entries older than quote `tail`, the first quote still inside a window of the
 * deque's length: quote timestamps never decrease, so this is the timestamp test of dqExpire
 * without reading the ring.
 */
@inline export function dqExpireTo(st: usize, d: i32, tail: u32): void {
  let front = ri(st, S_DQ + 2 * d);
  const back = ri(st, S_DQ + 2 * d + 1);
  while (back != front && <i32>(load<u32>(slot(st, d, front)) - tail) < 0) front++;
  wi(st, S_DQ + 2 * d, front);
}

/** Drops the front entry if it is quote `seq`. */
@inline export function dqEvict(st: usize, d: i32, seq: u32): void {
  const front = ri(st, S_DQ + 2 * d);
  if (ri(st, S_DQ + 2 * d + 1) != front && load<u32>(slot(st, d, front)) == seq) wi(st, S_DQ + 2 * d, front + 1);
}

/** Whether the deque holds an entry. */
@inline export function dqAny(st: usize, d: i32): bool {
  return ri(st, S_DQ + 2 * d + 1) != ri(st, S_DQ + 2 * d);
}

/** Value at the front (the window's extreme); only when dqAny. */
@inline export function dqFront(st: usize, d: i32): f64 {
  return load<f64>(slot(st, d, ri(st, S_DQ + 2 * d)), 8);
}
