/**
 * The hash-chained audit log, written by a real session (orders, risk verdicts, reports, cancels,
 * operator actions, a limits change, a quarantine, the session's plugin versions), verified by
 * `kestrel audit verify`, and tampered with: an edited, re-hashed, dropped, reordered or truncated
 * record is found and named; a restart continues the chain.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runBacktest } from "../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../session/test-session.ts";
import { recordHash, type AuditRecord } from "./audit-record.ts";
import { runAuditCommand } from "./cli.ts";
import { verifyAudit } from "./verify.ts";

const tmp = tempDir("kestrel-audit-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }
  - { name: bad, plugin: ${resolve(import.meta.dir, "../session/fixtures/throwing-strategy.ts")}, instruments: [GBPUSD], params: { throwOnQuote: 300 } }`;
const JOURNAL = join(tmp.path, "session.journal");
const AUDIT = `${JOURNAL}.audit.jsonl`;
const yaml = syntheticYaml(STRATEGIES, { seconds: 120, extra: `journal: { path: ${JOURNAL}, fsync: never }` });

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runAuditCommand(args, { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, out: out.join("\n") };
}

let lines: string[];

beforeAll(async () => {
  const s = await sessionFromYaml(tmp.path, yaml, { store: false });
  const { loop, core } = s;
  core.resubmitOpen();
  core.host.start();
  let step = 0;
  while (!loop.exhausted) {
    loop.runUntil(Infinity, 5_000);
    s.journal!.flush();
    step++;
    if (step === 2) core.applyLimits({ ...core.risk.config, maxPosition: 900_000 }, {}, "ops-alice");
    if (step === 3) core.engageKill("drill", "ops-bob");
    if (step === 4) core.releaseKill("ops-bob");
    if (step === 5) core.setPaused("mm", true, "ops-alice");
    if (step === 6) core.setPaused("mm", false, "ops-alice");
  }
  s.journal!.close();
  loop.close();
  lines = readFileSync(AUDIT, "utf8").trimEnd().split("\n");
}, 120_000);

test("a session writes every kind of audit record, chained, and verify passes (file and deployment)", async () => {
  const records = lines.map((l) => JSON.parse(l) as AuditRecord);
  const kinds = new Set<string>(records.map((r) => r.kind));
  for (const k of ["session", "order", "risk", "report", "cancel", "operator", "limit-change", "quarantine"]) expect(kinds).toContain(k);
  const session = records.find((r) => r.kind === "session")!.data as { plugins: { name: string; version: string }[] };
  expect(session.plugins.find((p) => p.name === "mm")!.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(records.filter((r) => r.kind === "operator").map((r) => (r.data as { action: string; subject: string }).action)).toEqual(["kill", "release", "pause", "resume"]);
  expect(records.filter((r) => r.kind === "risk").length).toBe(records.filter((r) => r.kind === "order").length);
  expect(records[0]!.prev).toBe("0".repeat(64));
  expect(records[5]!.prev).toBe(records[4]!.hash);
  expect(verifyAudit(AUDIT)).toEqual({ ok: true, records: lines.length });
  const byFile = await cli(["verify", AUDIT, "--json"]);
  expect(byFile.code).toBe(0);
  expect(JSON.parse(byFile.out)).toEqual({ ok: true, records: lines.length });
  const byDeployment = await cli(["verify", join(tmp.path, "deployment.yaml")]);
  expect(byDeployment.code).toBe(0);
  expect(byDeployment.out).toContain(`ok: ${lines.length} records`);
});

/** Writes `edited` lines as a copy and runs verify --json on it. */
async function tampered(name: string, edited: string[], tail = "\n"): Promise<{ code: number; v: { ok: boolean; records: number; firstBadRecord?: number; reason?: string } }> {
  const path = join(tmp.path, `${name}.audit.jsonl`);
  writeFileSync(path, edited.join("\n") + tail);
  writeFileSync(`${path}.head`, readFileSync(`${AUDIT}.head`));
  const r = await cli(["verify", path, "--json"]);
  return { code: r.code, v: JSON.parse(r.out) };
}

test("an edited record is found at its own line", async () => {
  const copy = [...lines];
  const r = JSON.parse(copy[19]!) as AuditRecord;
  copy[19] = JSON.stringify({ ...r, ts: r.ts + 1 });
  const { code, v } = await tampered("edited", copy);
  expect(code).toBe(1);
  expect(v).toMatchObject({ ok: false, records: 19, firstBadRecord: 20 });
  expect(v.reason).toContain("AUDIT_HASH_MISMATCH");
});

test("an edited record whose hash was recomputed breaks the chain at the next line", async () => {
  const copy = [...lines];
  const r = JSON.parse(copy[19]!) as AuditRecord;
  const data = { ...(r.data as object), forged: true };
  copy[19] = JSON.stringify({ ...r, data, hash: recordHash(r.prev, r.seq, r.ts, r.kind, data) });
  const { v } = await tampered("rehashed", copy);
  expect(v).toMatchObject({ ok: false, firstBadRecord: 21 });
  expect(v.reason).toContain("AUDIT_CHAIN_BROKEN");
});

test("a dropped record and a reordered pair are named as such", async () => {
  const dropped = lines.filter((_, i) => i !== 29);
  const d = await tampered("dropped", dropped);
  expect(d.v).toMatchObject({ ok: false, firstBadRecord: 30 });
  expect(d.v.reason).toContain("dropped");
  const swapped = [...lines];
  [swapped[29], swapped[30]] = [swapped[30]!, swapped[29]!];
  const s = await tampered("swapped", swapped);
  expect(s.v).toMatchObject({ ok: false, firstBadRecord: 30 });
  expect(s.v.reason).toContain("reordered");
});

test("records cut off the end (whole or mid-line) are found through the head file", async () => {
  const whole = await tampered("cut", lines.slice(0, -3));
  expect(whole.v).toMatchObject({ ok: false, records: lines.length - 3, firstBadRecord: lines.length - 2 });
  expect(whole.v.reason).toContain("AUDIT_TRUNCATED");
  const mid = await tampered("torn", [...lines.slice(0, -1), lines.at(-1)!.slice(0, 40)], "");
  expect(mid.v).toMatchObject({ ok: false, firstBadRecord: lines.length });
  expect(mid.v.reason).toContain("cut mid-line");
});

test("a restart continues the chain from the last record", async () => {
  const s = await sessionFromYaml(tmp.path, yaml, { store: false });
  s.core.engageKill("after restart", "ops-carol");
  s.journal!.close();
  s.loop.close();
  const after = readFileSync(AUDIT, "utf8").trimEnd().split("\n");
  expect(after.length).toBeGreaterThan(lines.length + 1);
  expect((JSON.parse(after[lines.length]!) as AuditRecord).prev).toBe((JSON.parse(lines.at(-1)!) as AuditRecord).hash);
  expect(verifyAudit(AUDIT)).toEqual({ ok: true, records: after.length });
});
