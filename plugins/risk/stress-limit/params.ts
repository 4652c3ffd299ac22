/** Params of the stress limit; money in the account currency. */
import { Type, type Static } from "../../sdk/index.ts";
import { BUILTIN_SCENARIOS } from "./scenarios.ts";

/** TypeBox schema of the rule's params. */
export const StressLimitParams = Type.Object(
  {
    maxLoss: Type.Number({ exclusiveMinimum: 0, description: "Largest loss (account currency) any scenario may inflict on the portfolio after an order; orders that lower the worst loss always pass." }),
    scenarios: Type.Optional(Type.Array(Type.Union(BUILTIN_SCENARIOS.map((s) => Type.Literal(s.name))), { minItems: 1, description: "Built-in scenarios to apply (default: all)." })),
    custom: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          description: Type.String({ default: "" }),
          moves: Type.Record(Type.String({ pattern: "^[A-Z]{3}$" }), Type.Number({ exclusiveMinimum: -100 }), { description: "Currency → percent change of its USD value." }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: "Hypothetical scenarios of the deployment's own." },
    ),
  },
  { additionalProperties: false },
);

/** Validated params. */
export type StressLimitParams = Static<typeof StressLimitParams>;
