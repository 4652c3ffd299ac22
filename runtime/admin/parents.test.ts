/**
 * The admin plane's parent order routes against a running paper session over loopback HTTP: an
 * operator starts an iceberg, reads it with its children and venue, reads its TCA, pauses,
 * resumes and cancels it (the cancel reaches its child); an analyst cannot start one; a bad
 * algorithm gives 422 with the rejected parent; an unknown parent 404.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call } from "./testing/http.ts";

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture({
    strategy: false,
    extraYaml: `execution:\n  algos:\n    - { name: iceberg, plugin: iceberg, params: { displaySize: 10000 } }\n    - { name: twap, plugin: twap }\n`,
  });
}, 20_000);
afterAll(async () => {
  await f?.stop();
});

describe("parents over the admin API", () => {
  test("start, read, TCA, pause, resume and cancel an iceberg; the cancel reaches its child", async () => {
    const eur = f.session.instruments.find((i) => i.symbol === "EURUSD")!;
    const limit = f.session.core.books.books[eur.id]!.bid - 100;
    expect((await call(f, "POST", "/api/v1/parents", f.tokens.analyst, { algo: "iceberg", instrument: "EURUSD", side: "buy", quantity: 50000, limitPrice: limit })).status).toBe(403);
    const r = await call(f, "POST", "/api/v1/parents", f.tokens.trader, { algo: "iceberg", instrument: "EURUSD", side: "buy", quantity: 50000, limitPrice: limit });
    expect(r.status).toBe(201);
    const id = r.json.parent.id;
    expect(r.json.parent).toMatchObject({ algo: "iceberg", strategy: "manual", side: 1, quantity: 50000, limitPrice: limit, symbol: "EURUSD" });
    await waitFor(() => f.session.core.oms.get(f.session.algos!.parents.get(id)!.children[0] ?? 0)?.status === "working", 5000, "child working");
    const g = await call(f, "GET", `/api/v1/parents/${id}`, f.tokens.analyst);
    expect(g.status).toBe(200);
    expect(g.json.parent.children.length).toBe(1);
    expect(g.json.parent.children[0]).toMatchObject({ status: "working", venue: "sim" });
    const list = await call(f, "GET", "/api/v1/parents", f.tokens.analyst);
    expect(list.json.algos).toEqual(["iceberg", "twap"]);
    expect(list.json.parents.map((p: any) => p.id)).toContain(id);
    const tca = await call(f, "GET", `/api/v1/parents/${id}/tca`, f.tokens.analyst);
    expect(tca.status).toBe(200);
    expect(tca.json.tca).toMatchObject({ id, algo: "iceberg", side: 1, quantity: 50000, filled: 0, children: 1 });
    expect(tca.json.tca.arrivalPrice).toBeGreaterThan(0);

    const paused = await call(f, "POST", `/api/v1/parents/${id}/pause`, f.tokens.trader);
    expect(paused.json.parent.status).toBe("paused");
    expect((await call(f, "POST", `/api/v1/parents/${id}/pause`, f.tokens.trader)).status).toBe(409);
    expect((await call(f, "POST", `/api/v1/parents/${id}/resume`, f.tokens.trader)).json.parent.status).toBe("working");
    const c = await call(f, "POST", `/api/v1/parents/${id}/cancel`, f.tokens.trader);
    expect(c.status).toBe(200);
    await waitFor(() => f.session.algos!.parents.get(id)!.status === "canceled", 5000, "parent canceled");
    const after = await call(f, "GET", `/api/v1/parents/${id}`, f.tokens.analyst);
    expect(after.json.parent.children[0].status).toBe("canceled");
    expect((await call(f, "POST", `/api/v1/parents/${id}/cancel`, f.tokens.trader)).status).toBe(409);
  }, 20_000);

  test("an unknown algorithm is refused with 422 and the rejected parent; unknown ids 404", async () => {
    const r = await call(f, "POST", "/api/v1/parents", f.tokens.trader, { algo: "vwap", instrument: "EURUSD", side: "sell", quantity: 1000 });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("ALGO_UNKNOWN");
    expect(r.json.parent.status).toBe("rejected");
    expect((await call(f, "GET", "/api/v1/parents/999999", f.tokens.analyst)).status).toBe(404);
    expect((await call(f, "GET", "/api/v1/parents/999999/tca", f.tokens.analyst)).json.error.code).toBe("ADMIN_UNKNOWN_PARENT");
    expect((await call(f, "POST", "/api/v1/parents", f.tokens.trader, { algo: "twap", instrument: "XAUUSD", side: "sell", quantity: 1000 })).status).toBe(404);
  });
});
