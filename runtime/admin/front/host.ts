/**
 * The loop's side of the worker front: starts the Worker and waits until it listens, answers the
 * requests it forwards with the loop's own app (as messages, between loop turns; the loop never
 * waits on the front), hands it each snapshot publication and the stream frames, and watches it: a
 * front that dies raises ADMIN_FRONT_DIED, logs one line and is started again once on the same port.
 */
import type { Hono } from "hono";
import { OperationalError } from "../../errors/codes.ts";
import type { Session } from "../../session/build.ts";
import type { ForwardedEnv } from "../http/app.ts";
import type { ReadSnapshots, SnapshotEntry } from "../http/snapshots.ts";
import type { RemoteStreamHub } from "../streams/remote-hub.ts";
import { COUNTER_FORWARDED, COUNTER_HITS, type FrontInit, type ToFront, type ToLoop } from "./protocol.ts";

/** How long `stop()` waits for the front to close its connections before terminating it, ms. */
const STOP_WAIT_MS = 2_000;
/** How long a start waits for the front to listen, ms. */
const START_WAIT_MS = 10_000;

/** What the host needs from the admin server. */
export interface FrontDeps {
  readonly session: Session;
  readonly app: Hono;
  readonly snapshots: ReadSnapshots;
  readonly hub: RemoteStreamHub;
  /** The init message less `t` and the port (the host fills the port: the bound one on a restart). */
  readonly init: Omit<FrontInit, "t">;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

/** A running front. */
export interface FrontHandle {
  readonly port: number;
  readonly hostname: string;
  /** Posts a message to the front (dropped while it is down). */
  post(m: ToFront): void;
  /** Requests the front has forwarded to the loop. */
  forwarded(): number;
  /** Times the front has been started again after dying. */
  restarts(): number;
  /** Terminates the front's thread as a crash would (for tests of the restart). */
  crash(): void;
  /** Closes the front's connections and terminates its thread. */
  stop(): Promise<void>;
}

/** Starts the front and waits until it listens; throws ADMIN_LISTEN_FAILED when it cannot. */
export async function startFront(deps: FrontDeps): Promise<FrontHandle> {
  const { session, app, snapshots, hub, log } = deps;
  const counters = new Int32Array(deps.init.counters);
  snapshots.remoteHits = () => Atomics.load(counters, COUNTER_HITS);
  let worker: Worker;
  let stopping = false;
  let restarts = 0;
  let stopped: (() => void) | null = null;
  let alive = false;
  let lastError = "";
  const post = (m: ToFront) => worker.postMessage(m);

  const answer = (m: Extract<ToLoop, { t: "req" }>) => {
    const env: ForwardedEnv = { forwarded: { principal: m.principal } };
    const req = new Request(`http://front${m.path}`, { method: m.method, headers: m.headers, body: m.body });
    const reply = (status: number, headers: [string, string][], body: string | null) =>
      post({ t: "res", id: m.id, status, headers, body, generation: snapshots.generation, ...(env.snapshot === undefined ? {} : { snap: env.snapshot }) });
    Promise.resolve(app.fetch(req, env))
      .then(async (res) => reply(res.status, [...res.headers], m.method === "HEAD" || res.body === null ? null : await res.text()))
      .catch((err: Error) => reply(500, [["content-type", "application/json"]], JSON.stringify({ error: { code: "ADMIN_INTERNAL", message: err.message } })));
  };

  const spawn = (port: number): Promise<{ port: number; hostname: string }> =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL("./worker.ts", import.meta.url).href);
      worker = w;
      let listening = false;
      const timer = setTimeout(() => fail(`the front did not listen within ${START_WAIT_MS} ms`), START_WAIT_MS);
      const fail = (reason: string) => {
        clearTimeout(timer);
        w.terminate();
        reject(new OperationalError("ADMIN_LISTEN_FAILED", { host: deps.init.hostname, port, reason }));
      };
      w.onmessage = (ev: MessageEvent<ToLoop>) => {
        const m = ev.data;
        switch (m.t) {
          case "req":
            return answer(m);
          case "asked":
            return snapshots.markAsked(m.keys);
          case "ws-open":
          case "ws-close":
            return hub.onClient(m);
          case "listening":
            listening = true;
            alive = true;
            lastError = "";
            clearTimeout(timer);
            return resolve({ port: m.port, hostname: m.hostname });
          case "listen-failed":
            return fail(m.reason);
          case "stopped":
            return stopped?.();
        }
      };
      w.addEventListener("error", (ev) => {
        // An uncaught error ends the front: its close event reports the death (one line, with this).
        lastError = (ev as ErrorEvent).message ?? "uncaught error";
        w.terminate();
      });
      w.addEventListener("close", () => {
        if (!listening) return fail(`the front's thread exited while starting${lastError === "" ? "" : `: ${lastError}`}`);
        if (w !== worker) return;
        alive = false;
        if (!stopping) void died();
      });
      w.postMessage({ ...deps.init, t: "init", port } satisfies FrontInit);
    });

  const died = async () => {
    hub.reset();
    const again = restarts === 0;
    session.core.alerts.raise(session.core.now(), "ADMIN_FRONT_DIED", "warning", "admin", `admin front thread exited port=${bound.port} restart=${again ? "once" : "no (restarted once already)"}`);
    log("admin front died", { port: bound.port, ...(lastError === "" ? {} : { error: lastError }), restarting: again, ...(again ? {} : { why: "restarted once already" }) });
    if (!again) return;
    restarts++;
    try {
      await spawn(bound.port);
      log("admin front restarted", { port: bound.port });
    } catch (err) {
      log("admin front not restarted", { port: bound.port, reason: (err as Error).message });
    }
  };

  const bound = await spawn(deps.init.port);
  snapshots.onPublish = publisher(post);
  return {
    port: bound.port,
    hostname: bound.hostname,
    post,
    forwarded: () => Atomics.load(counters, COUNTER_FORWARDED),
    restarts: () => restarts,
    crash: () => worker.terminate(),
    async stop() {
      stopping = true;
      snapshots.onPublish = null;
      if (!alive) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([new Promise<void>((r) => ((stopped = r), post({ t: "stop" }))), new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      worker.terminate();
    },
  };
}

/** Posts each publication to the front; an empty one only after a non-empty one (nothing to keep fresh otherwise). */
function publisher(post: (m: ToFront) => void): (entries: ReadonlyMap<string, SnapshotEntry>, generation: number) => void {
  let lastEmpty = true;
  return (entries, generation) => {
    if (entries.size === 0 && lastEmpty) return;
    lastEmpty = entries.size === 0;
    post({ t: "snapshot", entries: [...entries], generation });
  };
}
