/**
 * A finished session always ends its process, whoever is connected: the real `kestrel run` with
 * WebSocket stream clients that never close, an HTTP keep-alive connection left open and a request
 * that never finishes arriving, stopped by `--for`, by SIGINT and by SIGTERM. Each must exit by
 * itself with code 0 and its summary printed (the test kills it only if it hangs, which fails).
 * The stop control's own rules (second signal, watchdog) are checked directly.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueToken } from "../admin/auth/jwt.ts";
import { REPO_ROOT, tempDir } from "../session/test-session.ts";
import { EXIT_FORCED, installStopSignals } from "./shutdown.ts";

const CLI = join(REPO_ROOT, "runtime/cli.ts");
const KEY = "exit-with-clients-test-key-0123456789ab";
const tmp = tempDir("kestrel-exit-");
afterAll(() => tmp.dispose());

/** Longest a stopping session may take before the test calls it hung and kills it. */
const HUNG_AFTER_MS = 60_000;

interface Clients {
  sockets: WebSocket[];
  closes: number[];
  raw: Socket[];
}

async function attachClients(port: number): Promise<Clients> {
  const token = await issueToken("admin", 3600, KEY, "exit-test");
  const clients: Clients = { sockets: [], closes: [], raw: [] };
  for (const path of ["/ws/market-data", "/ws/trades", "/ws/alerts"]) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?token=${token}`);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`${path}: did not open`));
    });
    ws.onclose = (e) => clients.closes.push(e.code);
    clients.sockets.push(ws);
  }
  // An HTTP/1.1 keep-alive connection that got its answer and stays open.
  const keepAlive = connect(port, "127.0.0.1");
  const answered = new Promise<void>((resolve) => keepAlive.once("data", () => resolve()));
  keepAlive.write(`GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  await answered;
  // A request whose headers never finish arriving.
  const partial = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => partial.once("connect", () => resolve()));
  partial.write("GET /api/v1/portfolio HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const s of [keepAlive, partial]) s.on("error", () => {});
  clients.raw.push(keepAlive, partial);
  return clients;
}

/** Runs a paper session with clients attached, stops it as asked, and returns how it ended. */
async function runWithClients(stop: "for" | "SIGINT" | "SIGTERM"): Promise<{ code: number; signal: string | null; stdout: string; stderr: string; closes: number[] }> {
  const yaml = readFileSync(join(REPO_ROOT, "configs/paper.yaml"), "utf8")
    .replace("path: var/paper.duckdb", `path: ${join(tmp.path, `${stop}.duckdb`)}`)
    .replace("path: var/paper.journal", `path: ${join(tmp.path, `${stop}.journal`)}`)
    .replace("port: 8787", "port: 0");
  const config = join(tmp.path, `${stop}.yaml`);
  writeFileSync(config, yaml);
  const args = ["run", config, "--quiet", ...(stop === "for" ? ["--for", "5s"] : [])];
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: tmp.path, stdout: "pipe", stderr: "pipe", env: { ...process.env, KESTREL_ADMIN_KEY: KEY } });
  let stderr = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) stderr += decoder.decode(chunk);
  })();
  const stdoutText = new Response(proc.stdout).text();
  let port = 0;
  for (let i = 0; i < 1200 && port === 0; i++) {
    port = Number(/admin: http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1] ?? 0);
    if (port === 0) await Bun.sleep(50);
  }
  expect(port).toBeGreaterThan(0);
  const clients = await attachClients(port);
  if (stop !== "for") proc.kill(stop);
  const hung = setTimeout(() => proc.kill("SIGKILL"), HUNG_AFTER_MS);
  const code = await proc.exited;
  clearTimeout(hung);
  await reading;
  const stdout = await stdoutText;
  for (const s of clients.raw) s.destroy();
  // The server closed the streams itself (the clients never did).
  for (let i = 0; i < 100 && clients.closes.length < clients.sockets.length; i++) await Bun.sleep(20);
  return { code, signal: proc.signalCode === null ? null : String(proc.signalCode), stdout, stderr, closes: clients.closes };
}

describe("a session with clients attached ends its process", () => {
  for (const stop of ["for", "SIGINT", "SIGTERM"] as const) {
    test(`stopped by ${stop === "for" ? "--for 5s" : stop}: exit 0, summary printed, streams closed by the server`, async () => {
      const r = await runWithClients(stop);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Fills hash\s+[0-9a-f]{64}/);
      expect(r.stderr).not.toContain("SHUTDOWN_TIMEOUT");
      expect(r.closes.length).toBe(3);
      if (stop !== "for") expect(r.stderr).toContain("stopping: canceling working orders");
    }, 120_000);
  }
});

describe("stop control", () => {
  test("a second signal exits at once with 130; the first only asks for the stop", async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const stop = installStopSignals({ graceMs: 60_000, write: (l) => lines.push(l), exit: (c) => exits.push(c) });
    try {
      stop.begin();
      process.emit("SIGINT", "SIGINT");
      await stop.signal;
      expect(stop.requested).toBe(true);
      expect(exits).toEqual([]);
      process.emit("SIGTERM", "SIGTERM");
      expect(exits).toEqual([EXIT_FORCED]);
      expect(lines.at(-1)).toContain("second SIGTERM: exiting now");
    } finally {
      stop.dispose();
    }
  });

  test("a step that never finishes ends the process with SHUTDOWN_TIMEOUT naming the step", async () => {
    const lines: string[] = [];
    let exited!: (code: number) => void;
    const exit = new Promise<number>((r) => (exited = r));
    const stop = installStopSignals({ graceMs: 20, write: (l) => lines.push(l), exit: (c) => exited(c) });
    try {
      stop.stopping("closing the admin server");
      // Nothing finishes: the watchdog must end it.
      expect(await exit).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kestrel: SHUTDOWN_TIMEOUT: step="closing the admin server" waitedMs=\d+ graceMs=20$/);
    } finally {
      stop.dispose();
    }
  });

  test("before the session runs a signal only records the request; begin() then arms the watchdog", async () => {
    let exited!: (code: number) => void;
    const exit = new Promise<number>((r) => (exited = r));
    const stop = installStopSignals({ graceMs: 20, write: () => {}, exit: (c) => exited(c) });
    try {
      process.emit("SIGINT", "SIGINT");
      expect(stop.requested).toBe(true);
      stop.begin();
      expect(await exit).toBe(1);
    } finally {
      stop.dispose();
    }
  });
});
