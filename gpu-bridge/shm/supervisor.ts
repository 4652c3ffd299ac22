/**
 * Keeps one sidecar process running beside its bridge: creates the segment, spawns the sidecar
 * with the segment's path, and restarts it with exponential backoff when it exits (the client
 * reattaches on its own when the new process announces itself). Alerts name the sidecar and the
 * exit; nothing here blocks the event loop.
 *
 * @example
 * const sup = SidecarSupervisor.start({ name: "fpga", command: (p) => [simBinary, p], path: "/dev/shm/kestrel-fpga-1" });
 * if ("code" in sup) throw ...;
 * const gate = new FpgaRiskGate({ client: sup.client });
 */
import type { Subprocess } from "bun";
import { ShmClient, type ShmClientOptions } from "./client.ts";
import type { BridgeError } from "./errors.ts";
import { atProcessExit } from "./exit-cleanup.ts";

/** Options of a supervised sidecar. */
export interface SidecarSupervisorOptions extends Omit<ShmClientOptions, "onAlert"> {
  /** Name used in alerts, e.g. "gpu" or "fpga". */
  readonly name: string;
  /** Returns the sidecar's argv for a segment path. */
  readonly command: (segmentPath: string) => string[];
  /** First restart delay in ms (default 100), doubled per consecutive failure up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Receives bridge alerts and SIDECAR_EXITED / SIDECAR_RESTARTED alerts. */
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** A sidecar process kept alive beside its bridge client. */
export class SidecarSupervisor {
  private proc: Subprocess | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private failures = 0;
  /** Number of times the sidecar has been (re)started. */
  starts = 0;

  private constructor(
    readonly client: ShmClient,
    private readonly opts: SidecarSupervisorOptions,
  ) {}

  /** Creates the segment and spawns the sidecar; returns an error value for a bad segment config. */
  static start(opts: SidecarSupervisorOptions): SidecarSupervisor | BridgeError {
    const alert = opts.onAlert ?? (() => {});
    const client = ShmClient.create({ ...opts, onAlert: alert });
    if ("code" in client) return client;
    const s = new SidecarSupervisor(client, opts);
    s.spawn();
    return s;
  }

  /** The running sidecar's pid, or null between restarts. */
  pid(): number | null {
    return this.proc?.pid ?? null;
  }

  /** Kills the sidecar, stops restarting it and removes the segment. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const p = this.proc;
    this.proc = null;
    if (p) {
      p.kill(9);
      await p.exited;
    }
    this.client.close();
  }

  private spawn(): void {
    if (this.stopped) return;
    const alert = this.opts.onAlert ?? (() => {});
    this.starts++;
    if (this.starts > 1) alert({ code: "SIDECAR_RESTARTED", context: `sidecar=${this.opts.name} start=${this.starts}` });
    const startedAt = performance.now();
    let proc: Subprocess;
    try {
      proc = Bun.spawn(this.opts.command(this.client.segment.path), { stdout: "inherit", stderr: "inherit" });
    } catch (e) {
      alert({ code: "SIDECAR_EXITED", context: `sidecar=${this.opts.name} spawn_error=${JSON.stringify((e as Error).message)}` });
      this.scheduleRestart();
      return;
    }
    this.proc = proc;
    // A sidecar never outlives the session that spawned it, whatever way the session ends.
    const forget = atProcessExit(() => proc.kill(9));
    proc.exited.then((code) => {
      forget();
      if (this.proc !== proc) return;
      this.proc = null;
      if (this.stopped) return;
      alert({ code: "SIDECAR_EXITED", context: `sidecar=${this.opts.name} pid=${proc.pid} exit=${code} signal=${proc.signalCode ?? "none"}` });
      // A sidecar that ran for a while resets the backoff; one that dies at once backs off.
      if (performance.now() - startedAt > 5_000) this.failures = 0;
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const base = this.opts.backoffMs ?? 100;
    const delay = Math.min(this.opts.maxBackoffMs ?? 5_000, base * 2 ** this.failures);
    this.failures++;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.spawn();
    }, delay);
  }
}
