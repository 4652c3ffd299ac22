/**
 * The runtime's models: the model engine (periodic batched inference over the feature context
 * windows) and `startModels`, which builds it from a deployment's `models:` section.
 */
export * from "./model-engine.ts";
export * from "./start-models.ts";
