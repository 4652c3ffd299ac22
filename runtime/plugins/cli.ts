/**
 * `kestrel plugin new|check|test|pack`: scaffold a plugin package, check it, run its tests and
 * pack it for npm. A package's folder defaults to the working directory.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkPluginPackage } from "./plugin-check.ts";
import { scaffoldFiles, type ScaffoldKind } from "./scaffold/templates.ts";

const ROOT = resolve(import.meta.dir, "../..");

const HELP = `Usage: kestrel plugin <subcommand>

  new <strategy|risk|venue|algo> <name>  scaffold a plugin package in ./<name>/ (package.json, module,
                                     harness test, backtest.yaml, README)
  check [dir]                        manifest, SDK range, package.json agreement, types, capabilities
                                     and a harness run (default: the current folder)
  test [dir]                         run the package's tests (bun test)
  pack [dir]                         check, then npm pack it; deployments name it plugin: <name>@<range>
  deploy <strategy> <plugin> [--version <range>] [--orders hand-over|cancel] [--url <admin url>]
                                     replace a strategy's plugin in a running session (hot swap);
                                     the admin token comes from KESTREL_TOKEN (admin role)`;

const KINDS = new Set(["strategy", "risk", "venue", "algo"]);

/** Runs `kestrel plugin ...`; returns the exit code. */
export async function runPluginCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === "new") return scaffold(rest);
  if (sub === "check") return check(rest[0] ?? ".");
  if (sub === "test") return test(rest[0] ?? ".");
  if (sub === "pack") return pack(rest[0] ?? ".");
  if (sub === "deploy") return deploy(rest);
  console.error(`kestrel plugin: unknown subcommand "${sub}"\n\n${HELP}`);
  return 2;
}

function scaffold([kind, name]: string[]): number {
  if (kind === undefined || !KINDS.has(kind) || name === undefined) {
    console.error(`kestrel plugin new: expected <strategy|risk|venue|algo> <name>\n\n${HELP}`);
    return 2;
  }
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) {
    console.error(`kestrel plugin new: PLUGIN_NAME_INVALID: name=${name} (lower-case letters, digits and dashes)`);
    return 2;
  }
  const dir = resolve(name);
  if (existsSync(dir)) {
    console.error(`kestrel plugin new: PLUGIN_EXISTS: ${dir} already exists; nothing written`);
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(scaffoldFiles(kind as ScaffoldKind, name))) writeFileSync(join(dir, file), text);
  console.log(`created ${name}/ (${kind === "algo" ? "an" : "a"} ${kind} plugin package): package.json index.ts index.test.ts backtest.yaml README.md`);
  console.log(`next: kestrel plugin check ${name} && kestrel plugin test ${name} && kestrel backtest ${name}/backtest.yaml`);
  return 0;
}

async function check(dir: string): Promise<number> {
  const { pkg, problems } = await checkPluginPackage(dir);
  if (problems.length > 0) {
    console.error(`kestrel plugin check: ${resolve(dir)} has ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  ${p}`);
    return 1;
  }
  console.log(`ok: ${pkg!.name}@${pkg!.version} (${pkg!.kestrel.kind}, sdk ${pkg!.kestrel.sdk}, capabilities ${(pkg!.kestrel.capabilities ?? []).join(",") || "none"})`);
  return 0;
}

async function test(dir: string): Promise<number> {
  const proc = Bun.spawn([process.execPath, "test", "--preload", join(ROOT, "runtime/plugins/sdk-preload.ts"), resolve(dir)], {
    cwd: resolve(dir),
    env: { ...process.env, KESTREL_PLUGIN_DIR: resolve(dir) },
    stdout: "inherit",
    stderr: "inherit",
  });
  return await proc.exited;
}

async function pack(dir: string): Promise<number> {
  const code = await check(dir);
  if (code !== 0) return code;
  const proc = Bun.spawn(["npm", "pack", "--json"], { cwd: resolve(dir), stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  const exit = await proc.exited;
  if (exit !== 0) return exit;
  const file = (JSON.parse(out) as { filename: string }[])[0]?.filename;
  console.log(`packed ${join(resolve(dir), file ?? "")}`);
  return 0;
}

async function deploy(args: string[]): Promise<number> {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) flags[a.slice(2)] = args[++i] ?? "";
    else positional.push(a);
  }
  const [strategy, plugin] = positional;
  if (strategy === undefined || plugin === undefined) {
    console.error(`kestrel plugin deploy: expected <strategy> <plugin>\n\n${HELP}`);
    return 2;
  }
  const token = process.env.KESTREL_TOKEN ?? "";
  if (token === "") {
    console.error("kestrel plugin deploy: AUTH_MISSING: set KESTREL_TOKEN to an admin token (kestrel token --role admin)");
    return 2;
  }
  const url = new URL(`/api/v1/strategies/${encodeURIComponent(strategy)}/deploy`, flags.url ?? "http://127.0.0.1:8787");
  const body = { plugin, ...(flags.version ? { version: flags.version } : {}), ...(flags.orders ? { orders: flags.orders } : {}) };
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (err) {
    console.error(`kestrel plugin deploy: ADMIN_UNREACHABLE: url=${url.origin} ${(err as Error).message}`);
    return 1;
  }
  const answer = (await res.json().catch(() => ({}))) as { strategy?: { name: string; version: string; state: string }; error?: { code: string; message: string } };
  if (!res.ok || answer.strategy === undefined) {
    console.error(`kestrel plugin deploy: ${answer.error?.code ?? `HTTP_${res.status}`}: ${answer.error?.message ?? res.statusText}`);
    return 1;
  }
  console.log(`deployed: ${answer.strategy.name} now runs version ${answer.strategy.version} (${answer.strategy.state})`);
  return 0;
}
