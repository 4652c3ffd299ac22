/**
 * `kestrel journal inspect|verify` on a real journal written by a session (a synthetic backtest
 * run through the CLI), then on copies the test damages: a torn tail, a flipped byte and a fill
 * record written twice. Every command runs as the real CLI process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, syntheticYaml, tempDir } from "../session/test-session.ts";
import { scanJournal } from "./scan.ts";

const CLI = join(REPO_ROOT, "runtime/cli.ts");
const tmp = tempDir("kestrel-journal-cli-");
const journal = join(tmp.path, "session.journal");

async function kestrel(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: tmp.path, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A copy of the session's journal, for a test to damage. */
function copy(name: string): string {
  const path = join(tmp.path, name);
  copyFileSync(journal, path);
  return path;
}

beforeAll(async () => {
  const strategy = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { orderSize: 100000, maxPosition: 200000, entryImbalance: 0.3, maxSpreadTicks: 30 } }`;
  const config = join(tmp.path, "deployment.yaml");
  writeFileSync(config, syntheticYaml(strategy, { seconds: 300 }));
  const r = await kestrel("backtest", config, "--journal", journal, "--no-store", "--no-save", "--json");
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => tmp.dispose());

describe("kestrel journal verify", () => {
  test("a session's own journal verifies: one JSON object with its counts, exit 0", async () => {
    const r = await kestrel("journal", "verify", journal, "--json");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBe(1);
    const v = JSON.parse(lines[0]!);
    expect(Object.keys(v).sort()).toEqual(["duplicateFillIds", "duplicateOrderIds", "fills", "ok", "orders", "records", "tornTail"]);
    const scan = scanJournal(journal);
    const records = scan.frames.map((f) => f.record!);
    expect(v).toEqual({
      ok: true,
      records: records.length,
      orders: records.filter((x) => x.t === "order").length,
      fills: records.filter((x) => x.t === "report" && x.report.kind === "fill").length,
      duplicateOrderIds: 0,
      duplicateFillIds: 0,
      tornTail: false,
    });
    expect(v.orders).toBeGreaterThan(0);
    expect(v.fills).toBeGreaterThan(0);
  });

  test("a torn tail: ok false, tornTail true, exit 1", async () => {
    const path = copy("torn.journal");
    const size = readFileSync(path).length;
    truncateSync(path, size - 5);
    const r = await kestrel("journal", "verify", path, "--json");
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout.trim());
    expect(v.ok).toBe(false);
    expect(v.tornTail).toBe(true);
    expect(r.stderr).toContain("JOURNAL_TORN_TAIL");
  });

  test("a flipped byte in the middle: the CRC fails, ok false, exit 1, the offset is named", async () => {
    const path = copy("flipped.journal");
    const buf = readFileSync(path);
    const scan = scanJournal(path);
    const victim = scan.frames[Math.floor(scan.frames.length / 2)]!;
    buf[victim.offset + 8 + Math.floor(victim.length / 2)]! ^= 0x40;
    writeFileSync(path, buf);
    const r = await kestrel("journal", "verify", path, "--json");
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout.trim());
    expect(v.ok).toBe(false);
    expect(v.tornTail).toBe(false);
    expect(v.records).toBe(scan.frames.length - 1);
    expect(r.stderr).toContain(`JOURNAL_CORRUPT: offset=${victim.offset} reason=checksum mismatch`);
  });

  test("a fill record written twice: duplicateFillIds 1, ok false, exit 1", async () => {
    const path = copy("dup.journal");
    const buf = readFileSync(path);
    const fill = scanJournal(path).frames.find((f) => f.record?.t === "report" && f.record.report.kind === "fill")!;
    const frame = buf.subarray(fill.offset, fill.offset + 8 + fill.length);
    writeFileSync(path, Buffer.concat([buf, frame]));
    const r = await kestrel("journal", "verify", path, "--json");
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout.trim());
    expect(v).toMatchObject({ ok: false, duplicateFillIds: 1, duplicateOrderIds: 0, tornTail: false });
    expect(r.stderr).toContain("JOURNAL_DUPLICATE_FILL_ID");
  });

  test("an order record written twice counts as a duplicate order id", async () => {
    const path = copy("dup-order.journal");
    const buf = readFileSync(path);
    const order = scanJournal(path).frames.find((f) => f.record?.t === "order")!;
    writeFileSync(path, Buffer.concat([buf, buf.subarray(order.offset, order.offset + 8 + order.length)]));
    const v = JSON.parse((await kestrel("journal", "verify", path, "--json")).stdout.trim());
    expect(v).toMatchObject({ ok: false, duplicateOrderIds: 1, duplicateFillIds: 0 });
  });

  test("a missing file is one line with its code, no stack trace", async () => {
    const r = await kestrel("journal", "verify", join(tmp.path, "absent.journal"));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`kestrel: JOURNAL_NOT_FOUND: file=${join(tmp.path, "absent.journal")}`);
  });
});

describe("kestrel journal inspect", () => {
  test("prints records with kind, time and key fields, honours --limit and --kind, and counts every kind", async () => {
    const r = await kestrel("journal", "inspect", journal, "--limit", "3", "--kind", "fill");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const fills = lines.filter((l) => / fill +\d{4}-\d\d-\d\dT[\d:.]{15}Z  orderId=\d+ fillId=\d+ price=\d+ size=\d+ fee=-?\d+ liquidity=(maker|taker)$/.test(l));
    expect(fills.length).toBe(3);
    const records = scanJournal(journal).frames.map((f) => f.record!);
    const nFills = records.filter((x) => x.t === "report" && x.report.kind === "fill").length;
    const nOrders = records.filter((x) => x.t === "order").length;
    expect(r.stdout).toContain(`... ${nFills - 3} more (--limit)`);
    expect(r.stdout).toMatch(new RegExp(`Records +${records.length}: .*order ${nOrders}`));
    expect(r.stdout).toContain(`fill ${nFills}`);
    expect(r.stdout).toContain("Integrity       ok");
    const all = await kestrel("journal", "inspect", journal, "--limit", "2");
    expect(all.stdout).toMatch(/^ +8  order +\S+  id=1 strategy=obi /m);
  });

  test("shows the damage of a damaged journal and exits 1", async () => {
    const path = copy("inspect-torn.journal");
    truncateSync(path, readFileSync(path).length - 3);
    const r = await kestrel("journal", "inspect", path, "--limit", "0");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("JOURNAL_TORN_TAIL");
  });
});
