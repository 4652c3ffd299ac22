/**
 * Expected operational errors, through the real `kestrel` process: a locked store (a second session
 * on the same DuckDB file), a missing config, a missing market file, a bad config, the admin port in
 * use (after the sidecars started) and an unknown instrument. Each prints exactly one line
 * `kestrel: CODE: ...`, no stack trace, exits 1, and leaves no /dev/shm segment of its own behind.
 * A start also removes a segment whose owner process is gone.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Segment } from "../../gpu-bridge/shm/segment.ts";
import { readJournal } from "../journal/journal-file.ts";
import { REPO_ROOT, tempDir } from "../session/test-session.ts";

const CLI = join(REPO_ROOT, "runtime/cli.ts");
const KEY = "operational-errors-test-key-0123456789";
const tmp = tempDir("kestrel-operr-");
afterAll(() => tmp.dispose());

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  pid: number;
}

async function kestrel(args: string[], cwd = tmp.path): Promise<Ran> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, KESTREL_ADMIN_KEY: KEY } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, pid: proc.pid };
}

/** Asserts the run failed with one `kestrel: CODE:` line, no stack frames, exit 1 and no segment of its pid. */
function expectOneLine(r: Ran, code: string): string {
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("kestrel:"));
  expect(lines.length).toBe(1);
  expect(lines[0]!.startsWith(`kestrel: ${code}: `)).toBe(true);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain("error: ");
  expect(r.code).toBe(1);
  expect(segmentsOf(r.pid)).toEqual([]);
  return lines[0]!;
}

function segmentsOf(pid: number): string[] {
  if (!existsSync("/dev/shm")) return [];
  return readdirSync("/dev/shm").filter((n) => n.startsWith("kestrel-") && n.includes(`-${pid}`));
}

/** A paper deployment in the temp folder: its own store, journal and admin port. */
function paperYaml(name: string, port: number, extra = ""): string {
  const yaml = readFileSync(join(REPO_ROOT, "configs/paper.yaml"), "utf8")
    .replace("path: var/paper.duckdb", `path: ${join(tmp.path, `${name}.duckdb`)}`)
    .replace("path: var/paper.journal", `path: ${join(tmp.path, `${name}.journal`)}`)
    .replace("port: 8787", `port: ${port}`);
  const file = join(tmp.path, `${name}.yaml`);
  writeFileSync(file, `${yaml}\n${extra}`);
  return file;
}

describe("one line, with a code, for each expected error", () => {
  test("a second session (and kestrel data) on the same store: STORE_LOCKED naming the file and the holder; the first session's journal is untouched", async () => {
    const config = paperYaml("locked", 0);
    const first = Bun.spawn([process.execPath, CLI, "run", config, "--no-admin", "--quiet", "--for", "120s"], { cwd: tmp.path, stdout: "pipe", stderr: "pipe" });
    const journal = join(tmp.path, "locked.journal");
    // The journal is opened after the store: once it exists, the store is held.
    for (let i = 0; i < 600 && !existsSync(journal); i++) await Bun.sleep(50);
    expect(existsSync(journal)).toBe(true);
    await Bun.sleep(500);
    const second = await kestrel(["run", config, "--no-admin", "--quiet", "--for", "5s"]);
    const line = expectOneLine(second, "STORE_LOCKED");
    expect(line).toContain(`db=${join(tmp.path, "locked.duckdb")}`);
    expect(line).toContain(`holderPid=${first.pid}`);
    // `kestrel data` on the held store says the same, in its own one-line format.
    const query = await kestrel(["data", "query", "--db", join(tmp.path, "locked.duckdb"), "select 1"]);
    expect(query.code).toBe(1);
    expect(query.stderr.trim()).toMatch(new RegExp(`^kestrel data query: STORE_LOCKED: db=.*locked\\.duckdb, holderPid=${first.pid}, `));
    first.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(readJournal(journal).tornTail).toBeNull();
  }, 90_000);

  test("a missing config: CONFIG_NOT_FOUND", async () => {
    const line = expectOneLine(await kestrel(["run", join(tmp.path, "nowhere.yaml")]), "CONFIG_NOT_FOUND");
    expect(line).toContain("nowhere.yaml");
  });

  test("a missing market file: MARKET_FILE_NOT_FOUND with the file and the YAML line", async () => {
    const line = expectOneLine(await kestrel(["backtest", join(REPO_ROOT, "configs/broken/replay-missing-file.yaml")]), "MARKET_FILE_NOT_FOUND");
    expect(line).toMatch(/replay-missing-file\.yaml:8: market\.replay\.files\[0\]\.path: file not found: .*nowhere\.csv/);
  });

  test("a bad config: CONFIG_INVALID naming the path, what was expected and what was there", async () => {
    const line = expectOneLine(await kestrel(["run", join(REPO_ROOT, "configs/broken/bad-param-type.yaml")]), "CONFIG_INVALID");
    expect(line).toMatch(/bad-param-type\.yaml:\d+: /);
  });

  test("an unknown instrument: CONFIG_UNKNOWN_INSTRUMENT", async () => {
    const line = expectOneLine(await kestrel(["backtest", join(REPO_ROOT, "configs/broken/unknown-instrument.yaml")]), "CONFIG_UNKNOWN_INSTRUMENT");
    expect(line).toContain('got "XXXYYY"');
  });

  test("the admin port in use after the sidecars started: ADMIN_LISTEN_FAILED, sidecars stopped, no segment left", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const config = paperYaml("busy", holder.port, "sidecars:\n  gpu: { mode: sidecar, everySeconds: 10, confidence: 0.99, horizonSeconds: 60, paths: 1000, maxVar: 1000000 }\n");
      const proc = Bun.spawn([process.execPath, CLI, "run", config, "--quiet", "--for", "30s"], { cwd: tmp.path, stdout: "pipe", stderr: "pipe", env: { ...process.env, KESTREL_ADMIN_KEY: KEY } });
      // The sidecar's segment exists while the session starts (it is made before the admin server).
      let seen = false;
      const watch = (async () => {
        while (proc.exitCode === null) {
          if (segmentsOf(proc.pid).length > 0) seen = true;
          await Bun.sleep(20);
        }
      })();
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      await watch;
      expect(seen).toBe(true);
      const line = expectOneLine({ code, stdout, stderr, pid: proc.pid }, "ADMIN_LISTEN_FAILED");
      expect(line).toContain(`port=${holder.port}`);
      expect(line).toContain('reason="port in use"');
    } finally {
      holder.stop(true);
    }
  }, 120_000);
});

test("a start removes a segment left by a process that is gone, and keeps one whose owner lives", async () => {
  const dead = Bun.spawn([process.execPath, "-e", "0"]);
  await dead.exited;
  const stale = `/dev/shm/kestrel-gpu-${dead.pid}-1`;
  const seg = Segment.create(stale, 1 << 12, 5);
  if ("code" in seg) throw new Error(seg.context);
  // The header names the owner: rewrite it as the dead process.
  seg.words[6] = dead.pid;
  const live = `/dev/shm/kestrel-gpu-${process.pid}-999`;
  const mine = Segment.create(live, 1 << 12, 5);
  if ("code" in mine) throw new Error(mine.context);
  try {
    const config = paperYaml("sweep", 0, "sidecars:\n  gpu: { mode: sidecar, everySeconds: 10, confidence: 0.99, horizonSeconds: 60, paths: 1000, maxVar: 1000000 }\n");
    const r = await kestrel(["run", config, "--no-admin", "--quiet", "--for", "1s"]);
    expect(r.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(segmentsOf(r.pid)).toEqual([]);
  } finally {
    for (const p of [stale, live]) if (existsSync(p)) require("node:fs").unlinkSync(p);
  }
}, 120_000);
