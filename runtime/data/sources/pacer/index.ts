/** Pacing a market source against the wall clock for paper sessions. */
export { createPacedSource, PacedSource, type PaceOptions } from "./paced-source.ts";
