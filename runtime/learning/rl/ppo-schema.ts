/**
 * The PPO update's hyper-parameters as config fields, shared by `kestrel rl train` configs and a
 * deployment's `learning:` section (online updates); each caller gives its own minibatch and rate.
 */
import { Type } from "@sinclair/typebox";

/** The PPO update fields (epochs, minibatch, rate, discounting, clipping, loss weights, gradient norm). */
export function ppoUpdateFields(defaults: { minibatch: number; lr: number }) {
  return {
    epochs: Type.Integer({ minimum: 1, default: 4 }),
    minibatch: Type.Integer({ minimum: 1, default: defaults.minibatch }),
    lr: Type.Number({ exclusiveMinimum: 0, default: defaults.lr }),
    gamma: Type.Number({ minimum: 0, maximum: 1, default: 0.99 }),
    lambda: Type.Number({ minimum: 0, maximum: 1, default: 0.95 }),
    clip: Type.Number({ exclusiveMinimum: 0, default: 0.2 }),
    entropy: Type.Number({ minimum: 0, default: 0.001 }),
    valueCoef: Type.Number({ minimum: 0, default: 0.5 }),
    maxGradNorm: Type.Number({ exclusiveMinimum: 0, default: 0.5 }),
  };
}
