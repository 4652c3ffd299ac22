/** Test helpers: JSON requests against the fixture's admin server with a bearer token. */
import type { PaperFixture } from "./paper-session.ts";

/** An answer: status, parsed JSON (or text) and headers. */
export interface Answer {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

/** Sends a request; `token` null sends none. */
export async function call(f: PaperFixture, method: string, path: string, token: string | null, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(new URL(path, f.admin.url), { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** A limit price `ticksAway` ticks from the touch on the passive side (buy below the bid), as text. */
export function passivePrice(f: PaperFixture, symbol: string, side: "buy" | "sell", ticksAway: number): string {
  const inst = f.session.instruments.find((i) => i.symbol === symbol)!;
  const book = f.session.core.books.books[inst.id]!;
  const ticks = side === "buy" ? book.bid - ticksAway : book.ask + ticksAway;
  const s = String(ticks).padStart(inst.priceDecimals + 1, "0");
  return `${s.slice(0, -inst.priceDecimals)}.${s.slice(-inst.priceDecimals)}`;
}
