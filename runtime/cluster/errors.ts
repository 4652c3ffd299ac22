/**
 * Errors of the cluster layer (NATS servers, JetStream streams, shards, the global risk service,
 * failover). Each carries a code from the "Cluster" section of docs/errors.md and `key=value`
 * context, like the runtime's KestrelError.
 */

/** Error codes of runtime/cluster. */
export type ClusterErrorCode =
  | "CLUSTER_CONFIG"
  | "CLUSTER_SERVER_START"
  | "CLUSTER_NOT_READY"
  | "CLUSTER_MESSAGE"
  | "CLUSTER_LEASE_LOST"
  | "CLUSTER_JOURNAL_FENCED"
  | "CLUSTER_RISK_UNAVAILABLE";

/** A typed cluster error: a code and a message with key=value context. */
export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = "ClusterError";
  }
}
