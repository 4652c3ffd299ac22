/**
 * Starts and stops real `nats-server` processes on loopback: one JetStream node, or a cluster of
 * nodes routed to each other, each with its own store directory under a temporary folder. Ports are
 * free loopback ports picked at start. Used by the cluster tests, `kestrel cluster up` and the
 * cluster benchmark; stopping kills every process it started and removes the folder it made.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
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
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when a nats-server binary is on PATH. */
export function natsServerAvailable(binary = "nats-server"): boolean {
  return Bun.which(binary) !== null;
}

function nodeConfig(node: NatsNode, peers: NatsNode[], clustered: boolean): string {
  const lines = [
    `server_name: ${node.name}`,
    `listen: 127.0.0.1:${node.port}`,
    `jetstream { store_dir: "${node.storeDir}", max_memory_store: 256MB, max_file_store: 1GB }`,
  ];
  if (clustered) {
    const routes = peers.filter((p) => p !== node).map((p) => `nats-route://127.0.0.1:${p.clusterPort}`);
    lines.push(`cluster { name: kestrel, listen: 127.0.0.1:${node.clusterPort}, routes: [${routes.join(", ")}] }`);
  }
  return `${lines.join("\n")}\n`;
}

/** Starts nats-server node(s) and waits until JetStream answers (a meta leader in a cluster). */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsCluster> {
  const count = opts.nodes ?? 1;
  const binary = opts.binary ?? "nats-server";
  if (!natsServerAvailable(binary)) throw new ClusterError("CLUSTER_SERVER_START", `binary=${binary} reason=not on PATH (run .ci/setup.d/85-nats.sh)`);
  const dir = mkdtempSync(join(opts.parent ?? tmpdir(), "kestrel-nats-"));
  const nodes: NatsNode[] = [];
  for (let i = 0; i < count; i++) {
    const storeDir = join(dir, `n${i + 1}`);
    mkdirSync(storeDir, { recursive: true });
    nodes.push({ name: `n${i + 1}`, port: await freePort(), clusterPort: await freePort(), url: "", storeDir, proc: null });
  }
  for (const n of nodes) (n as { url: string }).url = `nats://127.0.0.1:${n.port}`;
  const clustered = count > 1;
  const spawnNode = (n: NatsNode) => {
    const conf = join(dir, `${n.name}.conf`);
    writeFileSync(conf, nodeConfig(n, nodes, clustered));
    n.proc = Bun.spawn([binary, "-c", conf], { stdout: "ignore", stderr: "ignore" });
  };
  for (const n of nodes) spawnNode(n);
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
    await waitJetStream(servers, opts.readyMs ?? 20_000);
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
      spawnNode(n);
      await waitJetStream([n.url], opts.readyMs ?? 20_000);
    },
  };
}

/** Waits (bounded) until a JetStream account-info request succeeds through the given servers. */
export async function waitJetStream(servers: string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = "";
  while (performance.now() < deadline) {
    let nc: NatsConnection | null = null;
    try {
      nc = await connect({ servers, timeout: 1000, reconnect: false });
      const jsm = await jetstreamManager(nc, { timeout: 1000 });
      await jsm.getAccountInfo();
      await nc.close();
      return;
    } catch (err) {
      last = (err as Error).message;
      if (nc !== null) await nc.close().catch(() => {});
      await Bun.sleep(100);
    }
  }
  throw new ClusterError("CLUSTER_NOT_READY", `servers=${servers.join(",")} waitedMs=${timeoutMs} last=${last}`);
}
