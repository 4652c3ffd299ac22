/**
 * Process entry of one global risk service instance (active or standby): waits for the risk lease,
 * restores the ledger, answers reservations until SIGTERM/SIGINT. Started by the risk failover test:
 *
 *   bun runtime/cluster/risk/risk-main.ts --config F --servers URL[,URL] --holder ID [--wait-ms N]
 *
 * Prints `risk active holder=ID restored=a,b` on stderr once it answers.
 */
import { resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { loadConfig } from "../../config/load.ts";
import { Topology } from "../topology.ts";
import { startLeasedRiskService } from "./leased.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs the instance; the exit code says how it ended. */
async function main(): Promise<number> {
  const loaded = loadConfig(resolve(arg("config") ?? ""));
  if (!loaded.ok) {
    process.stderr.write(`${loaded.problems.join("\n")}\n`);
    return 2;
  }
  const cluster = loaded.config.cluster;
  const servers = (arg("servers") ?? "").split(",").filter((s) => s !== "");
  if (cluster === undefined || servers.length === 0) {
    process.stderr.write("CLUSTER_CONFIG: a cluster deployment and --servers are required\n");
    return 2;
  }
  let stopAsked = false;
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const onSignal = () => {
    stopAsked = true;
    stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const nc = await connect({ servers, name: `kestrel-risk-${arg("holder")}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const holder = arg("holder") ?? `risk-${process.pid}`;
  const svc = await startLeasedRiskService({ nc, topology: new Topology(cluster.prefix), limits: cluster.risk, holder, waitMs: Number(arg("wait-ms") ?? 60_000), ttlMs: cluster.lease?.ttlMs ?? 3000, replicas: cluster.replicas, stopped: () => stopAsked });
  if (svc === null) {
    await nc.close();
    return stopAsked ? 0 : 1;
  }
  process.stderr.write(`risk active holder=${holder} restored=${svc.restoredShards.join(",")}\n`);
  await stopped;
  await svc.stop();
  await nc.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
