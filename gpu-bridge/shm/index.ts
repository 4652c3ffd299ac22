/**
 * The shared-memory sidecar protocol used by both bridges: the segment layout, the SPSC rings,
 * the frame codec, the runtime's client and the TypeScript sidecar server.
 */
export * from "./layout.ts";
export * from "./errors.ts";
export * from "./ring.ts";
export * from "./segment.ts";
export * from "./codec.ts";
export * from "./client.ts";
export * from "./server.ts";
export * from "./supervisor.ts";
