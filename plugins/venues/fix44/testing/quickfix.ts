/**
 * Test tooling for the QuickFIX acceptor in acceptor.cpp: builds it once per source hash into
 * a directory under the OS temp dir (g++ -std=c++14, libquickfix-dev from
 * .ci/setup.d/60-fix.sh), starts it on a loopback port the test picks, and stops it. The
 * process exits by itself when its stdin closes, so a crashed test leaves nothing running.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Subprocess } from "bun";
import { jspurefixDictionaryPath } from "../dictionary/load.ts";

const SOURCE = fileURLToPath(new URL("./acceptor.cpp", import.meta.url));

/** Whether this machine can build the acceptor (QuickFIX headers and g++ present). */
export function quickfixAvailable(): boolean {
  return existsSync("/usr/include/quickfix/Session.h") && Bun.which("g++") !== null;
}

/** Compiles acceptor.cpp unless a binary for the same source already exists; returns its path. */
export async function buildAcceptor(): Promise<string> {
  const source = readFileSync(SOURCE);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "kestrel-fix-acceptor");
  const binary = join(dir, `acceptor-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const proc = Bun.spawn(["g++", "-std=c++14", "-O1", "-w", "-rdynamic", "-o", partial, SOURCE, "-lquickfix", "-lpthread", "-ldl"], { stderr: "pipe" });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`FIX_ACCEPTOR_BUILD: exit=${code} ${await new Response(proc.stderr).text()}`);
  renameSync(partial, binary);
  // Binaries of older sources are of no further use.
  for (const name of readdirSync(dir)) if (/^acceptor-[0-9a-f]{16}$/.test(name) && join(dir, name) !== binary) rmSync(join(dir, name), { force: true });
  return binary;
}

/** Returns a loopback port that was free a moment ago. */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** A running acceptor process (QuickFIX C++ or jspurefix). */
export class QuickFixAcceptor {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (line: string) => void }[] = [];

  private constructor(readonly port: number, private readonly proc: Subprocess<"pipe", "pipe", "pipe">) {
    void this.read(proc.stdout);
    void this.read(proc.stderr);
  }

  /** Starts the QuickFIX acceptor as `senderCompID` for the initiator `targetCompID` (on `port` when given: a restart); resolves when it listens. */
  static async start(senderCompID = "LP1", targetCompID = "KESTREL", port?: number): Promise<QuickFixAcceptor> {
    const binary = await buildAcceptor();
    return QuickFixAcceptor.launch((p) => [binary, String(p), senderCompID, targetCompID, jspurefixDictionaryPath("FIX44.xml")], port);
  }

  /** Starts the jspurefix acceptor (jspurefix-acceptor.ts) the same way. */
  static startJspurefix(senderCompID = "LP2", targetCompID = "KESTREL"): Promise<QuickFixAcceptor> {
    const script = fileURLToPath(new URL("./jspurefix-acceptor.ts", import.meta.url));
    return QuickFixAcceptor.launch((port) => [process.execPath, script, String(port), senderCompID, targetCompID]);
  }

  private static async launch(command: (port: number) => string[], fixedPort?: number): Promise<QuickFixAcceptor> {
    let lastError = "";
    // A fixed port may still be held for a moment by the process it replaces: retry longer.
    for (let attempt = 0; attempt < (fixedPort === undefined ? 3 : 20); attempt++) {
      if (attempt > 0 && fixedPort !== undefined) await Bun.sleep(100);
      const port = fixedPort ?? freePort();
      const proc = Bun.spawn(command(port), { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
      const acceptor = new QuickFixAcceptor(port, proc);
      const line = await Promise.race([acceptor.waitFor(/^(READY|ERROR)/), proc.exited.then(() => "EXITED")]);
      if (line.startsWith("READY")) return acceptor;
      lastError = `${line} ${acceptor.lines.join(" | ")}`;
      await acceptor.stop();
    }
    throw new Error(`FIX_ACCEPTOR_START: ${lastError}`);
  }

  private async read(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl = rest.indexOf("\n");
      while (nl >= 0) {
        this.lines.push(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        nl = rest.indexOf("\n");
      }
      this.waiters = this.waiters.filter((w) => {
        const hit = this.lines.slice(w.from).find((l) => w.re.test(l));
        if (hit !== undefined) w.resolve(hit);
        return hit === undefined;
      });
    }
  }

  /** Resolves with the first output line (from line `from` on) that matches. */
  waitFor(re: RegExp, from = 0): Promise<string> {
    const hit = this.lines.slice(from).find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve) => this.waiters.push({ re, from, resolve }));
  }

  /** Writes a command line to its stdin (acceptor.cpp reads FILLALL). */
  command(line: string): void {
    this.proc.stdin.write(`${line}\n`);
    void this.proc.stdin.flush();
  }

  /** Kills the process with SIGKILL (a counterparty that dies without a word) and waits for the exit. */
  async kill(): Promise<void> {
    this.proc.kill(9);
    await this.proc.exited;
  }

  /** Closes its stdin (it stops and exits) and waits for the exit, killing it if it lingers. */
  async stop(): Promise<void> {
    try { this.proc.stdin.end(); } catch { /* already closed */ }
    const timer = setTimeout(() => this.proc.kill(9), 3000);
    await this.proc.exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
