/**
 * The online learner process (`models/executor/online.py`, Debian's python3 with torch): started
 * with a job file, spoken to in JSON lines (one request at a time, answered in order). A learner
 * that exits fails its pending request with the last lines of its stderr.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../train.ts";

/** The learner script. */
export const ONLINE_LEARNER_SCRIPT = fileURLToPath(new URL("../../../models/executor/online.py", import.meta.url));

/** An update's answer. */
export interface UpdateAnswer {
  readonly n: number;
  readonly status: "accepted" | "rejected";
  readonly kl: number;
  readonly entropy: number;
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly steps: number;
  readonly batchReward: number;
  readonly card?: string;
  readonly version?: string;
  readonly reason?: string;
  readonly forced?: string;
}

/** A running learner. */
export class LearnerProcess {
  private readonly proc: ReturnType<typeof Bun.spawn>;
  private readonly waiting: ((msg: Record<string, unknown>) => void)[] = [];
  private readonly failing: ((e: Error) => void)[] = [];
  private stderrTail = "";
  private exited: string | null = null;
  /** Resolves when the learner has loaded its starting policy. */
  readonly ready: Promise<void>;

  constructor(job: Record<string, unknown>, dir: string) {
    const jobFile = join(dir, "learner-job.json");
    writeFileSync(jobFile, JSON.stringify(job, null, 2));
    this.proc = Bun.spawn([PYTHON, ONLINE_LEARNER_SCRIPT, jobFile], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    this.ready = this.next().then(() => undefined);
    void this.read();
    void this.readErr();
    void this.proc.exited.then((code) => {
      this.exited = `LEARNER_EXITED: code=${code} ${this.stderrTail.trim().split("\n").slice(-4).join(" | ")}`;
      const e = new Error(this.exited);
      for (const f of this.failing.splice(0)) f(e);
      this.waiting.length = 0;
    });
  }

  /** Why the learner is gone, or null while it runs. */
  get failure(): string | null {
    return this.exited;
  }

  /** Sends one request and waits for its answer. */
  ask<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T> {
    if (this.exited !== null) return Promise.reject(new Error(this.exited));
    const p = this.next() as Promise<T>;
    const stdin = this.proc.stdin as import("bun").FileSink;
    stdin.write(`${JSON.stringify(msg)}\n`);
    stdin.flush();
    return p;
  }

  /** Stops the learner (asks, then kills). */
  async stop(): Promise<void> {
    if (this.exited === null) {
      try {
        const stdin = this.proc.stdin as import("bun").FileSink;
        stdin.write(`${JSON.stringify({ stop: true })}\n`);
        stdin.end();
      } catch {
        // already closing: the kill below ends it
      }
    }
    const t = setTimeout(() => this.proc.kill(), 2000);
    await this.proc.exited;
    clearTimeout(t);
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((res, rej) => {
      this.waiting.push(res);
      this.failing.push(rej);
    });
  }

  private async read(): Promise<void> {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of this.proc.stdout as ReadableStream<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === "") continue;
        const res = this.waiting.shift();
        this.failing.shift();
        res?.(JSON.parse(line) as Record<string, unknown>);
      }
    }
  }

  private async readErr(): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of this.proc.stderr as ReadableStream<Uint8Array>) this.stderrTail = (this.stderrTail + dec.decode(chunk, { stream: true })).slice(-4000);
  }
}
