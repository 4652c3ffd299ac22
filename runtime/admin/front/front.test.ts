/**
 * The worker front against real paper sessions over loopback: every family of answers (snapshot
 * read, other read, command, 400/401/403/404/429, streams in JSON and msgpack) is the same through
 * the front and through the in-thread server; a command is readable at once; the front answers
 * while the loop's thread is held busy (the in-thread server cannot); a front that dies is
 * restarted once with an alert, and the session keeps trading.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../config/load.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { call, type Answer } from "../testing/http.ts";
import { openStream } from "../testing/ws-client.ts";
import { issueToken } from "../auth/jwt.ts";
import type { Role } from "../auth/roles.ts";

/** A token of its own (its own rate-limit bucket), valid in both fixtures (they share the key). */
const fresh = (f: PaperFixture, role: Role, subject: string) => issueToken(role, 600, f.key, subject);

/** What must match between the two servers: status, the headers that matter and the body (numbers, decimal text and times masked: the two sessions' markets differ). */
function shape(a: Answer): unknown {
  const mask = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(mask);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, /ts$|Ts$|At$|uptime|Seconds|events|signature|token|^calls$|^worstUs$|^worstHook$/i.test(k) && typeof x !== "object" ? typeof x : mask(x)]));
    if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return "decimal";
    return typeof v === "number" ? "number" : v;
  };
  return {
    status: a.status,
    contentType: a.headers.get("content-type"),
    cacheControl: a.headers.get("cache-control"),
    nosniff: a.headers.get("x-content-type-options"),
    wwwAuthenticate: a.headers.get("www-authenticate"),
    body: a.json === null ? a.text.length > 0 : mask(a.json),
  };
}

describe("the worker front answers as the in-thread server does", () => {
  let worker: PaperFixture;
  let loop: PaperFixture;
  beforeAll(async () => {
    [worker, loop] = await Promise.all([startPaperFixture({ admin: { rateLimitPerSecond: 5 } }), startPaperFixture({ admin: { thread: "loop", rateLimitPerSecond: 5 } })]);
  });
  afterAll(async () => {
    await Promise.all([worker?.stop(), loop?.stop()]);
  });

  test("each fixture runs where it says", () => {
    expect(worker.admin.thread).toBe("worker");
    expect(worker.admin.front).not.toBeNull();
    expect(loop.admin.thread).toBe("loop");
    expect(loop.admin.front).toBeNull();
  });

  test("reads, commands and refusals: same status, headers and body", async () => {
    const both = async (method: string, path: string, token: (f: PaperFixture) => string | null, body?: unknown) => {
      const [a, b] = [await call(worker, method, path, token(worker), body), await call(loop, method, path, token(loop), body)];
      expect({ path, ...(shape(a) as object) }).toEqual({ path, ...(shape(b) as object) });
      return a;
    };
    // Tokens of their own: the rate limit (5/s, burst 10) stays out of the way until it is tested.
    const a = await fresh(worker, "analyst", "same-analyst");
    const t = await fresh(worker, "trader", "same-trader");
    const ad = await fresh(worker, "admin", "same-admin");
    const analyst = () => a;
    const trader = () => t;
    expect((await both("GET", "/api/v1/kill-switch", analyst)).json.engaged).toBe(false); // snapshot read
    await both("GET", "/api/v1/health", () => null); // public snapshot read
    await both("GET", "/api/v1/markets/sim/instruments", trader); // not a snapshot read
    await both("GET", "/api/v1/ready", () => null);
    await both("GET", "/api/v1/orders?limit=abc", () => ad); // 400 with the field path
    await both("GET", "/api/v1/positions", () => null); // 401 AUTH_MISSING
    await both("GET", "/api/v1/positions", () => "not-a-jwt"); // 401 AUTH_MALFORMED
    await both("POST", "/api/v1/kill-switch/engage", analyst, { reason: "x" }); // 403
    await both("GET", "/api/v1/no-such-route", () => null); // 404
    await both("PATCH", "/api/v1/orders", () => null); // 404 for an unknown method
    await both("POST", "/api/v1/kill-switch/engage", trader, "{not json"); // 400 ADMIN_BAD_JSON
    expect((await both("POST", "/api/v1/strategies/obi/pause", () => ad)).json.strategy.state).toBe("paused"); // a command
    expect((await both("GET", "/api/v1/strategies", () => ad)).json.strategies[0].state).toBe("paused"); // read after it
    expect((await both("POST", "/api/v1/strategies/obi/resume", () => ad)).status).toBe(200);
    // 429 after the burst; the kill switch routes are exempt.
    const limited = await fresh(worker, "trader", "limited");
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await both("GET", "/api/v1/risk/limits", () => limited)).status);
    expect(codes).toContain(429);
    expect((await both("POST", "/api/v1/kill-switch/engage", () => limited, { reason: "front test" })).status).toBe(200);
    expect((await both("POST", "/api/v1/kill-switch/release", () => ad, {})).status).toBe(200);
  });

  test("a command is readable at once through the front", async () => {
    const t = await fresh(worker, "admin", "read-your-write");
    for (let i = 0; i < 3; i++) expect((await call(worker, "GET", "/api/v1/kill-switch", t)).json.engaged).toBe(false);
    await waitFor(() => worker.admin.snapshots.hits > 0, 5000, "reads answered from the front's copy");
    expect((await call(worker, "POST", "/api/v1/kill-switch/engage", t, { reason: "read your write" })).status).toBe(200);
    expect((await call(worker, "GET", "/api/v1/kill-switch", t)).json.engaged).toBe(true);
    expect((await call(worker, "POST", "/api/v1/kill-switch/release", t, {})).status).toBe(200);
    expect((await call(worker, "GET", "/api/v1/kill-switch", t)).json.engaged).toBe(false);
  });

  for (const format of ["json", "msgpack"]) {
    test(`/ws/alerts in ${format}: the same hello and the kill switch alert`, async () => {
      const got = [];
      for (const f of [worker, loop]) {
        // An open alert is not raised again: acknowledge earlier ones so the kill switch raises a new one.
        for (const a of f.session.core.alerts.all()) f.session.core.alerts.acknowledge(a.id);
        const s = await openStream(f, `/ws/alerts?format=${format}`, f.tokens.analyst);
        expect(await call(f, "POST", "/api/v1/kill-switch/engage", f.tokens.admin, { reason: `stream ${format}` })).toMatchObject({ status: 200 });
        const m = await s.until((x) => x.type === "batch" && x.events.some((a: any) => a.code === "KILL_SWITCH"), "the KILL_SWITCH alert");
        expect((await call(f, "POST", "/api/v1/kill-switch/release", f.tokens.admin, {})).status).toBe(200);
        const hello = s.messages[0];
        got.push({ hello: { ...hello, kernelTs: typeof hello.kernelTs }, alert: { ...m.events.find((a: any) => a.code === "KILL_SWITCH"), id: 0, ts: 0, message: "" } });
        s.close();
      }
      expect(got[0]).toEqual(got[1]!);
      expect(got[0]!.hello).toMatchObject({ stream: "alerts", type: "hello", role: "analyst" });
    });
  }

  test("/ws/market-data through the front: only the instruments asked for, conflated", async () => {
    const s = await openStream(worker, "/ws/market-data?instruments=GBPUSD&rate=20&format=msgpack", worker.tokens.analyst);
    await waitFor(() => s.messages.filter((m) => m.type === "quotes").length >= 3, 10_000, "3 snapshots");
    const quotes = s.messages.filter((m) => m.type === "quotes").flatMap((m) => m.quotes);
    for (const q of quotes) expect(q.instrument).toBe("GBPUSD");
    for (let i = 1; i < quotes.length; i++) expect(quotes[i].ts).toBeGreaterThan(quotes[i - 1].ts);
    expect(worker.admin.hub.clients["market-data"].size).toBe(1);
    s.close();
    await waitFor(() => worker.admin.hub.clients["market-data"].size === 0, 5000, "the loop hears of the close");
  });
});

/** Holds the loop's thread busy for `ms` right after a snapshot publication while a client on another thread reads; returns which answers arrived during the hold. */
async function readWhileLoopBusy(f: PaperFixture, paths: string[], ms: number, warm: () => Promise<void>, delayMs?: number): Promise<{ during: number[]; after: number[]; bodies: string[]; forwarded: number }> {
  const flags = new SharedArrayBuffer(4 * (1 + paths.length));
  const probe = new Worker(new URL("../testing/fetch-probe.ts", import.meta.url).href);
  const messages: any[] = [];
  probe.onmessage = (ev) => messages.push(ev.data);
  probe.postMessage({ flags, urls: paths.map((p) => new URL(p, f.admin.url).href), token: f.tokens.analyst, delayMs });
  await waitFor(() => messages.length > 0, 10_000, "the probe is ready");
  await warm();
  const view = new Int32Array(flags);
  let during: number[] | null = null;
  let forwardedBefore = 0;
  const published = f.admin.snapshots.published;
  const unhook = f.run.afterTurn(() => {
    if (during !== null || f.admin.snapshots.published === published) return;
    forwardedBefore = f.admin.front?.forwarded() ?? 0;
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: the loop's thread runs nothing else
    }
    during = paths.map((_, i) => Atomics.load(view, 1 + i));
  });
  await waitFor(() => messages.length > 1, 10_000, "the probe's answers");
  unhook();
  probe.terminate();
  return { during: during!, after: paths.map((_, i) => view[1 + i]!), bodies: messages[1].bodies, forwarded: (f.admin.front?.forwarded() ?? 0) - forwardedBefore };
}

describe("off the loop's thread", () => {
  for (const thread of ["worker", "loop"] as const) {
    test(`with thread: ${thread}, health and a snapshot read ${thread === "worker" ? "answer" : "wait"} while the loop is busy for 200 ms`, async () => {
      const f = await startPaperFixture({ strategy: false, admin: { thread } });
      try {
        const paths = ["/api/v1/health", "/api/v1/kill-switch"];
        // Asked for over a few periods just before, so both are in the next publication.
        const warm = async () => {
          for (let i = 0; i < 5; i++) {
            for (const p of paths) expect((await call(f, "GET", p, f.tokens.analyst)).status).toBe(200);
            await Bun.sleep(10);
          }
        };
        const r = await readWhileLoopBusy(f, paths, 200, warm);
        expect(r.after).toEqual([200, 200]);
        expect(JSON.parse(r.bodies[1]!).engaged).toBe(false);
        expect(r.during).toEqual(thread === "worker" ? [200, 200] : [0, 0]);
        // Answered by the front from its copy: nothing reached the loop.
        if (thread === "worker") expect(r.forwarded).toBe(0);
      } finally {
        await f.stop();
      }
    }, 30_000);
  }
});

describe("reads of a stale copy", () => {
  test("requests for the same read while the loop is busy are forwarded once and all answered after", async () => {
    const f = await startPaperFixture({ strategy: false });
    try {
      const warm = async () => {
        for (let i = 0; i < 3; i++) expect((await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst)).status).toBe(200);
      };
      // Sent 100 ms into a 250 ms hold: the front's copy is then older than two periods.
      const r = await readWhileLoopBusy(f, Array(10).fill("/api/v1/kill-switch"), 250, warm, 100);
      expect(r.during).toEqual(Array(10).fill(0));
      expect(r.after).toEqual(Array(10).fill(200));
      for (const b of r.bodies) expect(JSON.parse(b).engaged).toBe(false);
      expect(r.forwarded).toBe(1);
    } finally {
      await f.stop();
    }
  }, 30_000);
});

describe("a front that dies", () => {
  let f: PaperFixture;
  const lines: string[] = [];
  beforeAll(async () => {
    f = await startPaperFixture({ strategy: false, admin: { log: (l) => lines.push(l) } });
  });
  afterAll(async () => {
    await f?.stop();
  });

  test("is restarted once on the same port with an alert and one log line; the session keeps trading", async () => {
    const events = f.session.loop.marketEvents;
    const s = await openStream(f, "/ws/alerts", f.tokens.analyst);
    f.admin.front!.crash();
    await waitFor(() => f.admin.front!.restarts() === 1 && lines.some((l) => l.includes("admin front restarted")), 10_000, "the restart");
    expect(f.session.core.alerts.all().filter((a) => a.code === "ADMIN_FRONT_DIED")).toHaveLength(1);
    expect(lines.filter((l) => l.includes("admin front died"))).toHaveLength(1);
    await waitFor(() => s.closed !== null, 5000, "the old stream's connection is gone");
    expect(f.admin.hub.clients.alerts.size).toBe(0);
    expect((await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst)).status).toBe(200);
    const again = await openStream(f, "/ws/alerts", f.tokens.analyst);
    expect(again.messages[0]).toMatchObject({ type: "hello", stream: "alerts" });
    again.close();
    await waitFor(() => f.session.loop.marketEvents > events + 10, 5000, "the session keeps trading");
  }, 30_000);

  test("a second death is not restarted, and says why", async () => {
    // Acknowledged, so the second death raises an alert of its own (an open one is not raised twice).
    f.session.core.alerts.acknowledge(f.session.core.alerts.all().find((a) => a.code === "ADMIN_FRONT_DIED")!.id);
    f.admin.front!.crash();
    await waitFor(() => f.session.core.alerts.all().filter((a) => a.code === "ADMIN_FRONT_DIED").length === 2, 10_000, "the second alert");
    const line = lines.filter((l) => l.includes("admin front died")).at(-1)!;
    expect(JSON.parse(line)).toMatchObject({ restarting: false, why: "restarted once already" });
    expect(f.admin.front!.restarts()).toBe(1);
    const events = f.session.loop.marketEvents;
    await waitFor(() => f.session.loop.marketEvents > events + 10, 5000, "the session keeps trading");
  }, 30_000);
});

describe("stop", () => {
  test("closes the front's connections and ends its thread", async () => {
    const f = await startPaperFixture({ strategy: false });
    const s = await openStream(f, "/ws/trades", f.tokens.analyst);
    await f.admin.stop();
    await waitFor(() => s.closed !== null, 5000, "the stream is closed");
    expect(s.closed!.code).toBe(1001);
    await expect(fetch(new URL("/api/v1/health", f.admin.url))).rejects.toThrow();
    await f.stop();
  }, 30_000);
});

describe("admin.thread in the deployment", () => {
  test("thread: loop in the YAML runs the server on the loop's thread", async () => {
    const f = await startPaperFixture({ strategy: false, adminYaml: "{ port: 0, thread: loop }" });
    try {
      expect(f.admin.thread).toBe("loop");
      expect(f.admin.front).toBeNull();
      expect((await call(f, "GET", "/api/v1/health", null)).status).toBe(200);
    } finally {
      await f.stop();
    }
  }, 30_000);

  test("another value is refused, naming admin.thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-front-"));
    try {
      const file = join(dir, "paper.yaml");
      writeFileSync(file, readFileSync(resolve(import.meta.dir, "../../../configs/paper.yaml"), "utf8").replace(/^admin:\n/m, "admin:\n  thread: fiber\n"));
      const loaded = loadConfig(file);
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.problems.join("\n")).toContain("admin.thread");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
