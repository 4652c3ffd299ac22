/**
 * Read snapshots: the loop publishes at most once per period, reads between publications share one
 * rendering, a command drops the snapshot, reads nobody asks for stop being rendered, reads render
 * live when the loop has not published lately; and over real HTTP a snapshot read is the handler's
 * own answer while a command's effect is readable at once.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ReadSnapshots } from "./snapshots.ts";
import { ok, text } from "./reply.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { call, passivePrice } from "../testing/http.ts";

function clocked() {
  let now = 1000;
  return { at: () => now, advance: (ms: number) => (now += ms) };
}

describe("ReadSnapshots", () => {
  test("between publications every read of a key is answered from one rendering", () => {
    const c = clocked();
    const s = new ReadSnapshots(20, c.at);
    let state = 1;
    let renders = 0;
    const render = () => (renders++, ok({ state }));
    s.afterTurn();
    expect(s.read("/a", render).body).toBe('{"state":1}');
    state = 2;
    expect(s.read("/a", render).body).toBe('{"state":1}');
    expect(renders).toBe(1);
    expect(s.hits).toBe(1);
    c.advance(10);
    s.afterTurn(); // too soon: nothing published
    expect(s.published).toBe(1);
    expect(s.read("/a", render).body).toBe('{"state":1}');
    c.advance(10);
    s.afterTurn(); // the loop renders what was asked for
    expect(s.published).toBe(2);
    expect(renders).toBe(2);
    expect(s.read("/a", render).body).toBe('{"state":2}');
    expect(renders).toBe(2);
  });

  test("a command drops the snapshot, so the next read renders the new state", () => {
    const c = clocked();
    const s = new ReadSnapshots(20, c.at);
    let state = "off";
    s.afterTurn();
    expect(s.read("/k", () => ok({ state })).body).toBe('{"state":"off"}');
    state = "on";
    s.invalidate();
    expect(s.read("/k", () => ok({ state })).body).toBe('{"state":"on"}');
  });

  test("the loop renders only the reads asked for since its last publication", () => {
    const c = clocked();
    const s = new ReadSnapshots(20, c.at);
    let renders = 0;
    s.afterTurn();
    s.read("/once", () => (renders++, ok({})));
    expect(renders).toBe(1);
    for (let i = 0; i < 10; i++) {
      c.advance(20);
      s.afterTurn();
    }
    // Rendered on the request and once by the next publication, then no more.
    expect(renders).toBe(2);
    s.read("/once", () => (renders++, ok({})));
    expect(renders).toBe(3); // no longer in the snapshot: rendered at the request
  });

  test("when the loop has not published for two periods, reads render live", () => {
    const c = clocked();
    const s = new ReadSnapshots(20, c.at);
    let state = 1;
    s.afterTurn();
    s.read("/a", () => ok({ state }));
    state = 2;
    c.advance(41);
    expect(s.read("/a", () => ok({ state })).body).toBe('{"state":2}');
    state = 3;
    expect(s.read("/a", () => ok({ state })).body).toBe('{"state":3}');
  });

  test("text replies keep their content type; a failing render in the loop is left to the request", () => {
    const c = clocked();
    const s = new ReadSnapshots(20, c.at);
    s.afterTurn();
    expect(s.read("/metrics", () => text("a 1\n", "text/plain")).contentType).toBe("text/plain");
    let fail = false;
    s.read("/b", () => {
      if (fail) throw new Error("boom");
      return ok({});
    });
    fail = true;
    c.advance(20);
    expect(() => s.afterTurn()).not.toThrow();
    expect(() => s.read("/b", () => {
      throw new Error("boom at request");
    })).toThrow("boom at request");
  });

  test("period 0 turns snapshots off", () => {
    expect(new ReadSnapshots(0).enabled).toBe(false);
  });
});

describe("snapshot reads over HTTP", () => {
  let f: PaperFixture;
  afterAll(async () => {
    await f?.stop();
  });

  test("the loop publishes, reads are served from it with the handler's body, and a command is readable at once", async () => {
    f = await startPaperFixture({ strategy: false });
    const snaps = f.admin.snapshots;
    await waitFor(() => snaps.published > 3, 20_000, "the loop publishes snapshots");
    // The same read many times: mostly served from the snapshot, same shape as a live read.
    const first = await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst);
    expect(first.status).toBe(200);
    expect(first.json.engaged).toBe(false);
    const hitsBefore = snaps.hits;
    for (let i = 0; i < 20; i++) expect((await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst)).json).toEqual(first.json);
    expect(snaps.hits).toBeGreaterThan(hitsBefore);
    // An order placed over HTTP is in the next list read.
    const before = await call(f, "GET", "/api/v1/orders?strategy=manual", f.tokens.analyst);
    const placed = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURUSD", side: "buy", type: "limit", size: "1000", price: passivePrice(f, "EURUSD", "buy", 80) });
    expect(placed.status).toBe(201);
    const after = await call(f, "GET", "/api/v1/orders?strategy=manual", f.tokens.analyst);
    expect(after.json.orders.length).toBe(before.json.orders.length + 1);
    expect(after.json.orders.map((o: { id: number }) => o.id)).toContain(placed.json.order.id);
    // Engaged over HTTP: the next read says so, without waiting for a publication.
    expect((await call(f, "POST", "/api/v1/kill-switch/engage", f.tokens.trader, { reason: "snapshot test" })).status).toBe(200);
    expect((await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst)).json.engaged).toBe(true);
    // A change made by the loop itself (the venue acknowledges) shows up within a publication.
    const id = placed.json.order.id as number;
    await waitFor(() => f.session.core.oms.get(id)!.status !== "pending", 10_000, "the venue answers the order");
    let status = "";
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      status = (await call(f, "GET", "/api/v1/orders?strategy=manual", f.tokens.analyst)).json.orders.find((o: { id: number }) => o.id === id).status;
      if (status === f.session.core.oms.get(id)!.status) break;
      await Bun.sleep(10);
    }
    expect(status).toBe(f.session.core.oms.get(id)!.status);
  }, 60_000);
});
