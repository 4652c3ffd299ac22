/**
 * Integer arithmetic that refuses to leave the exactly representable range. Each operation returns
 * NaN instead of a result beyond Number.MAX_SAFE_INTEGER in magnitude; NaN then poisons every later
 * sum, so a whole computation is checked once at its end without allocating or branching per step.
 * Results are never -0 (adding 0 turns -0 into 0), so read-outs compare equal to plain zeros.
 */

/** Returns a + b, or NaN if either is NaN or the result is not a safe integer. */
export function addExact(a: number, b: number): number {
  const r = a + b;
  return Number.isSafeInteger(r) ? r + 0 : Number.NaN;
}

/** Returns a - b, or NaN if either is NaN or the result is not a safe integer. */
export function subExact(a: number, b: number): number {
  const r = a - b;
  return Number.isSafeInteger(r) ? r + 0 : Number.NaN;
}

/**
 * Returns a * b, or NaN if either is NaN or the product is not a safe integer. Exact because a
 * product of safe integers whose true value is safe is computed without rounding, and one whose true
 * value is not safe rounds to a magnitude of at least 2^53.
 */
export function mulExact(a: number, b: number): number {
  const r = a * b;
  return Number.isSafeInteger(r) ? r + 0 : Number.NaN;
}
