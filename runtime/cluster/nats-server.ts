/**
 * Starts and stops real `nats-server` processes on loopback: one JetStream node, or a cluster of
 * nodes routed to each other, each with its own store directory and log file under a temporary
 * folder. Ports are distinct free loopback ports picked together at start; a node that cannot bind
 * one (taken since the pick) makes the start pick again, and a node that dies while awaited fails
 * the start with its exit code and last log lines. A cluster is ready when a stream with one
 * replica per node can be created. Used by the cluster tests, `kestrel cluster up` and the
 * cluster benchmark; stopping kills every process it started and removes the folder it made.
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import { ClusterError } from "./errors.ts";

/** One started nats-server process. */
export interface NatsNode {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly url: string;
  readonly storeDir: string;
  proc: ReturnType<typeof Bun.spawn> | null;
}

/** A running set of nats-server nodes. */
export interface NatsCluster {
  readonly nodes: NatsNode[];
  /** Client URLs of every node (`nats://127.0.0.1:port`). */
  readonly servers: string[];
  /** The temporary folder holding configs and stores. */
  readonly dir: string;
  /** Kills one node (SIGKILL), keeping its store. */
  killNode(index: number): Promise<void>;
  /** Starts a killed node again on the same ports and store. */
  restartNode(index: number): Promise<void>;
  /** Stops every node and removes the folder. */
  stop(): Promise<void>;
}

/** Options of startNats. */
export interface StartNatsOptions {
  /** Number of nodes (1: a single JetStream server; 3: an R3-capable cluster). */
  nodes?: number;
  /** Parent folder of the temporary folder (default: the OS temp folder). */
  parent?: string;
  /** nats-server binary (default: `nats-server` on PATH). */
  binary?: string;
  /** How long to wait for JetStream to answer, milliseconds (default 20 000). */
  readyMs?: number;
  /** Starts the last node this much later than the others (tests: a node that joins late). */
  lateNodeMs?: number;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** `count` distinct free TCP ports on 127.0.0.1: all are held bound at once, then released together. */
export async function freePorts(count: number): Promise<number[]> {
  const held: ReturnType<typeof createServer>[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      held.push(srv);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          srv.once("error", reject);
          srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address();
            resolve(typeof addr === "object" && addr !== null ? addr.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(held.map((srv) => new Promise<void>((r) => (srv.listening ? srv.close(() => r()) : r()))));
  }
}

/** True when a nats-server binary is on PATH. */
export function natsServerAvailable(binary = "nats-server"): boolean {
  return Bun.which(binary) !== null;
}

function nodeConfig(node: NatsNode, peers: NatsNode[], clustered: boolean, logFile: string): string {
  const lines = [
    `server_name: ${node.name}`,
    `listen: 127.0.0.1:${node.port}`,
    `log_file: "${logFile}"`,
    `jetstream { store_dir: "${node.storeDir}", max_memory_store: 256MB, max_file_store: 1GB }`,
  ];
  if (clustered) {
    const routes = peers.filter((p) => p !== node).map((p) => `nats-route://127.0.0.1:${p.clusterPort}`);
    lines.push(`cluster { name: kestrel, listen: 127.0.0.1:${node.clusterPort}, routes: [${routes.join(", ")}] }`);
  }
  return `${lines.join("\n")}\n`;
}

/** What a node's log says about its end: its fatal and error lines, else its last lines ("" when none). */
function logTail(file: string, lines = 3): string {
  if (!existsSync(file)) return "";
  const all = readFileSync(file, "utf8").trim().split("\n");
  const bad = all.filter((l) => l.includes("[FTL]") || l.includes("[ERR]"));
  return (bad.length > 0 ? bad : all).slice(-lines).join(" | ");
}

/** A node process that exited while it was awaited: its name, exit code and last log lines. */
class NodeDied extends ClusterError {
  constructor(
    readonly node: string,
    readonly log: string,
    exitCode: number | null,
  ) {
    super("CLUSTER_SERVER_START", `node=${node} exit=${exitCode} log=${log === "" ? "(none)" : log}`);
  }
  /** True when the node could not bind one of its ports (taken since it was picked). */
  get portTaken(): boolean {
    return /address already in use/i.test(this.log);
  }
}

/** How many times a start is tried again when a picked port was taken before nats-server bound it. */
const PORT_RETRIES = 4;

/** Starts nats-server node(s) and waits until JetStream answers (with every node a peer in a cluster). */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsCluster> {
  const count = opts.nodes ?? 1;
  const binary = opts.binary ?? "nats-server";
  if (!natsServerAvailable(binary)) throw new ClusterError("CLUSTER_SERVER_START", `binary=${binary} reason=not on PATH (run .ci/setup.d/85-nats.sh)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(count, binary, opts);
    } catch (err) {
      // Another process took a picked port between the pick and the server's bind: pick again.
      if (err instanceof NodeDied && err.portTaken && attempt < PORT_RETRIES) continue;
      throw err;
    }
  }
}

async function startOnce(count: number, binary: string, opts: StartNatsOptions): Promise<NatsCluster> {
  const readyMs = opts.readyMs ?? 20_000;
  const dir = mkdtempSync(join(opts.parent ?? tmpdir(), "kestrel-nats-"));
  const ports = await freePorts(count * 2);
  const nodes: NatsNode[] = [];
  for (let i = 0; i < count; i++) {
    const storeDir = join(dir, `n${i + 1}`);
    mkdirSync(storeDir, { recursive: true });
    const port = ports[2 * i]!;
    nodes.push({ name: `n${i + 1}`, port, clusterPort: ports[2 * i + 1]!, url: `nats://127.0.0.1:${port}`, storeDir, proc: null });
  }
  const clustered = count > 1;
  const logOf = (n: NatsNode) => join(dir, `${n.name}.log`);
  const spawnNode = (n: NatsNode) => {
    const conf = join(dir, `${n.name}.conf`);
    rmSync(logOf(n), { force: true });
    writeFileSync(conf, nodeConfig(n, nodes, clustered, logOf(n)));
    n.proc = Bun.spawn([binary, "-c", conf], { stdout: "ignore", stderr: "ignore" });
  };
  /** Waits for JetStream; a node exiting meanwhile ends the wait with its exit code and log. */
  const waitReady = async (which: NatsNode[], replicas: number) => {
    const exited = Promise.race(which.map((n) => n.proc!.exited.then((code) => ({ n, code }))));
    let settled = false;
    const ready = waitJetStream(which.map((n) => n.url), readyMs, { replicas, abort: () => settled });
    const outcome = await Promise.race([ready.then(() => null), exited]);
    if (outcome !== null) {
      settled = true;
      await ready.catch(() => {});
      throw new NodeDied(outcome.n.name, logTail(logOf(outcome.n)), outcome.code);
    }
  };
  for (const n of nodes.slice(0, -1)) spawnNode(n);
  if (opts.lateNodeMs !== undefined && opts.lateNodeMs > 0) await Bun.sleep(opts.lateNodeMs);
  spawnNode(nodes.at(-1)!);
  const servers = nodes.map((n) => n.url);
  const stop = async () => {
    for (const n of nodes) {
      if (n.proc !== null) {
        n.proc.kill("SIGKILL");
        await n.proc.exited;
        n.proc = null;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(nodes, count);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    servers,
    dir,
    stop,
    async killNode(index) {
      const n = nodes[index]!;
      if (n.proc === null) return;
      n.proc.kill("SIGKILL");
      await n.proc.exited;
      n.proc = null;
    },
    async restartNode(index) {
      const n = nodes[index]!;
      if (n.proc !== null) return;
      // Its ports are fixed (the peers' routes name them): a port taken meanwhile is waited for.
      for (let attempt = 1; ; attempt++) {
        spawnNode(n);
        try {
          await waitReady([n], 1);
          return;
        } catch (err) {
          const proc = n.proc as NatsNode["proc"]; // spawnNode set it
          if (proc !== null && proc.exitCode === null && proc.signalCode === null) {
            proc.kill("SIGKILL");
            await proc.exited;
          }
          n.proc = null;
          if (err instanceof NodeDied && err.portTaken && attempt < PORT_RETRIES) {
            await Bun.sleep(500);
            continue;
          }
          throw err;
        }
      }
    },
  };
}

/** Options of waitJetStream. */
export interface WaitJetStreamOptions {
  /** Wait until a stream with this many replicas can be created (every node a JetStream peer); default 1. */
  replicas?: number;
  /** Polled between tries: true ends the wait early (it then throws). */
  abort?: () => boolean;
}

/**
 * Waits (bounded) until a JetStream account-info request succeeds through the given servers and,
 * with `replicas` above 1, until a probe stream of that many replicas can be created (a meta
 * leader elected by a quorum answers before the last node has joined: R3 streams fail until then).
 */
export async function waitJetStream(servers: string[], timeoutMs: number, opts: WaitJetStreamOptions = {}): Promise<void> {
  const replicas = opts.replicas ?? 1;
  const deadline = performance.now() + timeoutMs;
  let last = "";
  while (performance.now() < deadline && opts.abort?.() !== true) {
    let nc: NatsConnection | null = null;
    try {
      nc = await connect({ servers, timeout: 1000, reconnect: false });
      const jsm = await jetstreamManager(nc, { timeout: 2000 });
      await jsm.getAccountInfo();
      if (replicas > 1) {
        const probe = `KESTREL_READY_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
        await jsm.streams.add({ name: probe, subjects: [`_kestrel_ready.${probe}`], num_replicas: replicas, storage: StorageType.Memory });
        await jsm.streams.delete(probe);
      }
      await nc.close();
      return;
    } catch (err) {
      last = (err as Error).message;
      if (nc !== null) await nc.close().catch(() => {});
      await Bun.sleep(100);
    }
  }
  throw new ClusterError("CLUSTER_NOT_READY", `servers=${servers.join(",")} waitedMs=${timeoutMs} replicas=${replicas} last=${last}`);
}
