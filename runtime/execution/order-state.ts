/**
 * The order state machine. Every transition is checked against this table; an illegal one is
 * refused with a value, never applied silently.
 */
import type { OrderStatus } from "../../plugins/sdk/orders.ts";

const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["working", "partially-filled", "filled", "pending-cancel", "canceled", "rejected", "expired"],
  working: ["working", "partially-filled", "filled", "pending-cancel", "canceled", "expired"],
  "partially-filled": ["partially-filled", "filled", "pending-cancel", "canceled", "expired"],
  "pending-cancel": ["working", "partially-filled", "filled", "canceled", "expired", "pending-cancel"],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
};

/** True when an order may move from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}
