/**
 * Online forward filter of a Gaussian HMM with diagonal covariances: the WASM form of
 * plugins/strategies/shared/regime/gaussian-hmm.ts (HmmFilter.update), same operations in the same
 * order. A model block (written once by the binding) holds, as f64: pi[k], trans[k*k] (row-major,
 * trans[i*k+j] = P(j | i)), mean[k*d], variance[k*d], logVariance[k*d] (log v, precomputed by the
 * binding with JS Math.log so emissions differ from the twin only through exp/log below). A state
 * block holds count, probs[k], pred[k], logB[k]. Accuracy: the log predictive likelihood and the
 * probabilities agree with the TypeScript filter to about 1e-12 relative (AssemblyScript's exp and
 * log are not JS's, a few ulp apart). Memory comes from seriesReserve (a module instance of its own).
 */

const LOG_2PI: f64 = 1.8378770664093453;

/** Folds one observation (d f64 at `x`) into the filter state at `st`; returns log p(x_t | x_1..t-1). */
export function hmmForward(model: usize, k: i32, d: i32, st: usize, x: usize): f64 {
  const pi = model, trans = pi + (<usize>k << 3), mean = trans + (<usize>(k * k) << 3), vari = mean + (<usize>(k * d) << 3), logv = vari + (<usize>(k * d) << 3);
  const probs = st + 8, pred = probs + (<usize>k << 3), logB = pred + (<usize>k << 3);
  const count = load<f64>(st);
  if (count == 0) {
    for (let j = 0; j < k; j++) store<f64>(pred + (<usize>j << 3), load<f64>(pi + (<usize>j << 3)));
  } else {
    for (let j = 0; j < k; j++) {
      let s: f64 = 0;
      for (let i = 0; i < k; i++) s += load<f64>(probs + (<usize>i << 3)) * load<f64>(trans + (<usize>(i * k + j) << 3));
      store<f64>(pred + (<usize>j << 3), s);
    }
  }
  for (let s = 0; s < k; s++) {
    let l: f64 = 0;
    for (let j = 0; j < d; j++) {
      const o = <usize>(s * d + j) << 3;
      const v = load<f64>(vari + o);
      const z = load<f64>(x + (<usize>j << 3)) - load<f64>(mean + o);
      l -= 0.5 * (LOG_2PI + load<f64>(logv + o) + (z * z) / v);
    }
    store<f64>(logB + (<usize>s << 3), l);
  }
  let max: f64 = -Infinity;
  for (let j = 0; j < k; j++) {
    const b = load<f64>(logB + (<usize>j << 3));
    if (b > max) max = b;
  }
  let total: f64 = 0;
  for (let j = 0; j < k; j++) {
    const w = load<f64>(pred + (<usize>j << 3)) * Math.exp(load<f64>(logB + (<usize>j << 3)) - max);
    store<f64>(probs + (<usize>j << 3), w);
    total += w;
  }
  store<f64>(st, count + 1);
  if (!(total > 0)) {
    // Every state gives the observation zero weight after scaling: fall back to the prediction.
    for (let j = 0; j < k; j++) store<f64>(probs + (<usize>j << 3), load<f64>(pred + (<usize>j << 3)));
    return max;
  }
  for (let j = 0; j < k; j++) store<f64>(probs + (<usize>j << 3), load<f64>(probs + (<usize>j << 3)) / total);
  return max + Math.log(total);
}
