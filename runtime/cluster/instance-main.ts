/**
 * Process entry of one shard instance (primary or standby): takes the shard's lease (waiting as
 * long as asked), runs the shard until its time is up or SIGTERM/SIGINT, and writes its result as
 * JSON. Started by `kestrel cluster up` and the failover test, one process per instance:
 *
 *   bun runtime/cluster/instance-main.ts --config F --shard NAME --servers URL[,URL] --dir D
 *     --holder ID [--wait-ms N] [--for-ms N] [--out result.json] [--venue-log orders.jsonl]
 *     [--commands-log commands.jsonl] [--admin-port N]
 *
 * With --admin-port the shard serves its own admin API on loopback (0: any free port; the key from
 * KESTREL_ADMIN_KEY, which `cluster up` sets to the plane's) for the plane to forward controls to.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { runShard } from "./shard.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs the instance described by the command line; the exit code says how it ended. */
async function main(): Promise<number> {
  const configFile = resolve(arg("config") ?? "");
  const shard = arg("shard") ?? "";
  const servers = (arg("servers") ?? "").split(",").filter((s) => s !== "");
  const loaded = loadConfig(configFile);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.problems.join("\n")}\n`);
    return 2;
  }
  if (shard === "" || servers.length === 0) {
    process.stderr.write("CLUSTER_CONFIG: --shard and --servers are required\n");
    return 2;
  }
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  process.on("SIGTERM", () => stop());
  process.on("SIGINT", () => stop());
  const venueLog = arg("venue-log");
  const commandsLog = arg("commands-log");
  const forMs = arg("for-ms");
  const result = await runShard({
    config: loaded.config,
    configFile,
    shard,
    servers,
    dir: resolve(arg("dir") ?? "var/cluster"),
    forUs: forMs === undefined ? undefined : Number(forMs) * 1000,
    stopSignal,
    log: () => {},
    lease: { holder: arg("holder") ?? `${shard}-${process.pid}`, waitMs: Number(arg("wait-ms") ?? 60_000) },
    onCommand: commandsLog === undefined ? undefined : (cmd, arrivedUs) => appendFileSync(commandsLog, `${JSON.stringify({ ...cmd, arrivedUs })}\n`),
    onVenueOrder: venueLog === undefined ? undefined : (o) => appendFileSync(venueLog, `${JSON.stringify(o)}\n`),
    onStarted: () => process.stderr.write(`started shard=${shard} pid=${process.pid}\n`),
    adminPort: arg("admin-port") === undefined ? undefined : Number(arg("admin-port")),
  });
  const { summary, ...rest } = result;
  const out = JSON.stringify({ ...rest, pnl: summary.pnl, riskRejections: summary.riskRejections });
  const outFile = arg("out");
  if (outFile !== undefined) writeFileSync(outFile, out);
  else process.stdout.write(`${out}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
