/** Params of the HMM regime rule. */
import { Type, type Static } from "../../sdk/index.ts";

/** TypeBox schema of the rule's params. */
export const HmmRegimeParams = Type.Object(
  {
    model: Type.String({ default: "eurusd-fxcm-1m", description: "Name of a shipped regime model (plugins/strategies/shared/regime/models)." }),
    instruments: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: "Symbols whose quotes the model watches (default: every instrument of the deployment)." })),
    filter: Type.Union([Type.Literal("wasm"), Type.Literal("ts")], { default: "wasm", description: "Where the forward filter runs: the WASM kernel (kernels-wasm, hmm.ts) or its TypeScript twin; equal within 1e-12." }),
    outsideState: Type.Union([Type.Literal("reducing"), Type.Literal("halted")], { default: "reducing", description: "Trading state asked of the risk engine when the market leaves the trained regimes." }),
    haltAfterBars: Type.Integer({ minimum: 0, default: 30, description: "Bars outside after which the rule asks for halted (0: never escalate)." }),
    resume: Type.Union([Type.Literal("auto"), Type.Literal("operator")], { default: "auto", description: "auto: back to active when the market returns; operator: the state stands until an operator releases it." }),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type HmmRegimeParams = Static<typeof HmmRegimeParams>;
