/** One policy version's fate in online learning, as journaled (control record kind "learning") and shown by the admin API. */
export interface LearningEvent {
  /** accepted: the update became the live policy; rejected: it never went live (trust region, export); rolled-back: live reward fell below the bound and `live` was restored. */
  readonly status: "accepted" | "rejected" | "rolled-back";
  /** Update number (1, 2, ...; 0 is the deployment's policy). */
  readonly n: number;
  /** The version concerned (`name@version`). */
  readonly version: string;
  /** The live version after the event. */
  readonly live: string;
  /** Kernel time of the event, µs. */
  readonly ts: number;
  /** Mean KL(old || new) over the update's batch. */
  readonly kl?: number;
  /** Mean entropy of the new policy over the batch. */
  readonly entropy?: number;
  /** Mean episode reward (bps) behind the event: the batch's for an update, the window's for a rollback. */
  readonly reward?: number;
  /** Episodes behind the event. */
  readonly episodes?: number;
  /** The version's card (accepted). */
  readonly card?: string;
  /** Why (rejected, rolled back). */
  readonly reason?: string;
}
