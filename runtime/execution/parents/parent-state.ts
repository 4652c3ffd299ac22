/**
 * The parent order state machine. A parent's state is derived from its children and from what
 * was asked of it (cancel, pause, the algorithm finishing); every change is checked against this
 * table and an illegal one is refused with a value, never applied silently.
 */

/** Lifecycle states of a parent order. */
export type ParentStatus =
  | "working" // the algorithm is running; no fill yet
  | "partially-filled"
  | "paused" // the algorithm gets no events; working children stay
  | "pending-cancel" // cancel asked; children's cancels in flight
  | "filled"
  | "canceled"
  | "done" // the algorithm finished with quantity left (e.g. a limit never reached, an OCO leg canceled)
  | "rejected"; // refused before any child (unknown algo, bad params, risk)

const ALLOWED: Record<ParentStatus, readonly ParentStatus[]> = {
  working: ["working", "partially-filled", "paused", "pending-cancel", "filled", "canceled", "done"],
  "partially-filled": ["partially-filled", "paused", "pending-cancel", "filled", "canceled", "done"],
  paused: ["paused", "working", "partially-filled", "pending-cancel", "filled", "canceled", "done"],
  "pending-cancel": ["pending-cancel", "canceled", "filled"],
  filled: [],
  canceled: [],
  done: [],
  rejected: [],
};

/** True when a parent may move from `from` to `to`. */
export function canParentTransition(from: ParentStatus, to: ParentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** True when a parent can no longer change. */
export function isParentTerminal(s: ParentStatus): boolean {
  return s === "filled" || s === "canceled" || s === "done" || s === "rejected";
}
