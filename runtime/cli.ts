#!/usr/bin/env bun
/**
 * The `kestrel` command line: run a deployment in real time (paper or live), backtest it, check
 * it, and (from the store) work with recorded data.
 */
import { dirname, resolve } from "node:path";
import { existsSync, mkdirSync } from "node:fs";
import { loadConfig } from "./config/load.ts";
import { buildSession, checkDeployment, DeploymentError } from "./session/build.ts";
import { runBacktest } from "./session/backtest.ts";
import { DEFAULT_RESULTS_DIR, makeBacktestResult, writeBacktestResult } from "./session/backtest-results.ts";
import { TearsheetRecorder } from "./session/tearsheet/recorder.ts";
import { startRealtime } from "./session/realtime.ts";
import { startIdleShadow, type IdleShadow } from "./session/idle-shadow.ts";
import { parseArgs, parseDuration } from "./cli/args.ts";
import { formatReport, formatStatus } from "./cli/format.ts";
import { SourceConfigError } from "./data/sources/source-error.ts";
import { failureLine, reportFailure } from "./cli/fail.ts";
import { installStopSignals } from "./cli/shutdown.ts";

const HELP: Record<string, string> = {
  main: `kestrel — a plugin runtime for low-latency, model-driven trading

Usage: kestrel <command> [options]

Commands:
  run <config>        run a deployment in real time (paper or live session)
  backtest <config>   replay a deployment's market at full speed and print a report
  check <config>      validate a deployment (schema, plugins, params) and exit
  data <subcommand>   import, query and export recorded data (kestrel data --help)
  plugin <subcommand> scaffold, check, test and pack plugin packages (kestrel plugin --help)
  token --role <r>    issue an admin API token (analyst, trader, admin; kestrel token --help)
  journal <sub> <f>   inspect, verify or compact a journal file (kestrel journal --help)
  cluster up <config> run a cluster deployment: shards over NATS JetStream (kestrel cluster --help)
  schema              write configs/kestrel.schema.json, the deployment JSON Schema for editors
  model <subcommand>  datasets, training, evaluation and the model registry (kestrel model --help)
  learn nightly <dep> dataset -> finetune -> eval -> shadow from the deployment's store (--at HH:MM daily)
  rl <subcommand>     the execution agent: PPO training in the simulator, evaluation (kestrel rl --help)
  audit verify <d|f>  check the hash-chained audit log of a deployment or file (kestrel audit --help)
  bench [--quick]     run the benchmark suite on this machine: figures, same-run baselines, ratios (kestrel bench --help)
  report eod <d>      end-of-day statement and settlement records from a deployment's journal (kestrel report --help)
  risk stress <d>     historical and hypothetical stress scenarios on a deployment's journaled portfolio (kestrel risk --help)

Run 'kestrel <command> --help' for a command's options.`,
  run: `Usage: kestrel run <config> [--for 30s] [--speed 1] [--journal <file>] [--no-admin] [--quiet]

Runs the deployment in real time: a paper session on its simulated venue, or a live one.
Prints a status line every second and a summary when it stops (Ctrl-C or SIGTERM stops
gracefully: working orders are canceled and the journal is flushed; a second one exits at once).
The stop is bounded: a step that hangs ends the process with SHUTDOWN_TIMEOUT after
KESTREL_SHUTDOWN_GRACE_MS (default 15000).

  --for <duration>    stop by itself after this long (e.g. 30s, 5m)
  --speed <x>         market time per wall time for a synthetic or replayed market (default 1)
  --journal <file>    journal file (default: the deployment's journal.path); "" disables it
  --busy-poll         spin on the loop instead of sleeping between turns (a core at 100%; lower latency)
  --idle-shadow       while no event is due, run a copy of the deployment (own state, simulated venue,
                      own market) so the pipeline's code stays in the core's caches: lower tick-to-order
                      on a shared machine, for a second session's memory (see docs/operations.md)
  --no-admin          do not start the admin server
  --quiet             no status line`,
  backtest: `Usage: kestrel backtest <config> [--json] [--html <file>] [--no-journal]

Runs the deployment as a backtest over its whole market at full speed and prints a report:
P&L, Sharpe, Sortino, max drawdown, Calmar, win rate, profit factor, turnover, fees, fills,
events, events/s and the hash of all fills (equal hashes mean identical runs).

  --json        print one JSON object instead of the report
  --html <f>    also write a self-contained HTML tearsheet (equity, drawdown, trades on the price, breakdowns)
  --journal <f> also journal the run to this file (off by default in a backtest)
  --features <wasm|ts|auto>  feature kernels backend (default auto)
  --no-store    do not record into the deployment's DuckDB store
  --no-save     do not keep the result in var/backtests/<id>.json (the admin API serves them)`,
  check: `Usage: kestrel check <config>

Validates a deployment without running it: YAML, schema, secrets from the environment,
instruments, market files, plugins, their manifests and params. Exits 1 with every problem,
each naming the YAML path of the bad value.`,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP.main);
    return command === undefined ? 1 : 0;
  }
  if (command === "data") {
    const { runDataCommand } = await import("./store/cli.ts");
    return runDataCommand(rest);
  }
  if (command === "plugin") {
    const { runPluginCommand } = await import("./plugins/cli.ts");
    return runPluginCommand(rest);
  }
  if (command === "cluster") {
    const { runClusterCommand } = await import("./cluster/cli.ts");
    return runClusterCommand(rest);
  }
  if (command === "schema") {
    const { runSchemaCommand } = await import("./config/schema-cli.ts");
    return runSchemaCommand(rest);
  }
  if (command === "model") {
    const { run } = await import("./learning/cli.ts");
    return run(rest);
  }
  if (command === "learn") {
    const { run } = await import("./learning/nightly.ts");
    return run(rest);
  }
  if (command === "rl") {
    const { run } = await import("./learning/rl/cli.ts");
    return run(rest);
  }
  if (command === "audit") {
    const { runAuditCommand } = await import("./audit/cli.ts");
    return runAuditCommand(rest);
  }
  if (command === "report") {
    const { runReportCommand } = await import("./portfolio/eod/cli.ts");
    return runReportCommand(rest);
  }
  if (command === "risk") {
    const { runRiskCommand } = await import("./risk/stress/cli.ts");
    return runRiskCommand(rest);
  }
  if (command === "token") {
    const { runTokenCommand } = await import("./admin/token-cli.ts");
    return runTokenCommand(rest);
  }
  if (command === "bench") {
    const { runBenchCommand } = await import("./cli/bench.ts");
    return runBenchCommand(rest);
  }
  if (command === "journal") {
    const { runJournalCommand } = await import("./journal/cli.ts");
    return runJournalCommand(rest);
  }
  if (!(command in HELP) || command === "main") {
    console.error(`kestrel: unknown command "${command}"\n\n${HELP.main}`);
    return 2;
  }
  let args;
  try {
    args = parseArgs(rest, new Set(["for", "speed", "journal", "features", "html"]));
  } catch (err) {
    console.error(`kestrel ${command}: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    console.log(HELP[command]);
    return 0;
  }
  const file = args.positionals[0];
  if (file === undefined) {
    console.error(`kestrel ${command}: missing <config>\n\n${HELP[command]}`);
    return 2;
  }
  const configFile = resolve(file);
  if (!existsSync(configFile)) {
    console.error(failureLine({ code: "CONFIG_NOT_FOUND", message: `file=${file}` }));
    return 1;
  }
  const loaded = loadConfig(configFile);
  if (!loaded.ok) {
    if (command !== "check") {
      console.error(failureLine({ code: "CONFIG_INVALID", message: loaded.problems.join("; ") }));
      return 1;
    }
    console.error(`kestrel ${command}: ${file} is not valid:\n  ${loaded.problems.join("\n  ")}`);
    return 1;
  }
  if (command === "check") {
    const problems = await checkDeployment(loaded.config, configFile);
    if (problems.length > 0) {
      const where = (path: readonly (string | number)[]) => {
        const line = loaded.lineOf(path);
        return line === undefined ? file : `${file}:${line}`;
      };
      console.error(`kestrel check: ${file} is not valid:\n  ${problems.map((p) => `${where(p.path)}: ${p.message}`).join("\n  ")}`);
      return 1;
    }
    console.log(`ok: ${file} (${loaded.config.mode}, ${loaded.config.strategies.length} strategies, venue ${(loaded.config.venues ?? [loaded.config.venue!]).map((v) => v.plugin).join("+")}, market ${loaded.config.market.source})`);
    return 0;
  }
  try {
    if (command === "backtest") return await backtest(loaded.config, configFile, args.flags);
    return await run(loaded.config, configFile, args.flags);
  } catch (err) {
    if (err instanceof DeploymentError) {
      // One line: every problem, each with the file and line of the bad value when known.
      const where = (path: readonly (string | number)[]) => {
        const line = loaded.lineOf(path);
        return line === undefined ? file : `${file}:${line}`;
      };
      const problems = err.items.length > 0 ? err.items.map((p) => `${where(p.path)}: ${p.message}`) : err.problems.map((p) => `${file}: ${p}`);
      console.error(failureLine({ code: err.code, message: problems.join("; ") }));
      return 1;
    }
    if (err instanceof SourceConfigError) {
      console.error(`kestrel ${command}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function backtest(config: Parameters<typeof buildSession>[0], configFile: string, flags: Map<string, string | true>): Promise<number> {
  const journal = flags.get("journal");
  const features = flags.get("features");
  const session = await buildSession(config, configFile, {
    mode: "backtest",
    journalPath: typeof journal === "string" ? resolve(journal) : "",
    features: features === "wasm" || features === "ts" ? features : "auto",
    store: !flags.has("no-store"),
    log: () => {},
  });
  const json = flags.has("json");
  const tty = process.stderr.isTTY === true && !json;
  const tearsheet = new TearsheetRecorder(session);
  const summary = runBacktest(session, (p) => {
    if (!tty) return;
    const when = new Date(p.ts / 1000).toISOString().slice(0, 19).replace("T", " ");
    process.stderr.write(`\r[${"#".repeat(Math.min(30, Math.floor(p.wallSeconds * 10)))}] ${p.events.toLocaleString("en-US")} events | market time ${when}   `);
  });
  if (tty) process.stderr.write("\n");
  await session.close();
  const result = makeBacktestResult(config.name, configFile, summary, new Date(), tearsheet.finish(Number.isFinite(summary.equity) ? summary.equity : undefined));
  const id = flags.has("no-save") ? null : result.id;
  if (id !== null) writeBacktestResult(resolve(DEFAULT_RESULTS_DIR), result);
  const htmlFlag = flags.get("html");
  const html = typeof htmlFlag === "string" ? resolve(htmlFlag) : null;
  if (html !== null) {
    const { writeTearsheet } = await import("./session/tearsheet/html.ts");
    try {
      await writeTearsheet(html, result);
    } catch (err) {
      console.error(`kestrel backtest: --html ${htmlFlag}: cannot write the tearsheet: ${(err as Error).message}`);
      return 1;
    }
  }
  if (json) console.log(JSON.stringify({ ...(id === null ? {} : { id }), ...(html === null ? {} : { html }), ...summary }));
  else {
    const saved = id === null ? "" : `\nResult id       ${id} (${DEFAULT_RESULTS_DIR}/${id}.json)`;
    const sheet = html === null ? "" : `\nTearsheet       file://${html}`;
    console.log(`${formatReport(summary)}${saved}${sheet}`);
  }
  return 0;
}

async function run(config: Parameters<typeof buildSession>[0], configFile: string, flags: Map<string, string | true>): Promise<number> {
  const forText = flags.get("for");
  let forUs: number | undefined;
  try {
    forUs = typeof forText === "string" ? parseDuration(forText) : undefined;
  } catch (err) {
    console.error(`kestrel run: --for: ${(err as Error).message}`);
    return 2;
  }
  const speedText = flags.get("speed");
  const speed = typeof speedText === "string" ? Number(speedText) : config.market.speed;
  if (!(speed > 0)) {
    console.error(`kestrel run: --speed: expected a number > 0, got "${speedText}"`);
    return 2;
  }
  const journal = flags.get("journal");
  const quiet = flags.has("quiet");
  // On a terminal the status line owns stderr: structured logs go to a file beside the journal.
  let log: ((line: string) => void) | undefined = quiet ? () => {} : undefined;
  let logFile: string | null = null;
  if (!quiet && process.stderr.isTTY === true) {
    logFile = resolve("var", `${config.name}.log`);
    mkdirSync(dirname(logFile), { recursive: true });
    const sink = Bun.file(logFile).writer();
    log = (line) => void sink.write(`${line}\n`);
  }
  // Signals are handled from before the build: Ctrl-C during start-up stops the session as soon as
  // it is built (sidecars and segments released), a second Ctrl-C exits at once.
  const stop = installStopSignals();
  try {
    const session = await buildSession(config, configFile, {
      journalPath: typeof journal === "string" ? (journal === "" ? "" : resolve(journal)) : undefined,
      log,
    });
    if (logFile !== null) console.error(`logs: ${logFile}`);
    if (session.restored > 0) {
      const skipped = session.skippedOnRestore > 0 ? `; market resumed after ${session.skippedOnRestore} events already seen` : "";
      console.error(`journal: restored ${session.restored} records (${session.core.oms.openCount} open orders)${skipped}`);
    }
    let lastEvents = 0;
    let lastAt = performance.now();
    const tty = process.stderr.isTTY === true;
    let idleShadow: IdleShadow | undefined;
    if (flags.has("idle-shadow")) {
      const shadow = await startIdleShadow(config, configFile);
      if ("unsupported" in shadow) console.error(`idle shadow: none (${shadow.unsupported})`);
      else idleShadow = shadow;
    }
    const running = startRealtime(session, {
      forUs,
      speed,
      stopSignal: stop.signal,
      busyPoll: flags.has("busy-poll"),
      idleShadow,
      onStatus: quiet
        ? undefined
        : (s) => {
            const now = performance.now();
            const rate = ((s.events - lastEvents) * 1000) / Math.max(1, now - lastAt);
            lastEvents = s.events;
            lastAt = now;
            const line = formatStatus(s, rate);
            process.stderr.write(tty ? `\r${line.padEnd(120)}` : `${line}\n`);
          },
    });
    stop.begin();
    let admin: { stop(): Promise<void> } | null = null;
    if (config.admin !== undefined && config.admin.enabled !== false && !flags.has("no-admin")) {
      try {
        admin = await startAdminIfPresent(session, running);
      } catch (err) {
        // No admin, no session: stop what runs (journal flushed, sidecars and store closed), then report.
        stop.stopping("stopping after a failed admin start");
        running.stop();
        await running.done;
        await session.close();
        throw err;
      }
    }
    const summary = await running.done;
    // From here every step is bounded by the watchdog: nothing may keep a finished session alive.
    stop.stopping("closing the admin server");
    await admin?.stop();
    stop.step("closing sidecars, models and the store");
    await session.close();
    await idleShadow?.close();
    if (tty && !quiet) process.stderr.write("\n");
    console.log(formatReport(summary));
    return 0;
  } finally {
    stop.dispose();
  }
}

async function startAdminIfPresent(session: Awaited<ReturnType<typeof buildSession>>, running: ReturnType<typeof startRealtime>): Promise<{ stop(): Promise<void> } | null> {
  const file = resolve(import.meta.dir, "admin/index.ts");
  if (!(await Bun.file(file).exists())) return null;
  const { startAdmin } = (await import(file)) as { startAdmin: (s: unknown, r: unknown) => Promise<{ url: string; stop(): Promise<void> }> };
  const admin = await startAdmin(session, running);
  console.error(`admin: ${admin.url}`);
  return admin;
}

// Expected operational errors print one line with their code (exit 1); bugs keep their stack (70).
// process.exit runs the process-exit releases: shared-memory segments removed, sidecars killed.
let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  code = reportFailure(err);
}
process.exit(code);
