/** Params of the HMM regime rule. */
import { Type, type Static } from "../../sdk/index.ts";

/** TypeBox schema of the rule's params. */
export const HmmRegimeParams = Type.Object(
  {
    model: Type.String({ default: "eurusd-fxcm-1m", description: "Name of a shipped regime model (plugins/strategies/shared/regime/models)." }),
    instruments: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: "Symbols whose quotes the model watches (default: every instrument of the deployment)." })),
    haltAfterBars: Type.Integer({ minimum: 0, default: 30, description: "Bars outside after which every order is refused, not only those that add exposure (0: never halt)." }),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type HmmRegimeParams = Static<typeof HmmRegimeParams>;
