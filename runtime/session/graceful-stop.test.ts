/**
 * Ctrl-C on a paper session: the process stops by itself, cancels what was working, flushes the
 * journal and prints the summary.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../journal/journal-file.ts";
import { runDataCommand } from "../store/cli.ts";
import { REPO_ROOT, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-sigint-");
afterAll(() => tmp.dispose());

test("SIGINT stops a paper session gracefully: no working order left, journal flushed, summary printed", async () => {
  const config = join(tmp.path, "paper.yaml");
  const yaml = readFileSync(join(REPO_ROOT, "configs/paper.yaml"), "utf8")
    .replace("path: var/paper.duckdb", `path: ${join(tmp.path, "paper.duckdb")}`)
    .replace("port: 8787", "port: 0");
  writeFileSync(config, yaml);
  const journal = join(tmp.path, "paper.journal");
  const proc = Bun.spawn([process.execPath, join(REPO_ROOT, "runtime/cli.ts"), "run", config, "--journal", journal, "--speed", "50", "--no-admin"], {
    cwd: tmp.path,
    stdout: "pipe",
    stderr: "pipe",
  });
  // Wait until it has sent orders, then press Ctrl-C.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if (readJournal(journal).records.some((r) => r.t === "order")) break;
    } catch {
      // The journal may not exist yet.
    }
    await Bun.sleep(50);
  }
  proc.kill("SIGINT");
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(code).toBe(0);
  expect(stderr).toContain("stopping: canceling working orders");
  expect(stdout).toMatch(/Orders\s+\d+/);
  expect(stdout).toMatch(/Fills hash\s+[0-9a-f]{64}/);
  expect(stdout).toMatch(/Orders\s+[\d,]+ \([\d,]+ refused by risk, 0 open\)/);
  // The paper session recorded into its DuckDB store, and kestrel data reads it back.
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
  const sql = "select (select count(*) from quotes) as quotes, (select count(distinct order_id) from orders) as orders";
  expect(await runDataCommand(["query", "--db", join(tmp.path, "paper.duckdb"), "--json", sql], io)).toBe(0);
  const row = JSON.parse(out.join("\n").trim().split("\n")[0]!) as { quotes: number; orders: number };
  expect(Number(row.quotes)).toBeGreaterThan(0);
  const ordersLine = /Orders\s+([\d,]+)/.exec(stdout)![1]!.replace(/,/g, "");
  expect(Number(row.orders)).toBe(Number(ordersLine));
  const records = readJournal(journal);
  expect(records.tornTail).toBeNull();
  expect(records.records.some((r) => r.t === "order")).toBe(true);
}, 60_000);
