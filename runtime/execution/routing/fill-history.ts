/**
 * Fill probability per venue from a store's history: for every recorded order, the share of its
 * size that filled, averaged per venue with a uniform prior (one filled and one unfilled order),
 * so a venue with no history gets 0.5 and one with a long record gets its own rate.
 */
import { StoreDb } from "../../store/database.ts";

/** Fill probability and number of orders behind it, per venue name. */
export interface VenueFillHistory {
  readonly probability: number;
  readonly orders: number;
}

/** Reads the history from a store file (throws StoreError when it cannot be opened). */
export async function loadFillHistory(path: string): Promise<Map<string, VenueFillHistory>> {
  const db = await StoreDb.open(path);
  try {
    const rows = await db.all(`
      WITH f AS (SELECT order_id, sum(size) AS filled FROM fills GROUP BY order_id)
      SELECT i.venue AS venue, count(*) AS orders, sum(least(coalesce(f.filled, 0), o.size)::DOUBLE / o.size) AS ratio
      FROM orders o JOIN instruments i ON i.id = o.instrument_id LEFT JOIN f USING (order_id)
      WHERE o.size > 0 GROUP BY i.venue`);
    const out = new Map<string, VenueFillHistory>();
    for (const r of rows) {
      const n = Number(r.orders);
      out.set(String(r.venue), { probability: (Number(r.ratio) + 1) / (n + 2), orders: n });
    }
    return out;
  } finally {
    db.close();
  }
}
